import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { OpenSearchResponseError, SearchUnavailableError } from '../errors.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { OpenSearchTransportClient } from './opensearch-search-index.js';

/**
 * The OpenSearch REST client the adapter talks through: `fetch` plus AWS Signature Version 4
 * for Amazon OpenSearch Service, nothing else. The adapter only ever sends a method, a path, a
 * JSON (or NDJSON bulk) body and a query string, so a full client library (260 KB in every
 * bundle) buys nothing; signing is the AWS SDK's own signer. The integration suite runs the whole
 * adapter contract through this client against a real node, and test/unit checks the signatures
 * against known-good ones.
 */

/** Credentials as the AWS SDK's providers return them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}
export type CredentialsProvider = () => Promise<AwsCredentials>;

export interface OpenSearchClientOptions {
  readonly endpoint: string;
  /** Sign requests with SigV4 (Amazon OpenSearch Service); plain HTTP otherwise (the local node). */
  readonly sigv4: boolean;
  readonly region: string;
  /** Per attempt, connecting and reading the whole answer included (default 30 s). */
  readonly requestTimeoutMs?: number;
  /**
   * Budget of one request, attempts and pauses between them included (default: none, so at most
   * `(maxRetries + 1) × requestTimeoutMs` plus pauses). An attempt gets what is left of it, and no
   * retry starts without time for it; the API sets it so a search fails within its bound.
   */
  readonly totalTimeoutMs?: number;
  /** Further attempts after a network error, a timeout or a 502/503/504 (default 2). */
  readonly maxRetries?: number;
  /**
   * Fails requests fast while the engine is unreachable (shared by every request of this client):
   * each request takes a permit and reports whether the engine answered. Default: none.
   */
  readonly breaker?: CircuitBreaker;
  /** Default: `defaultCredentials()`, resolved on the first signed request. */
  readonly credentials?: CredentialsProvider;
  /** Signing time (tests); default now. */
  readonly now?: () => Date;
}

type RequestParams = Parameters<OpenSearchTransportClient['transport']['request']>[0];
type RequestOptions = Parameters<OpenSearchTransportClient['transport']['request']>[1];

const retryStatuses = new Set([502, 503, 504]);
/** An attempt is not started with less time than this left in `totalTimeoutMs`. */
const minAttemptMs = 50;

/** One attempt's outcome: the engine answered, or it could not be reached in time. */
type Attempt =
  | { readonly answered: true; readonly status: number; readonly body: unknown }
  | { readonly answered: false; readonly error: unknown };

/**
 * Builds the client: SigV4-signed with the default AWS credential chain in AWS, plain locally.
 *
 * Errors: an error status the caller did not ignore throws `OpenSearchResponseError`; a request
 * the engine could not take (connection refused or reset, a timeout, 502/503/504 after the
 * retries, or an open `breaker`) throws `SearchUnavailableError`, which the API answers with 503.
 */
export function makeOpenSearchClient(options: OpenSearchClientOptions): OpenSearchTransportClient {
  const endpoint = new URL(options.endpoint);
  const base = endpoint.href.replace(/\/+$/u, '');
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const totalMs = options.totalTimeoutMs ?? Number.POSITIVE_INFINITY;
  const maxRetries = options.maxRetries ?? 2;
  const breaker = options.breaker;
  const retryAfterSec = Math.max(1, Math.ceil((breaker?.coolDownMs ?? 10_000) / 1000));
  let credentials = options.credentials;

  async function signer(): Promise<CredentialsProvider> {
    credentials ??= await defaultCredentials();
    return credentials;
  }

  async function attempt(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    attemptMs: number,
  ): Promise<Attempt> {
    // One signal for the whole exchange: a server that sends headers and then hangs times out too.
    const signal = AbortSignal.timeout(attemptMs);
    try {
      const sent = options.sigv4
        ? await signRequest(
            { method, url: new URL(url), headers, body: body ?? '' },
            { region: options.region, service: 'es', credentials: await (await signer())() },
            (options.now ?? (() => new Date()))(),
          )
        : headers;
      const response = await fetch(url, { method, headers: sent, ...(body !== undefined ? { body } : {}), signal });
      return { answered: true, status: response.status, body: await responseBody(response, method) };
    } catch (error) {
      // Credentials that cannot be loaded count as unreachable too: every request would fail alike.
      const reason = signal.aborted ? new Error(`no answer within ${attemptMs} ms`, { cause: error }) : error;
      return { answered: false, error: reason };
    }
  }

  async function request(params: RequestParams, requestOptions: RequestOptions = {}) {
    const method = params.method.toUpperCase();
    const query = queryStringOf(params.querystring);
    const url = `${base}${params.path}${query ? `?${query}` : ''}`;
    const body = bodyOf(params);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined)
      headers['content-type'] = params.bulkBody === undefined ? 'application/json' : 'application/x-ndjson';

    const permit = breaker?.acquire() ?? { ok: true };
    if (!permit.ok) {
      throw new SearchUnavailableError(
        `opensearch ${method} ${params.path} not sent: the engine failed ${breaker?.failureThreshold} times in a row (circuit open)`,
        Math.max(1, Math.ceil(permit.retryAfterMs / 1000)),
      );
    }
    const deadline = performance.now() + totalMs;
    for (let n = 0; ; n++) {
      const attemptMs = Math.max(1, Math.floor(Math.min(timeoutMs, deadline - performance.now())));
      const outcome = await attempt(method, url, headers, body, attemptMs);
      const retryable = !outcome.answered || retryStatuses.has(outcome.status);
      if (retryable && n < maxRetries && deadline - performance.now() - pauseMs(n) >= minAttemptMs) {
        await pause(n);
        continue;
      }
      if (!outcome.answered) {
        breaker?.failure();
        throw new SearchUnavailableError(
          `opensearch ${method} ${params.path} failed after ${n + 1} attempts: ${describeFailure(outcome.error)}`,
          retryAfterSec,
          { cause: outcome.error },
        );
      }
      if (retryable && !requestOptions.ignore?.includes(outcome.status)) {
        breaker?.failure();
        throw new SearchUnavailableError(
          `opensearch ${method} ${params.path} answered ${outcome.status} after ${n + 1} attempts: ${JSON.stringify(outcome.body).slice(0, 500)}`,
          retryAfterSec,
          { cause: new OpenSearchResponseError(method, params.path, outcome.status, outcome.body) },
        );
      }
      breaker?.success();
      if (outcome.status >= 400 && !requestOptions.ignore?.includes(outcome.status))
        throw new OpenSearchResponseError(method, params.path, outcome.status, outcome.body);
      return { statusCode: outcome.status, body: outcome.body };
    }
  }

  return { transport: { request } };
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, a reset) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/**
 * The AWS SDK's default credential chain (environment, profiles, SSO, container and instance
 * metadata), loaded on first use. Wirings that already hold the environment's credentials (a
 * Lambda function always has them) pass those instead and never load the chain, which costs tens
 * of milliseconds of a cold start.
 */
export async function defaultCredentials(): Promise<CredentialsProvider> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  return defaultProvider();
}

const pauseMs = (attempt: number) => 100 * 2 ** attempt;

function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, pauseMs(attempt)));
}

function bodyOf(params: RequestParams): string | undefined {
  if (params.bulkBody !== undefined) {
    const lines = Array.isArray(params.bulkBody) ? params.bulkBody : [params.bulkBody];
    return `${lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n')}\n`;
  }
  if (params.body === undefined || params.body === null) return undefined;
  return typeof params.body === 'string' ? params.body : JSON.stringify(params.body);
}

async function responseBody(response: Response, method: string): Promise<unknown> {
  return parseBody(await response.text(), response, method);
}

function parseBody(text: string, response: Response, method: string): unknown {
  if (method === 'HEAD' || text === '') return response.status < 400;
  if (!(response.headers.get('content-type') ?? '').includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function queryStringOf(querystring: RequestParams['querystring']): string {
  if (querystring === undefined) return '';
  if (typeof querystring === 'string') return querystring.replace(/^\?/u, '');
  return Object.entries(querystring)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${escapeUri(key)}=${escapeUri(String(value))}`)
    .join('&');
}

/** RFC 3986 percent-encoding, as SigV4 canonical requests use it. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/gu, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * AWS Signature Version 4 by the AWS SDK's own signer (`@smithy/signature-v4`, with the SDK's
 * Node.js SHA-256): returns the headers to send, with `host`, `x-amz-date`,
 * `x-amz-content-sha256`, the session token when there is one, and `authorization`. Paths are
 * normalised and encoded twice, as for every service but S3.
 */
export async function signRequest(
  request: { method: string; url: URL; headers: Readonly<Record<string, string>>; body: string },
  scope: { region: string; service: string; credentials: AwsCredentials },
  at: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: scope.service,
    region: scope.region,
    credentials: scope.credentials,
    sha256: Sha256,
  });
  const { url } = request;
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: queryOf(url.searchParams),
      headers: {
        ...Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
        host: url.host,
      },
      body: request.body,
    },
    { signingDate: at },
  );
  return signed.headers;
}

/** The query as the signer takes it: a repeated key keeps all of its values. */
function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    const seen = query[key];
    query[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return query;
}
