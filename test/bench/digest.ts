import { performance } from 'node:perf_hooks';
import { runDigest, type DigestDeps, type DigestItemStore } from '../../functions/alerts/digest.js';
import { FixedClock, type Clock } from '../../shared/clock.js';
import { contentHashOf, contentOf, itemIdFor, type Item, type ItemId } from '../../shared/domain/item.js';
import {
  emailHashOf,
  newSubscriptionId,
  type SavedSearch,
  type Subscription,
  type SubscriptionId,
} from '../../shared/domain/subscription.js';
import { ConflictError } from '../../shared/errors.js';
import { silentLog } from '../../shared/log.js';
import type { MailMessage, Mailer, SentMail } from '../../shared/mail/mailer.js';
import { EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import type { Page } from '../../shared/store/item-store.js';
import type { RateLimitResult, SubscriptionStore } from '../../shared/store/subscription-store.js';
import { LinkBuilder } from '../../shared/subscriptions/links.js';
import { TokenSigner } from '../../shared/subscriptions/tokens.js';

/**
 * `benchDigest()`: how long the digest job takes to BUILD one delivery (match every saved search,
 * decide new / changed / reminder per subscriber, render the Japanese mail, claim and commit) for
 * 100k subscriptions × 3 saved searches against a corpus of 50k calls on the embedded engine.
 *
 * Stores are in-memory fakes with the ports' semantics (conditional saves on `revision`), and the
 * mailer drops messages, so the numbers are the job's own CPU time; DynamoDB and SES costs are
 * counted (reads, writes, mails) and priced on paper in the report, not timed.
 *
 * Saved searches draw one of 400 compound terms (and in 40 % a prefecture, in 50 % status=open),
 * so 100k × 3 searches collapse to a few thousand distinct ones, as real saved searches do.
 *
 * Tiers: (a) a normal crawl cycle, 500 new or materially changed calls; (b) a heavy day, 5,000;
 * (c) the worst case, every one of the 50k calls new at once, run at 10k subscriptions and
 * extrapolated linearly per subscriber (the scratch index build is a fixed cost and reported apart).
 */

const keywords = [
  '半導体',
  '量子',
  '水素',
  '蓄電池',
  'AI',
  'ロボット',
  '創薬',
  'ゲノム',
  '脱炭素',
  '防災',
  '農業',
  '海洋',
  '宇宙',
  '医療機器',
  '材料',
  '人材育成',
  '産学連携',
  'スタートアップ',
  '地域中核',
  'DX',
  'バイオ',
  '再生医療',
  '光',
  '核融合',
  '原子力',
  '森林',
  '水産',
  '観光',
  '教育',
  '高齢化',
  '感染症',
  '気候変動',
  '資源循環',
  'デジタル',
  '通信',
  '6G',
  'センサ',
  '自動運転',
  'ドローン',
  '建設',
  '食品',
  'エネルギー',
  '環境',
  '防衛',
  '文化',
  'データ',
  'セキュリティ',
  '数学',
  '物理',
  '化学',
];
/** 400 compound terms (base × qualifier): a saved search matches about 0.5 % of calls, as specific searches do. */
const qualifiers = ['基盤技術', '応用研究', '実証', '人材', '拠点', '国際連携', '社会実装', '評価手法'];
const terms = keywords.flatMap((k) => qualifiers.map((q) => `${k}${q}`));
const publishers = [
  '文部科学省',
  '科学技術振興機構',
  '日本学術振興会',
  '経済産業省',
  '新エネルギー・産業技術総合開発機構',
  '北海道',
  '東京都',
  '大阪府',
  '福岡県',
  '沖縄県',
];
const nouns = [
  '研究開発プログラム',
  '拠点形成事業',
  '実証事業',
  '共同研究',
  '人材育成事業',
  '国際共同研究',
  '地域連携事業',
];

/** Deterministic pseudo-random numbers, so runs compare. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T;
}

function makeCall(n: number, createdAt: string, random: () => number): Item {
  const k1 = pick(random, terms);
  const k2 = pick(random, terms);
  const url = `https://bench.example.jp/koubo/${n}.html`;
  const pref = String(1 + Math.floor(random() * 47)).padStart(2, '0');
  const closes = new Date(Date.parse(createdAt) + (10 + Math.floor(random() * 80)) * 86_400_000).toISOString();
  const content = {
    kind: 'call' as const,
    title: `令和7年度 ${k1}・${k2}${pick(random, nouns)}の公募（第${n}回）`,
    url,
    canonicalUrl: url,
    summary: `${k1}分野と${k2}分野の研究開発を支援する公募です。`,
    publisher: pick(random, publishers),
    prefectures: [pref],
    regions: [],
    fields: [],
    opensAt: createdAt,
    closesAt: closes,
    ...(random() < 0.5 ? { requiresRegistration: 'e-rad' as const } : {}),
  };
  return {
    ...content,
    id: itemIdFor(url),
    provenance: [{ sourceId: 'bench', url, firstSeenAt: createdAt, lastSeenAt: createdAt }],
    contentHash: contentHashOf(contentOf(content)),
    version: 1,
    createdAt,
    updatedAt: createdAt,
    history: [],
  };
}

/** Items sorted by change time; `listChangedSince` is a binary search. */
class MemoryItems implements DigestItemStore {
  reads = 0;
  constructor(private readonly sorted: Item[]) {}
  async listChangedSince(_kind: string, since: string, cursor?: string, limit = 500): Promise<Page<Item>> {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.sorted[mid] as Item).createdAt < since) lo = mid + 1;
      else hi = mid;
    }
    const start = cursor ? Number(cursor) : lo;
    const items = this.sorted.slice(start, start + limit);
    this.reads += 1;
    return { items, cursor: start + limit < this.sorted.length ? String(start + limit) : undefined };
  }
  async get(id: ItemId): Promise<Item | undefined> {
    this.reads += 1;
    return this.sorted.find((i) => i.id === id);
  }
}

/** The SubscriptionStore contract in memory (revision-conditional saves), counting operations. */
class MemorySubscriptions implements SubscriptionStore {
  readonly shardCount = 16;
  readonly byId = new Map<string, Subscription>();
  gets = 0;
  saves = 0;
  listed = 0;
  async get(id: SubscriptionId) {
    this.gets += 1;
    return this.byId.get(id);
  }
  async findByEmailHash(hash: string) {
    for (const s of this.byId.values()) if (s.emailHash === hash) return s;
    return undefined;
  }
  async create(s: Subscription) {
    this.byId.set(s.id, s);
  }
  async save(s: Subscription) {
    const stored = this.byId.get(s.id);
    if (!stored || stored.revision !== s.revision) throw new ConflictError('moved');
    const next = { ...s, revision: s.revision + 1 };
    this.byId.set(s.id, next);
    this.saves += 1;
    return next;
  }
  private shards: Subscription[][] | undefined;
  async listShard(shard: number, cursor?: string, limit = 100): Promise<Page<Subscription>> {
    this.shards ??= (() => {
      const out: Subscription[][] = Array.from({ length: this.shardCount }, () => []);
      for (const s of this.byId.values()) out[parseInt(s.id.slice(4, 8), 16) % this.shardCount]?.push(s);
      return out;
    })();
    const all = this.shards[shard] ?? [];
    const start = cursor ? Number(cursor) : 0;
    const items = all.slice(start, start + limit).map((s) => this.byId.get(s.id) as Subscription);
    this.listed += items.length;
    return { items, cursor: start + limit < all.length ? String(start + limit) : undefined };
  }
  async suppress() {}
  async isSuppressed() {
    return false;
  }
  async hitRateLimit(): Promise<RateLimitResult> {
    return { allowed: true, retryAfterSec: 0 };
  }
}

export class CountingMailer implements Mailer {
  count = 0;
  bytes = 0;
  async send(message: MailMessage): Promise<SentMail> {
    this.count += 1;
    this.bytes += message.text.length + message.html.length;
    return { messageId: message.messageId ?? String(this.count) };
  }
}

/** `count` active, confirmed subscriptions at `watermark`, each with three saved searches from `search`. */
export async function benchSubscriptions(
  count: number,
  watermark: string,
  search: () => SavedSearch,
): Promise<MemorySubscriptions> {
  const store = new MemorySubscriptions();
  for (let i = 0; i < count; i++) {
    const email = `bench${i}@example.jp`;
    await store.create({
      id: newSubscriptionId(),
      email,
      emailHash: emailHashOf(email, 'bench-secret-0123456789'),
      status: 'active',
      searches: [search(), search(), search()],
      frequency: 'immediate',
      reminderDays: [14, 3],
      createdAt: watermark,
      confirmedAt: watermark,
      watermark,
      notified: {},
      muted: [],
      revision: 0,
    });
  }
  return store;
}

/** What `runDigest` needs around the stores: links, an embedded scratch index, a silent log. */
export function benchDigestDeps(
  subscriptions: SubscriptionStore,
  items: DigestItemStore,
  mailer: Mailer,
  clock: Clock,
): DigestDeps {
  return {
    subscriptions,
    items,
    mailer,
    links: new LinkBuilder({
      baseUrl: 'https://portal.example.jp',
      tokens: new TokenSigner('bench-secret-0123456789'),
    }),
    clock,
    log: silentLog,
    scratchIndex: () => new EmbeddedSearchIndex({ clock }),
    messageDomain: 'portal.example.jp',
  };
}

function savedSearchFor(random: () => number): SavedSearch {
  const text = pick(random, terms);
  const query: SavedSearch['query'] = { text };
  if (random() < 0.4) query.prefectures = [String(1 + Math.floor(random() * 47)).padStart(2, '0')];
  if (random() < 0.5) query.statuses = ['open'];
  return { params: JSON.stringify(query), label: text, query };
}

interface TierResult {
  readonly subscriptions: number;
  readonly changed: number;
  readonly ms: number;
  readonly sent: number;
  readonly distinctSearches: number;
  readonly saves: number;
  readonly avgMailKb: number;
}

async function tier(
  corpus: Item[],
  subscriptions: number,
  changed: number,
  watermark: string,
  now: string,
): Promise<TierResult> {
  const random = rng(subscriptions + changed);
  const clock = new FixedClock(now);
  // The last `changed` calls of the corpus were created after the subscribers' watermark.
  const items = corpus.map((item, i) => {
    if (i < corpus.length - changed) return item;
    const createdAt = new Date(Date.parse(watermark) + 60_000 + i).toISOString();
    const closesAt = new Date(Date.parse(createdAt) + (5 + (i % 60)) * 86_400_000).toISOString();
    return { ...item, createdAt, updatedAt: createdAt, opensAt: createdAt, closesAt };
  });
  items.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  const store = await benchSubscriptions(subscriptions, watermark, () => savedSearchFor(random));
  const mailer = new CountingMailer();
  const started = performance.now();
  const report = await runDigest(benchDigestDeps(store, new MemoryItems(items), mailer, clock));
  const ms = performance.now() - started;
  return {
    subscriptions,
    changed,
    ms,
    sent: report.sent,
    distinctSearches: report.distinctSearches,
    saves: store.saves,
    avgMailKb: mailer.count > 0 ? mailer.bytes / mailer.count / 1024 : 0,
  };
}

/** Scratch-index build alone (the fixed part of a run), for `n` changed calls. */
async function scratchBuildMs(items: Item[]): Promise<number> {
  const { toSearchDoc } = await import('../../shared/search/search-index.js');
  const index = new EmbeddedSearchIndex({ clock: new FixedClock('2025-05-10T00:00:00Z') });
  const started = performance.now();
  await index.upsert(items.map((item) => toSearchDoc(item)));
  return performance.now() - started;
}

export async function benchDigest(): Promise<void> {
  // Default (~4 min on 2 shared cores): the normal cycle at 10k and 100k. BENCH_DIGEST_FULL=1 adds the heavy
  // day (100k × 5,000, ~12 min) and the worst case (2k × 50k); BENCH_DIGEST_TIERS="2000x500,..." picks tiers.
  const custom = process.env['BENCH_DIGEST_TIERS'];
  const tiers: [number, number][] = custom
    ? custom.split(',').map((t) => t.split('x').map(Number) as [number, number])
    : process.env['BENCH_DIGEST_FULL'] === '1'
      ? [
          [10_000, 500],
          [100_000, 500],
          [100_000, 5_000],
          [2_000, 50_000],
        ]
      : [
          [10_000, 500],
          [100_000, 500],
        ];
  const random = rng(42);
  const corpusSize = 50_000;
  const watermark = '2025-05-10T00:00:00.000Z';
  const now = '2025-05-10T03:00:00.000Z';
  const corpus = Array.from({ length: corpusSize }, (_, n) =>
    makeCall(n, new Date(Date.parse('2024-01-01T00:00:00Z') + n * 600_000).toISOString(), random),
  );
  console.log(
    `digest build: ${corpusSize} calls in the corpus, 3 saved searches per subscription, embedded scratch index`,
  );
  for (const [subscriptions, changed] of tiers) {
    const result = await tier(corpus, subscriptions, changed, watermark, now);
    const perSub = result.ms / subscriptions;
    console.log(
      `  ${String(subscriptions).padStart(7)} subscriptions × ${String(changed).padStart(6)} changed calls: ` +
        `${(result.ms / 1000).toFixed(1)} s (${(perSub * 1000).toFixed(0)} µs/subscription), ` +
        `${result.sent} mails (avg ${result.avgMailKb.toFixed(1)} KB text+html), ` +
        `${result.distinctSearches} distinct searches, ${result.saves} conditional writes` +
        (subscriptions < 100_000
          ? `; linear upper bound at 100k: ~${((perSub * 100_000) / 1000).toFixed(0)} s (distinct searches saturate, so less)`
          : ''),
    );
  }
  for (const n of [500, 5_000, 50_000]) {
    console.log(
      `  scratch index build for ${n} changed calls: ${(await scratchBuildMs(corpus.slice(0, n))).toFixed(0)} ms`,
    );
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'));
if (invokedDirectly) await benchDigest();
