import { selectAll } from 'css-select';
import type { AnyNode, Element } from 'domhandler';
import { isTag } from 'domhandler';
import { cssQuery } from '../extract/css-query.js';

/**
 * Class names that say something about one entry's state or position rather than what it is
 * (`new`, `odd`, `item-3`, `is-active`): a selector built on them would match only some entries
 * or change from one day to the next.
 */
const volatileClass =
  /^(new|odd|even|first|last|active|current|selected|on|off|show|hide|hidden|clearfix|cf)$|\d|^(is|js|has)-/i;

/** The stable class names of an element, sorted. */
export function stableClasses(element: Element): string[] {
  return (element.attribs['class'] ?? '')
    .split(/\s+/)
    .filter((c) => c.length > 0 && !volatileClass.test(c) && /^[A-Za-z_-][\w-]*$/.test(c))
    .sort();
}

/** `tag.class1.class2` with the classes every one of `elements` has. */
export function commonSignature(elements: readonly Element[]): string {
  const first = elements[0];
  if (!first) return '*';
  let classes = stableClasses(first);
  for (const el of elements.slice(1)) {
    const own = new Set(stableClasses(el));
    classes = classes.filter((c) => own.has(c));
  }
  const tags = new Set(elements.map((e) => e.name));
  const tag = tags.size === 1 ? first.name : classes.length > 0 ? '' : '*';
  return `${tag}${classes.map((c) => `.${c}`).join('')}`;
}

/** An element's stable id, usable as `#id`. */
export function stableId(element: Element): string | undefined {
  const id = element.attribs['id'];
  return id && /^[A-Za-z][\w-]*$/.test(id) && !/\d{3,}/.test(id) ? id : undefined;
}

/** Every element under `roots` matching `selector`, in document order; `[]` when it does not compile. */
export function selectIn(selector: string, roots: AnyNode | readonly AnyNode[]): Element[] {
  const query = cssQuery(selector);
  return query ? selectAll<AnyNode, Element>(query, Array.isArray(roots) ? [...roots] : [roots as AnyNode]) : [];
}

/** `:nth-child` position of an element among its element siblings (1-based). */
export function childPosition(element: Element): number {
  const parent = element.parent;
  if (!parent) return 1;
  let n = 0;
  for (const child of parent.children) {
    if (isTag(child)) n += 1;
    if (child === element) return n;
  }
  return n;
}

/**
 * Selectors for `targets` inside `scope`, shortest first: the targets' own signature, then with
 * their parent's and grandparent's signatures (`ul.news > li`), then with an id ancestor. The
 * caller checks each and keeps the first that selects what it should.
 */
export function selectorCandidates(targets: readonly Element[]): string[] {
  const own = commonSignature(targets);
  const parents = targets.map((t) => t.parent).filter((p): p is Element => p !== null && isTag(p));
  const grand = parents.map((p) => p.parent).filter((p): p is Element => p !== null && isTag(p));
  const out = [own];
  if (parents.length === targets.length) {
    const parentSig = commonSignature(parents);
    out.push(`${parentSig} > ${own}`);
    if (grand.length === targets.length) {
      const grandSig = commonSignature(grand);
      out.push(`${grandSig} > ${parentSig} > ${own}`);
      out.push(`${grandSig} ${own}`);
    }
  }
  // An id on a shared ancestor anchors the selector to one region of the page.
  const first = targets[0];
  for (let p = first?.parent; p && isTag(p); p = p.parent) {
    const id = stableId(p);
    if (id && targets.every((t) => isInside(t, p))) {
      const base = out.slice(0, 3);
      for (const s of base) out.push(`#${id} ${s}`);
      break;
    }
  }
  return [...new Set(out)];
}

function isInside(node: AnyNode, ancestor: AnyNode): boolean {
  for (let p = node.parent; p; p = p.parent) if (p === ancestor) return true;
  return false;
}
