/**
 * The whole error taxonomy. Names say what the caller should do; an error's `name` is its class's
 * name, set once by `AppError` (the Lambda bundles are minified with `keepNames`, so class names
 * survive). Wrap with `{ cause }`, never lose the original.
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
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input from outside (HTTP, event, file, command line) does not have the expected form. Maps to 400. */
export class InvalidInputError extends AppError {
  constructor(
    readonly issues: readonly Issue[],
    options?: ErrorOptions,
  ) {
    super(formatIssues(issues), options);
  }
}

/** The thing asked for does not exist. Maps to 404. */
export class NotFoundError extends AppError {}

/** A conditional write lost a race or the state does not allow the operation. Maps to 409. */
export class ConflictError extends AppError {}

/** The caller sent too many requests. Maps to 429. */
export class TooManyRequestsError extends AppError {
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
  readonly reason = 'robots' as const;
}

/** Configuration (environment, registry file, CDK context) is invalid. Fails the cold start. */
export class ConfigError extends AppError {}

/**
 * A cloud service we call (a queue, a table) refused part of a request or did not get ready in
 * time; nothing was lost on our side. Retry the whole operation later: a Lambda lets the batch
 * item fail so the platform retries it. It arises off the request path (enqueueing, table setup),
 * so unlike the storage and search errors it has no 503 mapping (a 500 if it ever reaches the API).
 */
export class ServiceUnavailableError extends AppError {
  constructor(
    message: string,
    /** The service, e.g. `sqs`, `dynamodb`. */
    readonly service: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Another service or process answered in a way we cannot use (an error, or an answer missing what it
 * must hold), and whether it acted is unknown. Do not retry blindly (a mail may have gone out):
 * report the message, which carries the other side's reason.
 */
export class UpstreamError extends AppError {
  constructor(
    message: string,
    /** Who answered, e.g. `ses`, `local stack`. */
    readonly upstream: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Data we stored (an index snapshot, its CURRENT file) cannot be read back as written. Retrying
 * will not help: rebuild it from its source of truth (`chiiki reindex` for the search index).
 */
export class CorruptDataError extends AppError {
  /** The file or folder that holds the bad data, when known. */
  readonly path?: string;
  constructor(message: string, options?: ErrorOptions & { readonly path?: string }) {
    super(message, options);
    this.path = options?.path;
  }
}

/**
 * A condition the code guarantees did not hold: a bug, not bad input or a failing service. Do not
 * retry; report it with its stack.
 */
export class InternalError extends AppError {}

/**
 * The page is not what the source's definition expects (not a feed, truncated, no items where items
 * must be). Record it on the crawl run, where the source's health shows it; the next run reads the page again.
 */
export class ExtractionError extends AppError {}

/**
 * The rebuilt index did not match the store by content after repairs; the live index was left
 * untouched. Run the reindex again once writes have settled.
 */
export class ReindexMismatchError extends AppError {}

/**
 * A reindex failed and its half-built index could not be removed either; both errors are in the
 * message. The live index is untouched; the next reindex removes the orphan.
 */
export class ReindexCleanupError extends AppError {}

/** OpenSearch refused a request or kept failing items after retries. Do not retry as sent; report it. */
export class SearchBackendError extends AppError {}

/** OpenSearch answered with an error status the caller did not ask to see; `meta` holds the status and body. */
export class OpenSearchResponseError extends AppError {
  /** The shape `OpenSearchSearchIndex` (and opensearch-js) report errors with. */
  readonly meta: { readonly statusCode: number; readonly body: unknown };

  constructor(method: string, path: string, statusCode: number, body: unknown) {
    super(`opensearch ${method} ${path} answered ${statusCode}: ${JSON.stringify(body).slice(0, 500)}`);
    this.meta = { statusCode, body };
  }
}
