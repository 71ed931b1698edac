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

/** Resolves `href` against `base`; `undefined` for empty, `javascript:`/`mailto:` or unparseable links. */
export function absoluteUrl(href: string | undefined, base: string | URL): string | undefined {
  const trimmed = href?.trim();
  if (!trimmed || /^(javascript|mailto|tel):/i.test(trimmed)) return undefined;
  try {
    const url = new URL(trimmed, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.href;
  } catch {
    return undefined;
  }
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
