import type { MiddlewareObj } from '@middy/core';
import type { Log } from '../../shared/log.js';
import { requestIdOf, type HttpEvent, type HttpResult } from './http-event.js';

/** Path segments this long are tokens (confirm/unsubscribe links), never item ids; they are not logged. */
const tokenLikeLength = 32;

/**
 * One info line per request: method, path, status, duration and request id. No query string
 * (it may carry tokens), no bodies, no addresses, no user agent.
 */
export function requestLog(
  log: Log,
  now: () => number = () => performance.now(),
): MiddlewareObj<HttpEvent, HttpResult> {
  const started = new WeakMap<object, number>();
  const finish = (request: { event: HttpEvent; response: HttpResult | null | undefined; context: object }) => {
    const begin = started.get(request.event) ?? now();
    const event = request.event;
    log.info('request finished', {
      method: event.requestContext?.http?.method,
      path: redactPath(event.rawPath ?? event.requestContext?.http?.path ?? ''),
      status: request.response?.statusCode,
      durationMs: Math.round((now() - begin) * 10) / 10,
      requestId: requestIdOf(event, request.context),
    });
  };
  return {
    name: 'requestLog',
    before: (request) => {
      started.set(request.event, now());
    },
    after: (request) => finish(request),
    onError: (request) => finish(request),
  };
}

export function redactPath(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment.length >= tokenLikeLength ? ':redacted' : segment))
    .join('/');
}
