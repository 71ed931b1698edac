import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../infra/local/local-stack.js';
import { formatYen } from '../../../portal/src/facts.js';
import { applicantLabel, type ApplicantType } from '../../../shared/domain/applicant.js';
import { chromiumMissing, chromiumSkipNote, launchChromium, screenshot } from '../../support/browser.js';

/**
 * The item view's 応募できる者, 金額, 過去の公募 and 次回の見込み, and the 「今後の公募（見込み）」 view,
 * in Debian's Chromium against the local stack on the sample sites. The sample program
 * (`sample-mext-archive`: 令和6・7・8年度 of 地域イノベーション創出支援事業, and a 地域枠 look-alike)
 * is a series of three rounds whose next round is forecast.
 */

const program = '地域イノベーション創出支援事業';
const newestTitle = `令和8年度 ${program}の公募について`;

interface Hit {
  readonly id: string;
  readonly title: string;
  readonly sources: readonly string[];
}

interface Detail {
  readonly applicants?: { readonly types: readonly ApplicantType[] };
  readonly amount?: { readonly maxPerProjectYen?: number };
  readonly series?: {
    readonly rounds: readonly { readonly itemId: string; readonly label: string }[];
    readonly forecast:
      | { readonly status: 'expected'; readonly opens: { readonly from: string }; readonly text: string }
      | { readonly status: 'none'; readonly text: string };
  };
}

const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 900 };

describe.skipIf(chromiumMissing)(`item view and 見込み view in Chromium${chromiumSkipNote}`, () => {
  let stack: LocalStack;
  let browser: Browser;
  let dataDir: string;
  let newest: Hit;
  let detail: Detail;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chiiki-forecast-browser-'));
    stack = await startLocalStack({ dataDir, port: 0, registry: 'sample', schedule: false });
    await stack.firstCrawl;
    const found = (await (
      await fetch(`${stack.apiUrl}/v1/search?q=${encodeURIComponent(program)}&size=50`)
    ).json()) as { items: Hit[] };
    const hit = found.items.find((h) => h.title === newestTitle && h.sources.includes('sample-mext-archive'));
    if (!hit) throw new Error(`the sample program's newest round "${newestTitle}" is not in the index`);
    newest = hit;
    detail = (await (await fetch(`${stack.apiUrl}/v1/items/${newest.id}`)).json()) as Detail;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function open(path: string, viewport: { width: number; height: number }): Promise<Page> {
    const page = await browser.newPage({ viewport, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    await page.goto(`${stack.apiUrl}${path}`);
    return page;
  }

  const noHorizontalScroll = (page: Page) =>
    page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');

  it('shows who may apply, the amounts, three past rounds newest first and the 見込み of the next round', async () => {
    const page = await open(`/?item=${newest.id}`, desktop);
    const dialog = page.getByRole('dialog', { name: newestTitle });

    await expect.poll(() => dialog.isVisible(), { timeout: 15_000 }).toBe(true);

    expect(await dialog.getByRole('heading', { name: '応募できる者' }).isVisible()).toBe(true);
    // The words of the types the API read for this call, or 記載なし when it read none.
    const types = detail.applicants?.types ?? [];
    const shownTypes = await dialog
      .locator('ul.applicants > li')
      .evaluateAll((lis) => lis.map((li) => li.dataset.applicant));
    expect(shownTypes).toEqual(types);
    const section = (await dialog.locator('#detail-applicants + *').textContent()) ?? '';
    if (types.length === 0) expect(section).toMatch(/^記載なし/);
    for (const type of types) expect(section).toContain(applicantLabel(type));
    expect(await dialog.getByRole('heading', { name: '金額' }).isVisible()).toBe(true);
    const ceiling = detail.amount?.maxPerProjectYen;
    expect(await dialog.locator('dl.amounts').textContent()).toMatch(
      new RegExp(`^上限額（1件あたり）${ceiling === undefined ? '記載なし' : formatYen(ceiling)}`),
    );
    const rounds = dialog.locator('ol.rounds > li');
    expect(await dialog.getByRole('heading', { name: '過去の公募' }).isVisible()).toBe(true);
    expect(await rounds.count()).toBe(3);
    const labels = await rounds.allTextContents();
    expect(labels[0]).toMatch(/^令和8年度.*（この回）/);
    expect(labels[1]).toMatch(/^令和7年度/);
    expect(labels[2]).toMatch(/^令和6年度/);
    expect(await rounds.locator('a.round-page').count()).toBe(3);
    const forecast = detail.series?.forecast;
    expect(forecast?.status).toBe('expected');
    const shown = await dialog.locator('p.forecast').textContent();
    expect(shown).toContain('見込み');
    expect(shown).toContain(forecast?.text ?? '(no forecast)');
    expect(await noHorizontalScroll(page)).toBe(true);
    await screenshot(page, 'item-view-forecast', false);

    // A past round opens in the same dialog, with the same series.
    const older = detail.series?.rounds.find((round) => round.label.startsWith('令和7年度'));
    await rounds
      .nth(1)
      .getByRole('link', { name: /^令和7年度/ })
      .click();
    await expect.poll(() => new URL(page.url()).searchParams.get('item')).toBe(older?.itemId);
    await expect.poll(() => page.locator('ol.rounds > li.is-current').textContent()).toMatch(/^令和7年度/);
    await page.close();
  });

  it('fits the item view on a phone without horizontal scrolling', async () => {
    const page = await open(`/?item=${newest.id}`, phone);

    await expect.poll(() => page.locator('ol.rounds > li').count(), { timeout: 15_000 }).toBe(3);

    expect(await noHorizontalScroll(page)).toBe(true);
    expect(await page.locator('#detail').evaluate((d) => d.scrollWidth <= d.clientWidth)).toBe(true);
    // The dialog scrolls on its own: shoot its top, then its rounds and forecast.
    await screenshot(page, 'item-view-forecast-phone', false);
    await page.locator('#detail-rounds').scrollIntoViewIfNeeded();
    await screenshot(page, 'item-view-forecast-phone-rounds', false);
    await page.close();
  });

  it('lists the program under the month its next round is expected to open, reachable from the search page', async () => {
    const page = await open('/', desktop);
    await expect.poll(() => page.locator('#summary').textContent(), { timeout: 15_000 }).toMatch(/件中/);

    await page.getByRole('navigation', { name: '表示' }).getByRole('link', { name: '今後の公募（見込み）' }).click();

    await expect.poll(() => new URL(page.url()).searchParams.get('view')).toBe('expected');
    await page.locator('#result-list[data-search^="view=expected&"]').waitFor({ state: 'attached' });
    expect(await page.getByRole('heading', { level: 2, name: '今後の公募（見込み）' }).isVisible()).toBe(true);
    const opens = detail.series?.forecast.status === 'expected' ? detail.series.forecast.opens.from : '';
    const month = opens.slice(0, 7);
    const section = page.locator(`li.expected-month[data-month="${month}"]`);
    const [year, monthNumber] = month.split('-').map(Number);
    expect(await section.locator('h3').textContent()).toMatch(new RegExp(`^${year}年${monthNumber}月（\\d+件）$`));
    const entry = section.locator(`li.expected-entry[data-item="${newest.id}"]`);
    expect(await entry.locator('.badge.expected').textContent()).toBe('見込み');
    expect(await entry.locator('.basis').textContent()).toContain('見込み');
    // Only the newest round carries the forecast; the older rounds and the look-alike are not listed.
    const listed = await page.locator('li.expected-entry').evaluateAll((lis) => lis.map((li) => li.dataset.item));
    for (const round of detail.series?.rounds ?? [])
      if (round.itemId !== newest.id) expect(listed).not.toContain(round.itemId);
    expect(await page.locator('#result-list').textContent()).not.toContain('地域枠');
    await screenshot(page, 'expected-view', false);

    await entry.getByRole('link').click();

    await expect.poll(() => page.getByRole('dialog', { name: newestTitle }).isVisible()).toBe(true);
    expect(new URL(page.url()).searchParams.get('view')).toBe('expected');
    await page.close();
  });

  it('opens the 見込み view by URL on a phone, and its filters narrow the list', async () => {
    const page = await open('/?view=expected', phone);
    await page.locator('#result-list[data-search^="view=expected&"]').waitFor({ state: 'attached', timeout: 15_000 });
    const entries = () => page.locator('li.expected-entry');
    const all = await entries().count();
    expect(all).toBeGreaterThan(0);
    expect(await noHorizontalScroll(page)).toBe(true);
    await screenshot(page, 'expected-view-phone');
    await page.locator('#facets-toggle').click();
    // The view is the status: no 募集状況 checkboxes in it.
    expect(await page.locator('#facet-groups input[name="status"]').count()).toBe(0);

    // Its ministry keeps as many as the facet counts.
    const ministries = page.locator('#facet-groups input[name="ministry"]');
    expect(await ministries.count()).toBeGreaterThan(0);
    const value = (await ministries.first().getAttribute('value')) ?? '';
    const count = Number(
      (await page.locator(`label[for="f-ministry-${value}"] .count`).textContent())?.match(/\d+/)?.[0],
    );
    await ministries.first().check();

    await expect.poll(() => new URL(page.url()).searchParams.getAll('ministry')).toEqual([value]);
    await page.locator(`#result-list[data-search*="ministry=${value}"]`).waitFor({ state: 'attached' });
    await expect.poll(() => entries().count()).toBe(count);
    expect(count).toBeGreaterThan(0);

    // A ceiling of at least 1兆円 (1億万円) leaves out every program, including those whose ceiling is not stated.
    await page.getByLabel('万円以上').fill('100000000');
    await page.getByRole('button', { name: '金額で絞り込む' }).click();

    await expect.poll(() => new URL(page.url()).searchParams.get('amountMin')).toBe('1000000000000');
    await page.locator('#result-list[data-search*="amountMin=1000000000000"]').waitFor({ state: 'attached' });
    expect(await entries().count()).toBe(0);
    expect(await page.locator('#summary').textContent()).toBe('条件に合う公募予定（見込み）はありません。');
    expect(new URL(page.url()).searchParams.getAll('ministry')).toEqual([value]);
    expect(await page.locator('#facets-toggle').textContent()).toContain('（2件選択中）');
    await page.close();
  });
});
