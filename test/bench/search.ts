/**
 * Search benchmark: the embedded engine against the strongest simple reference, a bare typed-array
 * character-bigram inverted index (test/bench/search-bare.ts), with a brute-force scan as the truth
 * and the floor of simplicity (test/bench/search-queries.ts), on a synthetic Japanese corpus with
 * the lengths of real call pages (title ~40, summary ~150, body 1,500-4,000 characters).
 *
 * Per size (default 50k and 200k; `BENCH_SEARCH_SIZES=5000,50000`), every engine is built in its
 * own child process (test/bench/search-child.ts) and reopened in another, so memory, disk and
 * restart are each engine's own. 62 queries (plain, filtered, sorted, faceted, page 10 × one CJK
 * character, 2, 3, 4+, a Latin word, a word typed across scripts), each asking for facets, total and
 * one page of 20, are timed over several passes; p50/p95/p99 pool every timed run. Answers (total and
 * page ids) are compared with the brute-force scan. With `OPENSEARCH_ENDPOINT` set, OpenSearch is
 * loaded (up to `BENCH_SEARCH_OPENSEARCH_MAX`, default 50k) and timed on the same queries.
 *
 * Goals: embedded / bare p50 ≤ 1.5× and p99 ≤ 2×; at 200k build peak ≤ 2 GB, RSS ≤ 1 GB, disk
 * ≤ 500 MB; restart < 1 s.
 *
 * Run: `npm run bench -- search` (test/bench/run.ts calls `benchSearch`).
 */
import { spawnSync } from 'node:child_process';
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exactTotalCap } from '../../shared/search/query.js';
import type { ChildArgs, ChildResult } from './search-child.js';
import {
  benchQueries,
  queryClasses,
  wordLengths,
  type Answer,
  type BenchQuery,
  type QueryClass,
  type WordLength,
} from './search-queries.js';

export interface BenchSearchOptions {
  /** Corpus sizes; default `BENCH_SEARCH_SIZES` or 50000,200000. */
  readonly sizes?: readonly number[];
  /** Timed passes over the query set; default `BENCH_SEARCH_ROUNDS` or 5 (3 at 200k and above). */
  readonly rounds?: number;
  /** OpenSearch endpoint; default OPENSEARCH_ENDPOINT. Absent: OpenSearch is skipped. */
  readonly opensearchEndpoint?: string;
  /** Largest size OpenSearch is loaded with; default `BENCH_SEARCH_OPENSEARCH_MAX` or 50000. */
  readonly opensearchMaxSize?: number;
}

const childPath = fileURLToPath(new URL('./search-child.ts', import.meta.url));

function runChild(args: ChildArgs): ChildResult {
  const out = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=12288', '--import', 'tsx', childPath, JSON.stringify(args)],
    { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = out.stdout
    ?.split('\n')
    .reverse()
    .find((l) => l.startsWith('RESULT '));
  if (out.status !== 0 || !line) {
    throw new Error(
      `search bench child ${args.phase} ${args.engine} failed (exit ${out.status}, ${out.signal ?? 'no signal'})`,
    );
  }
  return JSON.parse(line.slice('RESULT '.length)) as ChildResult;
}

interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Percentiles over every timed run of the queries `keep` selects. */
function latency(samples: readonly number[][], keep: (q: BenchQuery) => boolean): Latency {
  const queries = benchQueries();
  const pooled = samples.flatMap((s, k) => (keep(queries[k] as BenchQuery) ? s : [])).sort((a, b) => a - b);
  return { p50: percentile(pooled, 50), p95: percentile(pooled, 95), p99: percentile(pooled, 99) };
}

interface Row {
  readonly engine: string;
  readonly size: number;
  readonly build?: ChildResult;
  readonly serve: ChildResult;
}

const fmt = (n: number | undefined, digits = 1): string =>
  n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits);
const mb = (bytes: number | undefined): string => (bytes === undefined ? '-' : `${fmt(bytes / 1e6, 0)} MB`);

function table(header: readonly string[], lines: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const row = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(row(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(row(l));
}

/** Mismatches of `answers` against the truth: wrong totals (and how many extra hits), wrong pages. */
function compare(answers: readonly Answer[], truth: readonly Answer[]) {
  const queries = benchQueries();
  let totals = 0;
  let pages = 0;
  let extra = 0;
  const wrong: string[] = [];
  answers.forEach((a, k) => {
    const t = truth[k] as Answer;
    const q = queries[k] as BenchQuery;
    const expected = Math.min(t.total, exactTotalCap);
    const got = Math.min(a.total, exactTotalCap);
    if (got !== expected) {
      totals += 1;
      extra += a.total - t.total;
      wrong.push(`${q.q.text ?? '(no text)'} [${q.len}] ${a.total} vs ${t.total}`);
    } else if (a.ids.join() !== t.ids.join()) {
      pages += 1;
      wrong.push(`${q.q.text ?? '(no text)'} [${q.len}, ${q.cls}] page differs`);
    }
  });
  return { totals, pages, extra, wrong };
}

const goal = (ok: boolean): string => (ok ? 'met' : 'NOT met');

function report(size: number, rows: readonly Row[], truth: ChildResult): void {
  const all = (): boolean => true;
  console.log(`\n## ${size} documents\n`);
  table(
    [
      'engine',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'build s',
      'build peak RSS',
      'RSS built+GC',
      'RSS serving',
      'on disk',
      'restart s',
    ],
    [
      ...rows.map((r) => {
        const l = latency(r.serve.samples ?? [], all);
        return [
          r.engine,
          fmt(l.p50, 2),
          fmt(l.p95, 1),
          fmt(l.p99, 1),
          fmt(r.build?.buildMs === undefined ? undefined : r.build.buildMs / 1000, 1),
          r.build ? `${fmt(r.build.peakMb, 0)} MB` : '-',
          r.build ? `${fmt(r.build.rssMb, 0)} MB` : '-',
          `${fmt(r.serve.rssMb, 0)} MB`,
          mb(r.build?.diskBytes),
          fmt(r.serve.restartMs === undefined ? undefined : r.serve.restartMs / 1000, 2),
        ];
      }),
      (() => {
        const l = latency(truth.samples ?? [], all);
        return ['brute force', fmt(l.p50, 1), '-', fmt(l.p99, 1), '-', '-', '-', `${fmt(truth.rssMb, 0)} MB`, '-', '-'];
      })(),
    ],
  );
  const bare = rows.find((r) => r.engine === 'bare');
  const emb = rows.find((r) => r.engine === 'embedded');
  if (!bare || !emb) return;
  const b = latency(bare.serve.samples ?? [], all);
  const e = latency(emb.serve.samples ?? [], all);
  console.log(`\nIdle child process RSS (node + tsx): ${fmt(emb.serve.baseMb, 0)} MB, included in every RSS above.`);
  console.log(`- embedded/bare p50 ${fmt(e.p50 / b.p50, 2)}× (goal ≤ 1.5×: ${goal(e.p50 / b.p50 <= 1.5)})`);
  console.log(`- embedded/bare p99 ${fmt(e.p99 / b.p99, 2)}× (goal ≤ 2×: ${goal(e.p99 / b.p99 <= 2)})`);
  const restart = (emb.serve.restartMs ?? Number.NaN) / 1000;
  console.log(`- embedded restart ${fmt(restart, 2)} s (goal < 1 s: ${goal(restart < 1)})`);
  if (size >= 200_000) {
    const peak = emb.build?.peakMb ?? Number.NaN;
    const disk = (emb.build?.diskBytes ?? Number.NaN) / 1e6;
    console.log(`- embedded build peak ${fmt(peak, 0)} MB (goal ≤ 2 GB: ${goal(peak <= 2048)})`);
    console.log(`- embedded RSS serving ${fmt(emb.serve.rssMb, 0)} MB (goal ≤ 1 GB: ${goal(emb.serve.rssMb <= 1024)})`);
    console.log(`- embedded on disk ${fmt(disk, 0)} MB (goal ≤ 500 MB: ${goal(disk <= 500)})`);
  }

  const queries = benchQueries();
  const groupLines = <T extends string>(groups: readonly T[], of: (q: BenchQuery) => T): string[][] =>
    groups
      .filter((g) => queries.some((q) => of(q) === g))
      .map((g) => {
        const keep = (q: BenchQuery): boolean => of(q) === g;
        const bl = latency(bare.serve.samples ?? [], keep);
        const el = latency(emb.serve.samples ?? [], keep);
        const tl = latency(truth.samples ?? [], keep);
        return [
          g,
          String(queries.filter(keep).length),
          `${fmt(bl.p50, 2)} / ${fmt(bl.p99, 1)}`,
          `${fmt(el.p50, 2)} / ${fmt(el.p99, 1)}`,
          `${fmt(el.p50 / bl.p50, 2)}× / ${fmt(el.p99 / bl.p99, 2)}×`,
          `${fmt(tl.p50, 0)} / ${fmt(tl.p99, 0)}`,
        ];
      });
  const header = ['queries', 'n', 'bare p50 / p99 ms', 'embedded p50 / p99 ms', 'embedded/bare', 'brute force ms'];
  console.log('\nPer query class:\n');
  table(
    header,
    groupLines<QueryClass>(queryClasses, (q) => q.cls),
  );
  console.log('\nPer word length:\n');
  table(
    header,
    groupLines<WordLength>(wordLengths, (q) => q.len),
  );

  console.log('\nExactness against the brute-force scan (total capped at 10,000 as the API reports it; page ids):');
  for (const r of rows) {
    const c = compare(r.serve.answers ?? [], truth.answers ?? []);
    console.log(
      `- ${r.engine}: ${c.totals} of ${queries.length} totals differ (${c.extra} extra hits in all), ${c.pages} pages differ`,
    );
    for (const w of c.wrong.slice(0, 12)) console.log(`    ${w}`);
  }
  const empty = (truth.answers ?? []).flatMap((a, k) => (a.total === 0 ? [queries[k]?.q.text ?? ''] : []));
  if (empty.length > 0) console.log(`- queries without hits: ${empty.join(', ')}`);
}

function sizesFromEnv(): number[] | undefined {
  const env = process.env.BENCH_SEARCH_SIZES;
  if (!env) return undefined;
  return env
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
}

export async function benchSearch(opts: BenchSearchOptions = {}): Promise<void> {
  const sizes = opts.sizes ?? sizesFromEnv() ?? [50_000, 200_000];
  const endpoint = opts.opensearchEndpoint ?? process.env.OPENSEARCH_ENDPOINT;
  const osMax = opts.opensearchMaxSize ?? Number(process.env.BENCH_SEARCH_OPENSEARCH_MAX ?? 50_000);
  const load = (): string => execSync('uptime').toString().trim();
  console.log(`# search bench ${new Date().toISOString()}`);
  console.log(
    `${cpus().length} cores, ${fmt(totalmem() / 2 ** 30, 1)} GB RAM (${fmt(freemem() / 2 ** 30, 1)} GB free)`,
  );
  console.log(`load at start: ${load()}`);
  console.log(`${benchQueries().length} queries, each asking for facets, total and one page of ${20}`);
  for (const size of sizes) {
    const rounds = opts.rounds ?? Number(process.env.BENCH_SEARCH_ROUNDS ?? (size >= 200_000 ? 3 : 5));
    const root = mkdtempSync(join(tmpdir(), 'chiiki-search-bench-'));
    try {
      const base = { size, rounds, dir: '' };
      console.log(`\n${size} documents: brute force…`);
      const truth = runChild({ ...base, phase: 'truth', engine: 'brute-force', rounds: 1 });
      const rows: Row[] = [];
      for (const engine of ['bare', 'embedded'] as const) {
        const dir = join(root, engine);
        console.log(`${size} documents: ${engine} build…`);
        const build = runChild({ ...base, dir, phase: 'build', engine });
        console.log(`${size} documents: ${engine} serve…`);
        const serve = runChild({ ...base, dir, phase: 'serve', engine });
        rows.push({ engine, size, build, serve });
        rmSync(dir, { recursive: true, force: true });
      }
      if (endpoint && size <= osMax) {
        console.log(`${size} documents: opensearch…`);
        const serve = runChild({ ...base, phase: 'serve', engine: 'opensearch', opensearchEndpoint: endpoint });
        rows.push({ engine: 'opensearch', size, serve, build: { ...serve, diskBytes: undefined } });
      }
      console.log(`load after ${size}: ${load()}`);
      report(size, rows, truth);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSearch();
