/** What `npm start` prints once the local stack listens. */
export interface StartBannerInfo {
  /** The listener's origin, e.g. `http://localhost:3000` (no trailing slash). */
  readonly apiUrl: string;
  readonly startedInMs: number;
  readonly registry: string;
  readonly sourceCount: number;
  readonly sampleSitesUrl?: string;
  readonly dataDir: string;
  /** The outbox folder or the SMTP URL mail goes to. */
  readonly mail: string;
  readonly indexedItems: number;
  readonly indexRebuilt: boolean;
  /** The OpenSearch node the stack indexes into; absent: the embedded engine under `dataDir`. */
  readonly openSearchEndpoint?: string;
  /** `EMBEDDED_MAX_ITEMS`: on the embedded engine, more indexed items than this print a warning. */
  readonly embeddedMaxItems?: number;
  readonly crawlSkipped: boolean;
}

/**
 * The start banner: the portal and its sources page first (what a visitor opens), then the API,
 * the data folder, the mail destination and the index state.
 */
export function startBanner(info: StartBannerInfo): string {
  const base = info.apiUrl.replace(/\/$/, '');
  return [
    '',
    `chiiki-portal local stack (started in ${(info.startedInMs / 1000).toFixed(1)} s)`,
    `  portal     ${base}/`,
    `  sources    ${base}/sources.html   (${info.sourceCount} in registry "${info.registry}"; JSON: ${base}/v1/sources)`,
    `  API        ${base}/v1/search?q=${encodeURIComponent('クラスター')}&status=open`,
    `  OpenAPI    ${base}/v1/openapi.json`,
    ...(info.sampleSitesUrl ? [`  sample     ${info.sampleSitesUrl}`] : []),
    `  data       ${info.dataDir}`,
    `  mail       ${info.mail}`,
    `  index      ${info.indexedItems} items ${indexOrigin(info)}`,
    ...(pastEmbeddedLimit(info)
      ? [
          `  WARNING    ${info.indexedItems} items is past the embedded engine's measured limit of ${info.embeddedMaxItems}` +
            ' (EMBEDDED_MAX_ITEMS): memory grows with it (~3 GB at 1M items); use SEARCH_ENGINE=opensearch',
        ]
      : []),
    info.crawlSkipped ? '  crawl      skipped (--no-crawl)' : '  crawl      running ...',
    '  Ctrl-C stops cleanly',
    '',
  ].join('\n');
}

function pastEmbeddedLimit(info: StartBannerInfo): boolean {
  return !info.openSearchEndpoint && info.embeddedMaxItems !== undefined && info.indexedItems > info.embeddedMaxItems;
}

function indexOrigin(info: StartBannerInfo): string {
  if (info.openSearchEndpoint) return `(OpenSearch at ${info.openSearchEndpoint})`;
  return info.indexRebuilt ? '(rebuilt from the store)' : '(loaded from disk)';
}
