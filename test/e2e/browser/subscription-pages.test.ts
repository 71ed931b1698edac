import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../infra/local/local-stack.js';
import { FixedClock } from '../../../shared/clock.js';
import type { SubscriptionId } from '../../../shared/domain/subscription.js';
import { TokenSigner } from '../../../shared/subscriptions/tokens.js';
import { chromiumMissing, chromiumSkipNote, launchChromium, screenshot } from '../../support/browser.js';

/**
 * The pages behind every link a mail carries, as a subscriber meets them: the mail's HTML rendered
 * in Chromium, its links clicked, on a desktop (1280 px) and on a phone (390 px, mobile emulation,
 * so a page without a viewport tag would be laid out 980 px wide and fail the width check).
 */
const devices = [
  { name: 'desktop', width: 1280, options: { viewport: { width: 1280, height: 900 } } },
  {
    name: 'phone',
    width: 390,
    options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  },
] as const;
type Device = (typeof devices)[number];

const clock = new FixedClock('2026-11-28T12:00:00+09:00');
/** The local stack's default link secret (no TOKEN_SECRET set). */
const localSecret = 'local-development-secret-change-me';

describe.skipIf(chromiumMissing)(`subscription link pages in Chromium${chromiumSkipNote}`, () => {
  let stack: LocalStack;
  let browser: Browser;
  let dataDir: string;
  const tabs = new Map<string, { context: BrowserContext; page: Page }>();
  const shots: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chiiki-subscription-pages-'));
    stack = await startLocalStack({
      dataDir,
      port: 0,
      registry: 'sample',
      clock,
      schedule: false,
      crawlOnStart: false,
    });
    browser = await launchChromium();
    for (const device of devices) {
      const context = await browser.newContext({ ...device.options, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
      tabs.set(device.name, { context, page: await context.newPage() });
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (shots.length > 0) console.log(`subscription page screenshots:\n${[...new Set(shots)].join('\n')}`);
  });

  const tab = (device: Device) => {
    const found = tabs.get(device.name);
    if (!found) throw new Error(`no tab for ${device.name}`);
    return found.page;
  };
  const addressOf = (device: Device) => `${device.name}@example.jp`;

  /** The newest mail to `to` whose subject contains `subject`, with its HTML part. */
  async function mailTo(to: string, subject: string): Promise<{ html: string; text: string }> {
    const names = (await readdir(stack.outboxDir)).filter((n) => n.endsWith('.eml')).sort();
    const found: { html: string; text: string }[] = [];
    for (const name of names) {
      const mail = await simpleParser(await readFile(join(stack.outboxDir, name)));
      const recipients = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
      if (!recipients.some((r) => r.value.some((v) => v.address === to))) continue;
      if (!(mail.subject ?? '').includes(subject)) continue;
      found.push({ html: typeof mail.html === 'string' ? mail.html : '', text: mail.text ?? '' });
    }
    const last = found.at(-1);
    if (!last?.html) throw new Error(`no mail "${subject}" with an HTML part to ${to}`);
    return last;
  }

  /** Renders a mail's HTML in the tab, as a mail client's HTML view would, and screenshots it. */
  async function openMail(page: Page, device: Device, html: string, name: string): Promise<void> {
    await page.setContent(html);
    shots.push(await screenshot(page, `${name}-${device.width}`));
  }

  /** Clicks a link or button and returns the final response of the navigation it starts. */
  async function follow(page: Page, target: Locator): Promise<Response> {
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame() && r.status() !== 303,
      ),
      target.click(),
    ]);
    await page.waitForLoadState('load');
    return response;
  }

  /**
   * The checks every link page must pass at the device's width: Japanese, a mobile viewport, the
   * portal's stylesheet applied, no horizontal scroll; then a screenshot.
   */
  async function checkPage(page: Page, device: Device, name: string, heading: string): Promise<void> {
    await expect.poll(() => page.locator('h1').textContent()).toBe(heading);
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    expect(await page.locator('meta[name="viewport"]').getAttribute('content')).toBe(
      'width=device-width, initial-scale=1',
    );
    const headerColour = await page.evaluate<string>(
      "getComputedStyle(document.querySelector('header.site')).backgroundColor",
    );
    expect(headerColour).toBe('rgb(11, 46, 89)');
    const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(scrollWidth, `${name} at ${device.width} px`).toBeLessThanOrEqual(device.width);
    shots.push(await screenshot(page, `${name}-${device.width}`));
  }

  it('confirms from the confirmation mail: its link opens the confirm page, the button starts delivery, the link again says done', async () => {
    for (const device of devices) {
      const page = tab(device);
      const response = await fetch(`${stack.apiUrl}/v1/subscriptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: addressOf(device), searches: ['q=地域'], frequency: 'immediate' }),
      });
      expect(response.status).toBe(202);
      const mail = await mailTo(addressOf(device), '確認');
      await openMail(page, device, mail.html, 'mail-confirmation');

      const opened = await follow(page, page.locator('a[href*="/v1/subscriptions/confirm?token="]').first());
      expect(opened.status()).toBe(200);
      await checkPage(page, device, 'link-confirm', 'メール配信の確認');
      expect(await page.locator('.saved-list li').allTextContents()).toHaveLength(1);
      const confirmUrl = page.url();

      const done = await follow(page, page.getByRole('button', { name: '配信を開始する' }));
      expect(done.status()).toBe(200);
      await checkPage(page, device, 'link-confirm-done', '配信を開始しました');

      const again = await page.goto(confirmUrl);
      expect(again?.status()).toBe(200);
      await checkPage(page, device, 'link-confirm-already', '登録は完了しています');
    }
  });

  it('renders the digest mail and opens the portal record of a call from 「ポータルの記録」', async () => {
    clock.advanceMs(60 * 60 * 1000);
    const crawl = await stack.crawl(['sample-changing']);
    expect(crawl.digest?.sent).toBe(devices.length);
    for (const device of devices) {
      const page = tab(device);
      const mail = await mailTo(addressOf(device), '新着');
      await openMail(page, device, mail.html, 'mail-digest');

      const record = page.getByRole('link', { name: 'ポータルの記録' }).first();
      const href = (await record.getAttribute('href')) ?? '';
      expect(href).toMatch(new RegExp(`^${stack.apiUrl}/\\?item=it_[0-9a-f]+$`));
      const opened = await follow(page, record);

      expect(opened.headers()['content-type']).toContain('text/html');
      await page.locator('.detail h2').waitFor({ timeout: 15_000 });
      expect((await page.locator('.detail h2').textContent())?.length).toBeGreaterThan(0);
      shots.push(await screenshot(page, `mail-record-portal-item-${device.width}`, false));
    }
  });

  it('opens the manage page from the digest, saves frequency, reminders and a new search, and shows them saved', async () => {
    for (const device of devices) {
      const page = tab(device);
      const mail = await mailTo(addressOf(device), '新着');
      await openMail(page, device, mail.html, 'mail-digest');

      const opened = await follow(page, page.getByRole('link', { name: '保存検索・配信頻度の変更' }));
      expect(opened.status()).toBe(200);
      await checkPage(page, device, 'link-manage', '保存検索・配信頻度の変更');
      expect(await page.getByRole('radio', { name: '新着があり次第（収集のたび）' }).isChecked()).toBe(true);
      expect(await page.getByRole('checkbox', { name: '14日前' }).isChecked()).toBe(true);

      await page.getByRole('radio', { name: '週1回まで' }).check();
      await page.getByRole('checkbox', { name: '7日前' }).check();
      await page.getByRole('checkbox', { name: '14日前' }).uncheck();
      await page.getByLabel('検索条件を追加').fill('クラスター');
      const saved = await follow(page, page.getByRole('button', { name: '変更を保存' }));

      expect(saved.status()).toBe(200);
      expect(page.url()).toMatch(/\/v1\/subscriptions\/manage\?token=[^&]+&saved=1$/);
      await checkPage(page, device, 'link-manage-saved', '保存検索・配信頻度の変更');
      expect(await page.locator('.notice-ok').textContent()).toContain('変更を保存しました');
      expect(await page.getByRole('radio', { name: '週1回まで' }).isChecked()).toBe(true);
      expect(await page.getByRole('checkbox', { name: '7日前' }).isChecked()).toBe(true);
      expect(await page.getByRole('checkbox', { name: '14日前' }).isChecked()).toBe(false);
      expect(await page.locator('input[name="search"]').count()).toBe(2);
      const view = (await (await fetch(page.url(), { headers: { accept: 'application/json' } })).json()) as {
        frequency: string;
        reminderDays: number[];
      };
      expect(view).toMatchObject({ frequency: 'weekly', reminderDays: [7, 3] });

      for (const box of await page.locator('input[name="search"]').all()) await box.uncheck();
      const refused = await follow(page, page.getByRole('button', { name: '変更を保存' }));
      expect(refused.status()).toBe(400);
      await checkPage(page, device, 'link-manage-error', '保存検索・配信頻度の変更');
      expect(await page.getByRole('alert').textContent()).toContain('検索条件を1つ以上残してください');
    }
  });

  it('mutes a call from the digest, says so when the link is opened again, and lists it on the manage page', async () => {
    for (const device of devices) {
      const page = tab(device);
      const mail = await mailTo(addressOf(device), '新着');
      await openMail(page, device, mail.html, 'mail-digest');

      const callTitle = (await page.locator('h3').first().textContent())?.trim() ?? '';
      const opened = await follow(page, page.getByRole('link', { name: 'この公募の通知を止める' }).first());
      expect(opened.status()).toBe(200);
      await checkPage(page, device, 'link-mute', 'この公募の通知を止める');
      expect(await page.locator('.call-title').textContent()).toBe(`「${callTitle}」`);
      const muteUrl = page.url();
      const done = await follow(page, page.getByRole('button', { name: '通知を止める' }));
      expect(done.status()).toBe(200);
      await checkPage(page, device, 'link-mute-done', '通知を止めました');
      const again = await page.goto(muteUrl);
      expect(again?.status()).toBe(200);
      await checkPage(page, device, 'link-mute-already', 'この公募の通知は停止済みです');

      await follow(page, page.getByRole('link', { name: '保存検索・配信頻度の変更' }));
      await checkPage(page, device, 'link-manage-muted', '保存検索・配信頻度の変更');
      expect(await page.getByRole('checkbox', { name: `「${callTitle}」の通知を再開する` }).count()).toBe(1);
    }
  });

  it('stops delivery from the digest, says so when the link is opened again, and refuses a manage form sent afterwards', async () => {
    for (const device of devices) {
      const page = tab(device);
      const mail = await mailTo(addressOf(device), '新着');
      await openMail(page, device, mail.html, 'mail-digest');
      // A manage page left open in another tab, submitted after the unsubscribe.
      const manageHref =
        (await page.getByRole('link', { name: '保存検索・配信頻度の変更' }).getAttribute('href')) ?? '';
      const stale = await page.context().newPage();
      await stale.goto(manageHref);

      const opened = await follow(page, page.getByRole('link', { name: '配信停止', exact: true }));
      expect(opened.status()).toBe(200);
      await checkPage(page, device, 'link-unsubscribe', '配信停止');
      const unsubscribeUrl = page.url();
      const done = await follow(page, page.getByRole('button', { name: '配信を停止する' }));
      expect(done.status()).toBe(200);
      await checkPage(page, device, 'link-unsubscribe-done', '配信を停止しました');
      const again = await page.goto(unsubscribeUrl);
      expect(again?.status()).toBe(200);
      await checkPage(page, device, 'link-unsubscribe-already', '配信は停止済みです');

      const refused = await follow(stale, stale.getByRole('button', { name: '変更を保存' }));
      expect(refused.status()).toBe(409);
      await checkPage(stale, device, 'link-error-stopped', 'この配信は停止しています');
      await stale.close();
    }
  });

  it('answers an altered link, a removed subscription and an expired link with Japanese pages that say what to do next', async () => {
    const forged = new TokenSigner(localSecret).sign(
      { subscriptionId: 'sub_000000000000000000000000' as SubscriptionId, purpose: 'unsubscribe' },
      clock.now(),
    );
    await fetch(`${stack.apiUrl}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'late@example.jp', searches: ['q=半導体'] }),
    });
    const lateUrl = /http:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+/.exec(
      (await mailTo('late@example.jp', '確認')).text,
    )?.[0];
    if (!lateUrl) throw new Error('no confirmation link');

    for (const device of devices) {
      const page = tab(device);
      const cut = lateUrl.slice(0, lateUrl.length - 10);
      const altered = await page.goto(cut);
      expect(altered?.status()).toBe(400);
      await checkPage(page, device, 'link-error-altered', 'リンクが正しくありません');
      expect(await page.getByRole('alert').textContent()).toContain('途中で切れています');
      expect(await page.getByRole('link', { name: 'ポータルの検索ページから登録し直す' }).getAttribute('href')).toBe(
        `${stack.apiUrl}/`,
      );

      const removed = await page.goto(
        `${stack.apiUrl}/v1/subscriptions/unsubscribe?token=${encodeURIComponent(forged)}`,
      );
      expect(removed?.status()).toBe(404);
      await checkPage(page, device, 'link-error-removed', '配信登録が見つかりません');
    }

    clock.advanceMs(8 * 24 * 3600 * 1000);
    for (const device of devices) {
      const page = tab(device);
      const expired = await page.goto(lateUrl);
      expect(expired?.status()).toBe(400);
      await checkPage(page, device, 'link-error-expired', 'リンクの有効期限が切れています');
      expect(await page.getByRole('alert').textContent()).toContain('有効期限（7日間）が切れています');
      await follow(page, page.getByRole('link', { name: 'ポータルの検索ページから登録し直す' }));
      expect(new URL(page.url()).pathname).toBe('/');
    }
  });
});
