import type { AnyNode, Element } from 'domhandler';
import { isTag } from 'domhandler';
import type { HtmlList } from '../../../shared/domain/source.js';
import { parseYearMonth } from '../../../shared/ja/japanese-date.js';
import { cleanHtmlTitle, hasJapaneseDate } from '../extract/html-list.js';
import { type ListCandidate, isNavigationLink, listCandidates } from './list-candidates.js';
import { type PageModel, ancestorsOf, contains, dateText, isPeriod, isYearHeading, textOf } from './page-model.js';
import { titleExcludeFor } from './title-labels.js';
import { childPosition, commonSignature, selectIn, selectorCandidates, stableId } from './selectors.js';

/** A candidate list as the operator sees it among the runners-up. */
export interface CandidateSummary {
  /** The item selector the list would get. */
  readonly item: string;
  readonly score: number;
  readonly entries: number;
  readonly dated: number;
  /** The first entry's title (its link text, or the text printed beside a 詳細 link). */
  readonly example: string;
}

export interface InferredList {
  readonly list: HtmlList;
  readonly chosen: CandidateSummary;
  /** The next best candidates that are not the chosen list at another level, best first. */
  readonly runnersUp: readonly CandidateSummary[];
  /**
   * Undated entries whose dates stand in bare text beside them (`<p>2026年8月19日\u3000<a>…</a><br>…`):
   * no CSS selector reaches a text node, so the definition cannot read those dates.
   */
  readonly datesInBareText: number;
}

/** How many runners-up are reported. */
const runnersUpShown = 3;

/**
 * Infers an `html-list` definition from a page: the best-scoring candidate list (see
 * `listCandidates`) with item/title/link selectors that select exactly its entries and main
 * links, the date from where the entries carry it (`date`, `dateAttribute`, `dateInComment`,
 * `dateBefore`, `dateContext`), a `container` when the list sits under an element with an id, and
 * `nextPage` when the page links to a next page. `undefined` when the page has no list of links.
 */
export function inferList(page: PageModel): InferredList | undefined {
  const candidates = listCandidates(page);
  const best = candidates[0];
  if (!best) return undefined;
  const list = definitionFor(page, best);
  return {
    list,
    datesInBareText: best.dating === 'none' ? best.entries.filter(hasDateInBareText).length : 0,
    chosen: summaryOf(best, list.item),
    runnersUp: candidates.slice(1, 1 + runnersUpShown).map((c) => summaryOf(c, itemSelectorFor(page, c, undefined))),
  };
}

/** Whether the text right before or after the entry (up to a `<br>` or an element) holds a date. */
function hasDateInBareText(entry: Element): boolean {
  const around = (step: (n: AnyNode) => AnyNode | null): boolean => {
    let text = '';
    for (let n = step(entry); n && !isTag(n); n = step(n)) if (n.type === 'text') text += n.data;
    return hasJapaneseDate(text);
  };
  return around((n) => n.prev) || around((n) => n.next);
}

function summaryOf(candidate: ListCandidate, item: string): CandidateSummary {
  return {
    item,
    score: Math.round(candidate.score * 100) / 100,
    entries: candidate.entries.length,
    dated: candidate.dated,
    example: candidate.titleHolders[0]
      ? cleanHtmlTitle(textOf(candidate.titleHolders[0]))
      : (candidate.mainLinks[0]?.text ?? ''),
  };
}

function definitionFor(page: PageModel, candidate: ListCandidate): HtmlList {
  const { entries, mainLinks } = candidate;
  const containerElement = containerOf(page, candidate);
  const container = containerElement ? `#${stableId(containerElement) ?? ''}` : undefined;
  const scope: AnyNode = containerElement ?? page.root;
  const item = itemSelectorFor(page, candidate, containerElement);
  const list: { -readonly [K in keyof HtmlList]: HtmlList[K] } = { ...(container ? { container } : {}), item };

  const linkIsEntry = mainLinks.every((l, i) => l.element === entries[i]);
  if (!linkIsEntry) {
    const link = relativeSelector(
      entries,
      mainLinks.map((l) => l.element),
      ['a'],
    );
    list.title = link;
    list.link = link;
  }
  // A link that wraps the date as well (<a><span class="date">…</span><span class="title">…</span></a>):
  // the title is the link's longest part that is not the date.
  const titleParts = mainLinks.map((l, i) => titlePartOf(page, l.element, candidate.dateHolders[i]));
  if (candidate.dating === 'text' && titleParts.every((t) => t !== undefined))
    list.title = relativeSelector(entries, titleParts as Element[], []);
  // A link saying only 詳細 or PDF: the title is printed beside it.
  if (candidate.titleHolders.every((t) => t !== undefined))
    list.title = relativeSelector(entries, candidate.titleHolders as Element[], []);

  // Labels inside the title (地球環境, NEW, [PDF 123KB]) are not part of it.
  const titleNodes = entries.map((e, i) =>
    list.title ? selectIn(list.title, e)[0] : linkIsEntry ? e : mainLinks[i]?.element,
  );
  const titleExclude = titleExcludeFor(titleNodes);
  if (titleExclude) list.titleExclude = titleExclude;

  // A cell printing a period (募集期間) is the application period, not the publication date.
  const periods = entries.map((entry, i) => periodIn(page, entry, mainLinks[i]?.element));
  if (periods.filter(Boolean).length * 2 >= entries.length) {
    const withPeriod = periods.map((p, i) => ({ p, entry: entries[i] })).filter((x) => x.p !== undefined);
    list.period = relativeSelector(
      withPeriod.map((x) => x.entry as Element),
      withPeriod.map((x) => x.p as Element),
      [],
    );
  }
  const periodSet = new Set(periods);
  const holders = candidate.dateHolders.map((h) =>
    h && periodSet.has(h) && candidate.dating === 'text' ? undefined : h,
  );
  const dated = holders.map((h, i) => ({ holder: h, entry: entries[i] })).filter((d) => d.holder !== undefined);
  if ((candidate.dating === 'text' || candidate.dating === 'attribute') && dated.length > 0) {
    const own = dated.filter((d) => d.holder !== d.entry);
    if (own.length === 0) list.date = item;
    else
      list.date = relativeSelector(
        own.map((d) => d.entry as Element),
        own.map((d) => d.holder as Element),
        candidate.dating === 'attribute' ? ['time[datetime]'] : [],
      );
    // <time datetime="2026-05-01">5月1日</time>: the attribute carries the year the text leaves out.
    const times = own.map((d) => d.holder as Element);
    const yearFromAttribute =
      times.length > 0 &&
      times.every((t) => t.name === 'time' && hasYear(t.attribs['datetime'] ?? '')) &&
      times.some((t) => !hasYear(textOf(t)));
    if (candidate.dating === 'attribute' || yearFromAttribute) list.dateAttribute = 'datetime';
  } else if (candidate.dating === 'link') {
    list.date = list.link ?? item;
  } else if (candidate.dating === 'comment') {
    list.dateInComment = true;
  } else if (candidate.dating === 'before') {
    const before = uniqueElements(dated.map((d) => d.holder as Element));
    const selector = outsideSelector(page, scope, before, entries);
    if (selector) list.dateBefore = selector;
  }

  // Year-less dates (8月19日) take their year from a heading such as 令和8年8月分.
  const dateTexts = dated.map((d) => textOf(d.holder as Element));
  const yearless = dateTexts.length > 0 && dateTexts.some((t) => !hasYear(t));
  const headings = uniqueElements(candidate.yearHeadings.filter((h): h is Element => h !== undefined));
  if (yearless && headings.length > 0 && candidate.dating !== 'comment' && candidate.dating !== 'link') {
    const selector = outsideSelector(page, scope, headings, entries);
    if (selector && selector !== list.dateBefore) list.dateContext = selector;
  }

  const next = nextPageSelector(page);
  if (next) list.nextPage = next;
  return list;
}

/** The smallest element of `entry` (outside its main link) that prints a period, if any. */
function periodIn(page: PageModel, entry: Element, link: Element | undefined): Element | undefined {
  const start = page.indexOf.get(entry) ?? 0;
  const end = page.endOf.get(entry) ?? start;
  let found: Element | undefined;
  for (let k = start + 1; k <= end; k++) {
    const node = page.nodes[k];
    if (!node || !isTag(node) || (link && (contains(page, link, node) || contains(page, node, link)))) continue;
    // Document order visits a parent before its children: keep the innermost.
    if (isPeriod(node) && (!found || contains(page, found, node))) found = node;
  }
  return found;
}

/**
 * The element of `link` with the longest text that neither is nor holds the date `holder`, when it
 * holds most of the rest of the link's text; undefined when the date is not inside the link.
 */
function titlePartOf(page: PageModel, link: Element, holder: Element | undefined): Element | undefined {
  if (!holder || holder === link || !contains(page, link, holder)) return undefined;
  let best: Element | undefined;
  let bestLength = 0;
  const start = page.indexOf.get(link) ?? 0;
  const end = page.endOf.get(link) ?? start;
  for (let k = start + 1; k <= end; k++) {
    const node = page.nodes[k];
    if (!node || !isTag(node) || contains(page, node, holder) || contains(page, holder, node)) continue;
    const length = textOf(node).trim().length;
    if (length > bestLength) {
      best = node;
      bestLength = length;
    }
  }
  // A short part (a category label beside a bare-text title) is not the title.
  const rest = textOf(link).trim().length - textOf(holder).trim().length;
  return bestLength * 2 >= rest ? best : undefined;
}

function hasYear(text: string): boolean {
  try {
    return parseYearMonth(text) !== undefined || /\d{4}[-/.]\d{1,2}[-/.]\d{1,2}/.test(text);
  } catch {
    return false;
  }
}

function uniqueElements(elements: readonly Element[]): Element[] {
  return [...new Set(elements)];
}

/** The nearest element with a stable id that holds every entry (not `<body>` or `<html>`). */
function containerOf(page: PageModel, candidate: ListCandidate): Element | undefined {
  const first = candidate.entries[0];
  const last = candidate.entries[candidate.entries.length - 1];
  if (!first || !last) return undefined;
  return ancestorsOf(first).find(
    (a) => a.name !== 'body' && a.name !== 'html' && stableId(a) !== undefined && contains(page, a, last),
  );
}

/** True when `selected` is exactly `wanted` (same elements). */
function sameSet(selected: readonly Element[], wanted: ReadonlySet<Element>): boolean {
  return selected.length === wanted.size && selected.every((e) => wanted.has(e));
}

/**
 * The shortest item selector that selects exactly the candidate's entries under `container`;
 * elements it also selects must hold no link (a table's header row), else `:has(a)` narrows it.
 */
function itemSelectorFor(page: PageModel, candidate: ListCandidate, container: Element | undefined): string {
  const scope: AnyNode = container ?? page.root;
  const wanted = new Set(candidate.entries);
  const options = selectorCandidates(candidate.entries);
  for (const selector of options) {
    const selected = selectIn(selector, scope);
    if (sameSet(selected, wanted)) return selector;
    if (selected.every((e) => wanted.has(e) || !page.links.some((l) => contains(page, e, l.element)))) {
      const narrowed = `${selector}:has(a[href])`;
      if (sameSet(selectIn(narrowed, scope), wanted)) return narrowed;
      if (selected.length >= wanted.size && candidate.entries.every((e) => selected.includes(e))) return selector;
    }
  }
  return fullPath(candidate.entries);
}

/** `sig > sig > ... > sig` from the nearest shared ancestor with an id (or the root) down to the entries. */
function fullPath(entries: readonly Element[]): string {
  const levels: string[] = [];
  let layer: Element[] = [...entries];
  for (let depth = 0; depth < 12 && layer.length > 0; depth++) {
    const first = layer[0] as Element;
    const id = stableId(first);
    if (depth > 0 && id && layer.every((e) => e === first)) {
      levels.unshift(`#${id}`);
      break;
    }
    levels.unshift(commonSignature(layer));
    const parents = layer.map((e) => e.parent).filter((p): p is Element => p !== null && isTag(p));
    if (parents.length !== layer.length || parents.some((p) => p.name === 'html')) break;
    layer = parents;
  }
  return levels.join(' > ');
}

/**
 * A selector whose first match inside each of `entries` is the matching one of `targets`
 * (`a.cut_txt`, `td.date`, `dd a`), preferring the short ones; the one right for most entries
 * when none is right for all.
 */
function relativeSelector(entries: readonly Element[], targets: readonly Element[], first: readonly string[]): string {
  const positions = new Set(targets.map(childPosition));
  const own = commonSignature(targets);
  const options = [
    ...first,
    targets[0]?.name ?? 'a',
    ...selectorCandidates(targets).filter((s) => !s.startsWith('#')),
    ...(positions.size === 1 ? [`${own}:nth-child(${[...positions][0] ?? 1})`] : []),
  ];
  let best = { selector: own, right: -1 };
  for (const selector of [...new Set(options)]) {
    let right = 0;
    entries.forEach((entry, i) => {
      if (selectIn(selector, entry)[0] === targets[i]) right += 1;
    });
    if (right === entries.length) return selector;
    if (right > best.right) best = { selector, right };
  }
  return best.selector;
}

/**
 * A selector for date headings outside the entries (`p.list_item_date`, `h2`, `dl.news > dt`):
 * it must match every heading and nothing inside an entry.
 */
function outsideSelector(
  page: PageModel,
  scope: AnyNode,
  headings: readonly Element[],
  entries: readonly Element[],
): string | undefined {
  const fits = (selector: string, strict: boolean): boolean => {
    const selected = selectIn(selector, scope);
    if (!headings.every((h) => selected.includes(h))) return false;
    if (selected.some((s) => entries.some((e) => contains(page, e, s) || contains(page, s, e)))) return false;
    // A heading that is not a date (a section title) would wipe the date of the entries below it.
    return !strict || selected.every((s) => dateText(s) !== undefined || isYearHeading(s));
  };
  const options = selectorCandidates(headings);
  return options.find((s) => fits(s, true)) ?? options.find((s) => fits(s, false));
}

const nextWords = /^(次へ|次のページへ?|次ページへ?|次の\d+件|次の一覧|next|>|＞|»|›)\s*[>＞»›]*$/i;

/** The next-page link of a paginated list, as a selector (`a[rel~="next"]`, `.p-pagination__next a`). */
function nextPageSelector(page: PageModel): string | undefined {
  const link = page.links.find(
    (l) =>
      /(^|\s)next(\s|$)/i.test(l.element.attribs['rel'] ?? '') ||
      nextWords.test(l.text.replace(/\s+/g, '')) ||
      (/next/i.test(l.element.attribs['class'] ?? '') && isNavigationLink(l, page)),
  );
  if (!link) return undefined;
  const options: string[] = [];
  if (/(^|\s)next(\s|$)/i.test(link.element.attribs['rel'] ?? '')) options.push('a[rel~="next"]');
  const classes = (link.element.attribs['class'] ?? '').split(/\s+/).filter((c) => /next/i.test(c));
  for (const c of classes) options.push(`a.${c}`);
  for (const a of ancestorsOf(link.element).slice(0, 3)) {
    const next = (a.attribs['class'] ?? '').split(/\s+/).find((c) => /next/i.test(c) && /^[A-Za-z_-][\w-]*$/.test(c));
    if (next) options.push(`.${next} a`);
  }
  options.push(`a:contains(${JSON.stringify(link.text)})`);
  for (const selector of options) {
    const first = selectIn(selector, page.root)[0];
    if (first === link.element || (first && first.attribs['href'] === link.element.attribs['href'])) return selector;
  }
  return undefined;
}
