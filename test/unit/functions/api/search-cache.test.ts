import { describe, expect, it } from 'vitest';
import { CachedSearchIndex } from '../../../../functions/api/search-cache.js';
import { FixedClock } from '../../../../shared/clock.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import type { SearchQuery } from '../../../../shared/search/query.js';
import { contractTimes, fixtureId, searchFixtureCorpus } from '../../../support/search-corpus.js';
import { searchIndexContract } from '../../../support/search-index.contract.js';

async function counted(ttlMs = 5000, maxEntries = 10) {
  const clock = new FixedClock(contractTimes.middle);
  const inner = new EmbeddedSearchIndex({ clock });
  await inner.upsert(searchFixtureCorpus());
  const calls: SearchQuery[] = [];
  const search = inner.search.bind(inner);
  inner.search = (query) => {
    calls.push(query);
    return search(query);
  };
  return { clock, inner, calls, cached: new CachedSearchIndex(inner, { clock, ttlMs, maxEntries }) };
}

// The API serves search through the cache, so the cache answers as the port promises, with the
// API's own settings (5 s, 500 queries) around the embedded engine.
searchIndexContract('CachedSearchIndex around the embedded engine', async (clock) => ({
  index: new CachedSearchIndex(new EmbeddedSearchIndex({ clock }), { clock, ttlMs: 5_000, maxEntries: 500 }),
  close: async () => {},
}));

describe('CachedSearchIndex', () => {
  it('answers a repeated query from the cache within the TTL and asks the engine again after it', async () => {
    const { clock, calls, cached } = await counted();

    const first = await cached.search({ kinds: ['call'] });
    const again = await cached.search({ kinds: ['call'] });
    clock.advanceMs(5000);
    await cached.search({ kinds: ['call'] });

    expect(again).toBe(first);
    expect(calls).toHaveLength(2);
  });

  it('asks the engine again when the clock has gone back since a result was cached', async () => {
    const { clock, calls, cached } = await counted();
    await cached.search({ statuses: ['open'] });

    clock.set(contractTimes.early);
    const earlier = await cached.search({ statuses: ['open'] });

    expect(calls).toHaveLength(2);
    expect(earlier.items.every((hit) => hit.status === 'open')).toBe(true);
  });

  it('clears itself when documents are written through it', async () => {
    const { calls, cached } = await counted();
    const before = await cached.search({ text: '産学官' });

    await cached.remove([fixtureId('sangakukan')]);
    const after = await cached.search({ text: '産学官' });

    expect(calls).toHaveLength(2);
    expect(after.total).toBe(before.total - 1);
  });

  it('tells another cache over the same index to forget its results when written through', async () => {
    const { clock, inner, calls, cached: reader } = await counted();
    const writer = new CachedSearchIndex(inner, { clock, ttlMs: 5000, maxEntries: 10, onWrite: () => reader.clear() });
    const before = await reader.search({ text: '産学官' });

    await writer.remove([fixtureId('sangakukan')]);
    const after = await reader.search({ text: '産学官' });

    expect(calls).toHaveLength(2);
    expect(after.total).toBe(before.total - 1);
  });

  it('keeps at most maxEntries queries, dropping the least recently used', async () => {
    const { calls, cached } = await counted(5000, 2);

    await cached.search({ kinds: ['call'] });
    await cached.search({ kinds: ['news'] });
    await cached.search({ kinds: ['call'] });
    await cached.search({ kinds: ['theme'] });
    await cached.search({ kinds: ['call'] });
    await cached.search({ kinds: ['news'] });

    expect(calls.map((q) => q.kinds?.[0])).toEqual(['call', 'news', 'theme', 'news']);
  });

  it('does not keep failures', async () => {
    const { calls, cached } = await counted();

    await expect(cached.search({ cursor: 'forged' })).rejects.toThrow();
    await expect(cached.search({ cursor: 'forged' })).rejects.toThrow();

    expect(calls).toHaveLength(2);
  });
});
