import * as cheerio from 'cheerio';
import type { HtmlList } from '../../../shared/domain/source.js';
import { absoluteUrl } from '../urls.js';
import { ExtractionError, type ExtractedItem, type ExtractedPage } from './extracted-item.js';

type Selection = ReturnType<cheerio.CheerioAPI>;

/**
 * List-page titles: every white-space run, 全角 spaces included, becomes one space. On HTML
 * pages these runs are layout (line wrapping and padding around a sub-title), not content.
 */
export function cleanHtmlTitle(title: string): string {
  return title.replace(/\s+/gu, ' ').trim();
}

/**
 * Reads a list page with CSS selectors (see `HtmlListSchema`). Entries without a title or a
 * usable link are skipped. `baseUrl` is the page's final URL. Throws `ExtractionError` when the
 * item selector matches nothing, which is how a redesign of the site shows up.
 */
export function extractHtmlList(html: string, baseUrl: string, list: HtmlList): ExtractedPage {
  const $ = cheerio.load(html);
  // A <base href> changes what relative links mean.
  const baseHref = $('base[href]').attr('href');
  const base = (baseHref && absoluteUrl(baseHref, baseUrl)) || baseUrl;
  const scope: Selection = list.container ? $(list.container) : $.root();

  const items: ExtractedItem[] = [];
  const read = (el: Selection, dateText: string | undefined, dateContext: string | undefined) => {
    const titleEl = list.title ? el.find(list.title).first() : el;
    const linkEl = list.link ? el.find(list.link).first() : el.is('a') ? el : el.find('a[href]').first();
    const title = cleanHtmlTitle(titleEl.text());
    const url = absoluteUrl(linkEl.attr('href'), base);
    if (!title || !url) return;
    let ownDate: string | undefined;
    if (list.date) {
      const dateEl = el.find(list.date).first();
      ownDate = (list.dateAttribute ? dateEl.attr(list.dateAttribute) : undefined) ?? dateEl.text();
    }
    const period = list.period ? el.find(list.period).first().text() : undefined;
    items.push({
      title,
      url,
      dateText: ownDate?.trim() ? ownDate : dateText,
      dateContext,
      periodText: period?.trim() ? period : undefined,
    });
  };

  if (list.dateBefore || list.dateContext) {
    // Walk the page in document order so each entry takes the nearest preceding date and heading.
    const selector = [list.item, list.dateBefore, list.dateContext].filter(Boolean).join(', ');
    let dateText: string | undefined;
    let context: string | undefined;
    let matched = 0;
    scope.find(selector).each((_, node) => {
      const el = $(node);
      if (list.dateContext && el.is(list.dateContext)) {
        context = el.text().trim();
        dateText = undefined;
      } else if (list.dateBefore && el.is(list.dateBefore)) {
        dateText = el.text().trim();
      } else {
        matched += 1;
        read(el, dateText, context);
      }
    });
    if (matched === 0) throw noItems(list.item);
  } else {
    const found = scope.find(list.item);
    if (found.length === 0) throw noItems(list.item);
    found.each((_, node) => read($(node), undefined, undefined));
  }

  const nextHref = list.nextPage ? $(list.nextPage).first().attr('href') : undefined;
  const nextPageUrl = absoluteUrl(nextHref, base);
  return { items, nextPageUrl: nextPageUrl && nextPageUrl !== baseUrl ? nextPageUrl : undefined, format: 'html' };
}

function noItems(selector: string): ExtractionError {
  return new ExtractionError(`no entries match the item selector "${selector}"; has the page layout changed?`);
}
