import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { FixedClock, systemClock, type Clock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import { searchIndexFor } from '../../shared/wiring/search-index.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { seedItems } from '../support/search-corpus.js';
import { scaleChunk, scaleChunkSize } from './scale-corpus.js';
import { digestPart } from './scale-digest.js';
import { embeddedPart } from './scale-embedded.js';
import { latencyLines, scaleClock, scaleQueries, timeQueries } from './scale-queries.js';
import { fmt, folderMb, loadAverage, rssOfPid } from './scale-system.js';

/**
 * `npm run bench -- scale`: the whole system at 1M items (`BENCH_SCALE_ITEMS`, default 1,000,000).
 * Parts (`BENCH_SCALE_PARTS`, comma-separated, default all, in this order):
 *
 * - `load`: fills the item table of the standalone dynalite at DYNAMODB_ENDPOINT (the store's
 *   table design, 25 items per BatchWrite, 8 in flight) with the synthetic corpus of
 *   scale-corpus.ts; resumes where an earlier load stopped; gives up after
 *   `BENCH_SCALE_LOAD_MINUTES` (default 120) and reports how far it got.
 * - `reindex`: `chiiki reindex --engine opensearch` from that store into OPENSEARCH_ENDPOINT.
 * - `query`: latency of API-shaped searches through `OpenSearchSearchIndex.search` at that size.
 * - `embedded`: the embedded engine built in a child process under a heap cap.
 * - `digest`: one digest run with the corpus in the store and saved searches on the engine.
 *
 * Run it on the project's services: `OPENSEARCH_HEAP=4g scripts/services.sh run -- npm run bench -- scale`.
 */

const tableName = process.env['TABLE_NAME'] ?? 'chiiki-items';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new TypeError(`${name} is required: run under scripts/services.sh run -- ...`);
  return value;
}

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number, got ${raw}`);
  return value;
}

function documentClient(endpoint: string): { client: DynamoDBDocumentClient; destroy(): void } {
  const base = new DynamoDBClient({
    endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 8,
  });
  return {
    client: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
    destroy: () => base.destroy(),
  };
}

const repoRoot = new URL('../../', import.meta.url).pathname;
const servicesDir = `${repoRoot}.services/`;

function dynalitePid(): number | undefined {
  const file = `${servicesDir}run/dynalite.pid`;
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
}

/** Store items and the time the load took; `complete` is false when the time budget ran out first. */
interface LoadResult {
  readonly items: number;
  readonly complete: boolean;
}

async function loadPart(target: number): Promise<LoadResult> {
  const endpoint = requiredEnv('DYNAMODB_ENDPOINT');
  const budgetMs = intEnv('BENCH_SCALE_LOAD_MINUTES', 120) * 60_000;
  const db = documentClient(endpoint);
  try {
    const store = new DynamoDbItemStore({ client: db.client, tableName, clock: systemClock });
    await store.ensureTable();
    let t = performance.now();
    const existing = await store.countItems();
    console.log(
      `load: ${fmt(existing)} items already in ${tableName} (counted in ${fmt((performance.now() - t) / 1000, 1)} s)`,
    );
    const firstChunk = Math.floor(Math.min(existing, target) / scaleChunkSize);
    const chunks = Math.ceil(target / scaleChunkSize);
    const started = performance.now();
    let written = 0;
    let generateMs = 0;
    let loaded = firstChunk * scaleChunkSize;
    for (let chunk = firstChunk; chunk < chunks; chunk++) {
      if (performance.now() - started > budgetMs) break;
      t = performance.now();
      const items = scaleChunk(chunk, Math.min(scaleChunkSize, target - chunk * scaleChunkSize));
      generateMs += performance.now() - t;
      await seedItems(db.client, tableName, items);
      written += items.length;
      loaded = chunk * scaleChunkSize + items.length;
      const sec = (performance.now() - started) / 1000;
      if ((chunk + 1) % 10 === 0 || chunk === chunks - 1) {
        const pid = dynalitePid();
        const rss = pid === undefined ? undefined : rssOfPid(pid);
        console.error(
          `load: ${fmt(loaded)}/${fmt(target)} items, ${fmt(written / sec)} items/s over ${fmt(sec)} s` +
            (rss === undefined ? '' : `, dynalite RSS ${fmt(rss)} MB`) +
            `, load ${loadAverage()}`,
        );
      }
    }
    const sec = (performance.now() - started) / 1000;
    const complete = loaded >= target;
    t = performance.now();
    const counted = await store.countItems();
    const countSec = (performance.now() - t) / 1000;
    const pid = dynalitePid();
    const rss = pid === undefined ? undefined : rssOfPid(pid);
    const disk = folderMb(`${servicesDir}dynalite`);
    console.log(
      `load: wrote ${fmt(written)} items in ${fmt(sec, 1)} s = ${fmt(written / Math.max(sec, 1e-3))} items/s ` +
        `(generating them: ${fmt(generateMs / 1000, 1)} s of it); store holds ${fmt(counted)} items ` +
        `(countItems ${fmt(countSec, 1)} s)` +
        (rss === undefined ? '' : `; dynalite RSS ${fmt(rss)} MB`) +
        (disk === undefined ? '' : `, on disk ${fmt(disk)} MB`) +
        `; load ${loadAverage()}` +
        (complete ? '' : `; STOPPED at the ${fmt(budgetMs / 60_000)}-minute budget before ${fmt(target)}`),
    );
    return { items: counted, complete };
  } finally {
    db.destroy();
  }
}

/** GET `path` of the OpenSearch node as JSON. */
export async function openSearchJson(path: string): Promise<unknown> {
  const res = await fetch(`${requiredEnv('OPENSEARCH_ENDPOINT')}${path}`);
  if (!res.ok) throw new TypeError(`GET ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** The node's JVM heap in use and its maximum, in MB. */
async function openSearchHeap(): Promise<{ usedMb: number; maxMb: number }> {
  const stats = (await openSearchJson('/_nodes/_local/stats/jvm')) as {
    nodes: Record<string, { jvm: { mem: { heap_used_in_bytes: number; heap_max_in_bytes: number } } }>;
  };
  const mem = Object.values(stats.nodes)[0]?.jvm.mem;
  return { usedMb: (mem?.heap_used_in_bytes ?? 0) / 2 ** 20, maxMb: (mem?.heap_max_in_bytes ?? 0) / 2 ** 20 };
}

/** The live index behind the read alias: name, documents, on-disk size in MB, segments. */
async function liveIndexStats(): Promise<{ name: string; docs: number; storeMb: number; segments: number }> {
  const alias = process.env['OPENSEARCH_INDEX'] ?? 'chiiki-items';
  const rows = (await openSearchJson(`/_cat/indices/${alias}?format=json&bytes=b&h=index,docs.count,store.size`)) as {
    index: string;
    'docs.count': string;
    'store.size': string;
  }[];
  const row = rows[0];
  const segments = (await openSearchJson(`/_cat/segments/${alias}?format=json&h=segment`)) as unknown[];
  return {
    name: row?.index ?? '?',
    docs: Number(row?.['docs.count'] ?? 0),
    storeMb: Number(row?.['store.size'] ?? 0) / 2 ** 20,
    segments: segments.length,
  };
}

/**
 * `chiiki reindex --engine opensearch` as an operator runs it (a child process on the CLI), with
 * the node's heap sampled every 2 s. Prints the CLI's summary, the scan phase's rate (from its
 * progress lines: scan + bulk only, before the content checks) and the index at the end.
 */
async function reindexPart(): Promise<void> {
  const batchSize = String(intEnv('BENCH_SCALE_BATCH', 500));
  const started = performance.now();
  let peakHeapMb = 0;
  const sampler = setInterval(() => {
    openSearchHeap().then(
      (h) => (peakHeapMb = Math.max(peakHeapMb, h.usedMb)),
      () => undefined,
    );
  }, 2000);
  let scanDoneSec: number | undefined;
  let lastProgress = '';
  const stdout: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'infra/cli/main.ts', 'reindex', '--engine', 'opensearch', '--batch-size', batchSize],
      { cwd: repoRoot, env: { ...process.env, SEARCH_ENGINE: 'opensearch' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (!line.startsWith('reindex ')) {
        if (
          !/NodeVersionSupportWarning|node >=22|a\.co\/|trace-warnings|^$|^To continue|^versions published|^will require|^security updates/.test(
            line,
          )
        )
          console.error(line);
        return;
      }
      lastProgress = line;
      console.error(`${line} (${fmt((performance.now() - started) / 1000)} s, load ${loadAverage()})`);
      if (/\(100%\)/.test(line) && scanDoneSec === undefined) scanDoneSec = (performance.now() - started) / 1000;
    });
    child.on('error', reject);
    child.on('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  clearInterval(sampler);
  const wallSec = (performance.now() - started) / 1000;
  console.log(
    `reindex: chiiki reindex --engine opensearch --batch-size ${batchSize} exited ${code} after ${fmt(wallSec, 1)} s`,
  );
  for (const line of stdout.join('').trim().split('\n')) console.log(`  ${line}`);
  const scanned = Number(/: (\d+)\//.exec(lastProgress)?.[1] ?? 0);
  if (scanDoneSec !== undefined)
    console.log(
      `  scan + bulk: ${fmt(scanned)} docs in ${fmt(scanDoneSec, 1)} s = ${fmt(scanned / scanDoneSec)} docs/s; ` +
        `content checks and swap: ${fmt(wallSec - scanDoneSec, 1)} s`,
    );
  const heap = await openSearchHeap();
  const index = await liveIndexStats();
  console.log(
    `  OpenSearch: ${index.name} ${fmt(index.docs)} docs, ${fmt(index.storeMb)} MB on disk in ${index.segments} segments; ` +
      `heap ${fmt(heap.usedMb)} / ${fmt(heap.maxMb)} MB now, peak sampled ${fmt(peakHeapMb)} MB; load ${loadAverage()}`,
  );
  if (code !== 0) throw new TypeError(`chiiki reindex exited ${code}`);
}

/** The read alias's index as the API opens it (its timeout and circuit breaker) on `clock`. */
function apiSearchIndex(clock: Clock): SearchIndex {
  return searchIndexFor({ ...loadConfig(), SEARCH_ENGINE: 'opensearch' }, clock, { purpose: 'api' });
}

/** API-shaped searches through `OpenSearchSearchIndex.search` on the live index. */
async function queryPart(rounds: number): Promise<void> {
  const index = apiSearchIndex(scaleClock);
  const docs = await index.count();
  const stats = await liveIndexStats();
  console.log(
    `query: ${fmt(docs)} docs in ${stats.name} (${fmt(stats.storeMb)} MB, ${stats.segments} segments), ` +
      `${rounds} rounds of ${scaleQueries(0).length} searches, 20 per page with facets; load ${loadAverage()}`,
  );
  const latency = await timeQueries((q) => index.search(q), rounds);
  for (const line of latencyLines(latency)) console.log(`  ${line}`);
  const heap = await openSearchHeap();
  console.log(`  OpenSearch heap ${fmt(heap.usedMb)} / ${fmt(heap.maxMb)} MB; load ${loadAverage()}`);
}

async function runDigestPart(subscriptions: number): Promise<void> {
  const db = documentClient(requiredEnv('DYNAMODB_ENDPOINT'));
  try {
    const store = new DynamoDbItemStore({ client: db.client, tableName, clock: systemClock });
    const opensearch = process.env['OPENSEARCH_ENDPOINT']
      ? apiSearchIndex(new FixedClock('2026-06-30T03:00:00.000Z'))
      : undefined;
    await digestPart(store, opensearch, subscriptions);
  } finally {
    db.destroy();
  }
}

const parts = ['load', 'reindex', 'query', 'embedded', 'digest'] as const;
type Part = (typeof parts)[number];

export async function benchScale(): Promise<void> {
  const target = intEnv('BENCH_SCALE_ITEMS', 1_000_000);
  const wanted = (process.env['BENCH_SCALE_PARTS'] ?? parts.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const unknown = wanted.filter((p) => !(parts as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new TypeError(`unknown BENCH_SCALE_PARTS ${unknown.join(', ')}; expected ${parts.join(', ')}`);
  console.log(`scale: ${fmt(target)} items, parts ${wanted.join(', ')}; load ${loadAverage()}`);
  const run: Record<Part, () => Promise<unknown>> = {
    load: () => loadPart(target),
    reindex: () => reindexPart(),
    query: () => queryPart(intEnv('BENCH_SCALE_ROUNDS', 10)),
    embedded: () =>
      embeddedPart(
        target,
        intEnv('BENCH_SCALE_EMBEDDED_HEAP_MB', 4096),
        intEnv('BENCH_SCALE_EMBEDDED_MINUTES', 60),
        intEnv('BENCH_SCALE_ROUNDS', 10),
      ),
    digest: () => runDigestPart(intEnv('BENCH_SCALE_SUBSCRIPTIONS', 10_000)),
  };
  for (const part of parts) {
    if (!wanted.includes(part)) continue;
    const started = performance.now();
    await run[part]();
    console.log(`scale ${part}: ${fmt((performance.now() - started) / 1000, 1)} s`);
  }
}
