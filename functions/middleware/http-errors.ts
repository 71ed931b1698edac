import type { MiddlewareObj } from '@middy/core';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  SearchUnavailableError,
  StorageUnavailableError,
  TooManyRequestsError,
} from '../../shared/errors.js';
import type { Log } from '../../shared/log.js';
import { requestIdOf, type HttpEvent, type HttpResult } from './http-event.js';

/** The one error body every API error uses. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly issues?: readonly { readonly path: readonly (string | number)[]; readonly message: string }[];
  readonly requestId: string;
}

/**
 * The only place that maps errors to HTTP statuses: `InvalidInputError`→400 (with `issues`),
 * `NotFoundError`→404, `ConflictError`→409, `TooManyRequestsError`→429 with `Retry-After`,
 * `StorageUnavailableError`→503 with `Retry-After` (logged with the folder, which the body does not show),
 * `SearchUnavailableError`→503 with `Retry-After` (the engine's address and reason are logged, not shown).
 * Anything else is logged with its stack (and cause) and becomes a 500 that shows nothing internal.
 */
export function httpErrors(log: Log): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    name: 'httpErrors',
    onError: (request) => {
      const requestId = requestIdOf(request.event, request.context);
      const error = request.error;
      const mapped = toErrorResponse(error, requestId);
      if (mapped.statusCode >= 500) {
        log.error('request failed', {
          requestId,
          name: error instanceof Error ? error.name : typeof error,
          error: error instanceof Error ? error.message : String(error),
          ...(error instanceof StorageUnavailableError ? { folder: error.folder } : {}),
          stack: error instanceof Error ? error.stack : undefined,
          ...(error instanceof Error && error.cause !== undefined ? { cause: error.cause } : {}),
        });
      }
      request.response = mapped;
    },
  };
}

/** Builds the response for an error; exported for the local HTTP server's last-resort path. */
export function toErrorResponse(error: unknown, requestId: string): HttpResult {
  if (error instanceof InvalidInputError) {
    return errorResult(400, {
      error: 'InvalidInputError',
      message: error.message,
      issues: error.issues.map((issue) => ({ path: [...issue.path], message: issue.message })),
      requestId,
    });
  }
  if (error instanceof NotFoundError) {
    return errorResult(404, { error: 'NotFoundError', message: error.message, requestId });
  }
  if (error instanceof ConflictError) {
    return errorResult(409, { error: 'ConflictError', message: error.message, requestId });
  }
  if (error instanceof TooManyRequestsError) {
    return retryLaterResult(
      429,
      { error: 'TooManyRequestsError', message: error.message, requestId },
      error.retryAfterSec,
    );
  }
  if (error instanceof StorageUnavailableError) {
    return retryLaterResult(
      503,
      { error: 'StorageUnavailableError', message: 'the service cannot store data right now; retry later', requestId },
      error.retryAfterSec,
    );
  }
  if (error instanceof SearchUnavailableError) {
    return retryLaterResult(
      503,
      {
        error: 'SearchUnavailableError',
        message: 'search is unavailable right now; retry later (items can still be read by id)',
        requestId,
      },
      error.retryAfterSec,
    );
  }
  return errorResult(500, {
    error: 'InternalError',
    message: 'the request failed on our side; quote the requestId when reporting it',
    requestId,
  });
}

/** An error result with `retry-after`: the wait in whole seconds, at least 1. */
function retryLaterResult(statusCode: number, body: ErrorBody, retryAfterSec: number): HttpResult {
  const result = errorResult(statusCode, body);
  result.headers = { ...result.headers, 'retry-after': String(Math.max(1, Math.ceil(retryAfterSec))) };
  return result;
}

function errorResult(statusCode: number, body: ErrorBody): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}
