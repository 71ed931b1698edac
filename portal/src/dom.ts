/** Tiny DOM helpers: elements are built with text nodes, never from HTML strings. */

type Child = Node | string | number | null | undefined | false;

/** `h('a', { href: '/x', class: 'link' }, 'text')`; attributes that are false or undefined are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(
      typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child,
    );
  }
}

const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the entities an HTML-escaping serializer writes (`&amp;`, `&#x2F;`, `&#39;` ...). */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return named[ref.toLowerCase()] ?? whole;
  });
}

/**
 * A highlight fragment from the API (matches in `<mark>`, everything else HTML-escaped) as DOM
 * nodes. Only `<mark>` and `</mark>` become elements; any other markup stays visible text, so a
 * fragment can never inject HTML even if the API escaped badly.
 */
export function highlighted(fragment: string): DocumentFragment {
  const out = document.createDocumentFragment();
  let mark: HTMLElement | undefined;
  for (const part of fragment.split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') {
      mark = document.createElement('mark');
      out.appendChild(mark);
    } else if (part === '</mark>') {
      mark = undefined;
    } else if (part !== '') {
      (mark ?? out).appendChild(document.createTextNode(decodeEntities(part)));
    }
  }
  return out;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page has no element #${id}`);
  return element as T;
}
