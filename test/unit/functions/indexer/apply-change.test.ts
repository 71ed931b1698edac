import { describe, expect, it } from 'vitest';
import { applyChanges } from '../../../../functions/indexer/apply-change.js';
import { FixedClock } from '../../../../shared/clock.js';
import { silentLog } from '../../../../shared/log.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { makeItem } from '../../../support/factories.js';

describe('applyChanges', () => {
  const clock = new FixedClock('2025-05-01T00:00:00+09:00');

  it('upserts new and changed items and removes deleted ones', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    const a = makeItem();
    const b = makeItem({
      url: 'https://example.go.jp/b',
      canonicalUrl: 'https://example.go.jp/b',
      title: '量子技術の公募',
    });

    const first = await applyChanges({ index, log: silentLog }, [
      { id: a.id, newItem: a },
      { id: b.id, newItem: b },
    ]);
    const second = await applyChanges({ index, log: silentLog }, [{ id: b.id, oldItem: b }]);

    expect(first).toEqual({ upserted: 2, removed: 0, reprojected: 0 });
    expect(second).toEqual({ upserted: 0, removed: 1, reprojected: 0 });
    expect(await index.count()).toBe(1);
    expect((await index.search({ text: '量子技術' })).total).toBe(0);
  });

  it('keeps only the last change of an id within one batch', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    const a = makeItem();
    const renamed = { ...a, title: '名称変更後の公募', version: 2 };

    await applyChanges({ index, log: silentLog }, [
      { id: a.id, newItem: a },
      { id: a.id, oldItem: a },
      { id: a.id, newItem: renamed, oldItem: a },
    ]);

    expect(await index.count()).toBe(1);
    expect((await index.search({ text: '名称変更後' })).items[0]?.doc.title).toBe('名称変更後の公募');
  });

  it('keeps a withdrawn item indexed, hidden unless asked for', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    const a = makeItem({ withdrawnAt: '2025-04-20T00:00:00+09:00' });

    await applyChanges({ index, log: silentLog }, [{ id: a.id, newItem: a }]);

    expect((await index.search({ text: '研究大学' })).total).toBe(0);
    expect((await index.search({ text: '研究大学', includeWithdrawn: true })).items[0]?.doc.withdrawn).toBe(true);
  });
});
