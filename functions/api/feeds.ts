import type { Clock } from '../../shared/clock.js';
import { applicantLabel } from '../../shared/domain/applicant.js';
import type { SearchForecast, SearchHit, SearchIndex } from '../../shared/search/search-index.js';
import type { SearchQuery } from '../../shared/search/query.js';
import { describeSearchQuery, forecastWords, yenWords } from '../../shared/subscriptions/search-summary.js';
import { facetLabel, kindLabels, statusLabels } from '../../shared/taxonomy/labels.js';
import { defaultFeedSize } from './schemas.js';
import { parseSearchParams, type RawQuery } from './search-params.js';

/** Where the feed lives, for self links and ids. */
export interface FeedContext {
  /** The feed's own URL, query string included. */
  readonly selfUrl: string;
  /** The same search as JSON (`/v1/search?...`), an alternate link of the Atom feed. */
  readonly searchUrl: string;
  /**
   * The portal page of the same search, the feed's main link. Default: the portal at the feed's
   * origin (`/?q=…&kind=…`, the page URL the reference portal reads), see `portalPageUrl`.
   */
  readonly portalUrl?: string;
}

export interface FeedDeps {
  readonly search: SearchIndex;
  readonly clock: Clock;
}

export interface FeedEntry {
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly summary: string;
  readonly publisher: string;
  readonly updatedAt: string;
  readonly publishedAt?: string;
  /** In words: the kind, the publisher's ministry or prefecture, the prefectures, the fields and who may apply. */
  readonly categories: readonly string[];
}

const portalName = '地域科学技術ポータル';

/** Characters of an item's own text (its summary, else the start of its body) a feed entry carries. */
export const feedSummaryChars = 200;

/** Feed parameters the portal page does not take (paging). */
const feedOnlyParams = new Set(['size', 'cursor']);

/**
 * The portal page showing the same search as a feed or export URL: the same search parameters
 * without paging, on the portal at `portalBase` (PORTAL_URL), else at the feed's own origin
 * (locally the API serves the portal).
 *
 * @example portalPageUrl('https://x.jp/v1/feed.rss?kind=call&size=5') === 'https://x.jp/?kind=call'
 * @example portalPageUrl('https://api.x.jp/v1/feed.rss?kind=call', 'https://portal.x.jp') === 'https://portal.x.jp/?kind=call'
 */
export function portalPageUrl(feedUrl: string, portalBase?: string): string {
  const url = new URL(feedUrl);
  const params = new URLSearchParams([...url.searchParams].filter(([name]) => !feedOnlyParams.has(name)));
  const query = params.toString();
  const base = portalBase ? portalBase.replace(/\/$/, '') : url.origin;
  return `${base}/${query ? `?${query}` : ''}`;
}

/** GET /v1/feed.rss: the search's newest results as RSS 2.0. */
export async function searchFeedRss(deps: FeedDeps, raw: RawQuery, context: FeedContext): Promise<string> {
  const { title, entries } = await feedOf(deps, raw);
  return renderRss({ title, entries, context, now: deps.clock.now() });
}

/** GET /v1/feed.atom: the search's newest results as Atom 1.0. */
export async function searchFeedAtom(deps: FeedDeps, raw: RawQuery, context: FeedContext): Promise<string> {
  const { title, entries } = await feedOf(deps, raw);
  return renderAtom({ title, entries, context, now: deps.clock.now() });
}

async function feedOf(deps: FeedDeps, raw: RawQuery): Promise<{ title: string; entries: FeedEntry[] }> {
  const query = parseSearchParams(raw, { size: defaultFeedSize, sort: 'newest' });
  const page = await deps.search.search(query);
  return { title: feedTitle(query), entries: page.items.map(feedEntryOf) };
}

/**
 * The feed's title: the search in words (`describeSearchQuery`).
 *
 * @example feedTitle({ kinds: ['call'], ministries: ['mext'] }) === '地域科学技術ポータル: 公募・文部科学省'
 */
export function feedTitle(query: SearchQuery): string {
  return `${portalName}: ${describeSearchQuery(query, '新着')}`;
}

/**
 * An item's own text as plain, single-spaced text of at most `feedSummaryChars` characters
 * (cut at the limit with …); `undefined` when the source gave neither summary nor body.
 */
export function itemSummary(doc: { readonly summary?: string; readonly bodyText?: string }): string | undefined {
  const text = (doc.summary?.trim() ? doc.summary : doc.bodyText)?.replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  const chars = [...text];
  return chars.length > feedSummaryChars ? `${chars.slice(0, feedSummaryChars - 1).join('')}…` : text;
}

/**
 * One feed entry of a hit. Its text: the item's own text, then (each when known) the status, the
 * dates, who may apply, the per-project ceiling, the next round as a forecast (「次回の公募（見込み）」
 * with the windows and the basis, never as an announced call), and the publisher.
 */
export function feedEntryOf(hit: SearchHit): FeedEntry {
  const doc = hit.doc;
  const lines = [
    itemSummary(doc),
    doc.kind === 'call' && hit.status !== 'unknown' ? `募集状況: ${statusLabels[hit.status]}` : undefined,
    doc.opensAt ? `受付開始: ${tokyoDate(doc.opensAt)}` : undefined,
    doc.closesAt ? `締切: ${tokyoDate(doc.closesAt)}` : undefined,
    doc.applicants.length > 0 ? `応募できる者: ${doc.applicants.map(applicantLabel).join('、')}` : undefined,
    doc.amountCeiling !== undefined ? `上限額: ${yenWords(doc.amountCeiling)}` : undefined,
    doc.forecast ? forecastLine(doc.forecast) : undefined,
    `発信元: ${doc.publisher}`,
  ].filter((line): line is string => Boolean(line));
  const categories = [
    kindLabels[doc.kind] ?? doc.kind,
    ...(doc.ministry ? [facetLabel('ministry', doc.ministry)] : []),
    ...doc.prefectures.map((code) => facetLabel('prefecture', code)),
    ...doc.fields.map((code) => facetLabel('field', code)),
    ...doc.applicants.map(applicantLabel),
  ];
  return {
    id: doc.id,
    title: doc.title,
    url: doc.url,
    summary: lines.join('\n'),
    publisher: doc.publisher,
    updatedAt: doc.updatedAt,
    publishedAt: doc.publishedAt,
    categories: [...new Set(categories)],
  };
}

/**
 * The next round in words, labelled as a forecast: 「次回の公募（見込み）: 受付開始 2027-04-01〜2027-04-30ごろ、
 * 締切 2027-05-20〜2027-06-10ごろ。」 and the forecast's own sentence with its basis.
 */
export function forecastLine(forecast: SearchForecast): string {
  return `次回の公募（見込み）: ${forecastWords(forecast)}`;
}

function tokyoDate(iso: string): string {
  const t = new Date(Date.parse(iso) + 9 * 3600_000);
  return `${t.getUTCFullYear()}-${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(t.getUTCDate()).padStart(2, '0')} ${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')} JST`;
}

/** Escapes text for XML content and attributes, dropping characters XML 1.0 forbids. */
export function xmlEscape(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

interface RenderInput {
  readonly title: string;
  readonly entries: readonly FeedEntry[];
  readonly context: FeedContext;
  readonly now: Date;
}

export function renderRss({ title, entries, context, now }: RenderInput): string {
  const lastBuild = entries.reduce((max, e) => (e.updatedAt > max ? e.updatedAt : max), '');
  const items = entries.map((e) =>
    [
      '    <item>',
      `      <title>${xmlEscape(e.title)}</title>`,
      `      <link>${xmlEscape(e.url)}</link>`,
      `      <guid isPermaLink="false">${xmlEscape(e.id)}</guid>`,
      `      <pubDate>${new Date(e.publishedAt ?? e.updatedAt).toUTCString()}</pubDate>`,
      `      <description>${xmlEscape(e.summary)}</description>`,
      ...e.categories.map((c) => `      <category>${xmlEscape(c)}</category>`),
      `      <dc:creator>${xmlEscape(e.publisher)}</dc:creator>`,
      '    </item>',
    ].join('\n'),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '  <channel>',
    `    <title>${xmlEscape(title)}</title>`,
    `    <link>${xmlEscape(context.portalUrl ?? portalPageUrl(context.selfUrl))}</link>`,
    `    <atom:link href="${xmlEscape(context.selfUrl)}" rel="self" type="application/rss+xml"/>`,
    `    <description>${xmlEscape(`${title} の検索結果（新しい順）`)}</description>`,
    '    <language>ja</language>',
    `    <lastBuildDate>${new Date(lastBuild || now.toISOString()).toUTCString()}</lastBuildDate>`,
    '    <ttl>60</ttl>',
    ...items,
    '  </channel>',
    '</rss>',
    '',
  ].join('\n');
}

export function renderAtom({ title, entries, context, now }: RenderInput): string {
  const updated = entries.reduce((max, e) => (e.updatedAt > max ? e.updatedAt : max), '') || now.toISOString();
  const rfc3339 = (iso: string) => new Date(iso).toISOString();
  const items = entries.map((e) =>
    [
      '  <entry>',
      `    <id>urn:chiiki-portal:item:${xmlEscape(e.id)}</id>`,
      `    <title>${xmlEscape(e.title)}</title>`,
      `    <link rel="alternate" href="${xmlEscape(e.url)}"/>`,
      `    <updated>${rfc3339(e.updatedAt)}</updated>`,
      ...(e.publishedAt ? [`    <published>${rfc3339(e.publishedAt)}</published>`] : []),
      `    <author><name>${xmlEscape(e.publisher)}</name></author>`,
      `    <summary type="text">${xmlEscape(e.summary)}</summary>`,
      ...e.categories.map((c) => `    <category term="${xmlEscape(c)}"/>`),
      '  </entry>',
    ].join('\n'),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">',
    `  <id>${xmlEscape(context.selfUrl)}</id>`,
    `  <title>${xmlEscape(title)}</title>`,
    `  <updated>${rfc3339(updated)}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${xmlEscape(context.selfUrl)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xmlEscape(context.portalUrl ?? portalPageUrl(context.selfUrl))}"/>`,
    `  <link rel="alternate" type="application/json" href="${xmlEscape(context.searchUrl)}"/>`,
    `  <author><name>${portalName}</name></author>`,
    `  <generator>chiiki-portal</generator>`,
    ...items,
    '</feed>',
    '',
  ].join('\n');
}
