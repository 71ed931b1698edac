import { describe, expect, it } from 'vitest';
import { detectFields, fieldByCode, fields } from '../../../../shared/taxonomy/fields.js';

describe('fields', () => {
  it('has 14 fields with unique codes and labels', () => {
    expect(fields).toHaveLength(14);
    expect(new Set(fields.map((f) => f.code)).size).toBe(14);
    expect(new Set(fields.map((f) => f.label)).size).toBe(14);
  });

  it('keeps keywords in folded form so they can match', () => {
    for (const f of fields) for (const k of f.keywords) expect(k).toBe(k.normalize('NFKC').toLowerCase());
  });

  it('finds a field by code', () => {
    expect(fieldByCode('nanotech-materials')?.label).toBe('ナノテクノロジー・材料');
  });
});

describe('detectFields', () => {
  it.each([
    ['次世代半導体の研究開発', ['ict']],
    ['スマート農業におけるＡＩ活用', ['ict', 'food-agriculture']],
    ['ＩｏＴを活用した防災システム', ['ict', 'infrastructure']],
    ['燃料電池自動車の普及', ['energy', 'hydrogen-fuel-cell']],
    ['新興・再興感染症のワクチン開発', ['infectious-disease']],
    ['宇宙ロボットの実証', ['frontier', 'robotics']],
    ['知的クラスター創成事業', ['regional-cluster']],
    ['Digital transformation in fisheries', []],
    ['令和7年度 職員採用のお知らせ', []],
  ])('tags %s with %j', (text, codes) => {
    expect(detectFields(text)).toEqual(codes);
  });
});
