import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../support/tcp-fault-proxy.js';

/** One GET with a deadline; resolves to the body or the error code (`TIMEOUT` when the deadline hits). */
async function probe(url: string, timeoutMs = 300): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return await response.text();
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') return 'TIMEOUT';
    const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
    return cause?.code ?? String(error);
  }
}

describe('startFaultProxy', () => {
  let target: Server;
  let proxy: FaultProxy;

  beforeAll(async () => {
    target = createServer((_request, response) => response.end('pong'));
    await new Promise<void>((done) => target.listen(0, '127.0.0.1', done));
    proxy = await startFaultProxy(new URL(`http://127.0.0.1:${(target.address() as AddressInfo).port}`));
  });

  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((done) => target.close(() => done()));
  });

  it('forwards, refuses, hangs and forwards again on the same port', async () => {
    const forwarded = await probe(proxy.url);
    await proxy.mode('refuse');
    const refused = await probe(proxy.url);
    await proxy.mode('hang');
    const hung = await probe(proxy.url);
    await proxy.mode('forward');
    const back = await probe(proxy.url);

    expect([forwarded, refused, hung, back]).toEqual(['pong', 'ECONNREFUSED', 'TIMEOUT', 'pong']);
    expect(proxy.current).toBe('forward');
  });

  it('stops a connection that is open when the mode switches to hang', async () => {
    const agent = new Agent({ keepAliveTimeout: 10_000 });
    const get = async () => {
      try {
        const response = await undiciFetch(proxy.url, { signal: AbortSignal.timeout(300), dispatcher: agent });
        return await response.text();
      } catch (error) {
        return error instanceof Error && error.name === 'TimeoutError' ? 'TIMEOUT' : String(error);
      }
    };

    const first = await get();
    await proxy.mode('hang');
    const second = await get();
    await proxy.mode('forward');
    await agent.close();

    expect([first, second]).toEqual(['pong', 'TIMEOUT']);
  });
});
