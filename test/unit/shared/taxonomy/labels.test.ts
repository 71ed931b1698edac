import { describe, expect, it } from 'vitest';
import { callStatuses } from '../../../../shared/domain/status.js';
import { regionBlocks } from '../../../../shared/domain/item.js';
import { fields } from '../../../../shared/taxonomy/fields.js';
import {
  describeSearch,
  facetLabel,
  kindLabels,
  statusLabels,
  type FacetName,
} from '../../../../shared/taxonomy/labels.js';
import { ministries } from '../../../../shared/taxonomy/ministries.js';
import { prefectures } from '../../../../shared/taxonomy/prefectures.js';

describe('facetLabel', () => {
  it.each([
    ['kind', 'call', '公募'],
    ['kind', 'theme', '研究テーマ'],
    ['status', 'open', '募集中'],
    ['status', 'upcoming', '募集前'],
    ['status', 'closed', '締切済み'],
    ['ministry', 'mext', '文部科学省'],
    ['ministry', 'pref-20', '長野県'],
    ['prefecture', '20', '長野県'],
    ['prefecture', '01', '北海道'],
    ['region', 'chubu', '中部'],
    ['field', 'life-science', 'ライフサイエンス'],
    ['field', 'regional-cluster', '地域科学技術クラスター'],
  ] as [FacetName, string, string][])('labels %s %s as %s', (facet, code, label) => {
    expect(facetLabel(facet, code)).toBe(label);
  });

  it.each([
    ['ministry', 'nope'],
    ['prefecture', '48'],
    ['prefecture', '長野'],
    ['field', 'alchemy'],
  ] as [FacetName, string][])('returns an unknown %s code %s unchanged', (facet, code) => {
    expect(facetLabel(facet, code)).toBe(code);
  });

  it('has a Japanese word for every code of the taxonomy', () => {
    const all: [FacetName, string][] = [
      ...Object.keys(kindLabels).map((c): [FacetName, string] => ['kind', c]),
      ...callStatuses.map((c): [FacetName, string] => ['status', c]),
      ...ministries.map((m): [FacetName, string] => ['ministry', m.code]),
      ...prefectures.map((p): [FacetName, string] => ['prefecture', p.code]),
      ...regionBlocks.map((r): [FacetName, string] => ['region', r]),
      ...fields.map((f): [FacetName, string] => ['field', f.code]),
    ];

    const untranslated = all.filter(([facet, code]) => !/[\u3040-\u30ff\u4e00-\u9fff]/u.test(facetLabel(facet, code)));

    expect(all.length).toBeGreaterThan(100);
    expect(untranslated).toEqual([]);
  });

  it('says 募集中 for open calls, never 受付中', () => {
    expect(Object.values(statusLabels)).toContain('募集中');
    expect(Object.values(statusLabels).join()).not.toContain('受付中');
  });
});

describe('describeSearch', () => {
  it.each([
    [{ text: 'クラスター', statuses: ['open'], prefectures: ['20'] }, 'クラスター・募集中・長野県'],
    [{ kinds: ['call'], ministries: ['mext'] }, '公募・文部科学省'],
    [{ prefectures: ['20', '21'] }, '長野県または岐阜県'],
    [{ regions: ['chubu'], fields: ['life-science', 'ict'] }, '中部・ライフサイエンスまたは情報通信'],
    [{ kinds: ['call'], closes: { to: '2025-05-31T14:59:59.999Z' } }, '公募・締切〜2025/5/31'],
    [{ opens: { from: '2025-04-01T00:00:00+09:00' } }, '受付開始2025/4/1〜'],
    [{ text: '  ' }, 'すべて'],
    [{}, 'すべて'],
  ])('describes %j as %s', (query, words) => {
    expect(describeSearch(query)).toBe(words);
  });

  it('names an empty search as the caller asks', () => {
    expect(describeSearch({}, '新着')).toBe('新着');
  });
});
