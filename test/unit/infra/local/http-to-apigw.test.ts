import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { apiGatewayListener, fromApiGatewayResult, toApiGatewayEvent } from '../../../../infra/local/http-to-apigw.js';
import { testApi } from '../../functions/api/api-test-deps.js';

const fixture = (name: string): APIGatewayProxyEventV2 =>
  JSON.parse(
    readFileSync(new URL(`../../../fixtures/events/${name}`, import.meta.url), 'utf8'),
  ) as APIGatewayProxyEventV2;

/** Rebuilds the Node request a recorded event came from and converts it back. */
function replay(recorded: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = { ...(recorded.headers as Record<string, string>) };
  if (recorded.cookies) headers.cookie = recorded.cookies.join('; ');
  return toApiGatewayEvent({
    method: recorded.requestContext.http.method,
    url: recorded.rawQueryString ? `${recorded.rawPath}?${recorded.rawQueryString}` : recorded.rawPath,
    headers,
    body:
      recorded.body === undefined
        ? undefined
        : Buffer.from(recorded.body, recorded.isBase64Encoded ? 'base64' : 'utf8'),
    sourceIp: recorded.requestContext.http.sourceIp,
    requestId: recorded.requestContext.requestId,
    now: new Date(recorded.requestContext.timeEpoch),
  });
}

describe('toApiGatewayEvent', () => {
  it.each([
    'apigw-search-get.json',
    'apigw-item-get.json',
    'apigw-preflight-options.json',
    'apigw-subscription-post.json',
  ])('produces the recorded payload 2.0 shape of %s', (name) => {
    const recorded = fixture(name);

    const event = replay(recorded);

    expect(event.version).toBe('2.0');
    expect(event.rawPath).toBe(recorded.rawPath);
    expect(event.rawQueryString).toBe(recorded.rawQueryString);
    expect(event.headers).toEqual(recorded.headers);
    expect(event.cookies).toEqual(recorded.cookies);
    expect(event.queryStringParameters).toEqual(recorded.queryStringParameters);
    expect(event.body).toEqual(recorded.body);
    expect(event.isBase64Encoded).toBe(recorded.isBase64Encoded);
    expect(event.requestContext.http).toEqual(recorded.requestContext.http);
    expect(event.requestContext.time).toBe(recorded.requestContext.time);
    expect(event.requestContext.timeEpoch).toBe(recorded.requestContext.timeEpoch);
    expect(event.requestContext.domainName).toBe(recorded.requestContext.domainName);
    expect(event.requestContext.domainPrefix).toBe(recorded.requestContext.domainPrefix);
    expect(Object.keys(event.requestContext).sort()).toEqual(Object.keys(recorded.requestContext).sort());
  });

  it('joins repeated query keys with commas in queryStringParameters and keeps them in rawQueryString', () => {
    const event = toApiGatewayEvent({ method: 'GET', url: '/v1/search?kind=call&kind=news&q=a+b' });

    expect(event.queryStringParameters).toEqual({ kind: 'call,news', q: 'a b' });
    expect(event.rawQueryString).toBe('kind=call&kind=news&q=a+b');
  });

  it('base64-encodes binary bodies', () => {
    const event = toApiGatewayEvent({
      method: 'POST',
      url: '/x',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([0, 255, 1]),
    });

    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(Buffer.from([0, 255, 1]));
  });
});

describe('recorded events through the API handler', () => {
  it('answers the recorded search with 200 JSON and CORS headers', async () => {
    const api = await testApi();
    const { buildApiHandler } = await import('../../../../functions/api/handler-builder.js');
    const handler = buildApiHandler(api.deps);

    const result = await handler(fixture('apigw-search-get.json'));

    expect(result.statusCode).toBe(200);
    expect(result.headers?.['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(result.body ?? '{}')).toHaveProperty('facets');
  });

  it('answers the recorded item request with 404 for an unknown id and the recorded preflight with 204', async () => {
    const api = await testApi();
    const { buildApiHandler } = await import('../../../../functions/api/handler-builder.js');
    const handler = buildApiHandler(api.deps);

    const item = await handler(fixture('apigw-item-get.json'));
    const preflight = await handler(fixture('apigw-preflight-options.json'));

    expect(item.statusCode).toBe(404);
    expect(JSON.parse(item.body ?? '{}')).toMatchObject({ error: 'NotFoundError', requestId: 'CkWgKhXYtjMEJKg=' });
    expect(preflight.statusCode).toBe(204);
  });
});

describe('fromApiGatewayResult', () => {
  it('sends a structured result as is, cookies as Set-Cookie', () => {
    const parts = fromApiGatewayResult({
      statusCode: 201,
      headers: { 'X-A': '1' },
      cookies: ['a=1', 'b=2'],
      body: 'ok',
    });

    expect(parts).toEqual({
      statusCode: 201,
      headers: { 'x-a': '1', 'set-cookie': ['a=1', 'b=2'] },
      body: Buffer.from('ok'),
    });
  });

  it('decodes base64 bodies', () => {
    expect(fromApiGatewayResult({ statusCode: 200, body: 'AP8B', isBase64Encoded: true }).body).toEqual(
      Buffer.from([0, 255, 1]),
    );
  });

  it('treats a plain value as a 200 JSON body, like API Gateway', () => {
    const parts = fromApiGatewayResult({ hello: 'world' } as never);

    expect(parts.statusCode).toBe(200);
    expect(parts.headers['content-type']).toBe('application/json');
    expect(parts.body.toString()).toBe('{"hello":"world"}');
  });
});

describe('apiGatewayListener', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  async function serve(handler: Parameters<typeof apiGatewayListener>[0]): Promise<string> {
    server = createServer(apiGatewayListener(handler));
    await new Promise<void>((done) => server?.listen(0, '127.0.0.1', () => done()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('hands the handler the request as an event with X-Forwarded headers and writes its result', async () => {
    let seen: APIGatewayProxyEventV2 | undefined;
    const url = await serve(async (event) => {
      seen = event;
      return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'こんにちは' };
    });

    const response = await fetch(`${url}/v1/search?q=%E5%8D%8A&kind=call&kind=news`, { headers: { 'X-Custom': 'A' } });

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('こんにちは');
    expect(seen?.rawQueryString).toBe('q=%E5%8D%8A&kind=call&kind=news');
    expect(seen?.headers['x-custom']).toBe('A');
    expect(seen?.headers['x-forwarded-proto']).toBe('http');
    expect(seen?.requestContext.http.method).toBe('GET');
  });

  it('sends no body for HEAD and a 500 like API Gateway when the handler throws', async () => {
    const url = await serve(async (event) => {
      if (event.rawPath === '/boom') throw new Error('boom');
      return { statusCode: 200, body: 'body' };
    });

    const head = await fetch(`${url}/x`, { method: 'HEAD' });
    const boom = await fetch(`${url}/boom`);

    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ message: 'Internal Server Error' });
  });
});
