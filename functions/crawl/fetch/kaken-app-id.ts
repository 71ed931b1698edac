import type { Source } from '../../../shared/domain/source.js';
import { ConfigError } from '../../../shared/errors.js';
import { errorFields, type Log } from '../../../shared/log.js';
import { kakenAppIdParam } from '../extract/kaken.js';
import type { FetchRequest, FetchResult, HttpFetcher } from './http-fetcher.js';

/**
 * The KAKEN application id (CiNii `appid`) is configuration, never registry data: it is added to
 * each KAKEN request on its way out and kept out of everything the crawl records. The crawl asks
 * for and stores URLs without it (URL state keys, item URLs, next-page links), and whatever comes
 * back through the fetcher (final URLs, error messages and stacks, the URL on an error) has it
 * replaced by `***`; `redactingLog` does the same for the fetcher's own log lines.
 */

/** What a run records when no application id is configured (docs/sources.md explains where to get one). */
export const kakenAppIdMissingMessage =
  'KAKEN needs an application id: set KAKEN_APP_ID (AWS: the secret named by KAKEN_APP_ID_SECRET_ARN); see docs/sources.md';

/**
 * The id the sample registry is crawled with when KAKEN_APP_ID is unset (`npm start`,
 * `chiiki crawl`): the sample KAKEN site ignores it, so themes show with nothing configured. Any
 * other registry needs a real id.
 */
export const sampleKakenAppId = 'local-sample-app-id';

/** The application id, loaded at most once and only when a KAKEN source is crawled. */
export class KakenAppId {
  private loading: Promise<string | undefined> | undefined;
  private known: string | undefined;

  /** `load` gives the id, or `undefined` when none is configured; it may read a secret store. */
  constructor(private readonly load: () => Promise<string | undefined> | string | undefined) {}

  /** The id; throws `ConfigError` (`kakenAppIdMissingMessage`) when none is configured. */
  async get(): Promise<string> {
    this.loading ??= Promise.resolve()
      .then(() => this.load())
      .then((id) => {
        this.known = id?.trim() || undefined;
        return this.known;
      });
    let id: string | undefined;
    try {
      id = await this.loading;
    } catch (error) {
      this.loading = undefined; // a failed secret read is tried again by the next run
      throw new ConfigError(`${kakenAppIdMissingMessage} (loading it failed)`, { cause: error });
    }
    if (!id) throw new ConfigError(kakenAppIdMissingMessage);
    return id;
  }

  /** `text` with the id, once loaded, replaced by `***` (plain and URL-encoded forms). */
  redact(text: string): string {
    const id = this.known;
    if (!id) return text;
    let out = text.split(id).join('***');
    const encoded = encodeURIComponent(id);
    if (encoded !== id) out = out.split(encoded).join('***');
    return out;
  }
}

function isKaken(source: Source): boolean {
  return source.kind === 'json' && source.adapter === 'kaken';
}

/** `url` with the `appid` parameter set. */
function withAppIdParam(url: string, appId: string): string {
  const u = new URL(url);
  u.searchParams.set(kakenAppIdParam, appId);
  return u.href;
}

/** `url` without its `appid` parameter (the other parameters keep their order). */
export function withoutAppIdParam(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (!u.searchParams.has(kakenAppIdParam)) return url;
  u.searchParams.delete(kakenAppIdParam);
  return u.href;
}

/** A fetcher that adds the application id to every request and redacts it from what comes back. */
export class KakenAppIdFetcher implements HttpFetcher {
  constructor(
    private readonly inner: HttpFetcher,
    private readonly appId: KakenAppId,
  ) {}

  async fetch(request: FetchRequest): Promise<FetchResult> {
    const id = await this.appId.get();
    const asked = withAppIdParam(request.url, id);
    let result: FetchResult;
    try {
      result = await this.inner.fetch({ ...request, url: asked });
    } catch (error) {
      throw this.redactError(error);
    }
    const finalUrl = result.finalUrl === asked ? request.url : this.appId.redact(withoutAppIdParam(result.finalUrl));
    return { ...result, url: request.url, finalUrl };
  }

  // The error keeps its class (the crawl records its name and status); only its words change.
  private redactError(error: unknown): unknown {
    if (!(error instanceof Error)) return new Error(this.appId.redact(String(error)));
    const fields: Record<string, unknown> = {
      message: this.appId.redact(error.message),
      ...(error.stack ? { stack: this.appId.redact(error.stack) } : {}),
    };
    const withUrl = error as Error & { url?: unknown };
    if (typeof withUrl.url === 'string') fields['url'] = this.appId.redact(withoutAppIdParam(withUrl.url));
    return Object.assign(error, fields);
  }
}

/**
 * Wraps a per-source fetcher factory so KAKEN sources get the application id and every other
 * source is untouched. With no id configured, a KAKEN source's first request fails with
 * `ConfigError` (`kakenAppIdMissingMessage`), which its crawl run records.
 */
export function withKakenAppId(
  fetcherFor: (source: Source) => HttpFetcher,
  appId: KakenAppId,
): (source: Source) => HttpFetcher {
  const wrapped = new Map<HttpFetcher, HttpFetcher>();
  return (source) => {
    const inner = fetcherFor(source);
    if (!isKaken(source)) return inner;
    let fetcher = wrapped.get(inner);
    if (!fetcher) {
      fetcher = new KakenAppIdFetcher(inner, appId);
      wrapped.set(inner, fetcher);
    }
    return fetcher;
  };
}

function redactValue(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  // An error keeps its name, stack and cause; the id is taken out of every word of them.
  if (value instanceof Error) return redactValue(errorFields(value), redact);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, redact));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, redact)]));
  return value;
}

/**
 * A log that passes every field through `appId.redact` first, for the fetcher's own lines (its
 * retry messages carry the URL it asked for, application id included).
 */
export function redactingLog(log: Log, appId: KakenAppId): Log {
  const clean = (data?: Record<string, unknown>) =>
    data === undefined ? undefined : (redactValue(data, (t) => appId.redact(t)) as Record<string, unknown>);
  return {
    debug: (message, data) => log.debug(message, clean(data)),
    info: (message, data) => log.info(message, clean(data)),
    warn: (message, data) => log.warn(message, clean(data)),
    error: (message, data) =>
      data instanceof Error ? log.error(message, clean({ error: data })) : log.error(message, clean(data)),
  };
}
