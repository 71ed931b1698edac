import type { AnyNode, Element } from 'domhandler';
import { isComment, isTag, isText } from 'domhandler';
import { cleanHtmlTitle, hasJapaneseDate } from '../extract/html-list.js';
import {
  type PageLink,
  type PageModel,
  ancestorsOf,
  contains,
  dateText,
  isYearHeading,
  linksInside,
  textOf,
} from './page-model.js';
import { selectIn, stableClasses } from './selectors.js';
import { fileLabel } from './title-labels.js';

/**
 * Candidate lists of a page, the way an author of a scraping recipe finds them by hand: every
 * group of elements with the same tag/class path from the root that each contain a link is a
 * candidate; each element is an entry, its main link the one with the longest text. A candidate
 * is scored on how many entries it has, how many carry a date (in the entry, in a comment, or in
 * a date heading before it), how long the link texts are (titles, not menu words), how many
 * links stay on the site, and where it stands (main content, or navigation, header and footer).
 */
export interface ListCandidate {
  /** Tag/class path from the root shared by every entry. */
  readonly key: string;
  readonly entries: readonly Element[];
  /** The main link of each entry. */
  readonly mainLinks: readonly PageLink[];
  readonly score: number;
  /** Entries with a date from the chosen `dating`. */
  readonly dated: number;
  /** Where the entries' dates come from. */
  readonly dating: Dating;
  /** Per entry: the element printing its date (own dates), or the heading before it (`before`). */
  readonly dateHolders: readonly (Element | undefined)[];
  /** Per entry: the element printing the title beside a link that says only 詳細 or PDF (else undefined). */
  readonly titleHolders: readonly (Element | undefined)[];
  /** Per entry: the nearest year heading before it (令和8年8月分), for year-less dates. */
  readonly yearHeadings: readonly (Element | undefined)[];
  /** Depth of the entries in the tree (ties go to the outer list). */
  readonly depth: number;
  /** Share of entries whose main link looks like navigation. */
  readonly navShare: number;
  readonly inNavigation: boolean;
}

/**
 * `text`: a date printed in the entry; `attribute`: only in `<time datetime>`; `comment`: in an HTML
 * comment; `before`: a date heading before the entry; `link`: only in the link text itself.
 */
export type Dating = 'text' | 'attribute' | 'comment' | 'before' | 'link' | 'none';

/** Class or id tokens of page chrome: navigation, menus, breadcrumbs, header, footer, side bars. */
const chromeToken =
  /(^|[-_])(g?navi?|gnav|global-?nav|menu|menus|breadcrumbs?|pankuzu|topicpath|footer|header|sidebar|side|sitemap|utility|localnav|lnav|snav|banner|pagetop|skip|pager|pagination)([-_]|$)/i;
const chromeTag = new Set(['nav', 'header', 'footer', 'aside']);
const chromeRole = new Set(['navigation', 'banner', 'contentinfo', 'menu', 'menubar']);
const mainToken = /(^|[-_])(main|contents?|article|primary)([-_]|$)/i;
/** Link texts that name a place on the site, not a news item. */
const menuWord =
  /^(ホーム|トップ|トップページ|home|top|一覧|一覧へ|一覧を見る|もっと見る|もっとみる|詳細|詳しく|続きを読む|次へ|前へ|戻る|前のページ|次のページ|サイトマップ|お問い合わせ|お問合せ|english|文字サイズ|拡大|標準|縮小|ログイン|rss|このページの先頭へ|ページの先頭へ|ページトップへ|pagetop|\d+|[<>«»‹›＜＞]+)$/i;

/** Shortest link text that reads as a title rather than a label. */
const titleMinChars = 6;

function isChrome(element: Element): boolean {
  if (chromeTag.has(element.name)) return true;
  if (chromeRole.has(element.attribs['role'] ?? '')) return true;
  const tokens = [...(element.attribs['class'] ?? '').split(/\s+/), element.attribs['id'] ?? ''];
  return tokens.some((t) => t.length > 0 && chromeToken.test(t));
}

function isMain(element: Element): boolean {
  if (element.name === 'main' || element.attribs['role'] === 'main') return true;
  const tokens = [...(element.attribs['class'] ?? '').split(/\s+/), element.attribs['id'] ?? ''];
  return tokens.some((t) => t.length > 0 && mainToken.test(t));
}

/** Whether a link text is a label (詳細, PDF（123KB）, a short word) rather than a title. */
function isLabelLink(text: string): boolean {
  return text.length < titleMinChars || fileLabel.test(text) || menuWord.test(text.replace(/\s+/g, ''));
}

/** Shortest title printed beside a label link. */
const siblingTitleMinChars = 10;

/**
 * The element of `entry` printing its title beside the label link: the one with the longest text
 * (the innermost on a tie) that holds no link, is not a date, and is longer than the link text.
 */
function siblingTitle(page: PageModel, entry: Element, link: Element): Element | undefined {
  const start = page.indexOf.get(entry) ?? 0;
  const end = page.endOf.get(entry) ?? start;
  const linkLength = cleanHtmlTitle(textOf(link)).length;
  let best: Element | undefined;
  let bestLength = 0;
  for (let k = start + 1; k <= end; k++) {
    const node = page.nodes[k];
    if (!node || !isTag(node) || contains(page, node, link) || contains(page, link, node)) continue;
    if (selectIn('a', node).length > 0 || dateText(node) !== undefined) continue;
    const length = cleanHtmlTitle(textOf(node)).length;
    if (length >= bestLength && length >= siblingTitleMinChars && length > linkLength) {
      best = node;
      bestLength = length;
    }
  }
  return best;
}

/** A link to the site root, a section index or a menu word: navigation, whatever the markup. */
export function isNavigationLink(link: PageLink, page: PageModel): boolean {
  if (menuWord.test(link.text.replace(/\s+/g, ''))) return true;
  const url = new URL(link.url);
  if (url.host !== page.base.host) return false;
  return /^\/([^/]+\/)?(index\.(html?|php|aspx?))?$/i.test(url.pathname) && url.search === '';
}

/** Every candidate list of the page, best first; lists that are another candidate's entries at another level are left out. */
export function listCandidates(page: PageModel): ListCandidate[] {
  const prefixKeys = new Map<AnyNode, string>();
  const prefixKey = (node: AnyNode | null): string => {
    if (!node || !isTag(node)) return '';
    let key = prefixKeys.get(node);
    if (key === undefined) {
      key = `${prefixKey(node.parent)}/${node.name}${stableClasses(node)
        .map((c) => `.${c}`)
        .join('')}`;
      prefixKeys.set(node, key);
    }
    return key;
  };
  const groups = new Map<string, Set<Element>>();
  for (const link of page.links) {
    const chain = [link.element, ...ancestorsOf(link.element)];
    for (const element of chain.slice(0, 7)) {
      if (element.name === 'body' || element.name === 'html') break;
      const key = `${prefixKey(element.parent)}/${element.name}`;
      let set = groups.get(key);
      if (!set) groups.set(key, (set = new Set()));
      set.add(element);
    }
  }
  const scored: ListCandidate[] = [];
  for (const [key, set] of groups) {
    if (set.size < 2) continue;
    const candidate = scoreCandidate(page, key, [...set]);
    if (candidate) scored.push(candidate);
  }
  scored.sort((a, b) => b.score - a.score || a.depth - b.depth);
  const kept: ListCandidate[] = [];
  for (const candidate of scored) {
    const urls = new Set(candidate.mainLinks.map((l) => l.element));
    const sameList = kept.some((k) => {
      const shared = k.mainLinks.filter((l) => urls.has(l.element)).length;
      return shared >= 0.5 * Math.min(urls.size, k.mainLinks.length);
    });
    if (!sameList) kept.push(candidate);
  }
  return kept;
}

function scoreCandidate(page: PageModel, key: string, elements: Element[]): ListCandidate | undefined {
  const sorted = elements.sort((a, b) => (page.indexOf.get(a) ?? 0) - (page.indexOf.get(b) ?? 0));
  const entries: Element[] = [];
  const mainLinks: PageLink[] = [];
  const titleHolders: (Element | undefined)[] = [];
  const titleLengths: number[] = [];
  const linkCounts: number[] = [];
  let navLike = 0;
  for (const entry of sorted) {
    const inside = linksInside(page, entry);
    const main = inside.reduce<PageLink | undefined>(
      (best, l) => (!best || l.text.length > best.text.length ? l : best),
      undefined,
    );
    if (!main) continue;
    // A link saying only 詳細 or PDF（123KB） beside the title printed in a cell or span of its own.
    const holder = isLabelLink(main.text) ? siblingTitle(page, entry, main.element) : undefined;
    // A home or section link that shares the list's markup (a logo in a <p>) is not an entry.
    if (!holder && isNavigationLink(main, page)) {
      navLike += 1;
      continue;
    }
    entries.push(entry);
    mainLinks.push(main);
    titleHolders.push(holder);
    titleLengths.push(holder ? cleanHtmlTitle(textOf(holder)).length : main.text.length);
    linkCounts.push(inside.length);
  }
  const n = entries.length;
  if (n < 2) return undefined;
  const lca = commonAncestor(page, entries);
  // <body id="pagetop"> is a jump target, not page chrome: only elements inside <body> count.
  const ancestors = (lca ? [lca, ...ancestorsOf(lca)] : []).filter((a) => a.name !== 'body' && a.name !== 'html');
  const inNavigation = ancestors.some(isChrome) || entries.every(isChrome);
  const inMain = ancestors.some(isMain);

  const dates = datesOf(page, entries, mainLinks, lca);
  const counts = {
    text: dates.text.filter(Boolean).length,
    attribute: dates.time.filter(Boolean).length,
    comment: dates.comment.filter(Boolean).length,
    before: dates.before.filter(Boolean).length,
    link: mainLinks.filter((l) => hasJapaneseDate(l.text)).length,
  };
  const order: { dating: Dating; count: number; weight: number }[] = [
    { dating: 'text', count: counts.text, weight: 1 },
    { dating: 'attribute', count: counts.attribute, weight: 0.95 },
    { dating: 'comment', count: counts.comment, weight: 0.9 },
    { dating: 'before', count: counts.before, weight: 0.9 },
    { dating: 'link', count: counts.link, weight: 0.8 },
  ];
  const best = order.reduce((a, b) => (b.count * b.weight > a.count * a.weight ? b : a));
  const dating: Dating = best.count > 0 ? best.dating : 'none';
  const dateHolders =
    dating === 'text'
      ? dates.text
      : dating === 'attribute'
        ? dates.time
        : dating === 'before'
          ? dates.before
          : dating === 'link'
            ? mainLinks.map((l) => (hasJapaneseDate(l.text) ? l.element : undefined))
            : entries.map(() => undefined);

  const navShare = navLike / sorted.length;
  const avgLength = titleLengths.reduce((sum, l) => sum + l, 0) / n;
  // Titles are sentences; "PDF", "詳細", page numbers are not (a list of every link in a table is not the list).
  const titleShare = titleLengths.filter((l) => l >= titleMinChars).length / n;
  const linksPerEntry = linkCounts.reduce((a, b) => a + b, 0) / n;
  const sameHost = mainLinks.filter((l) => new URL(l.url).host === page.base.host).length / n;
  const dateShare = (best.count * best.weight) / n;
  const score =
    Math.log2(1 + n) *
    (0.25 + dateShare) *
    Math.min(1, avgLength / 15) *
    titleShare ** 2 *
    (linksPerEntry <= 2 ? 1 : 2 / linksPerEntry) *
    (1 - navShare) ** 2 *
    (0.6 + 0.4 * sameHost) *
    (inNavigation ? 0.15 : inMain ? 1.3 : 1);
  return {
    key,
    entries,
    mainLinks,
    score,
    dated: best.count,
    dating,
    dateHolders,
    titleHolders,
    yearHeadings: dates.yearHeadings,
    depth: key.split('/').length,
    navShare,
    inNavigation,
  };
}

/** The nearest element containing every entry. */
function commonAncestor(page: PageModel, entries: readonly Element[]): Element | undefined {
  const first = entries[0];
  const last = entries[entries.length - 1];
  if (!first || !last) return undefined;
  return ancestorsOf(first).find((a) => contains(page, a, last));
}

interface EntryDates {
  /** The element printing a date in the entry, outside its main link. */
  readonly text: (Element | undefined)[];
  /** A `<time>` in the entry whose `datetime` holds a date. */
  readonly time: (Element | undefined)[];
  /** A dated comment in the entry or between the previous entry and this one. */
  readonly comment: boolean[];
  /** The nearest date heading before the entry (carried over the entries that follow it). */
  readonly before: (Element | undefined)[];
  /** The nearest year heading (令和8年8月分) before the entry. */
  readonly yearHeadings: (Element | undefined)[];
}

/** How far back from an entry a date heading is looked for, in nodes. */
const gapMaxNodes = 400;

function datesOf(
  page: PageModel,
  entries: readonly Element[],
  mainLinks: readonly PageLink[],
  lca: Element | undefined,
): EntryDates {
  const out: EntryDates = { text: [], time: [], comment: [], before: [], yearHeadings: [] };
  let gapStart = lca ? (page.indexOf.get(lca) ?? 0) + 1 : 0;
  let before: Element | undefined;
  let heading: Element | undefined;
  entries.forEach((entry, i) => {
    const start = page.indexOf.get(entry) ?? 0;
    const end = page.endOf.get(entry) ?? start;
    const main = mainLinks[i]?.element;
    const mainStart = main ? (page.indexOf.get(main) ?? -1) : -1;
    const mainEnd = main ? (page.endOf.get(main) ?? -1) : -1;

    let text: Element | undefined;
    let time: Element | undefined;
    let comment = false;
    for (let k = start; k <= end; k++) {
      const node = page.nodes[k];
      if (!node) continue;
      // Inside the main link only an element of its own counts (<a><span class="date">…</span>…</a>).
      const inLink = k >= mainStart && k <= mainEnd;
      if (inLink && !(isText(node) && node.parent !== main)) continue;
      if (isText(node)) {
        if (text || !hasJapaneseDate(node.data)) continue;
        const holder = node.parent && isTag(node.parent) ? node.parent : undefined;
        if (holder && contains(page, entry, holder) && (holder === entry || dateText(holder))) text = holder;
      } else if (isComment(node)) {
        comment ||= hasJapaneseDate(node.data);
      } else if (!time && isTag(node) && node.name === 'time' && hasJapaneseDate(node.attribs['datetime'] ?? '')) {
        time = node;
      }
    }
    out.text.push(text);
    out.time.push(time);

    // Backwards from the entry to the previous one: the nearest date heading and year heading.
    let gapDate: Element | undefined;
    let gapHeading: Element | undefined;
    let headingAfterDate = false;
    for (let k = start - 1; k >= Math.max(gapStart, start - gapMaxNodes); k--) {
      const node = page.nodes[k];
      if (!node) continue;
      if (isComment(node)) {
        comment ||= hasJapaneseDate(node.data);
        continue;
      }
      if (!isTag(node) || (page.endOf.get(node) ?? 0) >= start) continue;
      if (!gapDate && !gapHeading && dateText(node) && !hasLink(page, node)) gapDate = node;
      if (!gapHeading && isYearHeading(node) && !hasLink(page, node)) {
        gapHeading = node;
        headingAfterDate = gapDate === undefined;
      }
    }
    if (gapHeading) heading = gapHeading;
    if (gapDate) before = gapDate;
    else if (headingAfterDate) before = undefined;
    out.comment.push(comment);
    out.before.push(before);
    out.yearHeadings.push(heading);
    gapStart = end + 1;
  });
  return out;
}

function hasLink(page: PageModel, node: AnyNode): boolean {
  return linksInside(page, node).length > 0;
}
