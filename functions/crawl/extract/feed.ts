import { XMLParser } from 'fast-xml-parser';
import { tokyoInstant, tokyoPartsOf } from '../../../shared/ja/calendar.js';
import { absoluteUrl } from '../urls.js';
import { ExtractionError, type ExtractedItem, type ExtractedPage } from './extracted-item.js';

/**
 * Feeds: RSS 1.0 (RDF), RSS 2.0 and Atom, told apart by the root element, never by the URL.
 * fast-xml-parser is used over cheerio's xmlMode because it is about twice as fast on these
 * feeds (test/bench/extract.ts). It is lenient, so a truncated body (the commonest malformed
 * feed: a connection cut mid-write) is caught by checking that the root element is closed.
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => name === 'item' || name === 'entry' || name === 'link' || name === 'coverage',
});

type Node = Record<string, unknown>;

/**
 * Feed titles keep their printed characters (全角 digits and spaces stay: MLIT's
 * 「第２回\u3000気候変動…」); only runs of ASCII white space (line breaks) collapse to one space.
 */
export function cleanFeedTitle(title: string): string {
  return title.replace(/[ \t\r\n\f\v]+/g, ' ').trim();
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return text(value[0]);
  if (typeof value === 'object') return text((value as Node)['#text']);
  return undefined;
}

const isoWithZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isoNoZone = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** An instant as Tokyo wall-clock time with `+09:00` (how the project stores API times). */
export function tokyoIso(value: string | undefined): string | undefined {
  const ms = value ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) return undefined;
  const { date, time } = tokyoPartsOf(new Date(ms));
  return tokyoInstant(date, time);
}

/**
 * A feed date as an ISO instant with offset. ISO dates with a zone are kept as printed; ISO dates
 * without one are Tokyo time; RFC 822 dates (RSS 2.0 `pubDate`) are converted. `undefined` when
 * the value is not a date.
 */
export function feedDate(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (isoWithZone.test(v)) return v;
  const local = isoNoZone.exec(v);
  if (local) {
    const [, y, mo, d, h, mi, s] = local;
    return tokyoInstant(
      { year: Number(y), month: Number(mo), day: Number(d) },
      { hour: Number(h ?? 0), minute: Number(mi ?? 0), second: Number(s ?? 0) },
    );
  }
  // RFC 822 (`Wed, 19 Aug 2026 14:00:00 +0900`); without a zone it is read as Tokyo time too.
  if (!/\d{1,2} [A-Za-z]{3,9} \d{4}/.test(v)) return undefined;
  const hasZone = /([+-]\d{4}|GMT|UTC|UT|[ECMP][SD]T|Z)\s*$/i.test(v);
  const ms = Date.parse(hasZone ? v : `${v} +0900`);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

function atomLink(links: unknown): string | undefined {
  if (!Array.isArray(links)) return text(links);
  const nodes = links as unknown[];
  const pick =
    nodes.find((l) => typeof l === 'object' && l !== null && ((l as Node)['@_rel'] ?? 'alternate') === 'alternate') ??
    nodes[0];
  if (typeof pick === 'object' && pick !== null) return text((pick as Node)['@_href']) ?? text(pick);
  return text(pick);
}

function coverage(node: Node): string | undefined {
  const list = node['coverage'];
  if (!Array.isArray(list)) return undefined;
  const labels = list.map((c) =>
    typeof c === 'object' && c !== null
      ? (text((c as Node)['@_label']) ?? text((c as Node)['@_value']) ?? text(c))
      : text(c),
  );
  const joined = labels.filter((l): l is string => !!l).join(' ');
  return joined || undefined;
}

/**
 * Reads a feed. `baseUrl` is the feed's final URL (relative links resolve against it).
 * Throws `ExtractionError` when the body is not a feed or is cut off.
 */
export function extractFeed(body: string, baseUrl: string): ExtractedPage {
  let doc: Node;
  try {
    doc = parser.parse(body) as Node;
  } catch (error) {
    throw new ExtractionError(`feed is not well-formed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const rdf = doc['RDF'] as Node | undefined;
  const rss = doc['rss'] as Node | undefined;
  const atom = doc['feed'] as Node | undefined;
  const root = rdf ? 'RDF' : rss ? 'rss' : atom ? 'feed' : undefined;
  if (!root) throw new ExtractionError('body is not an RSS 1.0, RSS 2.0 or Atom feed (no rdf:RDF, rss or feed root)');
  if (!new RegExp(`</([A-Za-z_][\\w.-]*:)?${root}>\\s*$`).test(body.slice(-200)))
    throw new ExtractionError(`feed is truncated: the ${root} element is never closed`);

  const items: ExtractedItem[] = [];
  if (atom) {
    for (const entry of (atom['entry'] as Node[] | undefined) ?? []) {
      const url = absoluteUrl(atomLink(entry['link']), baseUrl);
      const title = text(entry['title']);
      if (!url || !title) continue;
      items.push({
        title: cleanFeedTitle(title),
        url,
        publishedAt: feedDate(text(entry['published']) ?? text(entry['updated'])),
        summary: text(entry['summary']) ?? text(entry['content']),
      });
    }
    return { items, format: 'atom' };
  }
  const channel = (rss?.['channel'] ?? rdf?.['channel']) as Node | undefined;
  const nodes = ((rdf ? rdf['item'] : channel?.['item']) as Node[] | undefined) ?? [];
  for (const node of nodes) {
    const url = absoluteUrl(text(node['link']) ?? text(node['@_about']) ?? text(node['guid']), baseUrl);
    const title = text(node['title']);
    if (!url || !title) continue;
    items.push({
      title: cleanFeedTitle(title),
      url,
      publishedAt: feedDate(text(node['date']) ?? text(node['pubDate'])),
      summary: text(node['description']),
      areaText: coverage(node),
    });
  }
  return { items, format: rdf ? 'rss1' : 'rss2' };
}
