/**
 * `chiiki reindex [--engine embedded|opensearch] [--batch-size N]`: rebuilds the search index from
 * the item store into a fresh index version and swaps it in, printing progress on stderr and
 * `store N = index N, X docs/s` on stdout. The store is DYNAMODB_ENDPOINT when set (AWS or a
 * test server), else the local dynalite under DATA_DIR; the engine is --engine, else
 * SEARCH_ENGINE (embedded: DATA_DIR/search; opensearch: OPENSEARCH_ENDPOINT, OPENSEARCH_INDEX).
 * Beside a running `npm start` on the same DATA_DIR the embedded index is its own (one process owns
 * that folder), so the running stack rebuilds it and the command prints the result.
 * Exit 0 when counts match, 1 when they do not or the rebuild failed, 2 on bad arguments.
 */
import { join, resolve } from 'node:path';
import { reindex, type ReindexResult } from '../../../functions/index/reindex.js';
import { systemClock } from '../../../shared/clock.js';
import { loadConfig } from '../../../shared/config.js';
import { consoleLog, type Log } from '../../../shared/log.js';
import { EmbeddedSearchIndex } from '../../../shared/search/embedded-search-index.js';
import type { SearchIndex } from '../../../shared/search/search-index.js';
import type { ItemStore } from '../../../shared/store/item-store.js';
import { searchIndexFor } from '../../../shared/wiring/search-index.js';
import { callRunningStack, findRunningStack } from '../../local/stack-control.js';
import { openItemStore } from '../open-document-client.js';

const usage = 'usage: chiiki reindex [--engine embedded|opensearch] [--batch-size N]';

interface Args {
  engine?: 'embedded' | 'opensearch';
  batchSize: number;
}

function parseArgs(args: readonly string[]): Args | string {
  const out: Args = { batchSize: 500 };
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
    } else {
      return `unknown option "${arg}"`;
    }
  }
  return out;
}

/** The summary line: `store N = index N, X docs/s` (≠ when the counts differ). */
export function summaryLine(result: ReindexResult): string {
  const sign = result.storeCount === result.indexCount ? '=' : '≠';
  return `store ${result.storeCount} ${sign} index ${result.indexCount}, ${Math.round(result.docsPerSec)} docs/s (${(result.durationMs / 1000).toFixed(1)} s)`;
}

/** Runs the rebuild with progress on stderr (about every 5 %) and returns the exit code. */
export async function runReindex(deps: {
  store: ItemStore;
  index: SearchIndex;
  log: Log;
  batchSize: number;
  label: string;
}): Promise<number> {
  let lastShown = -1;
  const result = await reindex({
    ...deps,
    onProgress: ({ done, total, docsPerSec }) => {
      const step = Math.floor((done / Math.max(1, total)) * 20);
      if (step === lastShown) return;
      lastShown = step;
      const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 100;
      process.stderr.write(`reindex ${deps.label}: ${done}/${total} (${pct}%) ${Math.round(docsPerSec)} docs/s\n`);
    },
  });
  console.log(summaryLine(result));
  return result.storeCount === result.indexCount && result.scanned === result.indexCount ? 0 : 1;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    console.error(`chiiki reindex: ${parsed}\n${usage}`);
    return 2;
  }
  const config = loadConfig();
  const engine = parsed.engine ?? config.SEARCH_ENGINE;
  const running = engine === 'embedded' ? findRunningStack(resolve(config.DATA_DIR)) : undefined;
  if (running) {
    console.error(
      `npm start is running on ${config.DATA_DIR} (pid ${running.pid}): its embedded index is rebuilt in it`,
    );
    const result = await callRunningStack<ReindexResult>(running, 'reindex', { batchSize: parsed.batchSize });
    console.log(summaryLine(result));
    return result.storeCount === result.indexCount && result.scanned === result.indexCount ? 0 : 1;
  }
  const log = consoleLog(config.LOG_LEVEL);
  const closers: Array<() => Promise<void>> = [];
  try {
    const { store } = await openItemStore(config, log, closers);

    let index: SearchIndex;
    if (engine === 'embedded') {
      const embedded = new EmbeddedSearchIndex({ dir: join(resolve(config.DATA_DIR), 'search'), clock: systemClock });
      closers.push(() => embedded.close());
      index = embedded;
    } else {
      if (!config.OPENSEARCH_ENDPOINT) {
        console.error('chiiki reindex: OPENSEARCH_ENDPOINT is required for --engine opensearch');
        return 2;
      }
      index = searchIndexFor({ ...config, SEARCH_ENGINE: 'opensearch' }, systemClock);
    }
    return await runReindex({ store, index, log, batchSize: parsed.batchSize, label: engine });
  } finally {
    for (const close of closers.reverse()) await close();
  }
}
