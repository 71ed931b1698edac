import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer } from '../../shared/mail/mailer.js';
import { renderDigest, type DigestEntry } from '../../shared/mail/render.js';

/** A mailer under test plus a way to read back, parsed, what it delivered. */
export interface MailerUnderTest {
  readonly mailer: Mailer;
  /** Everything delivered so far, parsed with mailparser, oldest first. */
  delivered(): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

const entry: DigestEntry = {
  reason: 'new',
  itemId: 'it_0123456789abcdef01234567',
  title: '令和7年度 地域イノベーション・エコシステム形成プログラム（半導体）',
  publisher: '文部科学省',
  sourceUrl: 'https://www.mext.go.jp/a_menu/kagaku/chiiki/koubo.html',
  recordUrl: 'https://portal.example.jp/v1/items/it_0123456789abcdef01234567',
  muteUrl: 'https://portal.example.jp/v1/subscriptions/mute?token=m.t',
  opensAt: '2025-04-01T00:00:00+09:00',
  closesAt: '2025-05-30T17:00:00+09:00',
};

/** A rendered digest with a deterministic Message-ID, as the digest job sends it. */
export function sampleDigest(digestId = 'dg_contract_1') {
  return renderDigest({
    to: '研究者 <researcher@example.jp>',
    entries: [entry],
    links: {
      manageUrl: 'https://portal.example.jp/v1/subscriptions/manage?token=a.b',
      unsubscribeUrl: 'https://portal.example.jp/v1/subscriptions/unsubscribe?token=c.d',
      unsubscribeMailto: 'mailto:unsubscribe@portal.example.jp?subject=unsubscribe',
    },
    at: '2025-05-18T09:00:00+09:00',
    digestId,
    messageDomain: 'portal.example.jp',
  });
}

/**
 * The `Mailer` contract: every transport delivers the shared rendering intact — Japanese subject
 * and both parts decode, the RFC 8058 headers survive — and throws rather than half-sending.
 */
export function mailerContract(name: string, make: () => Promise<MailerUnderTest>): void {
  describe(`Mailer contract: ${name}`, () => {
    let underTest: MailerUnderTest;
    beforeAll(async () => {
      underTest = await make();
    });
    afterAll(async () => {
      await underTest.close();
    });

    it('delivers a Japanese subject and text and HTML parts that decode to the same content', async () => {
      const before = (await underTest.delivered()).length;

      await underTest.mailer.send(sampleDigest('dg_contract_parts'));

      const mail = (await underTest.delivered())[before];
      expect(mail?.subject).toBe('【地域科学技術ポータル】新着 1件');
      expect(mail?.text).toContain('令和7年度 地域イノベーション・エコシステム形成プログラム（半導体）');
      expect(mail?.text).toContain('締切: 2025年5月30日(金) 17:00（締切まで あと12日）');
      expect(mail?.html).toContain('文部科学省');
      expect(mail?.html).toContain('href="https://portal.example.jp/v1/subscriptions/unsubscribe?token=c.d"');
      expect(mail?.to && 'value' in mail.to ? mail.to.value[0]?.address : undefined).toBe('researcher@example.jp');
    });

    it('carries List-Unsubscribe and List-Unsubscribe-Post for one-click unsubscribe (RFC 8058)', async () => {
      const before = (await underTest.delivered()).length;

      await underTest.mailer.send(sampleDigest('dg_contract_headers'));

      const mail = (await underTest.delivered())[before];
      const line = (key: string) =>
        (mail?.headerLines.find((h) => h.key === key)?.line ?? '').replace(/\r?\n\s+/g, ' ');
      expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      expect(line('list-unsubscribe')).toBe(
        'List-Unsubscribe: <https://portal.example.jp/v1/subscriptions/unsubscribe?token=c.d>, <mailto:unsubscribe@portal.example.jp?subject=unsubscribe>',
      );
    });
  });
}
