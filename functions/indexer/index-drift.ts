import { createHash } from 'node:crypto';
import type { ItemId } from '../../shared/domain/item.js';
import type { SearchDoc, SearchIndex } from '../../shared/search/search-index.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import type { SeriesStore } from '../../shared/store/series-store.js';
import { forecastProjector } from './series-projection.js';

/** Store against index, by content: what `findIndexDrift` found. */
export interface IndexDrift {
  /** Items in the store. */
  readonly stored: number;
  /** Documents in the index. */
  readonly indexed: number;
  /** Stored items with no document. */
  readonly missing: readonly ItemId[];
  /** Documents whose content differs from the stored item's search document. */
  readonly stale: readonly ItemId[];
  /** Documents of items the store does not have. */
  readonly extra: readonly ItemId[];
}

/**
 * A digest of a search document's whole content, keys sorted and undefined fields dropped, so two
 * documents have the same digest exactly when they hold the same values.
 */
export function searchDocDigest(doc: SearchDoc): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(doc)))
    .digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  return value;
}

/**
 * Compares every stored item's search document (`toSearchDoc`, with its series' forecast when
 * `series` is given: `listForecasts` is read once) with the indexed document of the same id by
 * content digest, reading the index through the port only (every page of a `newest` search,
 * withdrawn items included), so it works on either engine. A forecast that moved without its
 * items changing (a document left with an old forecast) shows as stale here, unlike in the checks
 * by version (reindex.ts). The index must be searchable up to date (OpenSearch: refreshed). Costs
 * one store scan and one pass over the index.
 */
export async function findIndexDrift(
  deps: {
    readonly store: Pick<ItemStore, 'scanItems'>;
    readonly index: SearchIndex;
    readonly series?: Pick<SeriesStore, 'listForecasts'>;
  },
  pageSize = 500,
): Promise<IndexDrift> {
  const project = await forecastProjector(deps.series);
  const expected = new Map<ItemId, string>();
  let scan: string | undefined;
  do {
    const page = await deps.store.scanItems(scan, pageSize);
    for (const item of page.items) expected.set(item.id, searchDocDigest(project(item)));
    scan = page.cursor;
  } while (scan);

  const actual = new Map<ItemId, string>();
  let cursor: string | undefined;
  do {
    const page = await deps.index.search({
      includeWithdrawn: true,
      sort: 'newest',
      size: 100,
      ...(cursor ? { cursor } : {}),
    });
    for (const hit of page.items) actual.set(hit.doc.id, searchDocDigest(hit.doc));
    cursor = page.nextCursor;
  } while (cursor);

  const missing: ItemId[] = [];
  const stale: ItemId[] = [];
  for (const [id, digest] of expected) {
    const found = actual.get(id);
    if (found === undefined) missing.push(id);
    else if (found !== digest) stale.push(id);
  }
  const extra = [...actual.keys()].filter((id) => !expected.has(id));
  return { stored: expected.size, indexed: actual.size, missing, stale, extra };
}
