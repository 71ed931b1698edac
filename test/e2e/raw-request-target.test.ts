import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { encodedRequestLine } from '../../infra/local/raw-request-target.js';
import { startCrawledSampleStack, type CrawledSampleStack } from '../support/sample-stack.js';

/**
 * Requests as raw bytes on a socket (fetch and curl's --url-encoding would hide the case): the
 * README's `curl 'http://localhost:3000/v1/search?q=クラスター&status=open'` sends UTF-8 raw in the
 * request line, which Node's parser refuses with a bare 400 unless the local server re-encodes it.
 */
let sample: CrawledSampleStack;
let stack: LocalStack;
let port: number;

beforeAll(async () => {
  sample = await startCrawledSampleStack('chiiki-raw-');
  ({ stack, port } = sample);
}, 120_000);

afterAll(() => sample?.close());

/** Sends `bytes` and reads until the server closes the connection (the last request says `Connection: close`). */
function exchange(bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    // Written, not ended: a half-closed client would have its pipelined requests dropped.
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
  });
}

const request = (target: string, headers = '') =>
  Buffer.concat([Buffer.from(`GET ${target} HTTP/1.1\r\nHost: localhost\r\n${headers}`), Buffer.from('\r\n')]);

describe('raw request targets on the local server', () => {
  it('answers the README example with its Japanese sent raw, as curl sends it, like the encoded request', async () => {
    const raw = await exchange(request('/v1/search?q=クラスター&status=open', 'Connection: close\r\n'));
    const encoded = await (
      await fetch(`${stack.apiUrl}/v1/search?q=${encodeURIComponent('クラスター')}&status=open`)
    ).json();

    expect(raw.startsWith('HTTP/1.1 200 OK')).toBe(true);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { total: number; items: { id: string }[] };
    expect(body.total).toBeGreaterThanOrEqual(3);
    expect(body.items.map((i) => i.id)).toEqual((encoded as { items: { id: string }[] }).items.map((i) => i.id));
  });

  it('keeps the connection: a second request after the re-encoded one is answered too', async () => {
    const text = await exchange(
      Buffer.concat([request('/v1/search?q=半導体'), request('/v1/health', 'Connection: close\r\n')]),
    );

    expect(text.match(/HTTP\/1\.1 200 OK\r\n/g)).toHaveLength(2);
    expect(text).toContain('"status":"ok"');
  });

  it('answers what the parser still refuses with the JSON error shape and a request id, not a bare 400', async () => {
    const text = await exchange(Buffer.from('GARBAGE\r\n\r\n'));

    expect(text.startsWith('HTTP/1.1 400 Bad Request')).toBe(true);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { error: string; requestId: string };
    expect(body.error).toBe('InvalidInputError');
    expect(text).toContain(`X-Request-Id: ${body.requestId}`);
  });

  it('answers headers over 16 KB with a JSON 431', async () => {
    const text = await exchange(request('/v1/health', `X-Big: ${'a'.repeat(20_000)}\r\n`));

    expect(text.startsWith('HTTP/1.1 431')).toBe(true);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: 'InvalidInputError' });
  });
});

describe('encodedRequestLine', () => {
  it.each([
    ['GET /v1/search?q=クラスター HTTP/1.1', 'GET /v1/search?q=%E3%82%AF%E3%83%A9%E3%82%B9%E3%82%BF%E3%83%BC HTTP/1.1'],
    ['GET /v1/search?q=a b&x="<>" HTTP/1.1', 'GET /v1/search?q=a%20b&x=%22%3C%3E%22 HTTP/1.1'],
    ['GET /v1/search?q=\u0001\u007f HTTP/1.0', 'GET /v1/search?q=%01%7F HTTP/1.0'],
  ])('encodes %j', (line, expected) => {
    const fixed = encodedRequestLine(Buffer.from(`${line}\r\nHost: x\r\n\r\n`));

    expect(fixed?.toString('latin1')).toBe(`${expected}\r\nHost: x\r\n\r\n`);
  });

  it.each([['GET /v1/search?q=%E3%82%AF HTTP/1.1'], ['GARBAGE'], ['get /x HTTP/1.1'], ['GET /x HTTP/2.0']])(
    'leaves %j alone (nothing to encode, or not a request line)',
    (line) => {
      expect(encodedRequestLine(Buffer.from(`${line}\r\n\r\n`))).toBeUndefined();
    },
  );
});
