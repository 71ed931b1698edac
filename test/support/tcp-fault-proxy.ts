import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * What the proxy does with connections:
 * - `forward`: passes bytes both ways to the target, as if there were no proxy;
 * - `refuse`: closes its listener, so a connect fails with `ECONNREFUSED`, like a stopped node;
 *   connections open at the switch are destroyed (the node went away under them);
 * - `hang`: accepts connections and never answers nor closes them, like a node stopped with
 *   SIGSTOP; connections open at the switch stop passing bytes too.
 */
export type FaultMode = 'forward' | 'refuse' | 'hang';

/** A TCP proxy in front of one target whose failure mode a test switches at any time. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: the address clients use instead of the target's. Fixed for the proxy's life. */
  readonly url: string;
  readonly port: number;
  /** The mode now; `forward` on start. */
  readonly current: FaultMode;
  /** Switches the mode; resolves once the listener is closed (`refuse`) or listening again. */
  mode(next: FaultMode): Promise<void>;
  /** Stops listening and destroys every connection. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy on 127.0.0.1 (a free port unless `port` is given) that forwards to `target`
 * (host and port of an `http:` URL; the path is ignored). Reuse it for any fault test of a
 * network dependency: point the client at `proxy.url`, then `await proxy.mode('refuse')` or
 * `'hang'`, and `'forward'` to bring the dependency back. The port stays the same across modes.
 *
 * @example
 * const proxy = await startFaultProxy(new URL('http://127.0.0.1:9211'));
 * await proxy.mode('hang'); // clients now wait until their own timeout
 * await proxy.mode('forward');
 * await proxy.close();
 */
export async function startFaultProxy(target: URL, options: { port?: number } = {}): Promise<FaultProxy> {
  const targetPort = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const targetHost = target.hostname;
  const open = new Set<Socket>();
  const hung = new Set<Socket>();
  let current: FaultMode = 'forward';
  let closed = false;

  const track = (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => {
      open.delete(socket);
      hung.delete(socket);
    });
    // A peer reset is part of the faults this proxy makes; it must not crash the test process.
    socket.on('error', () => socket.destroy());
  };

  const onConnection = (client: Socket) => {
    track(client);
    if (current === 'hang') {
      hung.add(client);
      client.pause();
      return;
    }
    const upstream = createConnection({ host: targetHost, port: targetPort });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  };

  let server: Server = createServer(onConnection);
  const listen = (port: number) =>
    new Promise<number>((done, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', fail);
        const address = server.address();
        done(typeof address === 'object' && address ? address.port : port);
      });
    });
  const stopListening = () =>
    new Promise<void>((done) => {
      if (!server.listening) return done();
      server.close(() => done());
    });

  const port = await listen(options.port ?? 0);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get current() {
      return current;
    },
    async mode(next) {
      if (closed) throw new Error('fault proxy is closed');
      if (next === current) return;
      current = next;
      if (next === 'refuse') {
        // close() waits for open connections, so they go first.
        const stopped = stopListening();
        for (const socket of open) socket.destroy();
        await stopped;
        return;
      }
      if (next === 'hang') {
        // Connections already open stop passing bytes both ways, as a stopped process would.
        for (const socket of open) {
          socket.unpipe();
          socket.pause();
          hung.add(socket);
        }
      } else {
        // Back to forward: hung connections would never recover on a real node either; drop them.
        for (const socket of hung) socket.destroy();
        hung.clear();
      }
      if (!server.listening) {
        server = createServer(onConnection);
        await listen(port);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopped = stopListening();
      for (const socket of open) socket.destroy();
      await stopped;
    },
  };
}
