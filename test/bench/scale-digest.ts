import { runDigest } from '../../functions/alerts/digest.js';
import { FixedClock } from '../../shared/clock.js';
import type { SavedSearch } from '../../shared/domain/subscription.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import { seededRandom } from '../support/search-corpus.js';
import { benchDigestDeps, benchSubscriptions, CountingMailer } from './digest.js';
import { fmt, loadAverage } from './scale-system.js';

/**
 * One digest run with the whole scale corpus in the item store: the changed calls come from the
 * store's `changes` index (`listChangedSince` on dynalite holding every item), the saved searches
 * run on the job's scratch index; then the same distinct saved searches are timed against the full
 * OpenSearch index (restricted to the same window), the alternative the job's design avoids.
 */

const subjects = ['半導体', '蓄電池', '水素', 'バイオ', '量子技術', 'ロボット', '医療機器', '防災', '海洋', '農業'];
const programs = ['研究開発', '実証事業', '産学官連携', '技術開発', '人材育成', '共同研究', '拠点形成'];

function savedSearches(seed: number): () => SavedSearch {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  return () => {
    const text = random() < 0.5 ? pick(subjects) : `${pick(subjects)}${pick(programs)}`;
    const query: SavedSearch['query'] = { text };
    if (random() < 0.4) query.prefectures = [String(1 + Math.floor(random() * 47)).padStart(2, '0')];
    if (random() < 0.5) query.statuses = ['open'];
    return { params: JSON.stringify(query), label: text, query };
  };
}

const mb = (bytes: number) => fmt(bytes / 2 ** 20);

export async function digestPart(
  store: ItemStore,
  opensearch: SearchIndex | undefined,
  subscriptions: number,
): Promise<void> {
  // The corpus's dates end on 2026-06-30; the last ~1.5 days hold ~0.06 % of the items, as a crawl cycle's changes.
  const watermark = '2026-06-28T12:00:00.000Z';
  const clock = new FixedClock('2026-06-30T03:00:00.000Z');
  const subs = await benchSubscriptions(subscriptions, watermark, savedSearches(4242));
  const mailer = new CountingMailer();
  const before = process.memoryUsage();
  const started = performance.now();
  const report = await runDigest(benchDigestDeps(subs, store, mailer, clock));
  const sec = (performance.now() - started) / 1000;
  const after = process.memoryUsage();
  console.log(
    `digest: ${fmt(subscriptions)} subscriptions × 3 saved searches over the store: ${fmt(sec, 1)} s, ` +
      `${fmt(report.changedItems)} changed calls loaded, ${fmt(report.distinctSearches)} distinct searches, ` +
      `${fmt(report.sent)} mails (${fmt(report.empty)} empty, ${fmt(report.failed)} failed); ` +
      `RSS ${mb(before.rss)} → ${mb(after.rss)} MB, heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB, ` +
      `peak RSS ${fmt(process.resourceUsage().maxRSS / 1024)} MB; load ${loadAverage()}`,
  );
  if (!opensearch) return;
  const distinct = new Map<string, SavedSearch['query']>();
  for (const sub of subs.byId.values()) for (const s of sub.searches) distinct.set(JSON.stringify(s.query), s.query);
  const times: number[] = [];
  const osStarted = performance.now();
  for (const query of [...distinct.values()].slice(0, 300)) {
    const t = performance.now();
    await opensearch.search({ ...query, kinds: ['call'], updated: { from: watermark }, sort: 'newest', size: 100 });
    times.push(performance.now() - t);
  }
  const osSec = (performance.now() - osStarted) / 1000;
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] ?? Number.NaN;
  console.log(
    `  the same saved searches on the full OpenSearch index (${fmt(times.length)} of ${fmt(distinct.size)} distinct, ` +
      `window filter updated ≥ watermark): p50 ${fmt(at(0.5), 1)} / p99 ${fmt(at(0.99), 1)} ms, ` +
      `${fmt(osSec, 1)} s for these; all ${fmt(distinct.size)} would take ~${fmt((osSec * distinct.size) / Math.max(1, times.length))} s`,
  );
}
