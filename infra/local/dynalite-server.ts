import { mkdirSync } from 'node:fs';
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

const require = createRequire(import.meta.url);

export interface DynaliteServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Runs dynalite (a DynamoDB-compatible server on LevelDB) inside this process, on disk under
 * `dir` (in memory without one), on a free port (or `port`). Tables become ACTIVE at once. No
 * Java, no Docker.
 */
export async function startDynaliteServer(options: { dir?: string; port?: number } = {}): Promise<DynaliteServer> {
  if (options.dir !== undefined) mkdirSync(options.dir, { recursive: true });
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({ path: options.dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error?: Error) => (error ? reject(error) : resolve()));
      }),
  };
}
