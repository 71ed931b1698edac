/**
 * The crawler's view of the web: one polite, conditional, charset-aware GET. The real adapter
 * (`PoliteFetcher`) honours robots.txt, paces per host, follows at most 5 redirects to allowed
 * hosts, caps body size and retries 429/5xx with backoff; tests run it against the local
 * sample-site server, never the internet.
 */
export interface FetchRequest {
  readonly url: string;
  /** Stored validators from the previous fetch, for a conditional GET. */
  readonly etag?: string;
  readonly lastModified?: string;
  /** Per-source charset override (`shift_jis`, `euc-jp`, `utf-8`); wins over everything else. */
  readonly charset?: string;
}

export interface FetchedPage {
  readonly status: 'ok';
  /** The URL asked for. */
  readonly url: string;
  /** The URL after redirects; relative links resolve against it. */
  readonly finalUrl: string;
  readonly httpStatus: number;
  readonly contentType?: string;
  /** The charset the body was decoded with, and where it came from. */
  readonly charset: string;
  readonly charsetSource: 'override' | 'header' | 'bom' | 'declaration' | 'detected';
  /** Decoded text. */
  readonly text: string;
  /** The raw body, as received. */
  readonly body: Buffer;
  readonly etag?: string;
  readonly lastModified?: string;
}

export interface NotModified {
  readonly status: 'not-modified';
  readonly url: string;
  readonly finalUrl: string;
}

export type FetchResult = FetchedPage | NotModified;

export interface HttpFetcher {
  /**
   * Fetches one URL. Throws `RetryLaterError` when the site asked us to slow down and retries
   * are used up, `PermanentFetchError` for 4xx, robots disallow, redirect loops or foreign hosts,
   * oversized bodies, undecodable text and bot walls (403 / empty 202 to our agent).
   */
  fetch(request: FetchRequest): Promise<FetchResult>;
}
