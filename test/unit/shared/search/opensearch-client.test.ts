import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import { OpenSearchResponseError, SearchUnavailableError } from '../../../../shared/errors.js';
import { CircuitBreaker } from '../../../../shared/search/circuit-breaker.js';
import { defaultCredentials, makeOpenSearchClient, signRequest } from '../../../../shared/search/opensearch-client.js';

/** SHA-256 for the AWS SDK's signer, on node:crypto. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData) =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};
const at = new Date('2026-11-28T09:15:30.123Z');

/** The AWS SDK's own signer over the same request: the reference. */
async function sdkSignature(method: string, url: URL, headers: Record<string, string>, body: string) {
  const signer = new SignatureV4({ service: 'es', region: 'ap-northeast-1', credentials, sha256: NodeSha256 });
  const signed = await signer.sign(
    {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      body,
    },
    { signingDate: at },
  );
  return signed.headers;
}

describe('signRequest (AWS Signature Version 4)', () => {
  // The last field: the signature AWS's algorithm gives (checked against the SDK's signer when recorded).
  const cases: [string, string, Record<string, string>, string, string][] = [
    [
      'POST',
      'https://search-chiiki-prod.ap-northeast-1.es.amazonaws.com/chiiki/_search',
      { 'content-type': 'application/json' },
      JSON.stringify({ query: { match_phrase: { title: '産学官連携' } } }),
      '90e3c3693ad2206b34a600d0fe4d86ab1d4a854fe46d1052f6b32088fae7cdd7',
    ],
    [
      'POST',
      'https://search-chiiki-prod.ap-northeast-1.es.amazonaws.com/_bulk?refresh=true',
      { 'content-type': 'application/x-ndjson' },
      '{"index":{"_index":"chiiki-write","_id":"it_1"}}\n{"title":"公募"}\n',
      '3138deddb9999db9497d3b34b774e8475e12c79d4f8e7ca596f3789863d0b77c',
    ],
    [
      'GET',
      'https://search-chiiki-prod.ap-northeast-1.es.amazonaws.com/chiiki-v*/_alias',
      {},
      '',
      '97475f55d2ba38e81c89f63d56d35a4a25f89a5260d2cc49f962de4e93e8f480',
    ],
    [
      'HEAD',
      'https://search-chiiki-prod.ap-northeast-1.es.amazonaws.com/_alias/chiiki',
      {},
      '',
      '7c69b3ee6deb5d07434a018737121b2cfcdccaa53b1d22fc5789c4bc46ae3ac5',
    ],
    [
      'GET',
      'https://search-chiiki-prod.ap-northeast-1.es.amazonaws.com/_cat/indices?v=true&format=json&h=index%2Chealth',
      {},
      '',
      '279fb83d5c48106acf4a595ebd3cb2e0c00a42ebe6edf5c7bdc9f48e7ad3e83c',
    ],
  ];

  it.each(cases)('signs %s %s with the known-good signature', async (method, href, headers, body, signature) => {
    const url = new URL(href);
    const ours = await signRequest(
      { method, url, headers, body },
      { region: 'ap-northeast-1', service: 'es', credentials },
      at,
    );
    const reference = await sdkSignature(method, url, headers, body);

    expect(ours['authorization']).toBe(reference['authorization']);
    expect(ours['authorization']?.endsWith(`Signature=${signature}`)).toBe(true);
    expect(ours['x-amz-date']).toBe('20261128T091530Z');
    expect(ours['x-amz-security-token']).toBe('session-token-example');
    expect(ours['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261128\/ap-northeast-1\/es\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
    );
  });

  it('changes the signature when the body changes (the payload is signed)', async () => {
    const url = new URL('https://search.example/chiiki/_search');
    const sign = async (body: string) =>
      (
        await signRequest(
          { method: 'POST', url, headers: {}, body },
          { region: 'ap-northeast-1', service: 'es', credentials },
          at,
        )
      )['authorization'];
    expect(await sign('{"size":10}')).not.toBe(await sign('{"size":11}'));
  });
});

describe('makeOpenSearchClient over HTTP', () => {
  let server: Server;
  let endpoint: string;
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let replies: { status: number; body: string; type?: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const reply = replies.shift() ?? { status: 200, body: '{}' };
        res.writeHead(reply.status, { 'content-type': reply.type ?? 'application/json; charset=UTF-8' });
        res.end(req.method === 'HEAD' ? undefined : reply.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const reset = (next: typeof replies) => {
    seen.length = 0;
    replies = next;
  };

  it('sends JSON bodies and NDJSON bulk bodies with their content types and a query string', async () => {
    reset([
      { status: 200, body: '{"hits":{"total":{"value":3}}}' },
      { status: 200, body: '{"errors":false,"items":[]}' },
    ]);
    const client = makeOpenSearchClient({ endpoint, sigv4: false, region: 'ap-northeast-1' });

    const search = await client.transport.request({ method: 'POST', path: '/chiiki/_search', body: { size: 0 } });
    await client.transport.request({
      method: 'POST',
      path: '/_bulk',
      bulkBody: [{ index: { _index: 'chiiki-write', _id: 'it_1' } }, { title: '公募' }],
      querystring: { refresh: 'true' },
    });

    expect(search).toEqual({ statusCode: 200, body: { hits: { total: { value: 3 } } } });
    expect(seen[0]?.headers['content-type']).toBe('application/json');
    expect(seen[0]?.body).toBe('{"size":0}');
    expect(seen[1]?.url).toBe('/_bulk?refresh=true');
    expect(seen[1]?.headers['content-type']).toBe('application/x-ndjson');
    expect(seen[1]?.body).toBe('{"index":{"_index":"chiiki-write","_id":"it_1"}}\n{"title":"公募"}\n');
    expect(seen[0]?.headers['authorization']).toBeUndefined();
  });

  it('throws an error carrying status and body, unless the status is one the caller ignores', async () => {
    const missing = '{"error":{"type":"index_not_found_exception"},"status":404}';
    reset([
      { status: 404, body: missing },
      { status: 404, body: missing },
      { status: 404, body: '' },
    ]);
    const client = makeOpenSearchClient({ endpoint, sigv4: false, region: 'ap-northeast-1' });

    const error = await client.transport.request({ method: 'GET', path: '/nope/_search' }).catch((e: unknown) => e);
    const ignored = await client.transport.request({ method: 'GET', path: '/_alias/nope' }, { ignore: [404] });
    const head = await client.transport.request({ method: 'HEAD', path: '/_alias/nope' }, { ignore: [404] });

    expect(error).toBeInstanceOf(OpenSearchResponseError);
    expect((error as OpenSearchResponseError).meta).toEqual({ statusCode: 404, body: JSON.parse(missing) });
    expect((error as Error).message).toMatch(/GET \/nope\/_search answered 404: .*index_not_found_exception/);
    expect(ignored.statusCode).toBe(404);
    expect(head).toEqual({ statusCode: 404, body: false });
  });

  it('retries a 503 and then succeeds, and gives up after its retries', async () => {
    reset([
      { status: 503, body: '{"error":"busy"}' },
      { status: 200, body: '{"ok":true}' },
    ]);
    const client = makeOpenSearchClient({ endpoint, sigv4: false, region: 'ap-northeast-1', maxRetries: 1 });

    expect((await client.transport.request({ method: 'GET', path: '/' })).body).toEqual({ ok: true });
    expect(seen).toHaveLength(2);

    reset([
      { status: 503, body: '{"error":"busy"}' },
      { status: 503, body: '{"error":"still busy"}' },
    ]);
    await expect(client.transport.request({ method: 'GET', path: '/' })).rejects.toThrow(/answered 503.*still busy/);
  });

  it('signs every request with the credentials it is given when sigv4 is on', async () => {
    reset([{ status: 200, body: '{}' }]);
    const client = makeOpenSearchClient({
      endpoint,
      sigv4: true,
      region: 'ap-northeast-1',
      credentials: () => Promise.resolve(credentials),
      now: () => at,
    });

    await client.transport.request({ method: 'POST', path: '/chiiki/_search', body: { size: 1 } });

    const headers = seen[0]?.headers ?? {};
    const url = new URL(`${endpoint}/chiiki/_search`);
    const reference = await sdkSignature(
      'POST',
      url,
      { 'content-type': 'application/json', accept: 'application/json' },
      '{"size":1}',
    );
    expect(headers['authorization']).toBe(reference['authorization']);
    expect(headers['x-amz-security-token']).toBe('session-token-example');
    expect(headers['x-amz-content-sha256']).toBe(createHash('sha256').update('{"size":1}').digest('hex'));
  });

  it('names the endpoint failure when nothing answers', async () => {
    const client = makeOpenSearchClient({ endpoint: 'http://127.0.0.1:9', sigv4: false, region: 'x', maxRetries: 0 });
    await expect(client.transport.request({ method: 'GET', path: '/' })).rejects.toThrow(
      /opensearch GET \/ failed after 1 attempts/,
    );
  });
});

describe('makeOpenSearchClient when the engine is unreachable', () => {
  let server: Server;
  let endpoint: string;
  let received = 0;
  /** What the server does with the next requests: answer with a status, or never answer. */
  let behaviour: { status: number } | 'hang' = 'hang';

  beforeAll(async () => {
    server = createServer((req, res) => {
      received++;
      req.resume();
      if (behaviour === 'hang') return;
      res.writeHead(behaviour.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: behaviour.status }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const failureOf = async (promise: Promise<unknown>) => {
    const started = performance.now();
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, ms: performance.now() - started };
  };

  it('gives up on a hung engine within totalTimeoutMs, retries included, with SearchUnavailableError', async () => {
    behaviour = 'hang';
    received = 0;
    const client = makeOpenSearchClient({
      endpoint,
      sigv4: false,
      region: 'x',
      requestTimeoutMs: 250,
      totalTimeoutMs: 600,
      maxRetries: 5,
    });

    const { error, ms } = await failureOf(client.transport.request({ method: 'GET', path: '/chiiki/_count' }));

    expect(error).toBeInstanceOf(SearchUnavailableError);
    expect((error as Error).message).toMatch(/GET \/chiiki\/_count failed after 2 attempts: no answer within \d+ ms/);
    expect((error as SearchUnavailableError).retryAfterSec).toBe(10);
    expect(received).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(500);
    expect(ms).toBeLessThan(900);
  });

  it('reports a refused connection as SearchUnavailableError with the reason', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = makeOpenSearchClient({
      endpoint: `http://127.0.0.1:${port}`,
      sigv4: false,
      region: 'x',
      maxRetries: 1,
    });

    const { error } = await failureOf(client.transport.request({ method: 'GET', path: '/' }));

    expect(error).toBeInstanceOf(SearchUnavailableError);
    expect((error as Error).message).toMatch(/failed after 2 attempts: fetch failed: .*ECONNREFUSED/);
  });

  it('reports 503 after its retries as SearchUnavailableError, but a 400 as the engine answered it', async () => {
    const client = makeOpenSearchClient({ endpoint, sigv4: false, region: 'x', maxRetries: 1 });

    behaviour = { status: 503 };
    const busy = await failureOf(client.transport.request({ method: 'GET', path: '/' }));
    behaviour = { status: 400 };
    const bad = await failureOf(client.transport.request({ method: 'GET', path: '/' }));

    expect(busy.error).toBeInstanceOf(SearchUnavailableError);
    expect((busy.error as Error).message).toMatch(/answered 503 after 2 attempts/);
    expect(bad.error).toBeInstanceOf(OpenSearchResponseError);
  });

  it('fails fast once its breaker opens, without sending, and probes again after the cool-down', async () => {
    behaviour = 'hang';
    received = 0;
    const clock = new FixedClock('2026-01-01T00:00:00Z');
    const breaker = new CircuitBreaker({ clock, failureThreshold: 2, coolDownMs: 5_000 });
    const client = makeOpenSearchClient({
      endpoint,
      sigv4: false,
      region: 'x',
      requestTimeoutMs: 200,
      totalTimeoutMs: 200,
      breaker,
    });
    const count = () => client.transport.request({ method: 'GET', path: '/chiiki/_count' });

    await failureOf(count());
    await failureOf(count());
    const sentBeforeOpen = received;
    clock.advanceMs(2_000);
    const fast = await failureOf(count());

    expect(breaker.state).toBe('open');
    expect(fast.error).toBeInstanceOf(SearchUnavailableError);
    expect((fast.error as Error).message).toMatch(/not sent: the engine failed 2 times in a row \(circuit open\)/);
    expect((fast.error as SearchUnavailableError).retryAfterSec).toBe(3);
    expect(fast.ms).toBeLessThan(20);
    expect(received).toBe(sentBeforeOpen);

    behaviour = { status: 200 };
    clock.advanceMs(3_000);
    const probe = await client.transport.request({ method: 'GET', path: '/chiiki/_count' });

    expect(probe.statusCode).toBe(200);
    expect(breaker.state).toBe('closed');
  });
});

describe('defaultCredentials', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('reads the environment first, as the AWS SDK chain does', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAENVEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'env-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'env-token');

    const credentials = await (await defaultCredentials())();

    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAENVEXAMPLE',
      secretAccessKey: 'env-secret',
      sessionToken: 'env-token',
    });
  });

  it('goes on to the shared credentials file when the environment has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-credentials-'));
    writeFileSync(
      join(dir, 'credentials'),
      '[default]\naws_access_key_id = AKIAFILEEXAMPLE\naws_secret_access_key = file-secret\n',
    );
    writeFileSync(join(dir, 'config'), '[default]\nregion = ap-northeast-1\n');
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
    vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
    vi.stubEnv('AWS_PROFILE', 'default');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');

    const credentials = await (await defaultCredentials())();

    expect(credentials).toMatchObject({ accessKeyId: 'AKIAFILEEXAMPLE', secretAccessKey: 'file-secret' });
  });
});
