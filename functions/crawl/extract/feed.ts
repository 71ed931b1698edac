import { XMLParser } from 'fast-xml-parser';
import { tokyoInstant, tokyoPartsOf } from '../../../shared/ja/calendar.js';
import { absoluteUrl } from '../fetch/urls.js';
import { ExtractionError } from '../../../shared/errors.js';
import type { DroppedEntry, ExtractedItem, ExtractedPage } from './extracted-item.js';

/**
 * How the XML extractors (feeds, KAKEN) read a document: attributes as `@_name`, namespace
 * prefixes dropped, every value kept as the text printed (no number or boolean parsing),
 * entities decoded. Each extractor adds the elements it wants as arrays.
 */
export const xmlTextOptions = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
} as const;

/**
 * Feeds: RSS 1.0 (RDF), RSS 2.0 and Atom, told apart by the root element, never by the URL.
 * fast-xml-parser is used over cheerio's xmlMode because it is about twice as fast on these
 * feeds (test/bench/extract.ts). It is lenient, so a truncated body (the commonest malformed
 * feed: a connection cut mid-write) is caught by checking that the root element is closed.
 */
const parser = new XMLParser({
  ...xmlTextOptions,
  isArray: (name) => name === 'item' || name === 'entry' || name === 'link' || name === 'coverage',
});

type Node = Record<string, unknown>;

/**
 * Feed titles keep their printed characters (全角 digits and spaces stay: MLIT's
 * 「第２回\u3000気候変動…」); only runs of ASCII white space (line breaks) collapse to one space.
 */
function cleanFeedTitle(title: string): string {
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

const isoWithZone = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})$/;
const isoNoZone = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** An instant as Tokyo wall-clock time with `+09:00` (how the project stores API times). */
export function tokyoIso(value: string | undefined): string | undefined {
  const ms = value ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) return undefined;
  const { date, time } = tokyoPartsOf(new Date(ms));
  return tokyoInstant(date, time);
}

/**
 * RFC 822 section 5 zone names (plus UTC, and the names Japanese and Korean feeds print: JST
 * 日本標準時 and KST, both +09:00), as minutes east of UTC. Other names are ambiguous (CST is
 * also China Standard Time, IST three zones) and make the date unreadable.
 */
const zoneMinutes: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  JST: 540,
  KST: 540,
};

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `[weekday,] day month year hour:minute[:second] [zone]`; weekday and month may be spelt out. */
const rfc822 =
  /^(?:[A-Za-z]{3,9}\.?,?\s*)?(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{4}|\d{2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,5}))?$/;

/** Minutes east of UTC for an RFC 822 zone, or undefined for a name we do not know. */
function rfc822Zone(zone: string | undefined): number | undefined {
  if (zone === undefined) return 540; // no zone: a Japanese feed means Tokyo time
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric) return (numeric[1] === '-' ? -1 : 1) * (Number(numeric[2]) * 60 + Number(numeric[3]));
  const upper = zone.toUpperCase();
  // RFC 822's military letters had their signs reversed; RFC 1123 5.2.14 says to read them as -0000.
  if (/^[A-IK-Y]$/.test(upper)) return 0;
  return zoneMinutes[upper];
}

/** An RFC 822 / RFC 1123 date as a UTC instant (`2026-08-19T08:00:00Z`), or undefined. */
function rfc822Date(value: string): string | undefined {
  // RFC 822 allows comments; feeds append the zone's name: `+0900 (JST)`.
  const m = rfc822.exec(value.replace(/\s*\([^()]*\)$/, ''));
  if (!m) return undefined;
  const [, d, mon, y, h, mi, s, zone] = m;
  const month = months.indexOf((mon ?? '').slice(0, 3).toLowerCase());
  const offset = rfc822Zone(zone);
  if (month < 0 || offset === undefined) return undefined;
  const twoDigit = Number(y);
  // RFC 2822 4.3: a 2-digit year below 50 is 20xx, otherwise 19xx.
  const year = (y ?? '').length === 2 ? twoDigit + (twoDigit < 50 ? 2000 : 1900) : twoDigit;
  const [day, hour, minute, second] = [Number(d), Number(h), Number(mi), Number(s ?? 0)];
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const utc = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  if (new Date(Date.UTC(year, month, day)).getUTCDate() !== day) return undefined;
  return new Date(utc - offset * 60_000).toISOString().replace(/\.000Z$/, 'Z');
}

/**
 * A feed date as an ISO instant with offset. ISO dates with a zone are kept as printed (`+0900`
 * gains its colon); ISO dates without one are Tokyo time; RFC 822 / RFC 1123 dates (RSS 2.0
 * `pubDate`) become UTC instants. Their zone may be numeric, an RFC 822 name, UTC, JST or KST;
 * a military letter other than Z is -0000 (RFC 1123: its sign cannot be trusted, so the time is
 * read as UTC); no zone is Tokyo time. `undefined` when the value is not a date we can read.
 *
 * @example feedDate('Wed, 19 Aug 2026 17:00:00 JST') === '2026-08-19T08:00:00Z'
 */
export function feedDate(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  const iso = isoWithZone.exec(v);
  if (iso) {
    const zone = iso[2] ?? 'Z';
    return zone === 'Z' || zone.includes(':') ? v : `${iso[1]}${zone.slice(0, 3)}:${zone.slice(3)}`;
  }
  const local = isoNoZone.exec(v);
  if (local) {
    const [, y, mo, d, h, mi, s] = local;
    return tokyoInstant(
      { year: Number(y), month: Number(mo), day: Number(d) },
      { hour: Number(h ?? 0), minute: Number(mi ?? 0), second: Number(s ?? 0) },
    );
  }
  return rfc822Date(v);
}

/**
 * The date of an entry: `publishedAt` when the printed date reads, otherwise the printed text as
 * `dateText` (toDraft tries the Japanese date parser on it, and the run counts it when that fails
 * too), so a date in an unexpected form is never lost silently.
 */
function entryDate(printed: string | undefined): Pick<ExtractedItem, 'publishedAt' | 'dateText'> {
  const raw = printed?.trim();
  if (!raw) return {};
  const publishedAt = feedDate(raw);
  return publishedAt ? { publishedAt } : { dateText: raw };
}

/** The href of an Atom entry's `alternate` link (a `link` without `rel` is alternate), as printed. */
function atomLink(links: unknown): string | undefined {
  if (!Array.isArray(links)) return text(links);
  const nodes = links as unknown[];
  const pick =
    nodes.find((l) => typeof l === 'object' && l !== null && ((l as Node)['@_rel'] ?? 'alternate') === 'alternate') ??
    nodes[0];
  if (typeof pick === 'object' && pick !== null) return text((pick as Node)['@_href']) ?? text(pick);
  return text(pick);
}

/** Non-empty trimmed text, or undefined. */
function nonEmpty(value: string | undefined): string | undefined {
  const t = value?.trim();
  return t ? t : undefined;
}

const absoluteHttp = /^https?:\/\/[^\s/]/i;

/**
 * The link of an RSS item as printed: `<link>`, else `rdf:about` (RSS 1.0), else a `<guid>` that
 * is an absolute http(s) URL. A guid with `isPermaLink="false"` is never a link, even when it
 * looks like a URL: RSS 2.0 says it is then only an identifier (feeds put an internal or stale
 * URL there), so the entry is reported instead of stored with a link that may lead elsewhere.
 */
function rssLink(node: Node): { link?: string; detail?: string } {
  const link = nonEmpty(text(node['link'])) ?? nonEmpty(text(node['@_about']));
  if (link) return { link };
  const guidNode = node['guid'];
  const guid = nonEmpty(text(guidNode));
  if (!guid) return {};
  const permaLink =
    typeof guidNode === 'object' && guidNode !== null ? text((guidNode as Node)['@_isPermaLink']) : undefined;
  if (permaLink?.trim().toLowerCase() === 'false') return { detail: `guid "${guid}" has isPermaLink="false"` };
  if (!absoluteHttp.test(guid)) return { detail: `guid "${guid}" is not an absolute http(s) URL` };
  return { link: guid };
}

/** Either an item's title and absolute URL, or why it is dropped. */
function usable(
  rawTitle: string | undefined,
  found: { link?: string; detail?: string },
  baseUrl: string,
): { title: string; url: string } | DroppedEntry {
  const title = rawTitle === undefined ? '' : cleanFeedTitle(rawTitle);
  const { link, detail } = found;
  const seen = { ...(title ? { title } : {}), ...(link ? { link } : {}), ...(detail ? { detail } : {}) };
  if (!link) return { reason: 'no-link', ...seen };
  const url = absoluteUrl(link, baseUrl);
  if (!url) return { reason: /^[a-z][a-z0-9+.-]*:/i.test(link) ? 'non-http-link' : 'no-link', ...seen };
  if (!title) return { reason: 'no-title', ...seen };
  return { title, url };
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

/** The element a document's root is, when it is an object (an empty element parses as ''). */
function element(value: unknown): Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Node) : {};
}

/**
 * Reads a feed. `baseUrl` is the feed's final URL (relative links resolve against it). A feed
 * without entries (even a self-closed root) is a page of no items. Entries without a title or a
 * usable link are listed in `dropped` (`no-title`, `no-link`, `non-http-link`), never skipped
 * silently. Throws `ExtractionError` when the body is not a feed or is cut off.
 */
export function extractFeed(body: string, baseUrl: string): ExtractedPage {
  let doc: Node;
  try {
    doc = parser.parse(body) as Node;
  } catch (error) {
    throw new ExtractionError(`feed is not well-formed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const root = (['RDF', 'rss', 'feed'] as const).find((name) => name in doc);
  if (!root) throw new ExtractionError('body is not an RSS 1.0, RSS 2.0 or Atom feed (no rdf:RDF, rss or feed root)');
  const tail = body.slice(-400);
  const closed = new RegExp(`</([A-Za-z_][\\w.-]*:)?${root}>\\s*$`).test(tail);
  const selfClosed = new RegExp(`<([A-Za-z_][\\w.-]*:)?${root}\\b[^<>]*/>\\s*$`).test(tail);
  if (!closed && !selfClosed) throw new ExtractionError(`feed is truncated: the ${root} element is never closed`);

  const items: ExtractedItem[] = [];
  const dropped: DroppedEntry[] = [];
  /** Keeps a usable entry with the rest of what it says, or reports why it was dropped. */
  const keep = (found: ReturnType<typeof usable>, rest: () => Omit<ExtractedItem, 'title' | 'url'>): void => {
    if ('reason' in found) dropped.push(found);
    else items.push({ ...found, ...rest() });
  };
  const top = element(doc[root]);
  if (root === 'feed') {
    for (const entry of (top['entry'] as Node[] | undefined) ?? [])
      keep(usable(text(entry['title']), { link: nonEmpty(atomLink(entry['link'])) }, baseUrl), () => ({
        ...entryDate(text(entry['published']) ?? text(entry['updated'])),
        summary: text(entry['summary']) ?? text(entry['content']),
      }));
    return { items, dropped, format: 'atom' };
  }
  const nodes = ((root === 'RDF' ? top['item'] : element(top['channel'])['item']) as Node[] | undefined) ?? [];
  for (const node of nodes)
    keep(usable(text(node['title']), rssLink(node), baseUrl), () => ({
      ...entryDate(text(node['date']) ?? text(node['pubDate'])),
      summary: text(node['description']),
      areaText: coverage(node),
    }));
  return { items, dropped, format: root === 'RDF' ? 'rss1' : 'rss2' };
}
