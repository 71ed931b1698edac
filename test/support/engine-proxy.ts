import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * `forward`: bytes pass both ways. `refuse`: every connection, open or new, is reset (RST), as a
 * stopped engine's host answers. `hang`: connections are accepted and held, and nothing passes
 * either way, as with a stopped (SIGSTOP) or partitioned engine.
 */
export type FaultMode = 'forward' | 'refuse' | 'hang';

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: use it as the engine's endpoint. */
  readonly url: string;
  /** Switches at once; open connections follow the new mode (leaving `hang` drops them). */
  mode(m: FaultMode): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a real service that can refuse or hang on command, so tests see the
 * failures a client meets in production (connection reset, no answer) rather than mocked errors.
 */
export async function startFaultProxy(target: URL): Promise<FaultProxy> {
  let current: FaultMode = 'forward';
  const clients = new Set<Socket>();
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));

  const server = createServer((client) => {
    clients.add(client);
    client.on('error', () => client.destroy());
    client.on('close', () => clients.delete(client));
    if (current === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    let upstream: Socket | undefined;
    const open = () => {
      upstream = connect(port, target.hostname);
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => client.destroy());
      upstream.on('data', (chunk: Buffer) => {
        if (current === 'forward') client.write(chunk);
      });
      client.on('close', () => upstream?.destroy());
    };
    if (current === 'forward') open();
    client.on('data', (chunk: Buffer) => {
      if (current !== 'forward') return; // hang: swallowed
      if (!upstream) open();
      upstream?.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    mode(m) {
      const previous = current;
      current = m;
      if (m === 'refuse') for (const client of clients) client.resetAndDestroy();
      // A held connection has swallowed bytes; it cannot carry a clean exchange any more.
      if (previous === 'hang' && m === 'forward') for (const client of clients) client.destroy();
    },
    close: async () => {
      for (const client of clients) client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
