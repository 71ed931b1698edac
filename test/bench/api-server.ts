/**
 * The API behind the local HTTP adapter on a 50k-document embedded index, in its own process so
 * the load generator (autocannon, in the parent) does not share its event loop. Started by
 * api.ts with `node --import tsx`; reports `{ port, items, indexMs, rssMb }` over IPC when listening.
 * Also serves GET /v1/noop, a route that does nothing, through the same middlewares.
 *
 * `{ type: 'in-process', paths }` runs the paths through the handler without HTTP (see `inProcess`).
 * Over IPC it also answers `{ type: 'usage' }` with its CPU time (all threads), its event loop's
 * active time, the time spent inside the engine's `search` and the requests served (so the bench
 * can tell whether the server or the load generator was the bottleneck, and split a request's
 * cost into the engine and the rest), and
 * `{ type: 'replay', entries }` by starting a bare node:http server (no API stack) that sends
 * the given recorded responses, replying with its port.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApiHandler } from '../../functions/api/handler-builder.js';
import { jsonResult } from '../../functions/api/routes.js';
import { CachedSearchIndex } from '../../functions/api/search-cache.js';
import {
  apiGatewayListener,
  fromApiGatewayResult,
  toApiGatewayEvent,
  type LambdaHttpHandler,
} from '../../infra/local/http-to-apigw.js';
import { FixedClock, systemClock } from '../../shared/clock.js';
import { silentLog } from '../../shared/log.js';
import { EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import { generateCorpus } from '../support/search-corpus.js';

const items = Number(process.env.BENCH_API_ITEMS ?? 50_000);
const clock = new FixedClock('2025-11-15T12:00:00+09:00');
const search = new EmbeddedSearchIndex({ clock });
const started = performance.now();
const corpus = generateCorpus(items);
for (let i = 0; i < corpus.length; i += 5000) await search.upsert(corpus.slice(i, i + 5000));
const indexMs = performance.now() - started;

/**
 * The engine with the CPU time spent in its `search` counted. The embedded engine computes a page
 * synchronously inside the call (its promise is settled on return), so this is its whole cost on
 * the event loop, for whichever version of the engine is built here. CPU time, not wall time: on a
 * shared machine a thread waits for a core, and wall time would count the wait.
 */
let engineCpuMs = 0;
const timedEngine: SearchIndex = {
  ensureIndex: () => search.ensureIndex(),
  upsert: (docs) => search.upsert(docs),
  remove: (ids) => search.remove(ids),
  count: () => search.count(),
  search: (query) => {
    const started = process.cpuUsage();
    try {
      return search.search(query);
    } finally {
      const spent = process.cpuUsage(started);
      engineCpuMs += (spent.user + spent.system) / 1000;
    }
  },
};

const unused = () => Promise.reject(new Error('the benchmark reads only the search index'));
const store = new Proxy({}, { get: () => unused }) as ItemStore;
// As in production wiring: the 5 s micro-cache in front of the engine, on the real clock so entries
// expire as they would (BENCH_API_CACHE=0 turns it off). The index's own clock stays fixed for status.
const view =
  process.env.BENCH_API_CACHE === '0'
    ? timedEngine
    : new CachedSearchIndex(timedEngine, { clock: systemClock, ttlMs: 5_000, maxEntries: 500 });
const handler = buildApiHandler(
  {
    search: view,
    store,
    clock,
    log: silentLog,
    sources: () => [],
    sourceFlags: () => ({ stale: false, failing: false }),
    corsOrigins: ['*'],
    publicBaseUrl: 'http://localhost',
  },
  [{ method: 'GET', path: '/v1/noop', handler: async () => jsonResult({ ok: true }) }],
) as LambdaHttpHandler;
let served = 0;
const listener = apiGatewayListener(handler);
const server = createServer((req, res) => {
  served++;
  listener(req, res);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({
    port: (server.address() as AddressInfo).port,
    items: corpus.length,
    indexMs,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  });
});

/**
 * The CPU time of the main thread (the event loop) alone, from Linux's /proc (utime + stime, in
 * clock ticks of 10 ms); `undefined` elsewhere, where the process's CPU time stands in for it.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * Runs `paths` through the handler 50 at a time, as the HTTP adapter would (event in, bytes out)
 * but with no server and no load generator in the way: the main thread's and the engine's CPU
 * time per request.
 */
async function inProcess(paths: readonly string[]): Promise<{ loopUs: number; engineUs: number }> {
  const cpu = () => {
    const all = process.cpuUsage();
    return mainThreadCpuMs() ?? (all.user + all.system) / 1000;
  };
  const [loopBefore, engineBefore] = [cpu(), engineCpuMs];
  for (let i = 0; i < paths.length; i += 50)
    await Promise.all(
      paths.slice(i, i + 50).map(async (url) => {
        const event = toApiGatewayEvent({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
        fromApiGatewayResult(await handler(event, { awsRequestId: event.requestContext.requestId }));
      }),
    );
  const per = (ms: number) => (ms * 1000) / Math.max(1, paths.length);
  return { loopUs: per(cpu() - loopBefore), engineUs: per(engineCpuMs - engineBefore) };
}

/** A recorded response for the replay server: path, headers and base64 body. */
interface Recorded {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}
process.on('message', (message: { type: string; entries?: Recorded[]; paths?: string[] }) => {
  if (message.type === 'usage') {
    const cpu = process.cpuUsage();
    process.send?.({
      type: 'usage',
      cpuUs: cpu.user + cpu.system,
      loopCpuMs: mainThreadCpuMs() ?? (cpu.user + cpu.system) / 1000,
      loopActiveMs: performance.eventLoopUtilization().active,
      engineCpuMs,
      served,
      atMs: performance.now(),
    });
  } else if (message.type === 'in-process') {
    void inProcess(message.paths ?? []).then((result) => process.send?.({ type: 'in-process', ...result }));
  } else if (message.type === 'replay') {
    const byPath = new Map(
      (message.entries ?? []).map((e) => [e.path, { headers: e.headers, body: Buffer.from(e.body, 'base64') }]),
    );
    const replay = createServer((req, res) => {
      const hit = byPath.get(req.url ?? '');
      if (!hit) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, hit.headers);
      res.end(hit.body);
    });
    replay.keepAliveTimeout = 30_000;
    replay.listen(0, '127.0.0.1', () =>
      process.send?.({ type: 'replay', port: (replay.address() as AddressInfo).port }),
    );
  }
});
process.on('disconnect', () => process.exit(0));
