import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMailer } from '../../../shared/mail/outbox-mailer.js';
import { renderConfirmation, renderDigest, type DigestEntry } from '../../../shared/mail/render.js';
import { summariseSearch } from '../../../shared/subscriptions/search-summary.js';
import { describeSearch } from '../../../shared/taxonomy/labels.js';
import { chromiumMissing, chromiumSkipNote, launchChromium, screenshot } from '../../support/browser.js';

/**
 * The HTML part of the digest and confirmation mails as a mail client gets it (written by the
 * outbox transport, read back with mailparser), rendered in Debian's Chromium at desktop and
 * phone widths.
 */
const portal = 'https://portal.example.jp';
const clusterQuery = { text: 'クラスター', statuses: ['open'], prefectures: ['20'] };
const semiconductorQuery = { text: '半導体', kinds: ['call'], ministries: ['mext'] };
const cluster = describeSearch(clusterQuery);
const semiconductor = describeSearch(semiconductorQuery);

const entry = (n: number, reason: DigestEntry['reason'], extra: Partial<DigestEntry> = {}): DigestEntry => ({
  reason,
  itemId: `it_00000000000000000000000${n}`,
  title: `信州産学官連携クラスター推進事業（第${n}期）委託先の募集について（長野県産業労働部産業技術課）`,
  publisher: '長野県',
  sourceUrl: `https://www.pref.nagano.lg.jp/sangyo/hojo/cluster_itaku_${n}_with_a_rather_long_path_segment.html`,
  recordUrl: `${portal}/?item=it_00000000000000000000000${n}`,
  muteUrl: `${portal}/v1/subscriptions/mute?token=${'x'.repeat(120)}`,
  opensAt: '2026-11-16T00:00:00+09:00',
  closesAt: '2027-01-08T17:00:00+09:00',
  matchedSearches: [cluster, semiconductor],
  ...extra,
});

/** Sends through the outbox transport into its own folder and reads the one .eml back with mailparser. */
async function throughOutbox(dir: string, message: Parameters<OutboxMailer['send']>[0]): Promise<ParsedMail> {
  await new OutboxMailer({ dir, from: '地域科学技術ポータル <alerts@portal.example.jp>' }).send(message);
  const [name] = readdirSync(dir).filter((n) => n.endsWith('.eml'));
  return simpleParser(readFileSync(join(dir, name ?? 'missing.eml')));
}

describe.skipIf(chromiumMissing)(`mail HTML in Chromium${chromiumSkipNote}`, () => {
  let browser: Browser;
  let dir: string;
  let digest: ParsedMail;
  let confirmation: ParsedMail;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chiiki-mail-browser-'));
    const links = {
      manageUrl: `${portal}/v1/subscriptions/manage?token=${'m'.repeat(120)}`,
      unsubscribeUrl: `${portal}/v1/subscriptions/unsubscribe?token=${'u'.repeat(120)}`,
    };
    digest = await throughOutbox(
      join(dir, 'digest'),
      renderDigest({
        to: 'kenkyu@example.jp',
        entries: [
          entry(1, 'reminder', { reminderDays: 3 }),
          entry(2, 'changed', {
            changes: [{ field: 'closesAt', before: '2026-12-25T17:00:00+09:00', after: '2027-01-08T17:00:00+09:00' }],
          }),
          entry(3, 'new', { requiresRegistration: 'e-rad', effectiveDeadline: '2026-12-25T17:00:00+09:00' }),
        ],
        links,
        at: '2026-12-01T09:00:00+09:00',
        digestId: 'dg_browser000001',
        messageDomain: 'portal.example.jp',
      }),
    );
    confirmation = await throughOutbox(join(dir, 'confirmation'), {
      ...renderConfirmation({
        to: 'kenkyu@example.jp',
        confirmUrl: `${portal}/v1/subscriptions/confirm?token=${'c'.repeat(120)}`,
        searches: [summariseSearch(clusterQuery), summariseSearch(semiconductorQuery)],
        expiresAt: '2026-12-08T09:00:00+09:00',
      }),
      messageId: '<cf_browser000001@portal.example.jp>',
    });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['digest', 1280],
    ['digest', 390],
    ['confirmation', 1280],
    ['confirmation', 390],
  ] as const)(
    'shows the %s mail at %i px without sideways scrolling, saved searches in words',
    async (which, width) => {
      const mail = which === 'digest' ? digest : confirmation;
      // At 390 px the page is a phone (isMobile): without a viewport meta it would lay out 980 px wide.
      const page = await browser.newPage({ viewport: { width, height: 900 }, isMobile: width < 600, locale: 'ja-JP' });

      await page.setContent(String(mail.html), { waitUntil: 'load' });
      await screenshot(page, `mail-${which}-${width}`);

      const text = await page.locator('body').innerText();
      const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
      expect(scrollWidth).toBeLessThanOrEqual(width);
      if (which === 'digest') {
        expect(text).toContain('クラスター・募集中・長野県');
        expect(text).toContain('半導体・公募・文部科学省');
      } else {
        expect(text).toContain('キーワード「クラスター」／条件: 募集中・長野県');
        expect(text).toContain('キーワード「半導体」／条件: 公募・文部科学省');
      }
      expect(text).not.toMatch(/受付中|都道府県20|pref-20/);
      if (which === 'digest') {
        expect(text).toContain('該当する保存検索: 「クラスター・募集中・長野県」「半導体・公募・文部科学省」');
        await expect(page.getByRole('link', { name: 'ポータルの記録' }).first().getAttribute('href')).resolves.toBe(
          `${portal}/?item=it_000000000000000000000001`,
        );
        await expect(page.getByRole('link', { name: '配信停止' }).count()).resolves.toBe(1);
      } else {
        await expect(page.getByRole('link', { name: '配信を開始する' }).count()).resolves.toBe(1);
      }
      await page.close();
    },
  );
});
