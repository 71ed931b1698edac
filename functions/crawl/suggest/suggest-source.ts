import { decodeBody } from '../fetch/charset.js';
import { extractFeed } from '../extract/feed.js';
import { extractHtmlList, withoutFileNote } from '../extract/html-list.js';
import type { SourceInput } from '../../../shared/domain/source.js';
import { type CandidateSummary, inferList } from './infer-list.js';
import { readPage } from './page-model.js';
import { selectIn } from './selectors.js';

/**
 * What `chiiki source suggest` proposes for one page: a source definition that validates as it
 * is (kind, url, id, name and publisher derived from the URL and the page title, `verified:
 * unverified`), and what the operator should know about it.
 */
export interface Suggestion {
  readonly source: SourceInput;
  /** `rss1`, `rss2`, `atom` for a feed, `html` for a list page. */
  readonly format: 'rss1' | 'rss2' | 'atom' | 'html';
  /** Feeds the page advertises (`<link rel="alternate" type="application/rss+xml">`). */
  readonly advertisedFeeds: readonly { url: string; title?: string }[];
  /** For a list page: the chosen candidate and the runners-up with their scores. */
  readonly chosen?: CandidateSummary;
  readonly runnersUp: readonly CandidateSummary[];
  /** Things the operator must look at (no list found, entries the definition loses). */
  readonly warnings: readonly string[];
}

/** Charsets the source schema can pin. */
const pinnableCharsets = new Set(['shift_jis', 'euc-jp']);

/**
 * Proposes a definition for the page `body` fetched from `url`: a feed (RSS 1.0/2.0, Atom,
 * detected from the content) becomes `kind: feed`, anything else an inferred `html-list`.
 * Throws `ExtractionError` when a page that looks like a feed does not parse, and
 * `PermanentFetchError` when the bytes do not decode.
 */
export function suggestSource(body: Uint8Array, url: string, options: { contentType?: string } = {}): Suggestion {
  const decoded = decodeBody(body, { url, ...(options.contentType ? { contentType: options.contentType } : {}) });
  const charset = pinnableCharsets.has(decoded.charset) ? { charset: decoded.charset as 'shift_jis' | 'euc-jp' } : {};
  const text = decoded.text;
  if (looksLikeFeed(text)) {
    const feed = extractFeed(text, url);
    const title = cleanText(/<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1] ?? '');
    return {
      source: {
        id: idFor(url),
        name: title || new URL(url).host,
        publisher: publisherOf(title, url),
        kind: 'feed',
        url,
        ...charset,
        verified: 'unverified',
      },
      format: feed.format === 'rss1' || feed.format === 'rss2' || feed.format === 'atom' ? feed.format : 'rss2',
      advertisedFeeds: [],
      runnersUp: [],
      warnings: feed.items.length === 0 ? ['the feed has no entries'] : [],
    };
  }

  const page = readPage(text, url);
  const advertisedFeeds = selectIn('link[rel~="alternate"][href]', page.root)
    .filter((l) => /(rss|atom|rdf)\+xml/i.test(l.attribs['type'] ?? ''))
    .map((l) => ({
      url: new URL(l.attribs['href'] ?? '', page.base).href,
      ...(l.attribs['title'] ? { title: l.attribs['title'] } : {}),
    }));
  const inferred = inferList(page);
  const base = {
    id: idFor(url),
    name: page.title || new URL(url).host,
    publisher: publisherOf(page.title, url),
  };
  if (!inferred) {
    return {
      source: { ...base, kind: 'html-list', url, ...charset, list: { item: 'a[href]' }, verified: 'unverified' },
      format: 'html',
      advertisedFeeds,
      runnersUp: [],
      warnings: ['no repeated block of links found: the item selector is a placeholder'],
    };
  }
  const warnings: string[] = [];
  const list = inferred.list;
  try {
    const extracted = extractHtmlList(text, url, list);
    // A file note printed as bare text (gov-online's ［PDF：261 KB］) is part of the title as printed
    // there; the operator decides.
    const noted = extracted.items.filter((item) => withoutFileNote(item.title) !== item.title);
    if (noted.length > 0)
      warnings.push(
        `${noted.length} titles end in a file-type note printed as bare text (e.g. "${noted[0]?.title ?? ''}"): ` +
          'add dropFileNote: true if it is not part of the title',
      );
    if (extracted.items.length !== inferred.chosen.entries)
      warnings.push(
        `the definition reads ${extracted.items.length} items where the page shows ${inferred.chosen.entries} entries`,
      );
  } catch (error) {
    warnings.push(`the definition does not read the page: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (inferred.chosen.dated < inferred.chosen.entries)
    warnings.push(
      `${inferred.chosen.entries - inferred.chosen.dated} of ${inferred.chosen.entries} entries show no date`,
    );
  if (inferred.datesInBareText > 0)
    warnings.push(
      `${inferred.datesInBareText} entries print their date as bare text beside the link (lines split by <br>): ` +
        'no CSS selector reaches it, so the items get no date; check the page by hand or look for a feed',
    );
  const close = inferred.runnersUp[0];
  if (close && close.score >= 0.8 * inferred.chosen.score)
    warnings.push(`ambiguous: the runner-up "${close.item}" scores ${close.score} against ${inferred.chosen.score}`);
  return {
    source: { ...base, kind: 'html-list', url, ...charset, list, verified: 'unverified' },
    format: 'html',
    advertisedFeeds,
    chosen: inferred.chosen,
    runnersUp: inferred.runnersUp,
    warnings,
  };
}

/** Whether the text is RSS 1.0 (RDF), RSS 2.0 or Atom: its root element, after the XML declaration and comments. */
export function looksLikeFeed(text: string): boolean {
  const head = text
    .slice(0, 4096)
    .replace(/^\uFEFF/, '')
    .replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/gi, '')
    .trimStart();
  return /^<(rss|rdf:RDF|feed)[\s>]/i.test(head);
}

function cleanText(text: string): string {
  return text
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/[ \t\n\r\f]+/g, ' ')
    .trim();
}

/** Host labels that say nothing about the publisher. */
const genericLabels = new Set([
  'www',
  'www2',
  'www3',
  'go',
  'lg',
  'or',
  'ac',
  'co',
  'ne',
  'jp',
  'com',
  'net',
  'org',
  'localhost',
]);

/**
 * A source id from the URL: the publisher's host label and the list's folder or file name
 * (`https://www.meti.go.jp/press/index.html` → `meti-press`, `.../b_menu/news/index.rdf` →
 * `mext-news`), lower-case kebab as the schema wants.
 */
export function idFor(url: string): string {
  const u = new URL(url);
  const labels = u.hostname
    .toLowerCase()
    .split('.')
    .filter((l) => !genericLabels.has(l) && !/^\d+$/.test(l));
  const host = labels[0] ?? 'site';
  const segments = u.pathname.split('/').filter(Boolean);
  const file = segments[segments.length - 1] ?? '';
  const isIndex = /^(index|default|top)\.[a-z]+$/i.test(file) || !file.includes('.');
  const folder = isIndex
    ? file.includes('.')
      ? segments[segments.length - 2]
      : file
    : file.replace(/\.[a-z0-9]+$/i, '');
  const id = [host, folder]
    .filter((p): p is string => Boolean(p))
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 63)
    .replace(/-$/, '');
  return /^[a-z0-9][a-z0-9-]{1,62}$/.test(id) ? id : `site-${id}`.slice(0, 63);
}

/** An organisation name ends like one: 経済産業省, 内閣府, 特許庁, 東京都, 北海道, 大阪府, 横浜市, 科学技術振興機構. */
const organisation = /(省|府|庁|都|道|県|市|区|町|村|委員会|機構|法人|公社|事務局|センター|研究所|大学)$/u;

/**
 * Who publishes the page, read from its title (`ニュースリリース（METI/経済産業省）` → 経済産業省,
 * `報道発表資料：農林水産省` → 農林水産省, `各府省の新着情報 | 政府広報オンライン` → 政府広報オンライン):
 * the part that names an organisation, else the last part, else an organisation name the title
 * starts with (`国土交通省ホームページプレスリリース` → 国土交通省), else the host.
 */
export function publisherOf(title: string, url: string): string {
  const parts = title
    .split(/[|｜:：/／（）()\-－–—【】「」[\]\s]/u)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const named = [...parts].reverse().find((p) => organisation.test(p) && p.length <= 30);
  if (named) return named;
  if (parts.length > 1) return parts[parts.length - 1] ?? '';
  // One run of text: an organisation name at its start (国土交通省ホームページプレスリリース).
  const prefix = /^(\p{Script=Han}{2,8}?(?:省|庁|都|道|府|県))/u.exec(parts[0] ?? '')?.[1];
  return prefix ?? new URL(url).host;
}
