import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { RecentMap } from '../../shared/recent-map.js';

/**
 * Runs a Lambda HTTP API handler behind a Node HTTP server, the way API Gateway HTTP API
 * (payload format 2.0, `$default` route) would: requests become v2 events, results become
 * responses. Follows the documented format: lower-case header names with repeated values
 * joined by commas, `cookies` split out, `queryStringParameters` decoded with repeated keys
 * joined by commas, `rawQueryString` as sent, text bodies as UTF-8 and binary ones base64.
 */

export interface EventInput {
  readonly method: string;
  /** Path and query as on the request line: `/v1/search?q=%E3%82%AF`. */
  readonly url: string;
  /** Header name → value(s), any case. */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body?: Buffer;
  readonly sourceIp?: string;
  /** Port the client connected to; with it, the X-Forwarded-* headers API Gateway adds are set (proto http). */
  readonly localPort?: number;
  readonly requestId?: string;
  readonly now?: Date;
}

const textTypes = /^(text\/|application\/(json|xml|x-www-form-urlencoded|[a-z.+-]*\+(json|xml))|multipart\/form-data)/i;
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Builds the payload 2.0 event API Gateway would send for this request. */
export function toApiGatewayEvent(input: EventInput): APIGatewayProxyEventV2 {
  const now = input.now ?? new Date();
  const [rawPathPart = '/', ...rest] = input.url.split('?');
  const rawQueryString = rest.join('?');
  const rawPath = rawPathPart || '/';
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const values = typeof value === 'string' ? [value] : [...value];
    if (lower === 'cookie') {
      cookies = values
        .flatMap((v) => v.split(';'))
        .map((c) => c.trim())
        .filter(Boolean);
      continue;
    }
    headers[lower] = headers[lower] !== undefined ? `${headers[lower]},${values.join(',')}` : values.join(',');
  }
  if (input.localPort !== undefined) {
    // API Gateway adds these; routes build self links from them.
    const forwardedFor = input.sourceIp ?? '127.0.0.1';
    headers['x-forwarded-for'] = headers['x-forwarded-for']
      ? `${headers['x-forwarded-for']}, ${forwardedFor}`
      : forwardedFor;
    headers['x-forwarded-port'] = String(input.localPort);
    headers['x-forwarded-proto'] = 'http';
  }
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    query[key] = query[key] !== undefined ? `${query[key]},${value}` : value;
  }
  let path: string;
  try {
    path = decodeURI(rawPath);
  } catch {
    path = rawPath;
  }
  const body = input.body && input.body.length > 0 ? input.body : undefined;
  const isText = body !== undefined && textTypes.test(headers['content-type'] ?? '');
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: (headers.host ?? 'localhost').replace(/:\d+$/, ''),
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]?.replace(/:\d+$/, '') ?? 'localhost',
      http: {
        method: input.method.toUpperCase(),
        path,
        protocol: 'HTTP/1.1',
        sourceIp: input.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId ?? randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: body !== undefined && !isText,
  };
  if (cookies) event.cookies = cookies;
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  if (body !== undefined) event.body = isText ? body.toString('utf8') : body.toString('base64');
  return event;
}

/** `28/Nov/2026:15:03:58 +0000`, as API Gateway writes requestContext.time. */
function clfTime(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

export interface HttpResponseParts {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/**
 * Turns a handler result into status, headers and body as API Gateway would: a structured
 * result (`statusCode` present) is used as is; anything else is a 200 JSON body (a string
 * result is sent verbatim, other values JSON-encoded).
 */
export function fromApiGatewayResult(result: APIGatewayProxyResultV2 | undefined): HttpResponseParts {
  if (
    result !== null &&
    typeof result === 'object' &&
    'statusCode' in result &&
    typeof result.statusCode === 'number'
  ) {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
    if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = [...result.cookies];
    const raw = result.body ?? '';
    const body = bytesOf(raw, result.isBase64Encoded ? 'base64' : 'utf8');
    return { statusCode: result.statusCode, headers, body };
  }
  const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(text, 'utf8') };
}

/**
 * The bytes of a body: UTF-8 text, or base64 (binary, or compressed with Brotli or gzip). A search page served
 * again from the API's micro-cache is the same string object each time, so the bytes of recent
 * bodies are kept (V8 keeps a string's hash, so finding them again is cheap); bodies are never
 * written to, so sharing the buffer is safe.
 */
function bytesOf(text: string, encoding: 'utf8' | 'base64'): Buffer {
  if (text.length < recentBodyMinChars || text.length > recentBodyMaxChars) return Buffer.from(text, encoding);
  const recent = recentBodies[encoding];
  let bytes = recent.get(text);
  if (bytes === undefined) {
    bytes = Buffer.from(text, encoding);
    recent.set(text, bytes);
  }
  return bytes;
}
const recentBodyLimits = {
  maxEntries: 256,
  maxWeight: 16 * 1024 * 1024,
  weigh: (_: string, bytes: Buffer) => bytes.length,
};
const recentBodies = { utf8: new RecentMap<Buffer>(recentBodyLimits), base64: new RecentMap<Buffer>(recentBodyLimits) };
const recentBodyMinChars = 1024;
const recentBodyMaxChars = 128 * 1024;

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: object) => Promise<APIGatewayProxyResultV2>;

/** A Node `request` listener that runs `handler` for every request. */
export function apiGatewayListener(
  handler: LambdaHttpHandler,
  onError: (error: unknown) => void = () => {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const event = toApiGatewayEvent({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
        localPort: req.socket.localPort,
      });
      handler(event, { awsRequestId: event.requestContext.requestId, functionName: 'api-local' })
        .then((result) => {
          const parts = fromApiGatewayResult(result);
          res.writeHead(parts.statusCode, { ...parts.headers, 'content-length': String(parts.body.length) });
          res.end(req.method === 'HEAD' ? undefined : parts.body);
        })
        .catch((error: unknown) => {
          // API Gateway answers an unhandled Lambda error with this exact body.
          onError(error);
          const body = Buffer.from(JSON.stringify({ message: 'Internal Server Error' }));
          res.writeHead(500, { 'content-type': 'application/json', 'content-length': String(body.length) });
          res.end(body);
        });
    });
    req.on('error', onError);
  };
}
