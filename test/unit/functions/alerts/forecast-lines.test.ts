import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildAlertsDeps } from '../../../../functions/alerts/deps.js';
import { runDigest } from '../../../../functions/alerts/digest.js';
import { forecastLeadDays } from '../../../../functions/alerts/forecast-lines.js';
import { relinkAll } from '../../../../functions/indexer/series-override.js';
import type { ItemDraft } from '../../../../shared/domain/item.js';
import type { SavedSearch, Subscription } from '../../../../shared/domain/subscription.js';
import type { MailMessage, Mailer } from '../../../../shared/mail/mailer.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { DynamoDbSeriesStore } from '../../../../shared/store/dynamodb-series-store.js';
import { mute } from '../../../../shared/subscriptions/subscriptions.js';
import {
  linkToken,
  savedSearch,
  secret,
  startAlertsHarness,
  type AlertsHarness,
} from '../../../support/alerts-harness.js';
import { countingDocumentClient, type CountingDocumentClient } from '../../../support/dynalite.js';
import { makeDraft } from '../../../support/factories.js';

/** A yearly round of one program (the title rule links them into a series). */
function round(era: string, slug: string, opens: string, closes: string): ItemDraft {
  const url = `https://www.mext.go.jp/koubo/innovation-${slug}.html`;
  return makeDraft({
    title: `${era} 地域イノベーション創出支援事業の公募について`,
    url,
    canonicalUrl: url,
    summary: '地域の産学官が連携するイノベーション創出の取組を支援します。',
    bodyText: '地域イノベーション創出支援事業の公募要領です。',
    publishedAt: `${opens}T10:00:00+09:00`,
    opensAt: `${opens}T10:00:00+09:00`,
    closesAt: `${closes}T17:00:00+09:00`,
    requiresRegistration: undefined,
  });
}

// Opened 4/10, 4/8, 4/14: the next round is expected to open 2026-04-01 … 2026-04-21 (spread 6 days, ±7).
const r5 = round('令和5年度', 'r5', '2023-04-10', '2023-05-19');
const r6 = round('令和6年度', 'r6', '2024-04-08', '2024-05-17');
const r7 = round('令和7年度', 'r7', '2025-04-14', '2025-05-23');
/** r7 corrected to 4/24: the expected window widens to 2026-04-01 … 2026-05-01. */
const r7Corrected = round('令和7年度', 'r7', '2025-04-24', '2025-06-02');
const r8 = round('令和8年度', 'r8', '2026-04-06', '2026-05-15');

const expectedLine =
  '今後の公募（見込み）: 地域イノベーション創出支援事業 受付開始 2026年4月1日〜4月21日頃 — ' +
  '次回の受付開始は2026年4月1日〜2026年4月21日頃の見込み、締切は2026年5月10日〜2026年5月30日頃の見込み' +
  '（根拠: 過去3回の受付開始日 令和5年度 4月10日、令和6年度 4月8日、令和7年度 4月14日、ばらつき6日、前後7日の幅）';
const widenedLine = '今後の公募（見込み）: 地域イノベーション創出支援事業 受付開始 2026年4月1日〜5月1日頃 — ';
const startedNote = '見込みでお知らせした地域イノベーション創出支援事業の公募が始まりました';

/** A mailer that renders what it is given, keeps it, and fails every send (a transport that is down). */
class DownMailer implements Mailer {
  readonly attempts: MailMessage[] = [];
  async send(message: MailMessage): Promise<never> {
    this.attempts.push(message);
    throw new Error('smtp connection lost');
  }
}

describe('forecast lines in the digest', () => {
  let h: AlertsHarness;
  let documents: CountingDocumentClient;
  let series: DynamoDbSeriesStore;

  /** Stores the drafts as a crawl does and links series as the indexer does. */
  async function crawlAndLink(drafts: ItemDraft[]): Promise<void> {
    await h.crawl(drafts);
    await relinkAll({ items: h.items, series, clock: h.clock, log: h.log, scan: h.items });
  }
  const digest = () => h.digest({ series });
  const mails = (to: string) => h.digests.to(to);
  async function subscriptionOf(email: string): Promise<Subscription> {
    for (let shard = 0; shard < h.subscriptions.shardCount; shard++) {
      const found = (await h.subscriptions.listShard(shard)).items.find((s) => s.email === email);
      if (found) return found;
    }
    throw new Error(`no subscription for ${email}`);
  }
  const forecastKeys = async (email: string) =>
    Object.keys((await subscriptionOf(email)).notified).filter((k) => k.startsWith('forecast:'));

  beforeEach(async () => {
    h = await startAlertsHarness('2026-01-10T00:00:00Z');
    documents = countingDocumentClient(h.endpoint);
    series = new DynamoDbSeriesStore({ client: documents.client, tableName: h.tableName });
    await crawlAndLink([r5, r6, r7]);
    h.clock.advanceMs(60 * 60 * 1000);
  });
  afterEach(async () => {
    documents.destroy();
    await h.stop();
  });

  it(`tells a program ${forecastLeadDays} days before its expected window opens, not a day earlier, and only to searches on it`, async () => {
    const openOnly: SavedSearch = {
      params: 'q=%E5%9C%B0%E5%9F%9F%E3%82%A4%E3%83%8E%E3%83%99%E3%83%BC%E3%82%B7%E3%83%A7%E3%83%B3&status=open',
      label: '地域イノベーション / 募集中',
      query: { text: '地域イノベーション', statuses: ['open'] },
    };
    await h.subscribeConfirmed('a@example.jp', [savedSearch('地域イノベーション')]);
    await h.subscribeConfirmed('open@example.jp', [openOnly]);
    await h.subscribeConfirmed('q@example.jp', [savedSearch('量子')]);
    const [stored] = await series.listForecasts();
    expect(stored?.forecast).toMatchObject({ status: 'expected', opens: { from: '2026-04-01', to: '2026-04-21' } });

    h.clock.set('2026-03-01T23:00:00+09:00');
    const before = await digest();
    h.clock.set('2026-03-02T06:00:00+09:00');
    const within = await digest();

    expect(before.sent).toBe(0);
    expect(within.sent).toBe(2);
    const mail = mails('a@example.jp')[0];
    expect(mails('a@example.jp')).toHaveLength(1);
    expect(mail?.subject).toBe('【地域科学技術ポータル】公募の見込み 1件');
    expect(mail?.text).toContain(`◇ ${expectedLine}\n  発行: 文部科学省\n  該当する保存検索: 「地域イノベーション」\n`);
    expect(mail?.html).toContain(`<strong>${expectedLine}</strong>`);
    expect(mail?.text).toMatch(/前回の公募の記録: https:\/\/portal\.example\.jp\/\?item=it_[0-9a-f]{24}\n/);
    // The search's status filter concerns a call's current state: a forecast still reaches it.
    expect(mails('open@example.jp')[0]?.text).toContain(expectedLine);
    expect(mails('q@example.jp')).toHaveLength(0);
  });

  it('tells forecasts in the digest the Lambda, the local stack and chiiki digest build', async () => {
    await h.subscribeConfirmed('a@example.jp', [savedSearch('地域イノベーション')]);
    const { digest: deps } = buildAlertsDeps(
      {
        PUBLIC_BASE_URL: 'https://portal.example.jp',
        PORTAL_URL: undefined,
        PORT: 3000,
        AWS_LAMBDA_FUNCTION_NAME: undefined,
        MAIL_FROM: 'alerts@portal.example.jp',
      },
      {
        subscriptions: h.subscriptions,
        items: h.items,
        series,
        mailer: h.digests,
        tokenSecret: secret,
        scratchIndex: () => new EmbeddedSearchIndex({ clock: h.clock }),
        clock: h.clock,
        log: h.log,
      },
    );
    h.clock.set('2026-03-05T09:00:00+09:00');

    const report = await runDigest(deps);

    expect(report.sent).toBe(1);
    expect(mails('a@example.jp')[0]?.text).toContain(expectedLine);
  });

  it('tells a forecast once across digests, and again when its window changes', async () => {
    await h.subscribeConfirmed('a@example.jp', [savedSearch('地域イノベーション')]);
    h.clock.set('2026-03-05T09:00:00+09:00');
    await digest();
    h.clock.set('2026-03-06T09:00:00+09:00');
    const again = await digest();
    const keysAfterFirst = await forecastKeys('a@example.jp');

    h.clock.set('2026-03-07T09:00:00+09:00');
    await crawlAndLink([r7Corrected]);
    h.clock.set('2026-03-07T10:00:00+09:00');
    const changed = await digest();

    expect(again).toMatchObject({ sent: 0, empty: 1 });
    expect(keysAfterFirst).toEqual([expect.stringMatching(/^forecast:se_[0-9a-f]{24}:2026-04-01:2026-04-21$/)]);
    expect(changed.sent).toBe(1);
    expect(mails('a@example.jp')).toHaveLength(2);
    expect(mails('a@example.jp')[1]?.text).toContain(widenedLine);
    expect(mails('a@example.jp')[1]?.text).not.toContain('2026年4月1日〜4月21日頃');
    expect(await forecastKeys('a@example.jp')).toEqual([
      expect.stringMatching(/^forecast:se_[0-9a-f]{24}:2026-04-01:2026-05-01$/),
    ]);
  });

  it('resends a digest whose send failed with the same forecast lines, though the forecast moved meanwhile', async () => {
    await h.subscribeConfirmed('a@example.jp', [savedSearch('地域イノベーション')]);
    const down = new DownMailer();
    h.clock.set('2026-03-05T09:00:00+09:00');
    const failed = await h.digest({ series, mailer: down });
    await crawlAndLink([r7Corrected]);
    h.clock.set('2026-03-05T10:00:00+09:00');

    const rerun = await digest();
    const next = await digest();

    expect(failed.failed).toBe(1);
    expect(rerun).toMatchObject({ resent: 1, sent: 0 });
    expect(mails('a@example.jp')[0]).toEqual(down.attempts[0]);
    expect(mails('a@example.jp')[0]?.text).toContain(expectedLine);
    // Committed with the window it told; the moved window is news, once.
    expect(next.sent).toBe(1);
    expect(mails('a@example.jp')[1]?.text).toContain(widenedLine);
  });

  it('never tells the forecast of a program whose newest round the subscriber muted', async () => {
    await h.subscribeConfirmed('a@example.jp', [savedSearch('地域イノベーション')]);
    h.clock.set('2026-03-05T09:00:00+09:00');
    await digest();
    const first = mails('a@example.jp')[0];
    if (!first) throw new Error('no digest');

    await mute(h.subscriptionDeps, linkToken(first, 'mute'));
    await crawlAndLink([r7Corrected]);
    h.clock.set('2026-03-06T09:00:00+09:00');
    const after = await digest();

    expect(after.sent).toBe(0);
    expect(mails('a@example.jp')).toHaveLength(1);
  });

  it('says so when the forecast round comes, and forgets the told forecast', async () => {
    await h.subscribeConfirmed('a@example.jp', [savedSearch('地域イノベーション')]);
    h.clock.set('2026-03-05T09:00:00+09:00');
    await digest();
    const toldKeys = await forecastKeys('a@example.jp');

    h.clock.set('2026-04-06T11:00:00+09:00');
    await crawlAndLink([r8]);
    h.clock.set('2026-04-06T11:10:00+09:00');
    const report = await digest();

    expect(toldKeys).toHaveLength(1);
    expect(report.sent).toBe(1);
    const mail = mails('a@example.jp')[1];
    expect(mail?.subject).toBe('【地域科学技術ポータル】新着 1件');
    expect(mail?.text).toContain(`◆ 令和8年度 地域イノベーション創出支援事業の公募について\n`);
    expect(mail?.text).toContain(`  ${startedNote}\n`);
    expect(mail?.html).toContain(`<li>${startedNote}</li>`);
    expect(mail?.text).not.toContain('今後の公募（見込み）');
    expect(await forecastKeys('a@example.jp')).toEqual([]);
  });

  it('tells at most 20 programs in one digest and the rest in the next', async () => {
    const places =
      '北海道 青森 岩手 宮城 秋田 山形 福島 茨城 栃木 群馬 埼玉 千葉 東京 神奈川 新潟 富山 石川 福井 山梨 長野 岐阜';
    const programs = places.split(' ').flatMap((place, i) =>
      [
        ['令和6年度', '2024-04-08'],
        ['令和7年度', '2025-04-14'],
      ].map(([era = '', opens = '']) => ({
        ...round(era, `${i}-${opens.slice(0, 4)}`, opens, `${opens.slice(0, 4)}-05-20`),
        title: `${era} ${place}産業振興事業の公募について`,
      })),
    );
    await crawlAndLink(programs);
    await h.subscribeConfirmed('a@example.jp', [savedSearch('産業振興事業')]);
    h.clock.set('2026-03-05T09:00:00+09:00');

    await digest();
    h.clock.set('2026-03-06T09:00:00+09:00');
    await digest();

    const lines = mails('a@example.jp').map((mail) => mail.text.match(/^◇ 今後の公募（見込み）: /gm)?.length ?? 0);
    expect(lines).toEqual([20, 1]);
    expect(mails('a@example.jp')[1]?.subject).toBe('【地域科学技術ポータル】公募の見込み 1件');
  });

  it('keeps a told forecast whose round never came for 180 days after its window, then forgets it', async () => {
    await h.subscribeConfirmed('a@example.jp', [savedSearch('地域イノベーション')]);
    h.clock.set('2026-03-05T09:00:00+09:00');
    await digest();

    h.clock.set('2026-10-18T09:00:00+09:00');
    const kept = await digest();
    const keysOnLastDay = await forecastKeys('a@example.jp');
    h.clock.set('2026-10-19T09:00:00+09:00');
    const forgotten = await digest();

    expect(kept.sent + forgotten.sent).toBe(0);
    expect(keysOnLastDay).toHaveLength(1);
    expect(await forecastKeys('a@example.jp')).toEqual([]);
    expect(mails('a@example.jp')).toHaveLength(1);
  });

  it('says nothing of a forecast when a new round comes to a subscriber who was not told one', async () => {
    await h.subscribeConfirmed('a@example.jp', [savedSearch('地域イノベーション')]);
    h.clock.set('2026-02-20T09:00:00+09:00');
    await digest();
    await crawlAndLink([round('令和8年度', 'r8', '2026-02-20', '2026-03-31')]);
    h.clock.set('2026-02-20T09:10:00+09:00');

    const report = await digest();

    expect(report.sent).toBe(1);
    expect(mails('a@example.jp')).toHaveLength(1);
    expect(mails('a@example.jp')[0]?.text).toContain('◆ 令和8年度 地域イノベーション創出支援事業の公募について');
    expect(mails('a@example.jp')[0]?.text).not.toContain('見込み');
  });
});
