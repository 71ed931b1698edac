import type { CheerioAPI } from 'cheerio/slim';
import { cssQuery } from './css-query.js';
import { loadHtml } from './html-dom.js';
import { selectAll } from 'css-select';
import type { AnyNode, Element } from 'domhandler';
import type { HtmlList } from '../../../shared/domain/source.js';
import { prepareDateText, scanDates } from '../../../shared/ja/date-scanner.js';
import { absoluteUrl } from '../fetch/urls.js';
import { ExtractionError } from '../../../shared/errors.js';
import { type DropReason, type DroppedEntry, type ExtractedItem, type ExtractedPage } from './extracted-item.js';

/**
 * List-page titles as the site printed them: each run of ASCII white space (line breaks, tabs,
 * spaces: how the HTML source was laid out) becomes one space and the ends are trimmed. A 全角
 * space (U+3000) and other display characters inside the title are kept: the site printed them.
 *
 * @example cleanHtmlTitle('ものづくり\n    助成金\u3000（第３回）') === 'ものづくり 助成金\u3000（第３回）'
 */
export function cleanHtmlTitle(title: string): string {
  return title.replace(/[ \t\n\r\f]+/g, ' ').trim();
}

/** A file-type note in brackets at the end of a title: `（PDF：123KB）`, `[PDF 1.2MB]`, `［Excel形式］`. */
const fileNoteAtEnd =
  /\s*[[［(（【]\s*(?:pdf|word|excel|powerpoint|docx?|xlsx?|pptx?|zip|csv|txt)(?:形式|ファイル)?[^[\]［］()（）【】]{0,24}[\]］)）】]$/i;

/**
 * The title without the file-type notes at its end (see `HtmlListSchema.dropFileNote`); the
 * title itself when it is nothing but a note.
 *
 * @example withoutFileNote('調査報告書（PDF：1.2MB）') === '調査報告書'
 */
export function withoutFileNote(title: string): string {
  let out = title;
  for (let stripped = out.replace(fileNoteAtEnd, ''); stripped !== out && stripped.length > 0;)
    [out, stripped] = [stripped, stripped.replace(fileNoteAtEnd, '')];
  return out;
}

/** Whether `text` holds a Japanese date (or date range) the date parser can read. */
export function hasJapaneseDate(text: string): boolean {
  for (const _match of scanDates(prepareDateText(text), { slashAtStart: true })) return true;
  return false;
}

/** The text of a node and its descendants (what cheerio's `.text()` gives, without the wrapper). */
function textOf(node: AnyNode): string {
  if (node.type === 'text') return node.data;
  if (!('children' in node)) return '';
  let out = '';
  for (const child of node.children) out += textOf(child);
  return out;
}

/** The text of a node without the descendants in `excluded` (a category label, a 「NEW」 icon). */
function textWithout(node: AnyNode, excluded: ReadonlySet<AnyNode>): string {
  if (node.type === 'text') return node.data;
  if (!('children' in node)) return '';
  let out = '';
  for (const child of node.children) if (!excluded.has(child)) out += textWithout(child, excluded);
  return out;
}

function attrOf(node: AnyNode | undefined, name: string): string | undefined {
  return node && 'attribs' in node ? node.attribs[name] : undefined;
}

/**
 * Every element under `roots` matching `selector`, in document order. css-select directly is
 * about 3 times faster than cheerio's `find` (which re-compiles and re-sorts on every call);
 * cheerio is the fallback for its jQuery extensions.
 */
function selectUnder($: CheerioAPI, roots: AnyNode[], selector: string): AnyNode[] {
  const query = cssQuery(selector);
  if (query) return selectAll<AnyNode, Element>(query, roots);
  return $(roots).find(selector).toArray();
}

/**
 * Reads a list page with CSS selectors (see `HtmlListSchema`). Entries without a title or a
 * usable link are reported in `dropped` (`no-title`, `no-link`, `non-http-link` for `javascript:`,
 * `mailto:`, `data:`, `file:` and the like), with the title and link as printed; entries with
 * neither (a table's header row) as `empty`. Elements inside a title node that match
 * `titleExclude` are left out of its text (the title node itself never is, nor a title that is
 * nothing but such labels), and with `dropFileNote`
 * a bare-text file-type note at its end. `baseUrl` is the page's final URL. Throws
 * `ExtractionError` when the item selector matches nothing, which is how a redesign of the site
 * shows up.
 *
 * For speed, each selector is run once over the page and its matches are assigned to the entry
 * that contains them (the nearest ancestor that is an entry), instead of one query per entry:
 * cheerio compiles a selector on every `find`, which cost more than the parse itself.
 */
export function extractHtmlList(html: string, baseUrl: string, list: HtmlList): ExtractedPage {
  const $ = loadHtml(html);
  // A <base href> changes what relative links mean.
  const baseHref = /<base\s/i.test(html) ? $('base[href]').attr('href') : undefined;
  const base = new URL((baseHref && absoluteUrl(baseHref, baseUrl)) || baseUrl);
  const roots = list.container
    ? selectUnder($, [$.root()[0] as AnyNode], list.container).slice(0, 1)
    : [$.root()[0] as AnyNode];

  const itemNodes = selectUnder($, roots, list.item);
  if (itemNodes.length === 0) {
    throw new ExtractionError(`no entries match the item selector "${list.item}"; has the page layout changed?`);
  }
  const indexOf = new Map<AnyNode, number>(itemNodes.map((node, i) => [node, i]));
  /** The first match of `selector` inside each entry (undefined: use the entry itself). */
  const firstInside = (selector: string | undefined): (AnyNode | undefined)[] => {
    const out = new Array<AnyNode | undefined>(itemNodes.length);
    if (!selector) return out;
    for (const node of selectUnder($, roots, selector)) {
      for (let p = node.parent; p; p = p.parent) {
        const i = indexOf.get(p);
        if (i !== undefined) {
          out[i] ??= node;
          break;
        }
      }
    }
    return out;
  };
  const titles = firstInside(list.title);
  const links = list.link !== undefined && list.link === list.title ? titles : firstInside(list.link ?? 'a[href]');
  const dates = firstInside(list.date);
  // Labels left out of titles: one query over the page, only when the definition asks for it.
  const excluded = list.titleExclude ? new Set(selectUnder($, roots, list.titleExclude)) : undefined;
  const periods = firstInside(list.period);

  // Dates and headings that stand before the entries (MAFF): walk the page in document order.
  const dateBefore = new Array<string | undefined>(itemNodes.length);
  const dateContext = new Array<string | undefined>(itemNodes.length);
  if (list.dateBefore || list.dateContext) {
    const selector = [list.item, list.dateBefore, list.dateContext].filter(Boolean).join(', ');
    let day: string | undefined;
    let heading: string | undefined;
    for (const node of selectUnder($, roots, selector)) {
      const i = indexOf.get(node);
      if (i !== undefined) {
        dateBefore[i] = day;
        dateContext[i] = heading;
        continue;
      }
      // Only the few non-entry nodes are matched against the selectors again.
      const el = $(node);
      if (list.dateContext && el.is(list.dateContext)) {
        heading = textOf(node).trim();
        day = undefined;
      } else {
        day = textOf(node).trim();
      }
    }
  }

  const commentDates = list.dateInComment ? datesInComments(roots, indexOf) : [];

  const items: ExtractedItem[] = [];
  const dropped: DroppedEntry[] = [];
  itemNodes.forEach((node, i) => {
    const titleNode = titles[i] ?? (list.title ? undefined : node);
    const linkNode = links[i] ?? (list.link ? undefined : node);
    const whole = titleNode ? cleanHtmlTitle(textOf(titleNode)) : '';
    // A title that is nothing but a label keeps it: the label is the title.
    const text = titleNode && excluded ? cleanHtmlTitle(textWithout(titleNode, excluded)) || whole : whole;
    const title = list.dropFileNote ? withoutFileNote(text) : text;
    const href = attrOf(linkNode, 'href')?.trim();
    const url = absoluteUrl(href, base);
    if (!title && href === undefined) {
      // Nothing the definition reads: a header row of a table, a spacer. Counted, never a failure.
      dropped.push({ reason: 'empty' });
      return;
    }
    if (!url) {
      const scheme = href ? /^([a-z][a-z0-9+.-]*):/i.exec(href)?.[1]?.toLowerCase() : undefined;
      const reason: DropReason = scheme && scheme !== 'http' && scheme !== 'https' ? 'non-http-link' : 'no-link';
      dropped.push({ reason, ...(title ? { title } : {}), ...(href !== undefined ? { link: href } : {}) });
      return;
    }
    if (!title) {
      dropped.push({ reason: 'no-title', link: href ?? '' });
      return;
    }
    const dateNode = dates[i] ?? (list.date && $(node).is(list.date) ? node : undefined);
    const ownDate = dateNode
      ? ((list.dateAttribute ? attrOf(dateNode, list.dateAttribute) : undefined) ?? textOf(dateNode))
      : undefined;
    const periodNode = periods[i];
    const period = periodNode ? textOf(periodNode) : undefined;
    items.push({
      title,
      url,
      dateText: ownDate?.trim() ? ownDate : (commentDates[i] ?? dateBefore[i]),
      dateContext: dateContext[i],
      periodText: period?.trim() ? period : undefined,
    });
  });

  const nextNode = list.nextPage ? selectUnder($, [$.root()[0] as AnyNode], list.nextPage)[0] : undefined;
  const nextHref = attrOf(nextNode, 'href');
  const nextPageUrl = absoluteUrl(nextHref, base);
  return {
    items,
    ...(dropped.length > 0 ? { dropped } : {}),
    nextPageUrl: nextPageUrl && nextPageUrl !== baseUrl ? nextPageUrl : undefined,
    format: 'html',
  };
}

/**
 * For each entry, the first HTML comment holding a date: one inside the entry, else one between
 * the previous entry and this one (the first entry looks back to the start of the list's roots).
 * Some ministry CMSs print the date only in a comment (`<!-- dt>平成38年8月7日</dt -->`).
 */
function datesInComments(roots: AnyNode[], indexOf: Map<AnyNode, number>): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let pending: string | undefined;
  const firstInside = (node: AnyNode): string | undefined => {
    if (node.type === 'comment') return hasJapaneseDate(node.data) ? node.data : undefined;
    if (!('children' in node)) return undefined;
    for (const child of node.children) {
      const found = firstInside(child);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const walk = (node: AnyNode): void => {
    const i = indexOf.get(node);
    if (i !== undefined) {
      out[i] = firstInside(node) ?? pending;
      pending = undefined;
      return;
    }
    if (node.type === 'comment') {
      if (pending === undefined && hasJapaneseDate(node.data)) pending = node.data;
      return;
    }
    if ('children' in node) for (const child of node.children) walk(child);
  };
  for (const root of roots) walk(root);
  return out;
}
