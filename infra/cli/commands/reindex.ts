/**
 * `chiiki reindex [--engine embedded|opensearch] [--batch-size N]`: rebuilds the search index from
 * the item store into a fresh index version and swaps it in, printing progress on stderr and on
 * stdout `store N = index N, X docs/s (T s)` then the check by content
 * `by content: 0 missing, 0 stale, 0 extra (repaired from the store: …)`.
 * `--orphans` lists the index versions no alias reaches (left by a crashed or failed reindex);
 * `--remove-orphans` deletes them (a reindex also deletes them before it builds). The store is DYNAMODB_ENDPOINT when set (AWS or a
 * test server), else the local dynalite under DATA_DIR; the engine is --engine, else
 * SEARCH_ENGINE (embedded: DATA_DIR/search; opensearch: OPENSEARCH_ENDPOINT, OPENSEARCH_INDEX).
 * Beside a running `npm start` on the same DATA_DIR the embedded index is its own (one process owns
 * that folder), so the running stack rebuilds it and the command prints the result.
 * Exit 0 when the index matches the store by content, 1 when it does not or the rebuild failed
 * (the cause is printed), 2 on bad arguments.
 */
import { resolve } from 'node:path';
import { reindex, type ParityCounts, type ReindexResult } from '../../../functions/indexer/reindex.js';
import { buildIndexDeps, searchDirOf } from '../../../functions/indexer/deps.js';
import { systemClock } from '../../../shared/clock.js';
import { loadConfig } from '../../../shared/config.js';
import { consoleLog, type Log } from '../../../shared/log.js';
import { EmbeddedSearchIndex } from '../../../shared/search/embedded-search-index.js';
import type { SearchIndex } from '../../../shared/search/search-index.js';
import type { ItemStore } from '../../../shared/store/item-store.js';
import { DynamoDbSeriesStore } from '../../../shared/store/dynamodb-series-store.js';
import type { SeriesStore } from '../../../shared/store/series-store.js';
import { searchIndexFor } from '../../../shared/wiring/search-index.js';
import { callRunningStack, findRunningStack } from '../../local/stack-control.js';
import { openItemStore } from '../open-document-client.js';
import { badInput } from '../usage.js';

export const usage = [
  'usage: chiiki reindex [--engine embedded|opensearch] [--batch-size N]',
  '       chiiki reindex --orphans [--engine embedded|opensearch]          list index versions no alias reaches',
  '       chiiki reindex --remove-orphans [--engine embedded|opensearch]   delete them',
].join('\n');

interface Args {
  engine?: 'embedded' | 'opensearch';
  batchSize: number;
  action: 'reindex' | 'orphans' | 'remove-orphans';
}

function parseArgs(args: readonly string[]): Args | string {
  const out: Args = { batchSize: 500, action: 'reindex' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq >= 0 ? arg.slice(eq + 1) : args[++i]);
    if (flag === '--engine') {
      const v = value();
      if (v !== 'embedded' && v !== 'opensearch')
        return `--engine must be embedded or opensearch, got ${JSON.stringify(v ?? '')}`;
      out.engine = v;
    } else if (flag === '--batch-size') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1 || n > 5000) return '--batch-size must be an integer 1-5000';
      out.batchSize = n;
    } else if (flag === '--orphans' || flag === '--remove-orphans') {
      if (out.action !== 'reindex') return '--orphans and --remove-orphans go alone';
      out.action = flag === '--orphans' ? 'orphans' : 'remove-orphans';
    } else {
      return `unknown option "${arg}"`;
    }
  }
  return out;
}

/**
 * The summary: `store N = index N, X docs/s (T s)` (≠ when the counts differ), then the check by
 * content `by content: M missing, S stale, E extra (repaired from the store: …)`, then the orphan
 * versions removed, if any.
 */
export function summaryLine(result: ReindexResult): string {
  const sign = result.storeCount === result.indexCount ? '=' : '≠';
  const counts = (c: ParityCounts): string => `${c.missing} missing, ${c.stale} stale, ${c.extra} extra`;
  const lines = [
    `store ${result.storeCount} ${sign} index ${result.indexCount}, ${Math.round(result.docsPerSec)} docs/s (${(result.durationMs / 1000).toFixed(1)} s)`,
    `by content: ${counts(result.parity)} (repaired from the store: ${counts(result.replayed)})`,
  ];
  if (result.orphansRemoved.length > 0) lines.push(`removed orphan index versions: ${result.orphansRemoved.join(' ')}`);
  return lines.join('\n');
}

/**
 * 0 when the index holds exactly the store by content, else 1. Counts are not compared: while
 * crawls write, the store and the index are counted at slightly different moments.
 */
function exitCodeOf(result: ReindexResult): number {
  const { missing, stale, extra } = result.parity;
  return missing === 0 && stale === 0 && extra === 0 ? 0 : 1;
}

/** Runs the rebuild with progress on stderr (about every 5 %) and returns the exit code. */
export async function runReindex(deps: {
  store: ItemStore;
  index: SearchIndex;
  log: Log;
  series?: Pick<SeriesStore, 'listForecasts'>;
  batchSize: number;
  label: string;
}): Promise<number> {
  let lastShown = -1;
  let result: ReindexResult;
  try {
    result = await reindex({
      ...deps,
      onProgress: ({ done, total, docsPerSec }) => {
        const step = Math.floor((done / Math.max(1, total)) * 20);
        if (step === lastShown) return;
        lastShown = step;
        const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 100;
        process.stderr.write(`reindex ${deps.label}: ${done}/${total} (${pct}%) ${Math.round(docsPerSec)} docs/s\n`);
      },
    });
  } catch (error) {
    // The cause, not a clean-up error: reindex() already removed its half-built index.
    console.error(
      `chiiki reindex: failed, the live index is unchanged: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  console.log(summaryLine(result));
  return exitCodeOf(result);
}

/** `--orphans` / `--remove-orphans`: prints one orphan version per line (or that there is none). */
export async function runOrphans(index: SearchIndex, remove: boolean): Promise<number> {
  if (!index.listOrphans || !index.removeOrphans) {
    console.error('chiiki reindex: this search index has no index versions to list');
    return 1;
  }
  const orphans = remove ? await index.removeOrphans() : await index.listOrphans();
  if (orphans.length === 0) console.log('no orphan index versions');
  for (const name of orphans) console.log(remove ? `removed ${name}` : name);
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    return badInput('reindex', usage, parsed);
  }
  const config = loadConfig();
  const engine = parsed.engine ?? config.SEARCH_ENGINE;
  const running = engine === 'embedded' ? findRunningStack(resolve(config.DATA_DIR)) : undefined;
  if (running && parsed.action !== 'reindex') {
    console.error(
      `chiiki reindex: npm start is running on ${config.DATA_DIR} (pid ${running.pid}) and owns its index; stop it first`,
    );
    return 1;
  }
  if (running) {
    console.error(
      `npm start is running on ${config.DATA_DIR} (pid ${running.pid}): its embedded index is rebuilt in it`,
    );
    const result = await callRunningStack<ReindexResult>(running, 'reindex', { batchSize: parsed.batchSize });
    console.log(summaryLine(result));
    return exitCodeOf(result);
  }
  const log = consoleLog(config.LOG_LEVEL);
  const closers: Array<() => Promise<void>> = [];
  try {
    let index: SearchIndex;
    if (engine === 'embedded') {
      const embedded = new EmbeddedSearchIndex({ dir: searchDirOf(config), clock: systemClock });
      closers.push(() => embedded.close());
      index = embedded;
    } else {
      if (!config.OPENSEARCH_ENDPOINT) {
        console.error('chiiki reindex: OPENSEARCH_ENDPOINT is required for --engine opensearch');
        return 2;
      }
      index = searchIndexFor({ ...config, SEARCH_ENGINE: 'opensearch' }, systemClock);
    }
    if (parsed.action !== 'reindex') return await runOrphans(index, parsed.action === 'remove-orphans');
    const { client, store } = await openItemStore(config, log, closers);
    // With the series store, the rebuilt documents keep their series' forecasts.
    const series = { store: new DynamoDbSeriesStore({ client, tableName: config.TABLE_NAME }), clock: systemClock };
    return await runReindex({
      ...buildIndexDeps({ store, index, log, series }).reindex,
      batchSize: parsed.batchSize,
      label: engine,
    });
  } finally {
    for (const close of closers.reverse()) await close();
  }
}
