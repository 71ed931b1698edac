import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer } from '../../shared/mail/mailer.js';
import { renderDigest, type DigestEntry } from '../../shared/mail/render.js';

/**
 * What a second send of a message already delivered (same `messageId`, e.g. a digest resent
 * after a crash between the send and its commit) does on a transport:
 * - `ignored`: the transport keys deliveries on the Message-ID; nothing new is delivered (outbox);
 * - `delivered-again-same-id`: a second copy with the same Message-ID header, which a receiver may
 *   collapse but need not (SMTP);
 * - `delivered-again`: a second copy under a Message-ID the transport assigns (SES).
 */
export type RetriedSendRule = 'ignored' | 'delivered-again-same-id' | 'delivered-again';

/** A mailer under test plus a way to read back, parsed, what it delivered. */
export interface MailerUnderTest {
  readonly mailer: Mailer;
  /** Everything delivered so far, parsed with mailparser, oldest first. */
  delivered(): Promise<ParsedMail[]>;
  /** The transport's stated rule for a retried send; the contract holds it to it. */
  readonly retriedSend: RetriedSendRule;
  /**
   * Makes the next send fail the way the transport really fails, delivering nothing: the SMTP
   * server answers 451, SES throttles, the outbox folder's disk fails before the message is in place.
   */
  failNextSend(): void;
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
 * and both parts decode, the RFC 8058 headers survive — throws rather than half-sending, lets a
 * failed send be retried into exactly one delivery, and keeps its stated rule for a retried send.
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

    it('throws on a failed send, delivers nothing, and a retry of the same message delivers it once', async () => {
      const before = (await underTest.delivered()).length;
      underTest.failNextSend();

      const failure = await underTest.mailer.send(sampleDigest('dg_contract_failed')).then(
        () => undefined,
        (error: unknown) => error,
      );
      const afterFailure = (await underTest.delivered()).length;
      await underTest.mailer.send(sampleDigest('dg_contract_failed'));

      expect(failure).toBeInstanceOf(Error);
      expect(afterFailure).toBe(before);
      const delivered = (await underTest.delivered()).slice(before);
      expect(delivered).toHaveLength(1);
      expect(delivered[0]?.subject).toBe('【地域科学技術ポータル】新着 1件');
    });

    it('keeps its stated rule when a delivered message is sent again with the same Message-ID', async () => {
      const before = (await underTest.delivered()).length;

      const first = await underTest.mailer.send(sampleDigest('dg_contract_retried'));
      const second = await underTest.mailer.send(sampleDigest('dg_contract_retried'));

      const delivered = (await underTest.delivered()).slice(before);
      const ids = delivered.map((m) => m.messageId);
      switch (underTest.retriedSend) {
        case 'ignored':
          expect(delivered).toHaveLength(1);
          expect(second.messageId).toBe(first.messageId);
          expect(ids).toEqual(['<dg_contract_retried@portal.example.jp>']);
          break;
        case 'delivered-again-same-id':
          expect(delivered).toHaveLength(2);
          expect(ids).toEqual(['<dg_contract_retried@portal.example.jp>', '<dg_contract_retried@portal.example.jp>']);
          break;
        case 'delivered-again':
          expect(delivered).toHaveLength(2);
          expect(delivered[1]?.text).toBe(delivered[0]?.text);
          expect(ids).not.toContain('<dg_contract_retried@portal.example.jp>');
          break;
      }
    });
  });
}
