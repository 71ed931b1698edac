import robotsParserModule from 'robots-parser';

// robots-parser is CommonJS with an ES-style .d.ts: under NodeNext TypeScript types the default
// import as the module object, while Node hands us the function itself. Accept either.
const robotsParser: typeof robotsParserModule.default =
  typeof robotsParserModule === 'function' ? robotsParserModule : robotsParserModule.default;

/**
 * What robots.txt lets us do on one origin, per RFC 9309:
 * - `rules`: the file was fetched (2xx) and is obeyed;
 * - `allow-all`: the file is "unavailable" (4xx, including 404, or too many redirects), so
 *   every path may be crawled (§2.3.1.3);
 * - `unreachable`: the server failed (5xx, or 429 "too many requests") or could not be reached, so the whole origin is
 *   disallowed for now (§2.3.1.4); the fetch is retried on a later crawl.
 */
export type RobotsPolicy =
  | { readonly kind: 'rules'; readonly robotsUrl: string; isAllowed(url: string): boolean; crawlDelaySec?: number }
  | { readonly kind: 'allow-all'; readonly robotsUrl: string }
  | { readonly kind: 'unreachable'; readonly robotsUrl: string; readonly reason: string };

/** `https://host:port/robots.txt` for any URL on that origin. */
export function robotsUrlFor(url: string): string {
  return new URL('/robots.txt', url).href;
}

/**
 * Builds the policy from what fetching robots.txt produced. `userAgent` is our full UA string;
 * robots-parser matches groups on its product token (`chiiki-portal-crawler` of
 * `chiiki-portal-crawler/0.1 (+https://…)`), falling back to `*`.
 */
export function robotsPolicy(
  robotsUrl: string,
  userAgent: string,
  outcome: { readonly status: number; readonly text: string } | { readonly error: string },
): RobotsPolicy {
  if ('error' in outcome) return { kind: 'unreachable', robotsUrl, reason: outcome.error };
  const { status, text } = outcome;
  // 429 is a 4xx, but it means "not now", not "there is no file": treat it like a server error.
  if (status >= 500 || status === 429) {
    return { kind: 'unreachable', robotsUrl, reason: `robots.txt answered HTTP ${status}` };
  }
  if (status >= 400 || status < 200 || status >= 300) return { kind: 'allow-all', robotsUrl };
  const robot = robotsParser(robotsUrl, text);
  const crawlDelaySec = robot.getCrawlDelay(userAgent);
  return {
    kind: 'rules',
    robotsUrl,
    // robots-parser answers undefined for URLs of another origin; we only ask about our own.
    isAllowed: (url: string) => robot.isAllowed(url, userAgent) !== false,
    ...(crawlDelaySec !== undefined && Number.isFinite(crawlDelaySec) ? { crawlDelaySec } : {}),
  };
}
