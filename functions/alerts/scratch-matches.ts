import type { ItemId, ItemKind } from '../../shared/domain/item.js';
import type { SavedSearch } from '../../shared/domain/subscription.js';
import type { SearchDoc, SearchIndex } from '../../shared/search/search-index.js';

/**
 * Kinds a saved search can be alerted about. A search that names no kind (or only news) gets
 * calls, as it always has; one that selects `kind=theme` gets new research themes too. A theme's
 * `opensAt`/`closesAt` are its project period, not an application window, so themes get no
 * deadline reminders and their mail entry shows no 締切.
 */
export const digestKinds: readonly ItemKind[] = ['call', 'theme'];

/** The kinds one saved search is matched on: its own digestible kinds, else calls. */
export function digestKindsOf(search: SavedSearch): ItemKind[] {
  const chosen = (search.query.kinds ?? []).filter((k) => digestKinds.includes(k));
  return chosen.length > 0 ? chosen : ['call'];
}

/** A saved search's query model, as the digest runs it (no page, cursor or sort). */
export type DigestQuery = SavedSearch['query'];

/**
 * Saved searches run against a small in-memory index (the embedded engine) of just the documents a
 * digest run looks at, so a digest matches with the same semantics as `/v1/search` (bigram phrase
 * matching, facets, derived status) without asking the full index. The index is built on the first
 * match; each distinct query runs once (every page) and its ids are kept for the run.
 */
export class ScratchMatches {
  private index: Promise<SearchIndex> | undefined;
  private readonly matches = new Map<string, Promise<Set<ItemId>>>();

  /** `docs` is read when the index is built, on the first `match`. */
  constructor(
    private readonly makeIndex: () => SearchIndex,
    private readonly docs: () => readonly SearchDoc[],
  ) {}

  /** Distinct queries run so far. */
  get distinctSearches(): number {
    return this.matches.size;
  }

  /** Ids of the documents the query matches. */
  match(query: DigestQuery): Promise<Set<ItemId>> {
    const key = JSON.stringify(query);
    let found = this.matches.get(key);
    if (found === undefined) {
      found = this.run(query);
      this.matches.set(key, found);
    }
    return found;
  }

  private scratch(): Promise<SearchIndex> {
    this.index ??= (async () => {
      const index = this.makeIndex();
      await index.ensureIndex();
      await index.upsert(this.docs());
      return index;
    })();
    return this.index;
  }

  private async run(query: DigestQuery): Promise<Set<ItemId>> {
    const index = await this.scratch();
    const ids = new Set<ItemId>();
    let cursor: string | undefined;
    do {
      const page = await index.search({ ...query, sort: 'newest', size: 100, cursor });
      for (const hit of page.items) ids.add(hit.doc.id);
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }
}
