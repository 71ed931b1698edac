import { execFile, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * `benchApi()`: the local API under load. autocannon, 50 connections, against /v1/search on 50k
 * indexed items (the search engineer's seeded corpus in the embedded engine), side by side with
 * a no-op route through the same HTTP stack (API Gateway adapter + middy + middlewares + router),
 * so the ratio shows what search costs on top of the plumbing. The server runs in a child
 * process; autocannon runs here. Goals: ≥ 1,000 req/s, p99 ≤ 50 ms, ≥ 0.5× the no-op.
 *
 * Each line also shows the server's CPU time per request, its event loop's time per request split
 * into the engine's `search` and the rest (so the total after a change of engine can be predicted:
 * one loop serves at most 1e6 / (engine + rest) req/s), and how busy the loop was: below ~90%
 * busy, the load generator, not the server, set the pace. An "in-proc" line runs 3,000 such new
 * searches through the handler inside the server process (no HTTP, no load generator), the same
 * split with less noise. A fourth line replays the recorded bodies
 * of the 8 searches from a bare node:http server (no API stack, no search): what autocannon
 * itself can take in of those ~20 KB Japanese bodies on this machine, i.e. the ceiling of the
 * "search" line. (autocannon decodes every body into a JS string, which for UTF-8 Japanese costs
 * it far more than the server spends sending a cached page.)
 *
 * When `wrk` is installed (Debian's `wrk` package), the no-op and search lines are run once more
 * with it as a cross-check of the ratio: wrk is written in C and does not decode bodies, so it
 * leaves the server as the bottleneck on both lines. Only its req/s and p50 are shown: against a
 * single-threaded Node server under saturation wrk's tail is not the server's (a bare node:http
 * server that burns 1.5 ms per request shows p99 ~1.2 s under wrk and ~150 ms under autocannon,
 * with its own per-request time under 10 ms), so the p99 goal is read from autocannon.
 *
 * BENCH_API_SECONDS (default 10) sets each run's duration; BENCH_API_ITEMS (50000) the corpus.
 */

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  requests?: { method: 'GET'; path: string; setupRequest?: (req: { path: string }) => { path: string } }[];
}) => Promise<AutocannonResult>;

const require = createRequire(import.meta.url);

interface Usage {
  readonly cpuUs: number;
  /** The main thread's CPU time, the event loop's active (wall) time, and the CPU time in the engine's `search`. */
  readonly loopCpuMs: number;
  readonly loopActiveMs: number;
  readonly engineCpuMs: number;
  readonly served: number;
  readonly atMs: number;
}

/** Sends `message` to the server process and resolves with its next reply of the same type. */
function ask<T>(child: ChildProcess, message: { type: string; [key: string]: unknown }): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (reply: unknown): void => {
      if ((reply as { type?: string }).type !== message.type) return;
      child.off('message', onMessage);
      resolve(reply as T);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

/**
 * Runs `load` and reports, per request, the server's CPU time (all its threads, zlib's pool and
 * GC helpers included) and its main thread's (the event loop's), split into the engine's `search`
 * and the rest, and how busy the event loop was (active share of wall time): below ~90% busy, the
 * load generator, not the server, set the pace.
 */
async function withUsage<T>(child: ChildProcess, load: () => Promise<T>): Promise<[T, string]> {
  const before = await ask<Usage>(child, { type: 'usage' });
  const result = await load();
  const after = await ask<Usage>(child, { type: 'usage' });
  const requests = Math.max(1, after.served - before.served);
  const us = (ms: number) => ((ms * 1000) / requests).toFixed(0).padStart(4);
  const loopMs = after.loopCpuMs - before.loopCpuMs;
  const engineMs = after.engineCpuMs - before.engineCpuMs;
  const busy = (after.loopActiveMs - before.loopActiveMs) / (after.atMs - before.atMs);
  return [
    result,
    `CPU ${us((after.cpuUs - before.cpuUs) / 1000)} us/req, loop ${us(loopMs)} us/req (engine ${us(engineMs)}, rest ${us(loopMs - engineMs)}), loop busy ${(busy * 100).toFixed(0).padStart(3)}%`,
  ];
}

/** A mix of what a portal front end sends: text, filters, facets, sorts, an empty listing. */
const searchPaths = [
  `/v1/search?q=${encodeURIComponent('クラスター')}&status=open`,
  `/v1/search?q=${encodeURIComponent('研究開発')}`,
  `/v1/search?q=${encodeURIComponent('補助金')}&kind=call&sort=deadline`,
  `/v1/search?prefecture=13&kind=call`,
  `/v1/search?region=kyushu&status=open&sort=newest`,
  `/v1/search?q=${encodeURIComponent('地域 産学官')}&size=50`,
  `/v1/search?ministry=mext,jst&publishedSince=2025-01-01`,
  `/v1/search`,
];

/** Words for searches that never repeat (each request a new cache key): the engine's own cost. */
const words = [
  '研究',
  '開発',
  '地域',
  '公募',
  '補助金',
  '産学官',
  '連携',
  '技術',
  '支援',
  '事業',
  '大学',
  '企業',
  'AI',
  'DX',
  '人材',
  '拠点',
];
function uniqueSearch(n: number): string {
  const a = words[n % words.length] as string;
  const b = words[Math.floor(n / words.length) % words.length] as string;
  return `/v1/search?q=${encodeURIComponent(n % 3 === 0 ? a : `${a} ${b}`)}&size=${10 + (n % 41)}&cursor=&status=${['open', 'closed', 'upcoming'][n % 3]}`.replace(
    '&cursor=',
    '',
  );
}

export async function benchApi(): Promise<void> {
  const autocannon = require('autocannon') as Autocannon;
  const seconds = Number(process.env.BENCH_API_SECONDS ?? 10);
  const child = fork(fileURLToPath(new URL('./api-server.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await new Promise<{ port: number; items: number; indexMs: number; rssMb: number }>(
      (resolve, reject) => {
        child.once('message', (message) =>
          resolve(message as { port: number; items: number; indexMs: number; rssMb: number }),
        );
        child.once('exit', (code) => reject(new Error(`bench API server exited with ${code}`)));
      },
    );
    const url = `http://127.0.0.1:${ready.port}`;
    // What a browser (the portal front end) sends; the API answers with Brotli for bodies of 1 KB and more.
    const headers = { 'accept-encoding': 'gzip, deflate, br' };
    const run = (paths: string[], extra: Record<string, string> = headers) =>
      autocannon({
        url,
        connections: 50,
        duration: seconds,
        headers: extra,
        requests: paths.map((path) => ({ method: 'GET', path })),
      });

    // Warm both routes (JIT, index caches) before measuring.
    await autocannon({ url: `${url}/v1/noop`, connections: 10, duration: 2 });
    await run(searchPaths.slice(0, 4)).catch(() => undefined);
    const [noop, noopUsage] = await withUsage(child, () => run(['/v1/noop']));
    const [search, searchUsage] = await withUsage(child, () => run(searchPaths));
    const [identity, identityUsage] = await withUsage(child, () => run(searchPaths, {}));
    let n = 0;
    const [unique, uniqueUsage] = await withUsage(child, () =>
      autocannon({
        url,
        connections: 50,
        duration: seconds,
        headers,
        requests: [{ method: 'GET', path: '/v1/search', setupRequest: (req) => ({ ...req, path: uniqueSearch(n++) }) }],
      }),
    );
    // The same kind of searches through the handler in the server process, with no HTTP and no load generator.
    const inProcess = await ask<{ loopUs: number; engineUs: number }>(child, {
      type: 'in-process',
      paths: Array.from({ length: 3000 }, (_, i) => uniqueSearch(1_000_000 + i)),
    });
    // The ceiling of the "search" line: the same bytes and headers (compressed as sent), from a bare server.
    const entries = await Promise.all(searchPaths.map((path) => recorded(`${url}${path}`, headers)));
    const replayPort = (await ask<{ port: number }>(child, { type: 'replay', entries })).port;
    const [replay, replayUsage] = await withUsage(child, () =>
      autocannon({
        url: `http://127.0.0.1:${replayPort}`,
        connections: 50,
        duration: seconds,
        headers,
        requests: searchPaths.map((path) => ({ method: 'GET', path })),
      }),
    );

    const line = (name: string, r: AutocannonResult, usage: string) =>
      `  ${name.padEnd(8)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   ${usage}   (${r.requests.total} requests, non-2xx ${r.non2xx}, errors ${r.errors})`;
    const ratio = search.requests.average / noop.requests.average;
    console.log(
      [
        `api: autocannon, 50 connections, ${seconds} s per route, ${ready.items} items indexed (${(ready.indexMs / 1000).toFixed(1)} s to index, server RSS ${ready.rssMb.toFixed(0)} MB)`,
        line('no-op', noop, noopUsage),
        line('search', search, searchUsage),
        line('identity', identity, identityUsage),
        line('unique', unique, uniqueUsage),
        `  in-proc  3000 unique searches through the handler, 50 at a time, no HTTP: loop ${inProcess.loopUs.toFixed(0)} us/req (engine ${inProcess.engineUs.toFixed(0)}, rest ${(inProcess.loopUs - inProcess.engineUs).toFixed(0)})`,
        line('replay', replay, replayUsage.replace(/.*loop busy/, 'replayer loop busy')),
        `  (search: 8 front-end searches repeated, answered mostly from the 5 s micro-cache, Brotli accepted as browsers do; identity: the same without`,
        `   Accept-Encoding, so ~20 KB JSON bodies; unique: every request a new search, so every one reaches the engine;`,
        `   replay: the 8 search responses recorded and sent back by a bare node:http server, the most autocannon takes in of these bodies here)`,
        `  unique / no-op: ${(unique.requests.average / noop.requests.average).toFixed(2)}x   identity / no-op: ${(identity.requests.average / noop.requests.average).toFixed(2)}x   search / replay: ${(search.requests.average / replay.requests.average).toFixed(2)}x`,
        `  search / no-op: ${ratio.toFixed(2)}x   goals: >= 1000 req/s ${search.requests.average >= 1000 ? 'met' : 'MISSED'}, p99 <= 50 ms ${search.latency.p99 <= 50 ? 'met' : 'MISSED'}, >= 0.5x no-op ${ratio >= 0.5 ? 'met' : 'MISSED'}`,
      ].join('\n'),
    );
    await wrkCrossCheck(child, url, seconds, headers);
  } finally {
    child.disconnect();
    child.kill();
  }
}

const execFileAsync = promisify(execFile);

/** One wrk run (1 thread, 50 connections) over `paths` in turn: req/s and p50 in ms. */
async function wrk(
  url: string,
  seconds: number,
  paths: readonly string[],
  headers: Record<string, string>,
): Promise<{ rps: number; p50: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  try {
    // wrk's Lua hook: each request takes the next path, with the same headers as autocannon's.
    const script = join(dir, 'paths.lua');
    writeFileSync(
      script,
      [
        `local paths = { ${paths.map((p) => JSON.stringify(p)).join(', ')} }`,
        `local headers = { ${Object.entries(headers)
          .map(([k, v]) => `[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
          .join(', ')} }`,
        'local i = 0',
        'request = function()',
        '  i = i + 1',
        '  return wrk.format("GET", paths[(i % #paths) + 1], headers)',
        'end',
      ].join('\n'),
    );
    const { stdout } = await execFileAsync('wrk', ['-t1', '-c50', `-d${seconds}s`, '--latency', '-s', script, url]);
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1];
    const p50 = /^\s+50%\s+([\d.]+)(us|ms|s)/m.exec(stdout);
    if (rps === undefined || !p50) throw new Error(`unexpected wrk output:\n${stdout}`);
    const unit = { us: 0.001, ms: 1, s: 1000 }[p50[2] as 'us' | 'ms' | 's'];
    if (/Non-2xx/.test(stdout)) throw new Error(`wrk saw errors:\n${stdout}`);
    return { rps: Number(rps), p50: Number(p50[1]) * unit };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The no-op and search lines again under wrk, when it is installed; skipped with a note otherwise. */
async function wrkCrossCheck(
  child: ChildProcess,
  url: string,
  seconds: number,
  headers: Record<string, string>,
): Promise<void> {
  const installed = await execFileAsync('wrk', ['--version']).then(
    () => true,
    // wrk --version exits 1 after printing its banner; only a missing binary is ENOENT.
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
  if (!installed) {
    console.log('  wrk cross-check skipped: wrk is not installed (apt-get install wrk)');
    return;
  }
  const [noop, noopUsage] = await withUsage(child, () => wrk(url, seconds, ['/v1/noop'], headers));
  const [search, searchUsage] = await withUsage(child, () => wrk(url, seconds, searchPaths, headers));
  const line = (name: string, r: { rps: number; p50: number }, usage: string) =>
    `  ${name.padEnd(8)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(1).padStart(5)} ms   ${usage}`;
  console.log(
    [
      'wrk cross-check (C load generator, 1 thread, 50 connections; the server is the bottleneck on both lines):',
      line('no-op', noop, noopUsage),
      line('search', search, searchUsage),
      `  search / no-op: ${(search.rps / noop.rps).toFixed(2)}x`,
    ].join('\n'),
  );
}

/** One response's raw bytes (still compressed) and headers, for the replay server. */
function recorded(
  url: string,
  headers: Record<string, string>,
): Promise<{ path: string; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const kept: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers))
          if (typeof value === 'string' && !['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name))
            kept[name] = value;
        resolve({
          path: new URL(url).pathname + new URL(url).search,
          headers: kept,
          body: Buffer.concat(chunks).toString('base64'),
        });
      });
      response.on('error', reject);
    }).on('error', reject);
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchApi();
