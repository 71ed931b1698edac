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
});
