import type { Source } from '../../../shared/domain/source.js';
import type { ExtractedPage } from './extracted-item.js';
import { extractFeed } from './feed.js';
import { extractHtmlList } from './html-list.js';
import { jgrantsItem, parseJgrantsList } from './jgrants.js';
import { extractKaken, kakenSearchUrl } from './kaken.js';

/**
 * Runs a source's extractor on one listing page (a feed, a list page, a jGrants list
 * response, a KAKEN search page). `finalUrl` is where the page came from, after redirects. Throws
 * `ExtractionError` when the page is not what the definition expects. jGrants entries come
 * without detail.
 */
export function extractPage(source: Source, text: string, finalUrl: string): ExtractedPage {
  switch (source.kind) {
    case 'feed':
      return extractFeed(text, finalUrl);
    case 'html-list':
      return extractHtmlList(text, finalUrl, source.list);
    case 'json': {
      if (source.adapter === 'kaken') return extractKaken(source, text);
      const { entries } = parseJgrantsList(text);
      return { items: entries.map((entry) => jgrantsItem(source, entry)), format: 'json' };
    }
  }
}

/**
 * The first URL of a source's listing: its `url`, except for KAKEN, whose search URL is built
 * from the definition's parameters (without the application id, which the fetcher adds).
 */
export function listingStartUrl(source: Source): string {
  return source.kind === 'json' && source.adapter === 'kaken' ? kakenSearchUrl(source, 1) : source.url;
}
