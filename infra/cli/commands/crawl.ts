/**
 * `chiiki crawl [--registry live|sample] [--source ID]... [--concurrency N]`: crawls the sources of a
 * registry once into the local store (dynalite on disk under DATA_DIR), printing progress on
 * stderr and a summary table on stdout. With the sample registry it starts the sample-site server
 * itself. Beside a running `npm start` on the same DATA_DIR the running stack crawls (its registry,
 * its store and index, which it keeps current), so the items are searchable at once.
 * Exit 0 when every run finished (even with recorded site errors), 2 on bad arguments,
 * 1 when the store or registry could not be used.
 */
import { fileURLToPath } from 'node:url';
import { crawlAll } from '../../../functions/crawl/run/crawl-all.js';
import { buildCrawlDeps } from '../../../functions/crawl/deps.js';
import { sampleKakenAppId } from '../../../functions/crawl/fetch/kaken-app-id.js';
import { loadRegistry } from '../../../shared/sources/registry.js';
import { assessSourceHealth, suggestCommand } from '../../../shared/sources/source-health.js';
import { systemClock } from '../../../shared/clock.js';
import { loadConfig } from '../../../shared/config.js';
import type { CrawlRun, SourceHealth } from '../../../shared/domain/crawl-run.js';
import type { Source } from '../../../shared/domain/source.js';
import { ConfigError } from '../../../shared/errors.js';
import { consoleLog } from '../../../shared/log.js';
import { startSampleSiteServer } from '../../local/sample-site-server.js';
import { resolve } from 'node:path';
import { callRunningStack, findRunningStack } from '../../local/stack-control.js';
import { openItemStore } from '../open-document-client.js';
import { badInput } from '../usage.js';

export const usage = 'usage: chiiki crawl [--registry live|sample] [--source ID]... [--concurrency N]';
const sampleSitesRoot = fileURLToPath(new URL('../../local/sample-sites/', import.meta.url));

const fail = (message: string): number => badInput('crawl', usage, message);

interface Args {
  registry?: string;
  sources: string[];
  concurrency: number;
}

function parseArgs(args: string[]): Args | string {
  const out: Args = { sources: [], concurrency: 2 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = () => inline ?? args[++i];
    if (flag === '--registry') {
      const v = value();
      if (v !== 'live' && v !== 'sample') return `--registry must be live or sample, got ${JSON.stringify(v ?? '')}`;
      out.registry = v;
    } else if (flag === '--source') {
      const v = value();
      if (!v) return '--source needs a source id';
      out.sources.push(v);
    } else if (flag === '--concurrency') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1 || n > 16) return '--concurrency must be an integer 1-16';
      out.concurrency = n;
    } else {
      return `unknown option "${arg}"`;
    }
  }
  return out;
}

/** The summary table: one row per source run. */
export function summaryTable(
  runs: readonly CrawlRun[],
  sources: readonly Source[],
  healths: readonly SourceHealth[],
  now: Date,
): string {
  const header = [
    'source',
    'outcome',
    'fetched',
    '304',
    'new',
    'updated',
    'unchanged',
    'withdrawn',
    'failed',
    'robots',
    'invalid',
    'ms',
    'health / first error',
  ];
  const rows = runs.map((run) => {
    const source = sources.find((s) => s.id === run.sourceId);
    const recorded = healths.find((h) => h.sourceId === run.sourceId);
    const health = source ? assessSourceHealth(source, recorded, now) : undefined;
    const gate = run.quality && !run.quality.passed ? run.quality.problems.map((p) => p.message) : [];
    const note = [
      gate.length > 0
        ? `gate failed, nothing published: ${gate.join('; ')}${source && source.kind !== 'json' ? ` (fix: ${suggestCommand(source.url)})` : ''}`
        : '',
      health && health.status !== 'ok' ? `${health.status}: ${health.reason ?? ''}` : '',
      run.errors[0] ? `${run.errors[0].kind}: ${run.errors[0].message}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const c = run.counts;
    return [
      run.sourceId,
      run.outcome,
      c.fetched,
      c.notModified,
      c.new,
      c.updated,
      c.unchanged,
      c.withdrawn,
      c.failed,
      c.skippedByRobots,
      c.invalid,
      Math.round(run.durationMs),
      note,
    ].map(String);
  });
  const totals = runs.reduce(
    (t, r) => ({
      new: t.new + r.counts.new,
      updated: t.updated + r.counts.updated,
      withdrawn: t.withdrawn + r.counts.withdrawn,
    }),
    { new: 0, updated: 0, withdrawn: 0 },
  );
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.slice().map((r) => (i === header.length - 1 ? 0 : (r[i] ?? '').length))),
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [
    line(header),
    ...rows.map(line),
    '',
    `total: ${runs.length} sources, ${totals.new} new, ${totals.updated} updated, ${totals.withdrawn} withdrawn`,
  ].join('\n');
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') return fail(parsed);
  const config = loadConfig();
  const running = findRunningStack(resolve(config.DATA_DIR));
  if (running) {
    console.error(
      `npm start is running on ${config.DATA_DIR} (pid ${running.pid}): it crawls ${parsed.sources.length > 0 ? parsed.sources.join(', ') : 'every source'} from its own registry` +
        (parsed.registry ? ` (--registry ${parsed.registry} is ignored)` : ''),
    );
    const done = await callRunningStack<{ runs: CrawlRun[]; sources: Source[]; healths: SourceHealth[] }>(
      running,
      'crawl',
      { sources: parsed.sources },
    );
    console.log(summaryTable(done.runs, done.sources, done.healths, systemClock.now()));
    return 0;
  }
  const registryName = parsed.registry ?? config.SOURCE_REGISTRY;
  const log = consoleLog(config.LOG_LEVEL === 'debug' ? 'debug' : 'warn');
  const closers: (() => Promise<void>)[] = [];
  try {
    let sampleHost: string | undefined;
    if (registryName === 'sample') {
      const sites = await startSampleSiteServer({ root: sampleSitesRoot, port: config.SAMPLE_SITES_PORT }).catch(
        (error: unknown) => {
          throw new ConfigError(
            `cannot start the sample-site server on port ${config.SAMPLE_SITES_PORT} (is \`npm start\` running? set SAMPLE_SITES_PORT): ${String(error)}`,
            { cause: error },
          );
        },
      );
      closers.push(() => sites.close());
      sampleHost = `localhost:${sites.port}`;
    }
    const registry = loadRegistry(registryName, sampleHost ? { sampleHost } : {});
    const unknown = parsed.sources.filter((id) => !registry.sources.some((s) => s.id === id));
    if (unknown.length > 0)
      return fail(`no source ${unknown.map((u) => `"${u}"`).join(', ')} in the ${registryName} registry`);
    const sources =
      parsed.sources.length > 0 ? registry.sources.filter((s) => parsed.sources.includes(s.id)) : registry.sources;

    // Always the local store under DATA_DIR, whatever DYNAMODB_ENDPOINT says.
    const { store } = await openItemStore({ ...config, DYNAMODB_ENDPOINT: undefined }, log, closers);

    const enabled = sources.filter((s) => s.enabled || parsed.sources.includes(s.id));
    console.error(`crawling ${enabled.length} sources of the ${registryName} registry into ${config.DATA_DIR}`);
    // The sample registry's KAKEN site ignores the application id; any other registry needs KAKEN_APP_ID.
    const crawler = buildCrawlDeps(config, {
      sources: enabled.map((s) => ({ ...s, enabled: true })),
      store,
      clock: systemClock,
      log,
      kakenAppId: () => config.KAKEN_APP_ID ?? (registryName === 'sample' ? sampleKakenAppId : undefined),
    });
    closers.push(() => crawler.close());
    const runs = await crawlAll({
      ...crawler.deps,
      concurrency: parsed.concurrency,
      onProgress: (e) => console.error(`  ${e.sourceId}  ${e.status}  ${e.url}`),
      onRun: (r) => console.error(`done ${r.sourceId}: ${r.outcome}`),
    });
    console.log(summaryTable(runs, enabled, await store.listSourceHealth(), systemClock.now()));
    return 0;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}
