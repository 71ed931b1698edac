import { load, type CheerioAPI } from 'cheerio/slim';
import { parse } from 'parse5';
import { adapter } from 'parse5-htmlparser2-tree-adapter';

/**
 * A page as cheerio over parse5's HTML5-spec tree: the parse `cheerio.load` makes, without the
 * rest of cheerio's main entry (its URL and stream loaders bring undici, an encoding sniffer and
 * iconv-lite's tables, ~500 KB of the crawl bundle and a slower cold start). We decode bytes
 * ourselves (charset.ts) and hand over text.
 */
export function loadHtml(html: string): CheerioAPI {
  return load(parse(html, { treeAdapter: adapter }));
}
