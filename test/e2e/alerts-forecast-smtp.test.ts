import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relinkAll } from '../../functions/indexer/series-override.js';
import type { ItemDraft } from '../../shared/domain/item.js';
import { SmtpMailer } from '../../shared/mail/smtp-mailer.js';
import { DynamoDbSeriesStore } from '../../shared/store/dynamodb-series-store.js';
import { savedSearch, startAlertsHarness, type AlertsHarness } from '../support/alerts-harness.js';
import { countingDocumentClient, type CountingDocumentClient } from '../support/dynalite.js';
import { makeDraft } from '../support/factories.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

/** A yearly round of a JST program, as a crawl stores it. */
function round(era: string, slug: string, opens: string, closes: string): ItemDraft {
  const url = `https://www.jst.go.jp/program/startup-${slug}.html`;
  return makeDraft({
    title: `${era} 大学発新産業創出プログラムの公募について`,
    url,
    canonicalUrl: url,
    publisher: '科学技術振興機構',
    ministry: 'mext',
    summary: '大学等の研究成果をもとにした起業を支援するプログラムです。',
    bodyText: '大学発新産業創出プログラムの公募要領です。',
    publishedAt: `${opens}T10:00:00+09:00`,
    opensAt: `${opens}T10:00:00+09:00`,
    closesAt: `${closes}T12:00:00+09:00`,
    requiresRegistration: undefined,
  });
}

describe('a forecast line over SMTP', () => {
  let h: AlertsHarness;
  let sink: SmtpSink;
  let mailer: SmtpMailer;
  let documents: CountingDocumentClient;
  let series: DynamoDbSeriesStore;

  beforeAll(async () => {
    h = await startAlertsHarness('2026-03-01T00:00:00Z');
    sink = await startSmtpSink();
    mailer = new SmtpMailer({ url: sink.url, from: '地域科学技術ポータル <alerts@portal.example.jp>' });
    documents = countingDocumentClient(h.endpoint);
    series = new DynamoDbSeriesStore({ client: documents.client, tableName: h.tableName });
  });
  afterAll(async () => {
    mailer.close();
    documents.destroy();
    await sink.stop();
    await h.stop();
  });

  it('arrives as a 見込み line with its basis in the text and the HTML part, parsed by a MIME parser', async () => {
    // Opened 6/2, 6/5, 6/1: the next round is expected to open 2026-05-25 … 2026-06-12.
    await h.crawl([
      round('令和5年度', 'r5', '2023-06-02', '2023-07-14'),
      round('令和6年度', 'r6', '2024-06-05', '2024-07-17'),
      round('令和7年度', 'r7', '2025-06-01', '2025-07-11'),
    ]);
    await relinkAll({ items: h.items, series, clock: h.clock, log: h.log, scan: h.items });
    h.clock.advanceMs(60 * 60 * 1000);
    await h.subscribeConfirmed('kigyo@example.jp', [savedSearch('大学発')]);
    h.clock.set('2026-04-28T08:00:00+09:00');

    const report = await h.digest({ mailer, series });
    await sink.waitFor(1);

    expect(report.sent).toBe(1);
    const mail = sink.messages[0];
    const line =
      '今後の公募（見込み）: 大学発新産業創出プログラム 受付開始 2026年5月25日〜6月12日頃 — ' +
      '次回の受付開始は2026年5月25日〜2026年6月12日頃の見込み、締切は2026年7月4日〜2026年7月24日頃の見込み' +
      '（根拠: 過去3回の受付開始日 令和5年度 6月2日、令和6年度 6月5日、令和7年度 6月1日、ばらつき4日、前後7日の幅）';
    expect(mail?.subject).toBe('【地域科学技術ポータル】公募の見込み 1件');
    expect(mail?.text).toContain(`◇ ${line}\n`);
    expect(mail?.html).toContain(`<strong>${line}</strong>`);
    expect(mail?.html).toMatch(/<a href="https:\/\/portal\.example\.jp\/\?item=it_[0-9a-f]{24}">前回の公募の記録<\/a>/);
    expect(mail?.messageId).toMatch(/^<dg_[0-9a-f]{32}@portal\.example\.jp>$/);
  });
});
