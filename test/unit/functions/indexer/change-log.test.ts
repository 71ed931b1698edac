import { describe, expect, it } from 'vitest';
import {
  applyLoggedIds,
  backoffDelayMs,
  formatEntries,
  isBehind,
  lagOf,
  nextBatch,
  parseLog,
  type ChangeLogEntry,
} from '../../../../functions/indexer/change-log.js';
import { FixedClock } from '../../../../shared/clock.js';
import type { Item, ItemId } from '../../../../shared/domain/item.js';
import { silentLog } from '../../../../shared/log.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { toSearchDoc } from '../../../../shared/search/search-index.js';
import { makeItem } from '../../../support/factories.js';

const id = (n: number) => `it_${n.toString(16).padStart(24, '0')}` as ItemId;
const entry = (seq: number, n: number, at = '2025-05-01T00:00:00.000Z'): ChangeLogEntry => ({ seq, id: id(n), at });

describe('parseLog and formatEntries', () => {
  it('reads back what it wrote', () => {
    const entries = [entry(1, 1), entry(2, 2)];

    const parsed = parseLog(formatEntries(entries));

    expect(parsed).toEqual({ entries, tornTail: false, badLines: 0 });
  });

  it('drops a torn last line and counts damaged lines', () => {
    const text = `${formatEntries([entry(1, 1)])}not json\n{"seq":0,"id":"x","at":"y"}\n${formatEntries([entry(4, 4)])}{"seq":5,"id":"it_`;

    const parsed = parseLog(text);

    expect(parsed.entries.map((e) => e.seq)).toEqual([1, 4]);
    expect(parsed.tornTail).toBe(true);
    expect(parsed.badLines).toBe(2);
  });

  it('reads an empty log as no entries', () => {
    expect(parseLog('')).toEqual({ entries: [], tornTail: false, badLines: 0 });
  });
});

describe('nextBatch', () => {
  it('takes distinct ids in log order up to the limit and covers repeats of taken ids', () => {
    const pending = [entry(1, 1), entry(2, 2), entry(3, 1), entry(4, 3), entry(5, 2)];

    expect(nextBatch(pending, 2)).toEqual({ ids: [id(1), id(2)], throughSeq: 3 });
    expect(nextBatch(pending, 3)).toEqual({ ids: [id(1), id(2), id(3)], throughSeq: 5 });
  });

  it('is undefined when nothing is pending', () => {
    expect(nextBatch([], 10)).toBeUndefined();
  });
});

describe('backoffDelayMs', () => {
  it.each([
    [0, 0],
    [1, 250],
    [2, 500],
    [4, 2_000],
    [7, 15_000],
    [1_000, 15_000],
  ])('waits after %i failures %i ms', (failures, ms) => {
    expect(backoffDelayMs(failures, { baseMs: 250, maxMs: 15_000 })).toBe(ms);
  });
});

describe('lagOf and isBehind', () => {
  const now = new Date('2025-05-01T00:01:00.000Z');

  it('counts pending changes and ages the oldest in whole seconds', () => {
    const lag = lagOf([entry(1, 1, '2025-05-01T00:00:15.500Z'), entry(2, 2, '2025-05-01T00:00:59.000Z')], now);

    expect(lag).toEqual({ pending: 2, oldestAgeSec: 44 });
    expect(isBehind(lag)).toBe(true);
    expect(isBehind(lag, 60)).toBe(false);
  });

  it('is behind at once when the last attempt failed, and never with nothing pending', () => {
    const fresh = lagOf([entry(1, 1, '2025-05-01T00:01:00.000Z')], now, 'connect ECONNREFUSED');

    expect(fresh).toEqual({ pending: 1, oldestAgeSec: 0, lastError: 'connect ECONNREFUSED' });
    expect(isBehind(fresh)).toBe(true);
    expect(isBehind(lagOf([], now, 'connect ECONNREFUSED'))).toBe(false);
  });
});

describe('applyLoggedIds', () => {
  const clock = new FixedClock('2025-05-01T00:00:00+09:00');

  it('indexes the current stored item, not an older one, and removes items the store no longer has', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    const kept = makeItem({ title: '最新の題名の公募' });
    const gone = makeItem({ url: 'https://example.go.jp/gone', canonicalUrl: 'https://example.go.jp/gone' });
    const goneItem = { ...gone, id: id(99) };
    await index.upsert([toSearchDoc({ ...kept, title: '古い題名' }), toSearchDoc(goneItem)]);
    const stored = new Map<ItemId, Item>([[kept.id, kept]]);
    const store = { get: async (itemId: ItemId) => stored.get(itemId) };

    const result = await applyLoggedIds({ store, index, log: silentLog }, [kept.id, goneItem.id]);

    expect(result).toEqual({ upserted: 1, removed: 1, reprojected: 0 });
    expect(await index.count()).toBe(1);
    expect((await index.search({ text: '最新' })).items.map((h) => h.doc.id)).toEqual([kept.id]);
    expect((await index.search({ text: '古い題名' })).total).toBe(0);
  });
});
