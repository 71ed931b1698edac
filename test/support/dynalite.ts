import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynaliteServer } from '../../infra/local/dynalite-server.js';
import type { ItemStore } from '../../shared/store/item-store.js';

export interface RunningDynalite {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts dynalite in this process on a random free port, in memory (default) or on a LevelDB
 * folder (`path`), as the local stack does. Tables become ACTIVE at once. Always `stop()` it (afterAll).
 */
export async function startDynalite(options: { path?: string } = {}): Promise<RunningDynalite> {
  const server = await startDynaliteServer({ dir: options.path });
  return { endpoint: server.endpoint, stop: () => server.close() };
}

/**
 * One in-memory dynalite for a test file (started in `beforeAll`, stopped in `afterAll`), and a new
 * table name on each `nextTable()` (`<prefix>-1`, `<prefix>-2` …) so tests do not share data.
 */
export function dynaliteForFile(prefix: string): { endpoint(): string; nextTable(): string } {
  let running: RunningDynalite | undefined;
  let tables = 0;
  beforeAll(async () => {
    running = await startDynalite();
  });
  afterAll(async () => {
    await running?.stop();
  });
  return {
    endpoint: () => (running as RunningDynalite).endpoint,
    nextTable: () => `${prefix}-${++tables}`,
  };
}

/** Low-level commands that write to a table; what `writes()` counts. */
const writeCommands = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  'ExecuteStatementCommand',
  'BatchExecuteStatementCommand',
  'ExecuteTransactionCommand',
]);

export interface CountingDocumentClient {
  readonly client: DynamoDBDocumentClient;
  /** Write requests sent since creation (or the last `resetWrites`). */
  writes(): number;
  resetWrites(): void;
  destroy(): void;
}

/**
 * A document client for a local endpoint (dummy credentials) that counts every write request it
 * sends, so tests can prove that an unchanged re-crawl writes nothing.
 */
export function countingDocumentClient(endpoint: string): CountingDocumentClient {
  const base = new DynamoDBClient({
    endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  let count = 0;
  base.middlewareStack.add(
    (next, context) => async (args) => {
      if (writeCommands.has(String(context.commandName))) count += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countWrites' },
  );
  const client = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  return {
    client,
    writes: () => count,
    resetWrites: () => {
      count = 0;
    },
    destroy: () => base.destroy(),
  };
}

/**
 * `inner` with every method wrapped to count the writes `db` sends during it, except those of
 * `recordCrawlRun`: what a crawl wrote to items and URL state. Calls must not overlap (crawl one
 * source at a time) for every write to land on the right call.
 */
export function crawlWriteCounter(
  inner: ItemStore,
  db: Pick<CountingDocumentClient, 'writes'>,
): { store: ItemStore; writes(): number; reset(): void } {
  let count = 0;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const before = db.writes();
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (prop !== 'recordCrawlRun') count += db.writes() - before;
        return result;
      };
    },
  });
  return {
    store,
    writes: () => count,
    reset: () => {
      count = 0;
    },
  };
}
