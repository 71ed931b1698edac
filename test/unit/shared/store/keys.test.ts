import { describe, expect, it } from 'vitest';
import {
  changesIndexKeys,
  isItemRecord,
  itemFromRecord,
  itemToRecord,
  tableDefinition,
  titleKey,
  toUtcIso,
} from '../../../../shared/store/keys.js';
import { makeItem } from '../../../support/factories.js';

describe('store keys', () => {
  it('gives the same title key to titles that differ only in width, spacing and case', () => {
    const a = titleKey({ kind: 'call', publisher: '文部科学省', title: '令和7年度 IoT推進ラボ 公募' });
    const b = titleKey({ kind: 'call', publisher: '文部科学省', title: '令和７年度　ＩｏＴ推進ラボ　公募 ' });

    expect(a).toEqual(b);
    expect(titleKey({ kind: 'news', publisher: '文部科学省', title: '令和7年度 IoT推進ラボ 公募' })).not.toEqual(a);
  });

  it('sorts change times as instants whatever offset they carry', () => {
    const tokyo = changesIndexKeys('call', '2025-04-02T09:00:00+09:00', makeItem().id);
    const utc = changesIndexKeys('call', '2025-04-02T00:30:00Z', makeItem().id);

    expect(toUtcIso('2025-04-02T09:00:00+09:00')).toBe('2025-04-02T00:00:00.000Z');
    expect(tokyo.gsi1sk < utc.gsi1sk).toBe(true);
  });

  it('round-trips an item through its table record', () => {
    const item = makeItem();
    const record = itemToRecord(item, item.createdAt);

    expect(isItemRecord(record)).toBe(true);
    expect(itemFromRecord(record)).toEqual(item);
    expect(isItemRecord({ pk: 'URL#abc', sk: 'STATE', type: 'url' })).toBe(false);
  });

  it('rejects a corrupt item record instead of returning a half item', () => {
    const record = { ...itemToRecord(makeItem(), makeItem().createdAt), closesAt: '5月30日' };

    expect(() => itemFromRecord(record)).toThrow();
  });

  it('defines one on-demand table with the changes index the store queries', () => {
    expect(tableDefinition.billingMode).toBe('PAY_PER_REQUEST');
    expect(tableDefinition.globalSecondaryIndexes.map((i) => i.indexName)).toEqual(['changes']);
    expect(tableDefinition.attributes.map((a) => a.name)).toEqual(['pk', 'sk', 'gsi1pk', 'gsi1sk']);
  });
});
