import type { Element } from 'domhandler';
import { isTag } from 'domhandler';
import { cleanHtmlTitle, hasJapaneseDate } from '../extract/html-list.js';
import { textOf } from './page-model.js';
import { commonSignature, selectIn } from './selectors.js';

/** Longest text a category label (地球環境, 報道発表, 産業・雇用) has. */
const labelMaxChars = 12;
/** Shortest title left once the labels are out (shorter: the label was the title). */
const titleMinChars = 6;

/** A class name of a label element: `cat`, `c-news__cat`, `cate_sangyo`, `category`, `genre`, `tag`, `label`, `icon-new`, `badge`, `kubun`. */
const labelClass =
  /(^|[-_])(cat|cate|category|categories|genre|tags?|label|kind|type|icon|badge|bunya|kubun)([-_\d]|$)/i;

function hasLabelClass(element: Element): boolean {
  return (element.attribs['class'] ?? '').split(/\s+/).some((c) => labelClass.test(c));
}

/** 「NEW」 and 「新着」 marks printed beside the newest entries. */
const newMark = /^[\s[［(（【]*(new|新着|新規|更新|up)[!！]?[\s\]］)）】]*$/i;

/** A file-type suffix: `[PDF 123KB]`, `（PDF：1.2MB）`, `PDF形式`, `[Word/45KB]`. */
export const fileLabel =
  /^[\s[［(（【]*(pdf|word|excel|powerpoint|docx?|xlsx?|pptx?|zip|csv|txt)(形式|ファイル)?([\s:：/／,，、・(（[［]*[\d,.]+\s*(kb|mb|gb|kbyte|mbyte|バイト|キロバイト|メガバイト))?[\s\]］)）】]*$/i;

/** Why an element inside a title node is a label, not part of the title. */
type LabelKind = 'new' | 'file' | 'date' | 'category';

interface Found {
  readonly element: Element;
  readonly kind: LabelKind;
}

/**
 * The `titleExclude` selector for labels the site prints inside the title node of each entry:
 * 「NEW」/「新着」 marks and file-type suffixes (`[PDF 123KB]`) wherever they occur; a date that
 * opens or closes the title; and category labels (地球環境, 報道発表): short texts at the start
 * or end of the title whose removal leaves a title, in elements with a class naming a label
 * (`cat`, `category`, `tag`) in two entries or more, or else in elements of the same kind in at
 * least half of the entries with few distinct values. A label that is the whole title is never left out. `undefined`
 * when the titles hold no label, or when no selector picks exactly the labels.
 */
export function titleExcludeFor(titleNodes: readonly (Element | undefined)[]): string | undefined {
  const found: Found[][] = titleNodes.map((node) => (node ? labelsIn(node) : []));
  const categories = categoryLabels(titleNodes, found);
  const labels = found.map((own) => own.filter((f) => f.kind !== 'category' || categories.has(f.element)));
  // A label beside nothing but a date is the title (the extractor keeps a title of labels only).
  const keep = labels.map((own, i) => {
    const node = titleNodes[i];
    if (!node || own.length === 0) return [];
    const left = cleanHtmlTitle(textWithout(node, new Set(own.map((f) => f.element))));
    return isOnlyDate(left) ? [] : own;
  });
  const all = uniqueBy(keep.flat());
  if (all.length === 0) return undefined;

  const selectors: string[] = [];
  const kinds: LabelKind[] = ['category', 'date', 'new', 'file'];
  const labelSet = new Set(all.map((f) => f.element));
  for (const kind of kinds) {
    // One selector per kind of element (span.cat, span.tag), so each keeps its class.
    const groups = new Map<string, Element[]>();
    for (const f of all.filter((f) => f.kind === kind)) {
      const key = commonSignature([f.element]);
      groups.set(key, [...(groups.get(key) ?? []), f.element]);
    }
    for (const group of groups.values()) {
      const selector = selectorFor(group, titleNodes, labelSet);
      if (selector) selectors.push(selector);
    }
  }
  return selectors.length > 0 ? [...new Set(selectors)].join(', ') : undefined;
}

/**
 * Elements inside `node` that may be labels, with why: marks, file types and dates anywhere,
 * then a short element at the start or end of what is left (a category).
 */
function labelsIn(node: Element): Found[] {
  const out: Found[] = [];
  const marks = (parent: Element): void => {
    for (const child of parent.children) {
      if (!isTag(child)) continue;
      const text = cleanHtmlTitle(textOf(child));
      if (text.length === 0) continue;
      if (newMark.test(text)) out.push({ element: child, kind: 'new' });
      else if (fileLabel.test(text)) out.push({ element: child, kind: 'file' });
      else if (isOnlyDate(text) && isAtEdge(node, child, out)) out.push({ element: child, kind: 'date' });
      else marks(child);
    }
  };
  marks(node);
  const categories = (parent: Element): void => {
    for (const child of parent.children) {
      if (!isTag(child) || out.some((f) => f.element === child)) continue;
      const text = cleanHtmlTitle(textOf(child));
      if (text.length === 0) continue;
      if (text.length <= labelMaxChars && !hasTagChildWithText(child) && isAtEdge(node, child, out))
        out.push({ element: child, kind: 'category' });
      else categories(child);
    }
  };
  categories(node);
  return out;
}

/** Whether `child` opens or closes the text of `node` once the labels in `found` are out, and is not all of it. */
function isAtEdge(node: Element, child: Element, found: readonly Found[]): boolean {
  const whole = cleanHtmlTitle(textWithout(node, new Set(found.map((f) => f.element))));
  const text = cleanHtmlTitle(textOf(child));
  return text.length < whole.length && (whole.startsWith(text) || whole.endsWith(text));
}

/**
 * Category candidates that qualify, grouped by tag and classes: a class naming a label in two
 * entries or more, or else in at least half of the entries with few distinct texts; either way
 * with a title of some length left beside them.
 */
function categoryLabels(titleNodes: readonly (Element | undefined)[], found: readonly Found[][]): Set<Element> {
  const groups = new Map<string, { element: Element; entry: number }[]>();
  found.forEach((own, entry) => {
    for (const f of own) {
      if (f.kind !== 'category') continue;
      const key = commonSignature([f.element]);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push({ element: f.element, entry });
    }
  });
  const entries = titleNodes.filter(Boolean).length;
  const out = new Set<Element>();
  for (const group of groups.values()) {
    const inEntries = new Set(group.map((g) => g.entry)).size;
    // A class that says "label" is enough (募集中 on a few entries); otherwise the element must be in
    // most entries and its texts must repeat (categories do, titles don't).
    const named = group.every((g) => hasLabelClass(g.element));
    const distinct = new Set(group.map((g) => cleanHtmlTitle(textOf(g.element)))).size;
    if (named ? inEntries < 2 : inEntries < 3 || inEntries * 2 < entries || distinct > Math.max(2, inEntries / 2))
      continue;
    const lefts = group.map((g) => {
      const node = titleNodes[g.entry] as Element;
      return cleanHtmlTitle(textWithout(node, new Set([g.element])));
    });
    const labelChars = group.reduce((sum, g) => sum + cleanHtmlTitle(textOf(g.element)).length, 0) / group.length;
    const leftChars = lefts.reduce((sum, t) => sum + t.length, 0) / lefts.length;
    if (lefts.some((t) => t.length === 0) || leftChars < titleMinChars || leftChars <= labelChars) continue;
    for (const g of group) out.add(g.element);
  }
  return out;
}

/**
 * A selector that, inside each title node, matches all of `group` and nothing but labels: the
 * group's tag and classes, a single class, the tag, or the tag at its position.
 */
function selectorFor(
  group: readonly Element[],
  titleNodes: readonly (Element | undefined)[],
  labels: ReadonlySet<Element>,
): string | undefined {
  const own = commonSignature(group);
  const tag = group[0]?.name ?? 'span';
  const classes = new Set(group.flatMap((e) => (e.attribs['class'] ?? '').split(/\s+/).filter(Boolean)));
  const shared = [...classes].filter(
    (c) => /^[A-Za-z_-][\w-]*$/.test(c) && group.every((e) => (e.attribs['class'] ?? '').split(/\s+/).includes(c)),
  );
  const options = [
    ...(own.includes('.') ? [own] : []),
    ...shared.map((c) => `${tag}.${c}`),
    tag,
    `${tag}:first-child`,
    `${tag}:last-child`,
  ];
  const wanted = new Set(group);
  for (const selector of options) {
    let ok = true;
    let matched = 0;
    for (const node of titleNodes) {
      if (!node) continue;
      const whole = cleanHtmlTitle(textOf(node));
      for (const element of selectIn(selector, node)) {
        // A label that is the whole title is harmless: the extractor keeps a title of labels only.
        if (!labels.has(element) && cleanHtmlTitle(textOf(element)) !== whole) {
          ok = false;
          break;
        }
        if (wanted.has(element)) matched += 1;
      }
      if (!ok) break;
    }
    if (ok && matched === wanted.size) return selector;
  }
  return undefined;
}

function textWithout(node: Element, excluded: ReadonlySet<Element>): string {
  let out = '';
  for (const child of node.children) {
    if (isTag(child)) {
      if (!excluded.has(child)) out += textWithout(child, excluded);
    } else out += textOf(child);
  }
  return out;
}

/** Longest text read as a date with nothing else of substance (`2026年8月19日（水）発表`). */
const dateMaxChars = 20;

/** Whether the text is a date and little else (`2026年8月19日`, `2026.08.19 発表`). */
function isOnlyDate(text: string): boolean {
  return text.length <= dateMaxChars && hasJapaneseDate(text);
}

function hasTagChildWithText(element: Element): boolean {
  return element.children.some((c) => isTag(c) && textOf(c).trim().length > 0);
}

function uniqueBy(found: readonly Found[]): Found[] {
  const seen = new Set<Element>();
  return found.filter((f) => (seen.has(f.element) ? false : (seen.add(f.element), true)));
}
