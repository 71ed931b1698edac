/**
 * The whole error taxonomy. Names say what the caller should do; every class sets `name`
 * explicitly because bundles are minified. Wrap with `{ cause }`, never lose the original.
 */

/** One problem with an input value, with the path to it (zod issue paths are kept). */
export interface Issue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

function formatIssues(issues: readonly Issue[]): string {
  return issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

export class AppError extends Error {
  override name = 'AppError';
}

/** Input from outside (HTTP, event, file, command line) does not have the expected form. Maps to 400. */
export class InvalidInputError extends AppError {
  override name = 'InvalidInputError';
  constructor(
    readonly issues: readonly Issue[],
    options?: ErrorOptions,
  ) {
    super(formatIssues(issues), options);
  }
}

/** The thing asked for does not exist. Maps to 404. */
export class NotFoundError extends AppError {
  override name = 'NotFoundError';
}

/** A conditional write lost a race or the state does not allow the operation. Maps to 409. */
export class ConflictError extends AppError {
  override name = 'ConflictError';
}

/** The caller sent too many requests. Maps to 429. */
export class TooManyRequestsError extends AppError {
  override name = 'TooManyRequestsError';
  constructor(
    message: string,
    readonly retryAfterSec: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A write to local storage failed (disk full, permission denied, read-only file system). The
 * data is intact; retry after `retryAfterSec`, once the operator has freed or fixed `folder`. Maps to 503.
 */
export class StorageUnavailableError extends AppError {
  override name = 'StorageUnavailableError';
  constructor(
    message: string,
    readonly folder: string,
    readonly retryAfterSec = 30,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The search engine cannot answer now: connection refused, a timeout, a 502/503/504 after the
 * client's retries, or its circuit breaker is open (it fails fast while the engine is down). Reads
 * from the store still work; retry the search after `retryAfterSec`. Maps to 503.
 */
export class SearchUnavailableError extends AppError {
  override name = 'SearchUnavailableError';
  constructor(
    message: string,
    readonly retryAfterSec = 10,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The site asked us to slow down (429/503 with Retry-After) or failed transiently. Requeue; not a failure. */
export class RetryLaterError extends AppError {
  override name = 'RetryLaterError';
  /** The HTTP status that made us wait (429, 503, other 5xx); absent for network errors. */
  readonly status?: number;
  constructor(
    message: string,
    readonly retryAfterSec?: number,
    options?: ErrorOptions & { readonly status?: number },
  ) {
    super(message, options);
    this.status = options?.status;
  }
}

/** 404/410, robots.txt disallow, forbidden redirect, oversized or unparseable page. Record it; do not retry. */
export class PermanentFetchError extends AppError {
  override name = 'PermanentFetchError';
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** robots.txt forbids the URL to our agent. Record the URL as skipped by robots (not as a failure); do not retry. */
export class RobotsDisallowedError extends PermanentFetchError {
  override name = 'RobotsDisallowedError';
  readonly reason = 'robots' as const;
}

/** Configuration (environment, registry file, CDK context) is invalid. Fails the cold start. */
export class ConfigError extends AppError {
  override name = 'ConfigError';
}
