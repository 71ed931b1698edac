import type { AnyNode, Element } from 'domhandler';
import { isTag } from 'domhandler';
import { loadHtml } from '../extract/html-dom.js';
import { cleanHtmlTitle, hasJapaneseDate } from '../extract/html-list.js';
import { absoluteUrl } from '../fetch/urls.js';
import { prepareDateText, scanDates } from '../../../shared/ja/date-scanner.js';
import { parseYearMonth } from '../../../shared/ja/japanese-date.js';

/**
 * A list page as the suggester reads it: every node in document order (so "between two entries"
 * is a range of indexes), the usable links, and what each element looks like as a date.
 */
export interface PageModel {
  readonly root: AnyNode;
  /** The page's final URL, after `<base href>`: what links resolve against. */
  readonly base: URL;
  readonly pageUrl: string;
  /** Every node (elements, text, comments) in document order. */
  readonly nodes: readonly AnyNode[];
  readonly indexOf: ReadonlyMap<AnyNode, number>;
  /** Index of the last descendant of each node (the node itself when it has none). */
  readonly endOf: ReadonlyMap<AnyNode, number>;
  /** Links with an http(s) target and a visible title, in document order. */
  readonly links: readonly PageLink[];
  /** `<title>` text. */
  readonly title: string;
}

export interface PageLink {
  readonly element: Element;
  readonly url: string;
  /** The link text as the extractor prints it. */
  readonly text: string;
}

/** The text of a node and its descendants. */
export function textOf(node: AnyNode): string {
  if (node.type === 'text') return node.data;
  if (!('children' in node)) return '';
  let out = '';
  for (const child of node.children) out += textOf(child);
  return out;
}

/** Parses a page and indexes it for the suggester. */
export function readPage(html: string, pageUrl: string): PageModel {
  const $ = loadHtml(html);
  const root = $.root()[0] as AnyNode;
  const baseHref = $('base[href]').attr('href');
  const base = new URL((baseHref && absoluteUrl(baseHref, pageUrl)) || pageUrl);
  const nodes: AnyNode[] = [];
  const indexOf = new Map<AnyNode, number>();
  const endOf = new Map<AnyNode, number>();
  const links: PageLink[] = [];
  const pageKey = withoutHash(pageUrl);
  const walk = (node: AnyNode): void => {
    indexOf.set(node, nodes.length);
    nodes.push(node);
    if (isTag(node) && node.name === 'a') {
      const url = absoluteUrl(node.attribs['href'], base);
      const text = cleanHtmlTitle(textOf(node));
      if (url && text && withoutHash(url) !== pageKey) links.push({ element: node, url, text });
    }
    if ('children' in node && !(isTag(node) && (node.name === 'script' || node.name === 'style')))
      for (const child of node.children) walk(child);
    endOf.set(node, nodes.length - 1);
  };
  walk(root);
  return { root, base, pageUrl, nodes, indexOf, endOf, links, title: cleanHtmlTitle($('title').first().text()) };
}

function withoutHash(url: string): string {
  const hash = url.indexOf('#');
  return hash < 0 ? url : url.slice(0, hash);
}

/** Longest text an element may have and still be read as a printed date (not a paragraph). */
const dateTextMaxChars = 40;

/** The element's text when it is short and holds a full or day-only date (`2026年8月19日発表`, `8月19日付`). */
export function dateText(node: AnyNode): string | undefined {
  const text = cleanHtmlTitle(textOf(node));
  return text.length > 0 && text.length <= dateTextMaxChars && hasJapaneseDate(text) ? text : undefined;
}

/** Whether the element prints a period (令和8年11月1日～令和8年12月15日) as its first date. */
export function isPeriod(node: AnyNode): boolean {
  const text = cleanHtmlTitle(textOf(node));
  if (text.length > 2 * dateTextMaxChars) return false;
  for (const match of scanDates(prepareDateText(text), { slashAtStart: true })) return match.kind === 'range';
  return false;
}

/** Whether the element is a heading giving a year (and month) but no day: `令和8年8月分`, `2026年`. */
export function isYearHeading(node: AnyNode): boolean {
  const text = cleanHtmlTitle(textOf(node));
  if (text.length === 0 || text.length > dateTextMaxChars || hasJapaneseDate(text)) return false;
  try {
    return parseYearMonth(text) !== undefined;
  } catch {
    return false;
  }
}

/** Element ancestors of `node`, nearest first (the node itself excluded). */
export function ancestorsOf(node: AnyNode): Element[] {
  const out: Element[] = [];
  for (let p = node.parent; p && isTag(p); p = p.parent) out.push(p);
  return out;
}

/** The usable links inside `node` (or `node` itself), found by binary search over document order. */
export function linksInside(model: PageModel, node: AnyNode): PageLink[] {
  const start = model.indexOf.get(node) ?? 0;
  const end = model.endOf.get(node) ?? start;
  const at = (l: PageLink) => model.indexOf.get(l.element) ?? 0;
  let lo = 0;
  let hi = model.links.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at(model.links[mid] as PageLink) < start) lo = mid + 1;
    else hi = mid;
  }
  const out: PageLink[] = [];
  for (let i = lo; i < model.links.length && at(model.links[i] as PageLink) <= end; i++)
    out.push(model.links[i] as PageLink);
  return out;
}

/** Whether `inner` is `outer` or inside it. */
export function contains(model: PageModel, outer: AnyNode, inner: AnyNode): boolean {
  const o = model.indexOf.get(outer) ?? -1;
  const i = model.indexOf.get(inner) ?? -2;
  return i >= o && i <= (model.endOf.get(outer) ?? -1);
}
