import { describe, expect, it } from 'vitest';
import { detectFields, fieldByCode, fields, kakenFieldCodes } from '../../../../shared/taxonomy/fields.js';

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

describe('kakenFieldCodes', () => {
  it.each([
    [['小区分61030:知能情報学関連'], ['ict']],
    [['中区分39:生産環境農学およびその関連分野'], ['environment', 'food-agriculture']],
    [['小区分49060:ウイルス学関連'], ['infectious-disease']],
    [['小区分20020:ロボティクスおよび知能機械システム関連'], ['manufacturing', 'robotics']],
    [['小区分22040:水工学関連'], ['infrastructure']],
    [['情報学', '知能情報学'], ['ict']],
    [['小区分01010:哲学および倫理学関連'], []],
    [[], []],
  ])('maps %j to %j', (names, codes) => {
    expect(kakenFieldCodes(names)).toEqual(codes);
  });

  it('maps only onto codes of the taxonomy', () => {
    const all = kakenFieldCodes(['情報 生物 感染症 環境 材料 エネルギー 機械 土木 宇宙 ロボット 農学 木質 水素']);

    expect(all).toEqual(fields.filter((f) => f.code !== 'regional-cluster').map((f) => f.code));
  });
});
