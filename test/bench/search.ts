/**
 * Search benchmark: the embedded engine and OpenSearch side by side with a bare in-memory bigram
 * index as the reference, on synthetic Japanese corpora (test/support/search-corpus.ts).
 *
 * Per tier (default 5k, 50k, 200k items) and engine: build / bulk rate, memory, restart from disk
 * (embedded), and p50 / p99 latency per query class (plain, filtered, faceted, sorted, page-10),
 * each the median over several rounds; then the ratios embedded / reference. Every query asks for
 * facets, total and one page of 20, as the API does.
 *
 * Goals (issue 4): embedded within 2× of the reference at p50 and p99 at 50k and 200k, under 1 GB
 * RSS at 200k, restart under 2 s; OpenSearch bulk ≥ 2,000 docs/s on the local node.
 *
 * Run: `npm run bench` (test/bench/run.ts calls `benchSearch`), or directly
 * `npx tsx test/bench/search.ts 5000 50000` (OPENSEARCH_ENDPOINT set adds OpenSearch).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FixedClock } from '../../shared/clock.js';
import { foldForMatch } from '../../shared/ja/normalize.js';
import { EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import { makeOpenSearchClient } from '../../shared/search/opensearch-client.js';
import { OpenSearchSearchIndex } from '../../shared/search/opensearch-search-index.js';
import type { SearchQuery } from '../../shared/search/query.js';
import type { SearchDoc, SearchIndex } from '../../shared/search/search-index.js';
import { generateCorpus } from '../support/search-corpus.js';

export interface BenchSearchOptions {
  /** Corpus sizes; default [5000, 50000, 200000]. */
  readonly sizes?: readonly number[];
  /** Rounds per tier (the median round is reported); default 7 below 100k items, else 3. */
  readonly rounds?: number;
  /** OpenSearch endpoint; default OPENSEARCH_ENDPOINT. Absent: OpenSearch is skipped. */
  readonly opensearchEndpoint?: string;
  /** Largest tier OpenSearch is loaded with (bulk-loading is slow on a shared 2-core box); default 50000. */
  readonly opensearchMaxSize?: number;
}

const now = new Date('2025-06-15T12:00:00+09:00');

// ---------------------------------------------------------------------------------------------
// The reference: a bare in-memory character-bigram inverted index (bag of bigrams, no phrase
// check), filters and facets by scanning its matches, sort by Array.sort, paging by offset.

class ReferenceIndex {
  private readonly docs: SearchDoc[] = [];
  private readonly postings = new Map<string, number[]>();
  private pub: number[] = [];
  private opens: number[] = [];
  private closes: number[] = [];

  private static grams(text: string): Set<string> {
    const grams = new Set<string>();
    for (const word of foldForMatch(text).split(/[^\p{L}\p{N}ー々]+/u)) {
      if (word.length === 0) continue;
      if (/^[\x20-\x7e]+$/.test(word) || word.length === 1) grams.add(word);
      else for (let i = 0; i + 1 < word.length; i++) grams.add(word.slice(i, i + 2));
    }
    return grams;
  }

  add(docs: readonly SearchDoc[]): void {
    for (const doc of docs) {
      const n = this.docs.length;
      this.docs.push(doc);
      this.pub.push(Date.parse(doc.publishedAt ?? doc.updatedAt));
      this.opens.push(doc.opensAt ? Date.parse(doc.opensAt) : Number.NaN);
      this.closes.push(doc.closesAt ? Date.parse(doc.closesAt) : Number.POSITIVE_INFINITY);
      for (const g of ReferenceIndex.grams(`${doc.title} ${doc.summary ?? ''} ${doc.bodyText ?? ''}`)) {
        let list = this.postings.get(g);
        if (!list) this.postings.set(g, (list = []));
        list.push(n);
      }
    }
  }

  private status(d: number, t: number): string {
    const o = this.opens[d] as number;
    const c = this.closes[d] as number;
    if (Number.isNaN(o) && c === Number.POSITIVE_INFINITY) return 'unknown';
    if (!Number.isNaN(o) && t < o) return 'upcoming';
    if (t > c) return 'closed';
    return 'open';
  }

  search(q: SearchQuery & { page?: number }): {
    total: number;
    ids: string[];
    facets: Record<string, Map<string, number>>;
  } {
    let cand: number[] | undefined;
    if (q.text) {
      const lists = [...ReferenceIndex.grams(q.text)]
        .map((g) => this.postings.get(g) ?? [])
        .sort((a, b) => a.length - b.length);
      cand = lists[0] ?? [];
      for (const list of lists.slice(1)) {
        const out: number[] = [];
        let j = 0;
        for (const d of cand) {
          while (j < list.length && (list[j] as number) < d) j++;
          if (list[j] === d) out.push(d);
        }
        cand = out;
      }
    }
    const t = now.getTime();
    const test = (d: number): boolean => {
      const doc = this.docs[d] as SearchDoc;
      return (
        (q.includeWithdrawn || !doc.withdrawn) &&
        (!q.kinds || q.kinds.includes(doc.kind)) &&
        (!q.prefectures || doc.prefectures.some((p) => q.prefectures?.includes(p))) &&
        (!q.ministries || (doc.ministry !== undefined && q.ministries.includes(doc.ministry))) &&
        (!q.statuses || (q.statuses as string[]).includes(this.status(d, t)))
      );
    };
    const matches: number[] = [];
    if (cand) for (const d of cand) if (test(d)) matches.push(d);
    if (!cand) for (let d = 0; d < this.docs.length; d++) if (test(d)) matches.push(d);
    const facets: Record<string, Map<string, number>> = {
      kind: new Map(),
      status: new Map(),
      ministry: new Map(),
      prefecture: new Map(),
      region: new Map(),
      field: new Map(),
    };
    const inc = (m: Map<string, number> | undefined, v: string): void => void m?.set(v, (m.get(v) ?? 0) + 1);
    for (const d of matches) {
      const doc = this.docs[d] as SearchDoc;
      inc(facets.kind, doc.kind);
      inc(facets.status, this.status(d, t));
      if (doc.ministry) inc(facets.ministry, doc.ministry);
      for (const p of doc.prefectures) inc(facets.prefecture, p);
      for (const r of doc.regions) inc(facets.region, r);
      for (const f of doc.fields) inc(facets.field, f);
    }
    if (q.sort === 'newest') matches.sort((a, b) => (this.pub[b] as number) - (this.pub[a] as number));
    if (q.sort === 'deadline') matches.sort((a, b) => (this.closes[a] as number) - (this.closes[b] as number) || a - b);
    const size = q.size ?? 20;
    const page = q.page ?? 0;
    return {
      total: matches.length,
      ids: matches.slice(page * size, page * size + size).map((d) => (this.docs[d] as SearchDoc).id),
      facets,
    };
  }
}

// ---------------------------------------------------------------------------------------------

interface QueryCase {
  readonly cls: 'plain' | 'filtered' | 'faceted' | 'sorted' | 'page-10';
  readonly q: SearchQuery;
}

const queryCases: readonly QueryCase[] = [
  { cls: 'plain', q: { text: '研究' } },
  { cls: 'plain', q: { text: '地域' } },
  { cls: 'plain', q: { text: '産学官連携' } },
  { cls: 'plain', q: { text: '補助金 公募' } },
  { cls: 'plain', q: { text: '半導体' } },
  { cls: 'plain', q: { text: 'IoT' } },
  { cls: 'plain', q: { text: 'スマートシティ実証事業' } },
  { cls: 'filtered', q: { text: '研究開発', kinds: ['call'], statuses: ['open'] } },
  { cls: 'filtered', q: { text: '支援', prefectures: ['13', '27', '01'] } },
  { cls: 'filtered', q: { text: '地域', ministries: ['mext', 'jst'] } },
  { cls: 'faceted', q: {} },
  { cls: 'faceted', q: { kinds: ['call'] } },
  { cls: 'faceted', q: { text: '公募' } },
  { cls: 'sorted', q: { text: '研究', sort: 'newest' } },
  { cls: 'sorted', q: { text: '公募', sort: 'deadline' } },
  { cls: 'sorted', q: { kinds: ['news'], sort: 'newest' } },
  { cls: 'page-10', q: { text: '研究', sort: 'newest' } },
  { cls: 'page-10', q: { text: '地域' } },
];
const classes = ['plain', 'filtered', 'faceted', 'sorted', 'page-10'] as const;

interface Latencies {
  p50: number;
  p99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

let gcFn: (() => void) | undefined;
function gc(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}

function heapMb(): number {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1e6;
}

function rssMb(): number {
  return process.memoryUsage().rss / 1e6;
}

type Runner = (c: QueryCase) => Promise<void>;

/** Times every case once per round; returns per class the median (over rounds) of p50 and p99. */
async function measure(run: Runner, rounds: number, repeats: number): Promise<Record<string, Latencies>> {
  const perRound: Record<string, Latencies[]> = {};
  for (let r = 0; r < rounds; r++) {
    const samples: Record<string, number[]> = {};
    for (let k = 0; k < repeats; k++) {
      for (const c of queryCases) {
        const t = performance.now();
        await run(c);
        (samples[c.cls] ??= []).push(performance.now() - t);
      }
    }
    for (const cls of classes) {
      const s = (samples[cls] ?? []).sort((a, b) => a - b);
      (perRound[cls] ??= []).push({ p50: percentile(s, 50), p99: percentile(s, 99) });
    }
  }
  const out: Record<string, Latencies> = {};
  for (const cls of classes) {
    const rs = perRound[cls] ?? [];
    out[cls] = { p50: median(rs.map((x) => x.p50)), p99: median(rs.map((x) => x.p99)) };
  }
  return out;
}

/** The cursor of page 9 for each page-10 case, so the timed call fetches page 10 only. */
async function page9Cursors(index: SearchIndex): Promise<Map<QueryCase, string | undefined>> {
  const out = new Map<QueryCase, string | undefined>();
  for (const c of queryCases.filter((x) => x.cls === 'page-10')) {
    let cursor: string | undefined;
    for (let p = 0; p < 9; p++) cursor = (await index.search({ ...c.q, size: 20, cursor })).nextCursor;
    out.set(c, cursor);
  }
  return out;
}

interface EngineRow {
  engine: string;
  size: number;
  buildRate: number;
  memMb: number;
  restartMs?: number;
  lat: Record<string, Latencies>;
}

const fmt = (n: number | undefined, digits = 1): string =>
  n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits);

function printTable(rows: readonly EngineRow[]): void {
  const header = ['engine', 'items', 'build docs/s', 'mem MB', 'restart ms', ...classes.map((c) => `${c} p50/p99 ms`)];
  const lines = rows.map((r) => [
    r.engine,
    String(r.size),
    fmt(r.buildRate, 0),
    fmt(r.memMb, 0),
    fmt(r.restartMs, 0),
    ...classes.map((c) => `${fmt(r.lat[c]?.p50, 2)} / ${fmt(r.lat[c]?.p99, 2)}`),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const row = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(row(header));
  for (const l of lines) console.log(row(l));
}

export async function benchSearch(opts: BenchSearchOptions = {}): Promise<void> {
  const sizes = opts.sizes ?? [5000, 50_000, 200_000];
  const endpoint = opts.opensearchEndpoint ?? process.env.OPENSEARCH_ENDPOINT;
  const osMax = opts.opensearchMaxSize ?? 50_000;
  const clock = new FixedClock(now);
  const rows: EngineRow[] = [];
  const notes: string[] = [];
  for (const size of sizes) {
    const rounds = opts.rounds ?? (size >= 100_000 ? 3 : 7);
    const repeats = size >= 100_000 ? 2 : 3;
    console.log(
      `\n# search bench: ${size} items, ${rounds} rounds × ${repeats} passes over ${queryCases.length} queries`,
    );
    let corpus: SearchDoc[] | undefined = generateCorpus(size, 42);

    // Reference.
    gc();
    let heap0 = heapMb();
    let t = performance.now();
    let reference: ReferenceIndex | undefined = new ReferenceIndex();
    reference.add(corpus);
    const refBuild = size / ((performance.now() - t) / 1000);
    gc();
    const refMem = heapMb() - heap0;
    const ref = reference;
    const refLat = await measure(
      async (c) =>
        void ref.search(c.cls === 'page-10' ? ({ ...c.q, size: 20, page: 9 } as SearchQuery) : { ...c.q, size: 20 }),
      rounds,
      repeats,
    );
    rows.push({ engine: 'reference', size, buildRate: refBuild, memMb: refMem, lat: refLat });

    // Embedded, persistent.
    const dir = mkdtempSync(join(tmpdir(), 'chiiki-bench-'));
    try {
      gc();
      heap0 = heapMb();
      t = performance.now();
      let building: EmbeddedSearchIndex | undefined = new EmbeddedSearchIndex({ dir, clock });
      for (let i = 0; i < corpus.length; i += 1000) await building.upsert(corpus.slice(i, i + 1000));
      await building.close();
      const embBuild = size / ((performance.now() - t) / 1000);
      building = undefined;
      gc();
      const before = heapMb();
      t = performance.now();
      const embedded = new EmbeddedSearchIndex({ dir, clock });
      const count = await embedded.count();
      const restartMs = performance.now() - t;
      gc();
      const embMem = heapMb() - before;
      if (count !== size) notes.push(`embedded count ${count} != ${size}`);
      const cursors = await page9Cursors(embedded);
      const embLat = await measure(
        async (c) => void (await embedded.search({ ...c.q, size: 20, cursor: cursors.get(c) })),
        rounds,
        repeats,
      );
      rows.push({ engine: 'embedded', size, buildRate: embBuild, memMb: embMem, restartMs, lat: embLat });
      // Exactness: the bag-of-bigrams reference returns extra documents for 3+ character terms.
      for (const text of ['産学官連携', 'スマートシティ実証事業']) {
        const r = ref.search({ text, size: 1, includeWithdrawn: true }).total;
        const e = (await embedded.search({ text, size: 1, includeWithdrawn: true })).total;
        notes.push(`${size}: "${text}" reference ${r} hits, embedded ${e} (phrase-exact)`);
      }
      notes.push(`${size}: RSS after reference + embedded ${fmt(rssMb(), 0)} MB (heap base ${fmt(heap0, 0)} MB)`);
      for (const cls of classes) {
        const e = embLat[cls];
        const r = refLat[cls];
        if (e && r)
          notes.push(`${size}: ${cls} embedded/reference p50 ${fmt(e.p50 / r.p50, 2)}×, p99 ${fmt(e.p99 / r.p99, 2)}×`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    reference = undefined;

    // OpenSearch.
    if (endpoint && size <= osMax) {
      const client = makeOpenSearchClient({ endpoint, sigv4: false, region: 'ap-northeast-1' });
      const index = new OpenSearchSearchIndex({
        client,
        prefix: `chiiki-bench-${process.pid}-${size}`,
        clock,
        bulkChunk: 1000,
      });
      try {
        await index.dropAll();
        await index.ensureIndex();
        t = performance.now();
        const writer = await index.beginReindex();
        for (let i = 0; i < corpus.length; i += 5000) await writer.upsert(corpus.slice(i, i + 5000));
        await writer.commit();
        const bulkRate = size / ((performance.now() - t) / 1000);
        const cursors = await page9Cursors(index);
        const osLat = await measure(
          async (c) => void (await index.search({ ...c.q, size: 20, cursor: cursors.get(c) })),
          Math.min(rounds, 3),
          1,
        );
        rows.push({ engine: 'opensearch', size, buildRate: bulkRate, memMb: Number.NaN, lat: osLat });
      } finally {
        await index.dropAll();
      }
    } else if (!endpoint) {
      notes.push(`${size}: opensearch skipped (OPENSEARCH_ENDPOINT not set)`);
    } else {
      notes.push(`${size}: opensearch skipped (above opensearchMaxSize ${osMax})`);
    }
    corpus = undefined;
  }
  console.log('');
  printTable(rows);
  console.log('');
  for (const note of notes) console.log(`- ${note}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  await benchSearch(sizes.length > 0 ? { sizes } : {});
}
