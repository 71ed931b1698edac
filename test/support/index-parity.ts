import { createHash } from 'node:crypto';
import type { SearchDoc, SearchIndex } from '../../shared/search/search-index.js';
import { toSearchDoc } from '../../shared/search/search-index.js';
import type { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';

/** Store against index, by content: what `indexParity` found. */
export interface IndexParity {
  /** Items in the store. */
  readonly stored: number;
  /** Documents in the index. */
  readonly indexed: number;
  /** Stored items with no document. */
  readonly missing: readonly string[];
  /** Documents whose content differs from the stored item's search document. */
  readonly stale: readonly string[];
  /** Documents of items the store does not have. */
  readonly extra: readonly string[];
}

/** A digest of a search document with its keys sorted, so field order does not matter. */
export function docDigest(doc: SearchDoc): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value)
          .filter(([, v]) => v !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => [k, canonical(v)]),
      );
    return value;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(doc)))
    .digest('hex');
}

/**
 * Compares every stored item's search document (`toSearchDoc`) with the indexed document of the
 * same id, by a digest of its whole content, reading the index through the port only (all pages of
 * a `newest` search with withdrawn items included), so it works on either engine.
 */
export async function indexParity(store: DynamoDbItemStore, index: SearchIndex): Promise<IndexParity> {
  const expected = new Map<string, string>();
  let scan: string | undefined;
  do {
    const page = await store.scanItems(scan, 500);
    for (const item of page.items) expected.set(item.id, docDigest(toSearchDoc(item)));
    scan = page.cursor;
  } while (scan);

  const actual = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await index.search({
      includeWithdrawn: true,
      sort: 'newest',
      size: 100,
      ...(cursor ? { cursor } : {}),
    });
    for (const hit of page.items) actual.set(hit.doc.id, docDigest(hit.doc));
    cursor = page.nextCursor;
  } while (cursor);

  const missing: string[] = [];
  const stale: string[] = [];
  for (const [id, digest] of expected) {
    const found = actual.get(id);
    if (found === undefined) missing.push(id);
    else if (found !== digest) stale.push(id);
  }
  const extra = [...actual.keys()].filter((id) => !expected.has(id));
  return { stored: expected.size, indexed: actual.size, missing, stale, extra };
}
