import { webUrlProblem } from '../../../shared/domain/item.js';

/**
 * Link handling. `url` on an item is the link as the site printed it, made absolute against the
 * page's final URL (after redirects). `canonicalUrl` is the identity the store dedupes on:
 * - the fragment is dropped (`#notification` points into the same page),
 * - tracking parameters (`utm_*`, `fbclid`, `gclid`, `yclid`) are dropped, the rest keep their order,
 * - scheme and host are lower-cased, a default port is dropped,
 * - `http:` becomes `https:` only when the source says its host serves both (`canonicalHttps`),
 *   as MLIT's feed prints http links to pages served over https. Otherwise the scheme stays, so
 *   the same page reached over http and https is two ids only for sites that really differ.
 */

const trackingParam = /^(utm_[a-z]+|fbclid|gclid|yclid|mc_cid|mc_eid)$/i;

/**
 * Resolves `href` against `base` under the one URL policy (`webUrlProblem`: http or https,
 * absolute, no credentials, normalised, bounded length); `undefined` for empty, `javascript:`,
 * `data:`, `file:`, `mailto:`, credentialed, over-long or unparseable links.
 */
export function absoluteUrl(href: string | undefined, base: string | URL): string | undefined {
  const trimmed = href?.trim();
  if (!trimmed) return undefined;
  try {
    const { href: resolved } = new URL(trimmed, base);
    return webUrlProblem(resolved) === undefined ? resolved : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The origin check shared by redirects, next pages and detail links: `url` is http or https,
 * carries no credentials, and its host and port match one of `hosts`. An entry is
 * `host`, `host:port` or `*.domain` (every subdomain, optionally `:port`); an entry without a
 * port allows only the scheme's default port (80 for http, 443 for https), so
 * `http://example.go.jp:8080/` is another origin than `https://example.go.jp/`.
 * @example originAllowed(new URL('http://a.localhost:81/'), ['a.localhost:80']) // false
 */
export function originAllowed(url: URL, hosts: readonly string[]): boolean {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username !== '' || url.password !== '') return false;
  const hostname = url.hostname.toLowerCase();
  const port = url.port === '' ? '' : url.port;
  return hosts.some((entry) => {
    const match = /^(\*\.)?([^:]+)(?::(\d+))?$/.exec(entry.toLowerCase());
    if (!match) return false;
    const [, wildcard, name = '', entryPort = ''] = match;
    const defaultPort = url.protocol === 'http:' ? '80' : '443';
    const wantedPort = entryPort === defaultPort ? '' : entryPort;
    if (wantedPort !== port) return false;
    return wildcard ? hostname.endsWith(`.${name}`) : hostname === name;
  });
}

/** `next` downgrades `from` from https to http (a redirect we do not follow). */
export function isDowngrade(from: URL, next: URL): boolean {
  return from.protocol === 'https:' && next.protocol === 'http:';
}

/** The canonical form of an absolute URL (see the module comment). */
export function canonicalUrl(absolute: string, options: { https?: boolean } = {}): string {
  const url = new URL(absolute);
  url.hash = '';
  if (options.https && url.protocol === 'http:') url.protocol = 'https:';
  const kept = [...url.searchParams].filter(([key]) => !trackingParam.test(key));
  if (kept.length !== [...url.searchParams].length) {
    url.search = '';
    for (const [key, value] of kept) url.searchParams.append(key, value);
  }
  // URL already lower-cases the host and drops default ports.
  return url.href;
}
