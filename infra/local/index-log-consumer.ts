import {
  applyLoggedIds,
  backoffDelayMs,
  defaultBackoff,
  nextBatch,
  type BackoffPolicy,
  type IndexLag,
} from '../../functions/indexer/change-log.js';
import type { SeriesLinkDeps } from '../../functions/indexer/link-series.js';
import type { Log } from '../../shared/log.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import type { FileChangeLog } from './file-change-log.js';

/** The running consumer of the index change log (see `startIndexLogConsumer`). */
export interface IndexLogConsumer {
  /** Looks at the log now (after an append); does not cut a backoff short. */
  kick(): void;
  /** Pending changes, the age of the oldest, and the last attempt's error while it failed. */
  lag(): IndexLag;
  /** Resolves true once nothing is pending, false when `timeoutMs` passes first. */
  drained(timeoutMs: number): Promise<boolean>;
  /** Stops after the batch in flight, waiting for it at most `graceMs` (default 5 s). Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

export interface IndexLogConsumerOptions {
  readonly changeLog: FileChangeLog;
  readonly store: Pick<ItemStore, 'get'>;
  readonly index: SearchIndex;
  readonly log: Log;
  /** Where the applied items are linked into program series; absent: not linked. */
  readonly series?: SeriesLinkDeps;
  /** Distinct items per index batch (default 200). */
  readonly batchSize?: number;
  readonly backoff?: BackoffPolicy;
  /** Runs before each batch until it succeeds once (OpenSearch: `ensureIndex`, which fails while the engine is down). */
  readonly prepare?: () => Promise<void>;
  /** Called after each batch the index accepted. */
  readonly onApplied?: () => void;
  /** Called with each failed attempt's error. */
  readonly onFailed?: (error: unknown) => void;
}

/**
 * Applies the change log to the index in the background: takes the next batch of item ids,
 * re-reads the items from the store, writes them to the index, and only then advances the log.
 * While the engine (or the store) fails it retries with exponential backoff, so after an outage
 * the index converges by itself; at start it replays whatever the log still holds.
 */
export function startIndexLogConsumer(options: IndexLogConsumerOptions): IndexLogConsumer {
  const { changeLog, log } = options;
  const batchSize = options.batchSize ?? 200;
  const backoff = options.backoff ?? defaultBackoff;
  let prepared = options.prepare === undefined;
  let failures = 0;
  let lastError: string | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  let backoffTimer: NodeJS.Timeout | undefined;

  const idle = () =>
    new Promise<void>((done) => {
      wake = done;
    });
  const pause = (ms: number) =>
    new Promise<void>((done) => {
      backoffTimer = setTimeout(done, ms);
      wake = () => {
        if (stopped) {
          clearTimeout(backoffTimer);
          done();
        }
      };
    });

  const loop = async () => {
    while (!stopped) {
      const batch = nextBatch(changeLog.pending(), batchSize);
      if (batch === undefined) {
        await idle();
        continue;
      }
      try {
        if (!prepared) {
          await options.prepare?.();
          prepared = true;
        }
        const result = await applyLoggedIds(
          {
            store: options.store,
            index: options.index,
            log,
            ...(options.series ? { series: options.series } : {}),
          },
          batch.ids,
        );
        await changeLog.markApplied(batch.throughSeq);
        if (failures > 0)
          log.info('index changes apply again', { failedAttempts: failures, pending: changeLog.pending().length });
        failures = 0;
        lastError = undefined;
        log.debug('index change log batch applied', { ...result, throughSeq: batch.throughSeq });
        options.onApplied?.();
      } catch (error) {
        failures++;
        lastError = error instanceof Error ? error.message : String(error);
        const delayMs = backoffDelayMs(failures, backoff);
        // The first failure and every tenth after it: an outage of hours logs a line every few minutes.
        if (failures === 1 || failures % 10 === 0)
          log.warn('index changes not applied; retrying', {
            failedAttempts: failures,
            pending: changeLog.pending().length,
            delayMs,
            error: lastError,
          });
        options.onFailed?.(error);
        if (!stopped) await pause(delayMs);
      }
    }
  };
  const running = loop().catch((error: unknown) => log.error('index change log consumer stopped', { error }));

  return {
    // While backing off, `wake` only ends the pause on stop: new changes do not hammer a failing engine.
    kick: () => wake?.(),
    lag: () => changeLog.lag(lastError),
    drained: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await changeLog.settled();
        if (changeLog.pending().length === 0) return true;
        if (Date.now() >= deadline || stopped) return false;
        await new Promise((done) => setTimeout(done, Math.min(25, Math.max(1, deadline - Date.now()))));
      }
    },
    stop: async (graceMs = 5_000) => {
      if (stopped) return;
      stopped = true;
      clearTimeout(backoffTimer);
      wake?.();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((done) => (timer = setTimeout(done, graceMs)))]);
      clearTimeout(timer);
    },
  };
}
