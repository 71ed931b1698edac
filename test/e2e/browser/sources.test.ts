import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failingAfterRuns } from '../../../shared/sources/source-health.js';
import { sourceCategoryLabels } from '../../../portal/src/labels.js';
import { startLocalStack, type LocalStack } from '../../../infra/local/local-stack.js';
import { chromiumMissing, chromiumSkipNote, launchChromium, screenshot } from '../../support/browser.js';

/**
 * The public source-health page in Debian's Chromium, on the local stack after the sample sites
 * were crawled until the broken ones count as failing.
 */
describe.skipIf(chromiumMissing)(`source-health page in Chromium${chromiumSkipNote}`, () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  let failedIds: string[];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chiiki-sources-browser-'));
    stack = await startLocalStack({ dataDir, port: 0, registry: 'sample', schedule: false });
    const first = await stack.firstCrawl;
    failedIds = first.runs.filter((run) => run.outcome === 'failed').map((run) => run.sourceId);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const rows = () => page.locator('#sources tbody tr');

  /** The summary the rows call for: each row counted once under its category, zero counts left out. */
  async function summaryOfRows(): Promise<string> {
    const counted = await rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-category') ?? ''));
    const words: [string, string][] = [
      ['failed', '取得失敗'],
      ['stale', '新着途絶'],
      ['partial', '一部失敗'],
      ['review', '要確認'],
      ['never', '未取得'],
      ['disabled', '停止中'],
      ['ok', '正常'],
    ];
    const parts = words
      .map(([category, word]) => [word, counted.filter((c) => c === category).length] as const)
      .filter(([, n]) => n > 0)
      .map(([word, n]) => `${word} ${n}件`);
    expect(parts.length).toBeGreaterThan(1);
    return `${counted.length}件の情報源: ${parts.join('、')}`;
  }

  it('counts a source whose one run failed as 取得失敗 in the summary, once, as its first badge says', async () => {
    expect(failedIds.length).toBeGreaterThan(0);

    await page.goto(`${stack.apiUrl}/sources.html`);

    await expect.poll(() => rows().count(), { timeout: 15_000 }).toBe(stack.sources.length);
    const summary = (await page.locator('#sources-summary').textContent()) ?? '';
    expect(summary).toBe(await summaryOfRows());
    expect(summary).toContain(`取得失敗 ${failedIds.length}件`);
    expect(summary).toContain(`要確認 ${await page.locator('#review-list > li').count()}件`);
    for (const id of failedIds) {
      const row = page.locator(`tr[data-source="${id}"]`);
      expect(await row.getAttribute('data-category')).toBe('failed');
      expect(await row.locator('td[data-label="状態"] .badge').first().textContent()).toBe('取得失敗（前回）');
    }
    // Every row's first badge starts with the word it is counted under.
    const firstBadges = await rows().evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute('data-category'), tr.querySelector('.badge')?.textContent ?? '']),
    );
    const words: Record<string, string> = sourceCategoryLabels;
    for (const [category, badge] of firstBadges) expect(badge.startsWith(words[category ?? ''] ?? '?')).toBe(true);
    await screenshot(page, 'source-health-first-crawl');
  });

  it('lists every source with publisher, kind, last success and item count, failing sources first and flagged', async () => {
    for (let run = 1; run < failingAfterRuns; run++) await stack.crawl(failedIds);
    // A fresh browser context: the API lets browsers cache /v1/sources for a short while.
    await page.close();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });

    await page.goto(`${stack.apiUrl}/sources.html`);

    await expect.poll(() => rows().count(), { timeout: 15_000 }).toBe(stack.sources.length);
    expect(await page.locator('#sources-summary').textContent()).toBe(await summaryOfRows());
    expect(await page.locator('#sources-summary').textContent()).toContain(`取得失敗 ${failedIds.length}件`);
    const order = await rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-source')));
    expect(new Set(order.slice(0, failedIds.length))).toEqual(new Set(failedIds));
    for (const id of failedIds) {
      const row = page.locator(`tr[data-source="${id}"]`);
      expect(await row.locator('.flag-failing').textContent()).toBe(`取得失敗（${failingAfterRuns}回連続）`);
      expect(await row.locator('td.error').textContent()).toMatch(/の取得で失敗: .+。.+Error: /);
    }
    expect(await page.locator('tr[data-source*="robots"] .explain').textContent()).toContain(
      'robots.txt が巡回を禁止しています',
    );
    const healthy = page.locator('tr:has(.flag-ok)').first();
    expect(await healthy.locator('td[data-label="最終成功"]').textContent()).toMatch(
      /^\d{4}\/\d{1,2}\/\d{1,2} \d{2}:\d{2}（\d+分前）$/,
    );
    expect(Number((await healthy.locator('td.num').textContent())?.replace('件', ''))).toBeGreaterThan(0);
    expect(await healthy.locator('td[data-label="発行元"]').textContent()).not.toBe('');
    expect(await healthy.locator('td[data-label="種類"]').textContent()).toMatch(
      /^(フィード \(RSS\/Atom\)|HTML一覧|JSON API)$/,
    );
    await screenshot(page, 'source-health');
  }, 120_000);

  it('gives the error column the widest share at 1280 px, so no row grows tall', async () => {
    await page.goto(`${stack.apiUrl}/sources.html`);
    await expect.poll(() => rows().count(), { timeout: 15_000 }).toBe(stack.sources.length);

    const errorWidth = await page
      .locator('#sources thead th')
      .last()
      .evaluate((th) => th.getBoundingClientRect().width);
    const tallest = Math.max(
      ...(await rows().evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().height))),
    );
    const tableWidth = await page.locator('#sources').evaluate((t) => t.getBoundingClientRect().width);
    const wrapWidth = await page.locator('.table-wrap').evaluate((w) => w.clientWidth);

    expect(errorWidth).toBeGreaterThan(360);
    expect(tallest).toBeLessThan(220);
    expect(tableWidth).toBeLessThanOrEqual(wrapWidth);
  });

  it('says in Japanese when the source list cannot be loaded', async () => {
    await page.route('**/v1/sources', (route) => route.abort('connectionrefused'));

    await page.goto(`${stack.apiUrl}/sources.html`);

    await expect
      .poll(() => page.locator('#sources-summary').textContent())
      .toBe('サーバーに接続できず、情報源の一覧を読み込めませんでした。時間をおいて再読み込みしてください。');
    await page.unroute('**/v1/sources');
  });

  it('shows the portal icon', async () => {
    await page.goto(`${stack.apiUrl}/sources.html`);

    const href = new URL((await page.locator('link[rel="icon"]').getAttribute('href')) ?? '', page.url()).href;
    const icon = await fetch(href);

    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(await icon.text()).toMatch(/^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('lists the source whose run failed its quality gate under 要確認, with the command that fixes it', async () => {
    await page.goto(`${stack.apiUrl}/sources.html`);

    const entry = page.locator('#review-list > li[data-source="sample-first-guess"]');
    await expect.poll(() => entry.count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('#review').isVisible()).toBe(true);
    expect(await entry.textContent()).toContain('直近の取得が品質基準を満たしませんでした');
    expect(await entry.locator('code').textContent()).toMatch(
      /^npx chiiki source suggest --fetch 'http:\/\/first-guess\.localhost:\d+\/press\/index\.html'$/,
    );
    const row = page.locator('tr[data-source="sample-first-guess"]');
    expect(await row.locator('.flag-warn').textContent()).toContain('品質基準を満たさず公開保留');
    expect(await row.locator('td.error').textContent()).toContain('日付の指定を確認');
    expect(await row.locator('td.num').textContent()).toBe('0件');
  });

  it('reads as labelled cards on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${stack.apiUrl}/sources.html`);
    await expect.poll(() => rows().count(), { timeout: 15_000 }).toBe(stack.sources.length);

    const before = await page.evaluate(
      `getComputedStyle(document.querySelector('#sources tbody tr td[data-label="状態"]'), '::before').content`,
    );

    expect(before).toBe('"状態: "');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'source-health-phone');
    await screenshot(page, 'source-health-phone-top', false);
  });
});
