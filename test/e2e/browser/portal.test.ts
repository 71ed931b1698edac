import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../infra/local/local-stack.js';
import { chromiumMissing, chromiumSkipNote, launchChromium, mailsTo, screenshot } from '../../support/browser.js';

/**
 * The reference portal as a visitor uses it, in Debian's Chromium: the local stack crawls the
 * sample sites, serves the portal at / next to /v1/*, and writes mail to its outbox.
 */
describe.skipIf(chromiumMissing)(`portal page in Chromium${chromiumSkipNote}`, () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chiiki-portal-browser-'));
    stack = await startLocalStack({ dataDir, port: 0, registry: 'sample', schedule: false });
    await stack.firstCrawl;
    // One sample site moves a deadline, so a call has a change history to show.
    stack.sampleSites?.advance('changing');
    await stack.crawl(['sample-changing']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const summary = () => page.locator('#summary');
  const resultTitles = () => page.locator('#result-list .result-title');

  it('lists everything on first load and pages on with the cursor', async () => {
    await page.goto(`${stack.apiUrl}/`);

    // The first request builds the portal with esbuild.
    await expect.poll(() => summary().textContent(), { timeout: 15_000 }).toMatch(/^\d+件中 1–20件を表示$/);
    const total = Number((await summary().textContent())?.match(/^(\d+)件/)?.[1]);
    expect(total).toBeGreaterThan(20);
    await expect.poll(() => resultTitles().count()).toBe(20);
    const firstPageTitles = await resultTitles().allTextContents();

    await page.getByRole('link', { name: '次のページ' }).click();
    await page.locator('#result-list[data-search*="cursor="]').waitFor();

    await expect.poll(() => summary().textContent()).toBe(`${total}件中 21–${Math.min(40, total)}件を表示`);
    expect(page.url()).toContain('cursor=');
    const secondPageTitles = await resultTitles().allTextContents();
    expect(secondPageTitles.some((title) => firstPageTitles.includes(title))).toBe(false);
  });

  it('finds クラスター with highlighted matches and narrows by a status facet, keeping the state in the URL', async () => {
    await page.goto(`${stack.apiUrl}/`);
    await page.getByLabel('キーワード').fill('クラスター');
    await page.getByLabel('キーワード').press('Enter');

    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('クラスター');
    await page.locator('#result-list[data-search^="q="]').waitFor();
    await expect.poll(() => summary().textContent()).toMatch(/^\d+件中/);
    const marks = await page.locator('#result-list mark').allTextContents();
    expect(marks.length).toBeGreaterThan(0);
    expect(new Set(marks)).toEqual(new Set(['クラスター']));
    // Highlights arrive HTML-escaped; the page shows the characters, never the entities or tags.
    const listText = (await page.locator('#result-list').textContent()) ?? '';
    expect(listText).not.toMatch(/&(#x?[0-9a-f]+|amp|lt|gt|quot);|<\/?mark>/i);
    const openFacet = page.getByRole('checkbox', { name: /^募集中 \(\d+\)$/ });
    const openCount = Number(
      (await page.locator('label[for="f-status-open"] .count').textContent())?.match(/\d+/)?.[0],
    );
    expect(openCount).toBeGreaterThan(0);

    await openFacet.check();

    await expect.poll(() => new URL(page.url()).searchParams.getAll('status')).toEqual(['open']);
    await page.locator('#result-list[data-search$="status=open"]').waitFor();
    await expect.poll(() => summary().textContent()).toMatch(new RegExp(`^${openCount}件中`));
    const badges = await page.locator('#result-list .badge[class*="status-"]').allTextContents();
    expect(badges.length).toBe(openCount);
    expect(new Set(badges)).toEqual(new Set(['募集中']));
    expect(await page.locator('#result-list .countdown').count()).toBeGreaterThan(0);
    expect(await page.getByRole('link', { name: 'この検索をRSSでフォロー' }).getAttribute('href')).toMatch(
      /\/v1\/feed\.rss\?q=%E3%82%AF%E3%83%A9%E3%82%B9%E3%82%BF%E3%83%BC&status=open$/,
    );
    expect(await page.locator('link#feed[rel="alternate"]').getAttribute('href')).toMatch(
      /\/v1\/feed\.rss\?q=.+&status=open$/,
    );
    const feed = await fetch(
      (await page.getByRole('link', { name: 'この検索をRSSでフォロー' }).getAttribute('href')) ?? '',
    );
    expect(feed.headers.get('content-type')).toContain('application/rss+xml');
    expect((await feed.text()).match(/<item>/g)?.length).toBe(openCount);
    expect(await page.getByRole('link', { name: 'CSVダウンロード' }).getAttribute('href')).toContain('/v1/export.csv?');
    await screenshot(page, 'results-facets-highlights');

    const shared = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'ja-JP' });
    await shared.goto(page.url());
    await expect.poll(() => shared.locator('#summary').textContent()).toMatch(new RegExp(`^${openCount}件中`));
    expect(await shared.getByLabel('キーワード').inputValue()).toBe('クラスター');
    // On a phone the facets wait in a drawer whose button counts the chosen ones.
    expect(await shared.locator('#facets-toggle').textContent()).toContain('（1件選択中）');
    await shared.locator('#facets-toggle').click();
    expect(await shared.getByRole('checkbox', { name: /^募集中/ }).isChecked()).toBe(true);
    await screenshot(shared, 'results-phone');
    await shared.close();
  });

  it('orders by the closest deadline', async () => {
    await page.getByLabel('並び順').selectOption({ label: '締切が近い順' });

    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('deadline');
    await page.locator('#result-list[data-search*="sort=deadline"]').waitFor();
    const deadlines = (await page.locator('#result-list .meta').allTextContents())
      .map((meta) => meta.match(/締切 (\d{4}\/\d{1,2}\/\d{1,2} \d{2}:\d{2})/)?.[1])
      .filter((d): d is string => d !== undefined)
      .map((d) => Date.parse(d.replace(/\//g, '-').replace(/-(\d)(?=[- ])/g, '-0$1')));
    expect(deadlines.length).toBeGreaterThan(1);
    expect([...deadlines].sort((a, b) => a - b)).toEqual(deadlines);
  });

  it('opens a call with its provenance and change history, and closes it with Escape', async () => {
    const first = resultTitles().first();
    const title = await first.textContent();

    await first.click();

    const detail = page.getByRole('dialog', { name: title ?? '' });
    await expect.poll(() => detail.isVisible()).toBe(true);
    expect(new URL(page.url()).searchParams.get('item')).toMatch(/^it_/);
    expect(await page.evaluate('document.activeElement?.id')).toBe('detail-title');
    expect(await detail.locator('.provenance tbody tr').count()).toBeGreaterThan(0);
    expect(await detail.locator('.provenance tbody tr').first().textContent()).toMatch(/（.+）http:\/\//);
    expect(await detail.getByRole('heading', { name: '変更履歴' }).isVisible()).toBe(true);
    expect(await detail.locator('dl.facts').textContent()).toContain('受付期間');
    expect(await page.locator('.layout').getAttribute('inert')).toBe('');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.closest("#detail") !== null')).toBe(true);
    await screenshot(page, 'detail-provenance-history', false);

    await page.keyboard.press('Escape');

    await expect.poll(() => page.locator('#detail').isHidden()).toBe(true);
    expect(new URL(page.url()).searchParams.get('item')).toBeNull();
    expect(await page.evaluate('document.activeElement?.textContent')).toBe(title);
  });

  it('subscribes to the search, confirms from the mail, and unsubscribes from the link', async () => {
    const address = 'kenkyu-browser@example.jp';
    await page.getByLabel('メールアドレス').fill(address);
    await page.getByLabel('配信頻度').selectOption('immediate');

    await page.getByRole('button', { name: '確認メールを送る' }).click();

    await expect.poll(() => page.locator('#subscribe-result').textContent()).toContain('確認メールをお送りしました');
    await expect.poll(async () => (await mailsTo(stack.outboxDir, address)).length).toBe(1);
    const [mail] = await mailsTo(stack.outboxDir, address);
    expect(mail?.text).toContain('クラスター');
    const confirmUrl = mail?.text.match(/http:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+/)?.[0];
    expect(confirmUrl).toBeDefined();

    await page.goto(confirmUrl ?? '');
    await page.getByRole('button', { name: '配信を開始する' }).click();

    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('配信を開始しました');
    // The same link again is a no-op that reports the subscription, with its unsubscribe link.
    const view = (await (
      await fetch(confirmUrl ?? '', { method: 'POST', headers: { accept: 'application/json' } })
    ).json()) as { status: string; searches: { label: string }[]; unsubscribeUrl: string };
    expect(view.status).toBe('active');
    expect(view.searches.map((s) => s.label)).toEqual(['クラスター・募集中']);

    await page.goto(view.unsubscribeUrl);
    await page.getByRole('button', { name: '配信を停止する' }).click();

    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('配信を停止しました');
    const again = await fetch(view.unsubscribeUrl, { method: 'POST', headers: { accept: 'application/json' } });
    expect(await again.json()).toEqual({ status: 'unsubscribed' });
    const reconfirm = await fetch(confirmUrl ?? '', { method: 'POST', headers: { accept: 'application/json' } });
    expect(reconfirm.status).toBe(400);
  });

  it('shows the change history of a call whose deadline moved, marked as an important change', async () => {
    await page.goto(`${stack.apiUrl}/?q=${encodeURIComponent('地域産学官共同研究拠点整備事業')}`);
    await page.locator('#result-list[data-search^="q="] .result-title').first().click();

    const history = page.locator('#detail ol.history > li');
    await expect.poll(() => history.count()).toBeGreaterThan(0);
    expect(await history.first().textContent()).toMatch(
      /^版2 .+重要な変更.*締切: 2026\/12\/\d+ \d{2}:\d{2} → 2026\/12\/24 \d{2}:\d{2}/,
    );
    expect(await page.locator('#detail .provenance tbody tr').first().textContent()).toContain('changing');
    await screenshot(page, 'detail-change-history', false);
  });
  it('says a link to an unknown item was not found, in Japanese, and goes back to the list', async () => {
    const unknownIds = ['it_000000000000000000000000', 'no-such-item'];
    const statuses = await Promise.all(
      unknownIds.map(async (id) => (await fetch(`${stack.apiUrl}/v1/items/${id}`)).status),
    );
    // One of each answer the API gives for a missing item: not found, and not an id at all.
    expect(statuses).toEqual([404, 400]);

    for (const id of unknownIds) {
      await page.goto(`${stack.apiUrl}/?item=${id}`);

      await expect
        .poll(() => page.locator('#detail-title').textContent())
        .toBe('お探しの公募・お知らせは見つかりませんでした');
      expect(await page.locator('#detail').textContent()).not.toContain('通信エラー');
      expect(await page.locator('#detail').textContent()).not.toMatch(/[A-Za-z]/);
    }
    await screenshot(page, 'item-not-found', false);
    await page.getByRole('button', { name: '一覧に戻る' }).click();

    await expect.poll(() => page.locator('#detail').isHidden()).toBe(true);
    expect(new URL(page.url()).searchParams.get('item')).toBeNull();
    await expect.poll(() => summary().textContent()).toMatch(/^\d+件中/);
  });

  it('explains a bad filter in Japanese, hides feed and CSV links for it, and clears just that filter', async () => {
    await page.goto(`${stack.apiUrl}/?q=${encodeURIComponent('クラスター')}&prefecture=99`);

    const box = page.locator('#search-error');
    await expect.poll(() => box.isVisible()).toBe(true);
    expect(await summary().textContent()).toBe('この条件では検索できません。');
    expect(await box.textContent()).toContain('都道府県の指定「99」は使えません。');
    expect(await box.textContent()).not.toMatch(/[A-Za-z]/);
    for (const id of ['rss', 'csv']) {
      expect(await page.locator(`#${id}`).getAttribute('href')).toMatch(/\/v1\/(feed\.rss|export\.csv)$/);
      expect(await page.locator(`#${id}`).isVisible()).toBe(false);
    }
    expect(await page.locator('#subscribe-section').isVisible()).toBe(false);
    await screenshot(page, 'bad-filter');
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'ja-JP' });
    await phone.goto(page.url());
    await expect.poll(() => phone.locator('#search-error').isVisible()).toBe(true);
    expect(await phone.getByRole('button', { name: '都道府県の指定を外す' }).isVisible()).toBe(true);
    await screenshot(phone, 'bad-filter-phone', false);
    await phone.close();

    await box.getByRole('button', { name: '都道府県の指定を外す' }).click();

    await expect.poll(() => new URL(page.url()).searchParams.getAll('prefecture')).toEqual([]);
    expect(new URL(page.url()).searchParams.get('q')).toBe('クラスター');
    await expect.poll(() => summary().textContent()).toMatch(/^\d+件中/);
    expect(await box.isHidden()).toBe(true);
    expect(await page.getByRole('link', { name: 'この検索をRSSでフォロー' }).getAttribute('href')).toMatch(
      /\/v1\/feed\.rss\?q=%E3%82%AF%E3%83%A9%E3%82%B9%E3%82%BF%E3%83%BC$/,
    );
    expect(await page.locator('#subscribe-section').isVisible()).toBe(true);
    expect(await page.evaluate('document.activeElement?.id')).toBe('results-heading');
  });

  it('keeps good filters when clearing a bad one, and resets everything from the error', async () => {
    await page.goto(`${stack.apiUrl}/?status=someday&kind=call`);
    await expect.poll(() => page.locator('#search-error').isVisible()).toBe(true);
    expect(await page.locator('#search-error').textContent()).toContain('募集状況の指定「someday」は使えません。');

    await page.getByRole('button', { name: '募集状況の指定を外す' }).click();

    await expect.poll(() => summary().textContent()).toMatch(/^\d+件中/);
    expect(new URL(page.url()).search).toBe('?kind=call');

    await page.goto(`${stack.apiUrl}/?kind=zzz&q=${encodeURIComponent('半導体')}`);
    await expect.poll(() => page.locator('#search-error').isVisible()).toBe(true);
    await page.getByRole('link', { name: 'すべての条件を解除して最初から探す' }).click();

    await expect.poll(() => summary().textContent()).toMatch(/^\d+件中 1–20件を表示$/);
    expect(new URL(page.url()).search).toBe('');
    expect(await page.getByLabel('キーワード').inputValue()).toBe('');
  });

  it('says when the server cannot be reached and searches again from the retry button', async () => {
    // The network fails under the page (the stack keeps running); Chromium reports a failed fetch.
    await page.route('**/v1/search?**', (route) => route.abort('connectionrefused'));
    await page.goto(`${stack.apiUrl}/?q=${encodeURIComponent('半導体')}`);

    const box = page.locator('#search-error');
    await expect.poll(() => box.isVisible()).toBe(true);
    expect(await summary().textContent()).toBe('検索できませんでした。');
    expect(await box.locator('h3').textContent()).toBe('サーバーに接続できませんでした');
    expect(await page.locator('#rss').isVisible()).toBe(false);

    await page.unroute('**/v1/search?**');
    await box.getByRole('button', { name: 'もう一度検索する' }).click();

    await expect.poll(() => summary().textContent()).toMatch(/^\d+件中/);
    expect(await box.isHidden()).toBe(true);
    expect(await page.locator('#rss').isVisible()).toBe(true);
  });

  it('shows the facets beside the results at 1280 px, and the results first with facets in a drawer at 390 px', async () => {
    await page.goto(`${stack.apiUrl}/`);
    await expect.poll(() => resultTitles().count()).toBe(20);
    const facetsBox = await page.locator('#facets').boundingBox();
    const resultsBox = await page.locator('#result-list').boundingBox();
    expect(await page.locator('#facets-toggle').isVisible()).toBe(false);
    expect(await page.getByRole('heading', { name: '絞り込み', exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('complementary', { name: '絞り込み', exact: true }).count()).toBe(1);
    expect(await page.locator('#facet-groups').isVisible()).toBe(true);
    expect((facetsBox?.x ?? 0) + (facetsBox?.width ?? 0)).toBeLessThan(resultsBox?.x ?? 0);
    const icon = new URL((await page.locator('link[rel="icon"]').getAttribute('href')) ?? '', page.url()).href;
    expect((await fetch(icon)).headers.get('content-type')).toBe('image/svg+xml');
    await screenshot(page, 'results-desktop', false);

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'ja-JP' });
    await phone.goto(`${stack.apiUrl}/`);
    await expect.poll(() => phone.locator('#result-list .result').count()).toBe(20);

    const firstTop = await phone
      .locator('#result-list .result')
      .first()
      .evaluate((li) => li.getBoundingClientRect().top);
    const toggle = phone.locator('#facets-toggle');
    expect(firstTop).toBeLessThan(520);
    expect(await phone.locator('#facet-groups').isVisible()).toBe(false);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    // The drawer's button is the facets' heading on a phone: one 絞り込み in the outline, and it is the button.
    const phoneHeading = phone.getByRole('heading', { name: /絞り込み/ });
    expect(await phoneHeading.count()).toBe(1);
    expect(await phoneHeading.getByRole('button').isVisible()).toBe(true);
    expect(await phone.locator('.facets-title').isVisible()).toBe(false);
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(phone, 'results-phone-top', false);

    await toggle.click();

    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await phone.locator('#facet-groups').isVisible()).toBe(true);
    await phone.getByRole('checkbox', { name: /^募集中/ }).check();
    await expect.poll(() => toggle.textContent()).toContain('（1件選択中）');
    expect(new URL(phone.url()).searchParams.getAll('status')).toEqual(['open']);
    expect(await phone.locator('#facet-groups').isVisible()).toBe(true);
    await screenshot(phone, 'facets-drawer-phone', false);
    await phone.close();
  });
  /** 「上限 1億5,000万円」 → yen. */
  const yenOf = (text: string): number => {
    const m = /上限 (?:([\d,]+)億)?(?:([\d,]+)万)?(?:([\d,]+))?円/.exec(text);
    const n = (part: string | undefined) => Number((part ?? '0').replace(/,/g, ''));
    return m ? n(m[1]) * 1e8 + n(m[2]) * 1e4 + n(m[3]) : NaN;
  };

  it('narrows by 応募できる者, showing who may apply on every hit, and orders by the largest ceiling', async () => {
    await page.goto(`${stack.apiUrl}/`);
    await expect.poll(() => summary().textContent()).toMatch(/^\d+件中/);
    const applicants = page.locator('#facet-groups input[name="applicant"]');
    expect(await applicants.count()).toBeGreaterThan(0);
    const value = (await applicants.first().getAttribute('value')) ?? '';
    const label = page.locator(`label[for="f-applicant-${value}"]`);
    const word = ((await label.textContent()) ?? '').replace(/\s*\(\d+\)$/, '');
    const count = Number((await label.locator('.count').textContent())?.match(/\d+/)?.[0]);

    await applicants.first().check();

    await expect.poll(() => new URL(page.url()).searchParams.getAll('applicant')).toEqual([value]);
    await page.locator(`#result-list[data-search*="applicant=${value}"]`).waitFor();
    await expect.poll(() => summary().textContent()).toMatch(new RegExp(`^${count}件中`));
    const who = await page
      .locator('#result-list .result')
      .evaluateAll((lis) => lis.map((li) => li.querySelector('.applicants')?.textContent ?? ''));
    expect(who.length).toBe(Math.min(count, 20));
    for (const line of who) expect(line).toMatch(new RegExp(`^応募できる者: .*${word}`));

    await page.getByLabel('並び順').selectOption({ label: '上限額が大きい順' });

    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('amount');
    await page.locator('#result-list[data-search*="sort=amount"]').waitFor();
    const ceilings = await page
      .locator('#result-list .result')
      .evaluateAll((lis) => lis.map((li) => li.querySelector('.ceiling')?.textContent ?? ''));
    const known = ceilings.filter(Boolean).map(yenOf);
    expect(known.every((yen) => Number.isFinite(yen))).toBe(true);
    expect([...known].sort((a, b) => b - a)).toEqual(known);
    // Hits without a stated ceiling come last.
    expect(ceilings.slice(0, known.length).every(Boolean)).toBe(true);
    await screenshot(page, 'results-applicant-amount', false);
  });

  it('narrows by the 上限額 range in 万円, keeping it in the URL in yen', async () => {
    await page.goto(`${stack.apiUrl}/?sort=amount`);
    await expect.poll(() => summary().textContent()).toMatch(/^\d+件中/);
    const top = yenOf((await page.locator('#result-list .ceiling').first().textContent()) ?? '');
    expect(top).toBeGreaterThan(0);

    await page.getByLabel('万円以上').fill(String(top / 1e4));
    await page.getByRole('button', { name: '金額で絞り込む' }).click();

    await expect.poll(() => new URL(page.url()).searchParams.get('amountMin')).toBe(String(top));
    await page.locator(`#result-list[data-search*="amountMin=${top}"]`).waitFor();
    const ceilings = (await page.locator('#result-list .result .ceiling').allTextContents()).map(yenOf);
    expect(ceilings.length).toBe(await page.locator('#result-list .result').count());
    expect(ceilings.every((yen) => yen >= top)).toBe(true);
    expect(await page.locator('#facets-toggle-count').textContent()).toBe('（1件選択中）');

    await page.getByLabel('万円以上').fill('abc');
    await page.getByRole('button', { name: '金額で絞り込む' }).click();

    await expect.poll(() => page.locator('#amount-error').textContent()).toContain('万円単位の数字');
    expect(new URL(page.url()).searchParams.get('amountMin')).toBe(String(top));
  });

  it('marks a forecast round 見込み beside its own closed status, never as an open or upcoming call', async () => {
    await page.goto(`${stack.apiUrl}/`);
    await expect.poll(() => summary().textContent()).toMatch(/^\d+件中/);
    const expected = page.getByRole('checkbox', { name: /^公募予定（見込み） \(\d+\)$/ });

    await expected.check();

    await expect.poll(() => new URL(page.url()).searchParams.getAll('status')).toEqual(['expected']);
    await page.locator('#result-list[data-search$="status=expected"]').waitFor();
    const hits = page.locator('#result-list .result');
    expect(await hits.count()).toBeGreaterThan(0);
    const shown = await hits.evaluateAll((lis) =>
      lis.map((li) => ({
        status: li.querySelector('[class*="status-"]')?.textContent ?? '',
        forecast: li.querySelector('.forecast-line')?.textContent ?? '',
      })),
    );
    for (const hit of shown) {
      expect(['締切済み', '期間不明']).toContain(hit.status);
      expect(hit.forecast).toMatch(/^見込み 次回の受付開始 \d{4}年\d+月\d+日.*頃の見込み/);
    }
    await screenshot(page, 'results-expected', false);
  });
});
