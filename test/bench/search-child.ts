/**
 * One phase of the search benchmark in its own process (test/bench/search.ts spawns it with
 * `--expose-gc`), so memory is the engine's own: `build` indexes the corpus and writes it to a
 * folder, `serve` reopens that folder (restart = open + first answer) and times the query set,
 * `truth` runs the brute-force scan. The corpus is generated document by document, never held
 * whole. Prints one line `RESULT <json>` (a `ChildResult`).
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FixedClock } from '../../shared/clock.js';
import { EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import { makeOpenSearchClient } from '../../shared/search/opensearch-client.js';
import { OpenSearchSearchIndex } from '../../shared/search/opensearch-search-index.js';
import type { SearchDoc, SearchIndex } from '../../shared/search/search-index.js';
import { corpusDocs } from '../support/search-corpus.js';
import { BareIndex, BareIndexBuilder } from './search-bare.js';
import { benchNow, benchQueries, BruteForce, type Answer, type BenchQuery } from './search-queries.js';

export interface ChildArgs {
  readonly phase: 'build' | 'serve' | 'truth';
  readonly engine: 'bare' | 'embedded' | 'opensearch' | 'brute-force';
  readonly size: number;
  /** The engine's folder (bare, embedded). */
  readonly dir: string;
  /** Timed passes over the query set (serve, truth). */
  readonly rounds: number;
  readonly opensearchEndpoint?: string;
}

export interface ChildResult {
  /** Build time (build, and opensearch's bulk load). */
  buildMs?: number;
  /** VmHWM: the process's peak resident memory, MB. */
  peakMb: number;
  /** VmRSS after the phase's work and a full GC, MB. */
  rssMb: number;
  /** VmRSS of an idle process of the same kind before any work, MB. */
  baseMb: number;
  diskBytes?: number;
  /** Open from disk and answer the first query (serve). */
  restartMs?: number;
  /** Per query (in `benchQueries()` order), its timed runs in ms. */
  samples?: number[][];
  answers?: Answer[];
}

function status(): { hwm: number; rss: number } {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
}

function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : statSync(path).size;
  }
  return total;
}

const corpus = (size: number): Generator<SearchDoc> => corpusDocs(size, 42, { lengths: 'realistic' });

function batches(size: number, per: number): Generator<SearchDoc[]> {
  return (function* () {
    let batch: SearchDoc[] = [];
    for (const doc of corpus(size)) {
      batch.push(doc);
      if (batch.length < per) continue;
      yield batch;
      batch = [];
    }
    if (batch.length > 0) yield batch;
  })();
}

type Ask = (q: BenchQuery, k: number) => Promise<Answer>;

/** Asks every query once (untimed, for the answers and to warm up), then `rounds` timed passes. */
async function timeQueries(ask: Ask, rounds: number): Promise<{ samples: number[][]; answers: Answer[] }> {
  const queries = benchQueries();
  const answers: Answer[] = [];
  for (let k = 0; k < queries.length; k++) answers.push(await ask(queries[k] as BenchQuery, k));
  const samples: number[][] = queries.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < queries.length; k++) {
      const t = performance.now();
      await ask(queries[k] as BenchQuery, k);
      samples[k]?.push(performance.now() - t);
    }
  }
  return { samples, answers };
}

/** Cursors of page 10 for an engine that pages by cursor. */
async function pageCursors(index: SearchIndex): Promise<Array<string | undefined>> {
  const out: Array<string | undefined> = [];
  for (const q of benchQueries()) {
    let cursor: string | undefined;
    for (let p = 0; p < q.page; p++) cursor = (await index.search({ ...q.q, cursor })).nextCursor;
    out.push(cursor);
  }
  return out;
}

async function run(args: ChildArgs): Promise<ChildResult> {
  const base = status().rss;
  const clock = new FixedClock(benchNow);
  const now = benchNow.getTime();
  const queries = benchQueries();
  if (args.phase === 'truth') {
    const brute = new BruteForce();
    for (const doc of corpus(args.size)) brute.add(doc);
    const timed = await timeQueries(async (q) => brute.search(q.q, q.page), args.rounds);
    fullGc();
    return { peakMb: status().hwm, rssMb: status().rss, baseMb: base, ...timed };
  }
  if (args.engine === 'opensearch') {
    const client = makeOpenSearchClient({
      endpoint: args.opensearchEndpoint ?? '',
      sigv4: false,
      region: 'ap-northeast-1',
    });
    const index = new OpenSearchSearchIndex({ client, prefix: `chiiki-bench-${process.pid}`, clock, bulkChunk: 500 });
    try {
      await index.dropAll();
      await index.ensureIndex();
      const t = performance.now();
      const writer = await index.beginReindex();
      for (const batch of batches(args.size, 2000)) await writer.upsert(batch);
      await writer.commit();
      const buildMs = performance.now() - t;
      const cursors = await pageCursors(index);
      const timed = await timeQueries(async (q, k) => {
        const page = await index.search({ ...q.q, cursor: cursors[k] });
        return { total: page.total, ids: page.items.map((h) => h.doc.id) };
      }, args.rounds);
      return { buildMs, peakMb: Number.NaN, rssMb: Number.NaN, baseMb: base, ...timed };
    } finally {
      await index.dropAll();
    }
  }
  mkdirSync(args.dir, { recursive: true });
  const bareFile = join(args.dir, 'bare.bin');
  if (args.phase === 'build') {
    // Build time is the engine's own: corpus generation between its calls is not counted.
    let buildMs = 0;
    const timed = async <T>(work: () => T | Promise<T>): Promise<T> => {
      const t = performance.now();
      const out = await work();
      buildMs += performance.now() - t;
      return out;
    };
    if (args.engine === 'bare') {
      const builder = new BareIndexBuilder();
      for (const batch of batches(args.size, 1000)) await timed(() => batch.forEach((doc) => builder.add(doc)));
      await timed(() => builder.finish().save(bareFile));
    } else {
      const index = new EmbeddedSearchIndex({ dir: args.dir, clock });
      const writer = await timed(() => index.beginReindex());
      for (const batch of batches(args.size, 1000)) await timed(() => writer.upsert(batch));
      await timed(() => writer.commit());
      await timed(() => index.close());
    }
    const peakMb = status().hwm;
    fullGc();
    return { buildMs, peakMb, rssMb: status().rss, baseMb: base, diskBytes: folderBytes(args.dir) };
  }
  // serve: restart is opening the folder and answering the first query.
  const first = queries[0] as BenchQuery;
  const cursors: Array<string | undefined> = [];
  let ask: Ask;
  let embedded: EmbeddedSearchIndex | undefined;
  const t = performance.now();
  if (args.engine === 'bare') {
    const index = BareIndex.load(bareFile);
    ask = async (q) => {
      const page = index.search(q.q, q.page, now);
      return { total: page.total, ids: page.items.map((h) => h.id) };
    };
  } else {
    const index = (embedded = new EmbeddedSearchIndex({ dir: args.dir, clock }));
    ask = async (q, k) => {
      const page = await index.search({ ...q.q, cursor: cursors[k] });
      return { total: page.total, ids: page.items.map((h) => h.doc.id) };
    };
  }
  await ask(first, 0);
  const restartMs = performance.now() - t;
  if (embedded) cursors.push(...(await pageCursors(embedded)));
  const timed = await timeQueries(ask, args.rounds);
  fullGc();
  return { restartMs, peakMb: status().hwm, rssMb: status().rss, baseMb: base, ...timed };
}

const result = await run(JSON.parse(process.argv[2] ?? '{}') as ChildArgs);
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
