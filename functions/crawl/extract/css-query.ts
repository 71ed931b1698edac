import { compile } from 'css-select';
import type { AnyNode, Element } from 'domhandler';

/** A selector compiled by css-select, for `selectAll`. */
type CssQuery = ReturnType<typeof compile<AnyNode, Element>>;

const compiled = new Map<string, CssQuery | null>();

/**
 * `selector` compiled once per process and kept, or `null` when css-select cannot compile it (a
 * jQuery extension such as `:first`, or a malformed selector).
 */
export function cssQuery(selector: string): CssQuery | null {
  let query = compiled.get(selector);
  if (query === undefined) {
    try {
      query = compile<AnyNode, Element>(selector);
    } catch {
      query = null;
    }
    compiled.set(selector, query);
  }
  return query;
}
