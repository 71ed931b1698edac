import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { startCrawledSampleStack, type CrawledSampleStack } from '../support/sample-stack.js';
import { seededRandom } from '../support/search-corpus.js';

/**
 * Generated requests written as raw bytes on loopback sockets to the local stack (fetch would
 * percent-encode and tidy them): raw bytes and bad percent-encodings in targets, huge targets, bad
 * headers, odd methods, forged Host headers, NUL/CR/LF injections and bad JSON bodies. Every answer
 * must be a 2xx (or a 304), or a documented JSON 4xx quoting a request id; never a 5xx, a reset, a
 * silent close or a hang; and no body ever repeats a forged Host.
 */

const seed = 20261207;
const requestsPerClass = 450;
const concurrency = 8;
const answerTimeoutMs = 10_000;
const forgedHost = 'evil.example';

let sample: CrawledSampleStack;
let stack: LocalStack;
let port: number;

beforeAll(async () => {
  sample = await startCrawledSampleStack('chiiki-fuzz-');
  ({ stack, port } = sample);
}, 120_000);

afterAll(() => sample?.close());

// Seeded (mulberry32), so a failure can be replayed.
const rnd = seededRandom(seed);
const pick = <T>(values: readonly T[]): T => values[Math.floor(rnd() * values.length)] as T;
const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));

const paths = [
  '/v1/search',
  '/v1/feed.rss',
  '/v1/feed.atom',
  '/v1/export.csv',
  '/v1/sources',
  '/v1/openapi.json',
  '/v1/health',
  '/v1/items/it_0123456789abcdef',
  '/v1/items/x',
  '/v1/subscriptions',
  '/v1/subscriptions/confirm',
  '/v1/subscriptions/manage',
  '/v1/subscriptions/unsubscribe',
  '/v1/subscriptions/mute',
  '/',
  '/sources.html',
  '/nope',
  '/_local/crawl',
] as const;
const queryPaths = ['/v1/search', '/v1/feed.rss', '/v1/feed.atom', '/v1/export.csv'] as const;
const names = ['q', 'kind', 'ministry', 'prefecture', 'region', 'field', 'status', 'sort', 'size', 'cursor', 'token'];
const values = ['クラスター', 'call', 'mext', '20', '長野', 'chubu', 'open', 'deadline', '5', '', 'a b'];
const badEscapes = [
  '%FF',
  '%C0%AF',
  '%ZZ',
  '%',
  '%E3%82',
  '%00',
  '%0D%0A',
  '%1B',
  '%7F',
  '%C2%85',
  '%ED%A0%80',
  '%F8%88%80%80%80',
  '%%',
  '%2',
];

type Request = { readonly cls: string; readonly bytes: Buffer; readonly method: string };

const crlf = '\r\n';
function build(
  cls: string,
  parts: {
    method?: string;
    target: Buffer | string;
    version?: string;
    headers?: (string | Buffer)[];
    body?: Buffer | string;
  },
): Request {
  const method = parts.method ?? 'GET';
  const body = parts.body === undefined ? undefined : Buffer.from(parts.body);
  const headers = parts.headers ?? [`Host: localhost:${port}`];
  const lines: Buffer[] = [
    Buffer.from(`${method} `, 'latin1'),
    Buffer.isBuffer(parts.target) ? parts.target : Buffer.from(parts.target, 'utf8'),
    Buffer.from(` ${parts.version ?? 'HTTP/1.1'}${crlf}`, 'latin1'),
  ];
  for (const header of headers) lines.push(Buffer.from(header), Buffer.from(crlf));
  if (body !== undefined) lines.push(Buffer.from(`Content-Length: ${body.length}${crlf}`));
  lines.push(Buffer.from(`Connection: close${crlf}${crlf}`));
  if (body !== undefined) lines.push(body);
  // A request that declares a chunked body gets its last chunk, so a complete request is never left waiting.
  else if (headers.some((h) => /^transfer-encoding:.*chunked/im.test(h.toString())))
    lines.push(Buffer.from(`0${crlf}${crlf}`));
  return { cls, bytes: Buffer.concat(lines), method };
}

const randomQuery = () =>
  Array.from({ length: int(1, 4) }, () => `${pick(names)}=${encodeURIComponent(pick(values))}`).join('&');

/** One generator per class of hostile request. */
const generators: Record<string, () => Request> = {
  'raw bytes in target': () => {
    const raw = Buffer.from(
      Array.from({ length: int(1, 12) }, () => int(0, 255)).filter((b) => b !== 0x0a && b !== 0x0d),
    );
    return build('raw bytes in target', {
      target: Buffer.concat([
        Buffer.from(`${pick(queryPaths)}?${pick(names)}=`),
        raw,
        Buffer.from(`&${randomQuery()}`),
      ]),
    });
  },
  'raw UTF-8 in target': () =>
    build('raw UTF-8 in target', {
      target: `${pick(queryPaths)}?q=${pick(['クラスター', '産学官 連携', '長野県', '🧪', 'é'])}&${randomQuery()}`,
    }),
  'bad percent-encoding': () => {
    const escape = Array.from({ length: int(1, 3) }, () => pick(badEscapes)).join('');
    const where = int(0, 2);
    const target =
      where === 0
        ? `${pick(queryPaths)}?${pick(names)}=a${escape}b&${randomQuery()}`
        : where === 1
          ? `${pick(queryPaths)}?${randomQuery()}&x${escape}=1`
          : `${pick(paths)}${escape}?${randomQuery()}`;
    return build('bad percent-encoding', { target });
  },
  'huge target': () => {
    const size = pick([2_000, 8_000, 15_000, 17_000, 40_000, 100_000]);
    return build('huge target', {
      target: `${pick(queryPaths)}?q=${'ク'.repeat(Math.ceil(size / 9))}&${'a'.repeat(size % 500)}`,
    });
  },
  'bad headers': () => {
    const bad = pick([
      'NoColonHere',
      'Bad Name: x',
      'X-Space : x',
      ': empty-name',
      `X-Big: ${'b'.repeat(int(1_000, 20_000))}`,
      'X-Utf8: クラスター',
      'X-Fold: a\r\n continued',
      'Content-Length: 5\r\nContent-Length: 6',
      'Transfer-Encoding: chunked\r\nContent-Length: 3',
      'Transfer-Encoding: gzip, chunked',
      'Content-Length: -1',
      'Content-Length: 1e3',
      'Accept-Encoding: ' + 'gzip;q=0.5, '.repeat(int(1, 200)),
      'If-None-Match: ' + '"x", '.repeat(int(1, 300)),
      'Origin: null',
      'Upgrade: websocket\r\nSec-WebSocket-Version: 13',
      'Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA',
      'Accept: text/html',
      'Cookie: ' + 'a=b; '.repeat(int(1, 500)),
    ]);
    return build('bad headers', {
      target: `${pick(paths)}?${randomQuery()}`,
      headers: [`Host: localhost:${port}`, bad],
    });
  },
  'odd methods': () => {
    const method = pick([
      'PROPFIND',
      'TRACE',
      'CONNECT',
      'get',
      'DELETE',
      'PATCH',
      'PUT',
      'OPTIONS',
      'HEAD',
      'M-SEARCH',
      'BREW',
      'G',
      'POST',
    ]);
    const target = method === 'CONNECT' ? `localhost:${port}` : `${pick(paths)}?${randomQuery()}`;
    const headers = [`Host: localhost:${port}`];
    if (method === 'OPTIONS') headers.push('Origin: https://portal.example.jp', 'Access-Control-Request-Method: GET');
    return build('odd methods', { method, target, headers });
  },
  'HTTP versions': () =>
    build('HTTP versions', {
      target: pick(paths),
      version: pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.2', 'HTTP/1.1x', 'http/1.1']),
    }),
  'Host variants': () => {
    const host = pick([
      [`Host: ${forgedHost}`],
      [`Host: ${forgedHost}:443`, `X-Forwarded-Host: ${forgedHost}`, 'X-Forwarded-Proto: http'],
      [`Host: localhost:${port}`, `Host: ${forgedHost}`],
      [],
      ['Host:'],
      [`Host: [::1]:${port}`],
      [`Host: ${'h'.repeat(int(100, 5_000))}.example`],
      [`Host: ${forgedHost}/v1?x=`],
      [`Host: ${forgedHost}\u0000.localhost`],
      [`Host: ${forgedHost}`, 'Forwarded: host=evil.example;proto=http'],
    ]);
    const target = pick([
      '/v1/openapi.json',
      '/v1/feed.rss?kind=call',
      '/v1/feed.atom?q=x',
      '/v1/search',
      '/v1/export.csv',
      '/',
    ]);
    return build('Host variants', { target, headers: host });
  },
  'NUL/CR/LF injection': () => {
    const injected = pick(['\u0000', '\r', '\n', '\r\n', '\r\nX-Injected: 1', ' HTTP/1.1\r\nHost: x', '\u0000\r\n']);
    const where = int(0, 2);
    if (where === 0) return build('NUL/CR/LF injection', { target: `/v1/search?q=a${injected}b` });
    if (where === 1)
      return build('NUL/CR/LF injection', {
        target: `/v1/search?${randomQuery()}`,
        headers: [`Host: localhost:${port}`, `X-Value: a${injected}b`],
      });
    return build('NUL/CR/LF injection', {
      target: `/v1/search?q=${pick(['%00', '%0D%0AX-Injected:%201', '%0A', 'a%0d%0a%0d%0a<html>'])}`,
    });
  },
  'bad JSON bodies': () => {
    const body = pick([
      '{',
      '[]',
      'null',
      '"text"',
      '{"email":',
      '{"email":"a@example.jp","searches":"x"}',
      '{"email":"a\u0000@example.jp","searches":[{"q":"x"}]}',
      `{"email":"${'a'.repeat(int(100, 3000))}@example.jp","searches":[]}`,
      '['.repeat(int(10, 5000)),
      '{"__proto__":{"polluted":true},"email":"a@example.jp"}',
      '{"email":"a@example.jp","searches":[{"q":"%FF\\u0000"}],"frequency":"hourly"}',
      Buffer.from([0xff, 0xfe, 0x7b, 0x00]).toString('latin1'),
      'email=a%40example.jp&searches=x',
      '{"searches":[' + '{"q":"x"},'.repeat(int(1, 300)) + '{"q":"y"}]}',
    ]);
    const method = pick(['POST', 'PUT', 'PATCH']);
    const target = pick([
      '/v1/subscriptions',
      '/v1/subscriptions/manage?token=x',
      '/v1/subscriptions/confirm?token=abc',
      '/v1/subscriptions/unsubscribe?token=%00',
      '/v1/subscriptions/mute?token=' + 'A'.repeat(int(10, 400)),
      '/v1/search',
    ]);
    const type = pick([
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      '',
    ]);
    return build('bad JSON bodies', {
      method,
      target,
      headers: [`Host: localhost:${port}`, ...(type ? [`Content-Type: ${type}`] : []), 'Origin: https://evil.example'],
      body: Buffer.from(body, 'latin1'),
    });
  },
  'well-formed requests': () => {
    const path = pick(paths.filter((p) => !p.startsWith('/_local')));
    return build('well-formed requests', {
      method: pick(['GET', 'GET', 'HEAD']),
      target: `${path}?${randomQuery()}`,
      headers: [`Host: localhost:${port}`, pick(['Accept-Encoding: gzip, br', 'Accept: */*', 'If-None-Match: W/"x"'])],
    });
  },
};

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Parses one HTTP/1.1 response from `data`, or `undefined` while it is incomplete. */
function parseResponse(data: Buffer, method: string, closed: boolean): Answer | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...headerLines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(headEnd + 4);
  if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200))
    return { status, headers, body: Buffer.alloc(0) };
  const length = headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    return rest.length >= n ? { status, headers, body: rest.subarray(0, n) } : undefined;
  }
  if (headers['transfer-encoding']?.includes('chunked')) {
    const body = dechunked(rest);
    if (body === undefined && !closed) return undefined;
    return { status, headers, body: body ?? rest };
  }
  return closed ? { status, headers, body: rest } : undefined;
}

/** A chunked body's bytes, or `undefined` while its last chunk has not arrived. */
function dechunked(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** Sends one request on its own connection and reads one answer; rejects on reset, silent close or timeout. */
function exchange(request: Request): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request.bytes));
    let data = Buffer.alloc(0);
    let settled = false;
    const settle = (outcome: Answer | Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const answer = parseResponse(data, request.method, false);
      if (answer) settle(answer);
    });
    socket.on('error', (error) => settle(error));
    socket.on('close', () =>
      settle(parseResponse(data, request.method, true) ?? new Error(`closed after ${data.length} bytes`)),
    );
    socket.setTimeout(answerTimeoutMs, () => settle(new Error(`no answer in ${answerTimeoutMs} ms`)));
  });
}

/** What is wrong with an answer, or `undefined` when it is one the API documents. */
function problemWith(request: Request, answer: Answer): string | undefined {
  const { status, headers, body } = answer;
  const text = body.toString('utf8');
  if (text.includes(forgedHost)) return 'body repeats the forged Host';
  if (status >= 200 && status < 300) return undefined;
  if (status === 304) return undefined;
  if (status < 400 || status >= 500) return `status ${status}`;
  const requestIdHeader = headers['x-request-id'];
  if (request.method === 'HEAD') return requestIdHeader ? undefined : `HEAD ${status} without X-Request-Id`;
  const type = headers['content-type'] ?? '';
  // The subscription link pages answer browsers (and their GETs) with pages, errors included; documented in the OpenAPI document.
  const page =
    type.startsWith('text/html') && /^[A-Za-z]+ \/v1\/subscriptions\//.test(request.bytes.toString('latin1'));
  if (page) return requestIdHeader ? undefined : `${status} page without X-Request-Id`;
  if (!type.startsWith('application/json')) return `${status} as ${type}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `${status} body is not JSON`;
  }
  const errorBody = parsed as { error?: unknown; message?: unknown; requestId?: unknown };
  if (typeof errorBody.error !== 'string' || typeof errorBody.message !== 'string')
    return `${status} body lacks error and message`;
  if (typeof errorBody.requestId !== 'string' && !requestIdHeader) return `${status} without a request id`;
  return undefined;
}

describe('the local stack under a raw-socket fuzz', () => {
  it('answers thousands of hostile raw requests only with 2xx or documented JSON 4xx carrying a request id', async () => {
    const requests: Request[] = [];
    for (const generate of Object.values(generators))
      for (let i = 0; i < requestsPerClass; i++) requests.push(generate());
    const started = Date.now();
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++] as Request;
        try {
          const answer = await exchange(request);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          const problem = problemWith(request, answer);
          if (problem)
            failures.push(
              `${request.cls}: ${problem}: ${JSON.stringify(request.bytes.toString('latin1').slice(0, 160))}`,
            );
        } catch (error) {
          failures.push(
            `${request.cls}: ${String(error)}: ${JSON.stringify(request.bytes.toString('latin1').slice(0, 160))}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const summary = {
      seed,
      requestsTried: requests.length,
      classesCovered: Object.keys(generators).length,
      statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
      failures: failures.length,
      durationMs: Date.now() - started,
    };
    console.log(`raw-socket fuzz: ${JSON.stringify(summary)}`);

    expect(failures.slice(0, 20)).toEqual([]);
    expect(requests.length).toBeGreaterThanOrEqual(2_000);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
  }, 90_000);

  it('names the parameter of %FF, overlong %C0%AF, %ZZ and %00 in q, sent raw', async () => {
    for (const escape of ['%FF', '%C0%AF', '%ZZ', '%00', '%1B']) {
      const answer = await exchange(build('check', { target: `/v1/search?kind=call&q=a${escape}` }));

      expect(answer.status).toBe(400);
      const body = JSON.parse(answer.body.toString('utf8')) as { issues: { path: string[] }[]; requestId: string };
      expect(body.issues.map((issue) => issue.path)).toEqual([['q']]);
      expect(answer.headers['x-request-id']).toBe(body.requestId);
    }
  });

  it('writes the stack URL, not a forged Host, into the OpenAPI servers and feed links', async () => {
    const headers = [`Host: ${forgedHost}`, 'X-Forwarded-Proto: http'];

    const openapi = await exchange(build('check', { target: '/v1/openapi.json', headers }));
    const rss = await exchange(build('check', { target: '/v1/feed.rss?kind=call', headers }));

    expect((JSON.parse(openapi.body.toString('utf8')) as { servers: unknown }).servers).toEqual([
      { url: stack.apiUrl },
    ]);
    expect(rss.body.toString('utf8')).toContain(`<atom:link href="${stack.apiUrl}/v1/feed.rss?kind=call" rel="self"`);
  });

  it('mails and answers a subscription under a forged Host with the stack URL only', async () => {
    const body = JSON.stringify({ email: 'host-check@example.jp', searches: [{ kind: ['call'] }] });
    const headers = [`Host: ${forgedHost}`, 'X-Forwarded-Proto: http', 'Content-Type: application/json'];

    const answer = await exchange(build('check', { method: 'POST', target: '/v1/subscriptions', headers, body }));
    const files = readdirSync(stack.outboxDir).filter((file) => file.endsWith('.eml'));
    const parsed = await Promise.all(files.map((file) => simpleParser(readFileSync(join(stack.outboxDir, file)))));
    // Decoded text and HTML parts, and the headers (List-Unsubscribe), as a reader's client shows them.
    const mails = parsed.map(
      (mail) => `${mail.text ?? ''}\n${String(mail.html)}\n${JSON.stringify([...mail.headers])}`,
    );

    expect(answer.status).toBe(202);
    expect(answer.body.toString('utf8')).not.toContain(forgedHost);
    expect(mails.length).toBeGreaterThan(0);
    for (const mail of mails) expect(mail).not.toContain(forgedHost);
    expect(mails.some((mail) => mail.includes(stack.apiUrl))).toBe(true);
  });
});
