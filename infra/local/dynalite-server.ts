import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

/** dynalite 4 ships no typings: the part of its factory the local stack uses. */
type DynaliteFactory = (options: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

/** The part of the LevelDB handle (dynalite's `db`, callback style over abstract-level) that is guarded. */
interface LevelWrites {
  put(...args: unknown[]): unknown;
  del(...args: unknown[]): unknown;
  batch(...args: unknown[]): unknown;
  get(...args: unknown[]): unknown;
}

interface DynaliteDbModule {
  create(options: unknown): { db: LevelWrites & object };
}

const require = createRequire(import.meta.url);

/** A write to the data folder failed; what the local stack reports on `/v1/health` and in the log. */
export interface StorageFault {
  /** The folder that could not be written. */
  readonly folder: string;
  /** `ENOSPC`, `EACCES`, `EROFS`, … or `EIO` when the message names no code. */
  readonly code: string;
  readonly message: string;
}

/** The DynamoDB error type dynalite answers a failed disk write with; see `isStorageFaultResponse`. */
export const storageFaultErrorType = 'StorageUnavailableException';

export interface DynaliteServerOptions {
  /** LevelDB folder; in memory without one. */
  readonly dir?: string;
  readonly port?: number;
  /** Called on every write that fails on disk (the request is answered with a 503, the process stays up). */
  readonly onFault?: (fault: StorageFault) => void;
  /** Called when a write succeeds again after a fault. */
  readonly onRecovered?: () => void;
  /**
   * Fails writes on purpose, as a full or read-only disk would: return an error for a write that
   * should fail. For tests of the fault path on machines where no small file system can be mounted.
   */
  readonly injectWriteFault?: () => Error | undefined;
}

export interface DynaliteServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Runs dynalite (a DynamoDB-compatible server on LevelDB) inside this process, on disk under
 * `dir` (in memory without one), on a free port (or `port`). Tables become ACTIVE at once. No
 * Java, no Docker.
 *
 * A write that fails on disk (dynalite's `LEVEL_IO_ERROR`, which it would throw out of a callback
 * and so end the process) is answered with a DynamoDB-style 503 of type `storageFaultErrorType`
 * and reported through `onFault`. LevelDB refuses every write after one failed log write, so the
 * next write after a fault (at most one a second) first reopens the database; once space returns,
 * writes succeed again and `onRecovered` is called.
 */
export async function startDynaliteServer(options: DynaliteServerOptions = {}): Promise<DynaliteServer> {
  if (options.dir !== undefined) mkdirSync(options.dir, { recursive: true });
  const dbModule = require('dynalite/db/index.js') as DynaliteDbModule;
  const create = dbModule.create;
  let beforeClose: () => Promise<void> = async () => undefined;
  // dynalite builds its store through this module's `create` while the factory runs, synchronously.
  dbModule.create = (createOptions) => {
    const store = create(createOptions);
    beforeClose = guardWrites(store.db, options);
    return store;
  };
  let server: Server;
  try {
    const dynalite = require('dynalite') as DynaliteFactory;
    server = dynalite({ path: options.dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  } finally {
    dbModule.create = create;
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      await beforeClose();
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error?: Error) => (error ? reject(error) : resolve()));
      });
    },
  };
}

const reopenIntervalMs = 1_000;

type Callback = (error?: Error | null, ...results: unknown[]) => void;

/**
 * Wraps the LevelDB handle's reads and writes: disk errors become 503 answers and a fault report,
 * never a throw. After a fault, the next operation (at most one a second) checks that the folder
 * takes a file again and then reopens the database, holding other operations until it is open;
 * on a folder, writes until that reopen are answered with the fault. Returns what the server
 * calls before it closes.
 */
function guardWrites(db: LevelWrites & object, options: DynaliteServerOptions): () => Promise<void> {
  const folder = options.dir;
  const proto = Object.getPrototypeOf(db) as { open(): Promise<void>; close(): Promise<void> };
  let faulted = false;
  // The disk error that faulted the database. On a folder, writes are refused with it until a reopen
  // succeeds: a write LevelDB takes after a failed one can land behind a torn log record, and the
  // next open drops everything after that record (acknowledged writes lost at restart).
  let lastFault: Error | undefined;
  let lastReopen = 0;
  let reopening: Promise<void> | undefined;
  // Set once the server is closing: a reopen after that would leave a second LevelDB handle on the
  // folder behind, racing the next start's handle over the same files.
  let closing = false;

  const reopen = async (): Promise<void> => {
    if (reopening) return reopening;
    if (closing || !faulted || folder === undefined || Date.now() - lastReopen < reopenIntervalMs) return;
    lastReopen = Date.now();
    if (!folderTakesWrites(folder)) return;
    reopening = (async () => {
      try {
        // The prototype's close and open: dynalite's own close marks the database closed for good.
        await proto.close.call(db);
        await proto.open.call(db);
        faulted = false;
        lastFault = undefined;
        options.onRecovered?.();
      } catch {
        // Still failing: the operation below fails too and reports the fault again.
      } finally {
        reopening = undefined;
      }
    })();
    return reopening;
  };

  const guard =
    (operation: (...args: unknown[]) => unknown, writes: boolean) =>
    (...args: unknown[]): unknown => {
      // Promise-style calls (abstract-level replaying an operation deferred while opening) pass through.
      if (typeof args[args.length - 1] !== 'function') return operation(...args);
      const callback = args.pop() as Callback;
      const done: Callback = (error, ...results) => {
        if (error && (isDiskError(error) || (faulted && /database is (closed|not open)/i.test(error.message)))) {
          faulted = true;
          lastFault = error;
          const fault = toFault(error, folder ?? '(memory)');
          options.onFault?.(fault);
          callback(storageFaultResponse(fault));
          return;
        }
        if (!error && faulted && writes && folder === undefined) {
          faulted = false;
          options.onRecovered?.();
        }
        callback(error, ...results);
      };
      reopen()
        .then(() => {
          const injected = writes
            ? folder !== undefined && faulted
              ? lastFault
              : options.injectWriteFault?.()
            : undefined;
          if (injected) {
            setImmediate(done, injected);
            return;
          }
          operation(...args, done);
        })
        .catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
    };

  const methods = db as unknown as Record<'put' | 'del' | 'batch' | 'get', (...args: unknown[]) => unknown>;
  for (const name of ['put', 'del', 'batch', 'get'] as const)
    methods[name] = guard(methods[name].bind(db), name !== 'get');
  // Before the server closes: no reopen from now on, and one in flight finishes first.
  return async () => {
    closing = true;
    await reopening;
  };
}

/** Whether a small file can be written in `folder` now (space returned, folder writable again). */
function folderTakesWrites(folder: string): boolean {
  const probe = join(folder, '.space-check');
  try {
    writeFileSync(probe, Buffer.alloc(64 * 1024));
    unlinkSync(probe);
    return true;
  } catch {
    try {
      unlinkSync(probe);
    } catch {
      // Never written.
    }
    return false;
  }
}

const diskCodes = ['ENOSPC', 'EACCES', 'EROFS', 'EPERM', 'EDQUOT', 'EIO'] as const;

function isDiskError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    code === 'LEVEL_IO_ERROR' ||
    (typeof code === 'string' && (diskCodes as readonly string[]).includes(code)) ||
    /no space left|read-only file system|permission denied/i.test(error.message)
  );
}

function toFault(error: Error, folder: string): StorageFault {
  const code = (error as { code?: unknown }).code;
  const named =
    typeof code === 'string' && code !== 'LEVEL_IO_ERROR'
      ? code
      : /no space left/i.test(error.message)
        ? 'ENOSPC'
        : /read-only file system/i.test(error.message)
          ? 'EROFS'
          : /permission denied/i.test(error.message)
            ? 'EACCES'
            : 'EIO';
  return { folder, code: named, message: error.message };
}

/** The error dynalite sends as it is: its `statusCode` and `body` become the HTTP answer. */
function storageFaultResponse(fault: StorageFault): Error {
  return Object.assign(new Error(fault.message), {
    statusCode: 503,
    body: {
      __type: `com.amazonaws.dynamodb.v20120810#${storageFaultErrorType}`,
      message: `cannot write ${fault.folder} (${fault.code})`,
    },
  });
}
