import { describe, expect, it } from 'vitest';
import { mergeAmounts, parseYen, readAmounts } from '../../../../shared/domain/amount.js';

const read = (text: string) => {
  const amount = readAmounts(text, 'detail');
  if (!amount) return undefined;
  const { evidence: _evidence, ...values } = amount;
  return values;
};

describe('parseYen', () => {
  it.each([
    ['5,521百万円', 5_521_000_000],
    ['9,918百万円', 9_918_000_000],
    ['50,000,000円', 50_000_000],
    ['1億2,000万円', 120_000_000],
    ['500千円', 500_000],
    ['３，０００万円', 30_000_000],
  ])('reads %s', (text, yen) => {
    expect(parseYen(text)).toBe(yen);
  });

  it('gives undefined without an amount', () => {
    expect(parseYen('予算の範囲内')).toBeUndefined();
  });
});

describe('readAmounts', () => {
  it.each([
    ['1件あたり上限3,000万円', { maxPerProjectYen: 30_000_000 }],
    ['補助上限額：500万円', { maxPerProjectYen: 5_000_000 }],
    ['1課題あたり年間1,000万円程度', { maxPerProjectYen: 10_000_000 }],
    ['上限1億円', { maxPerProjectYen: 100_000_000 }],
    ['研究費：1課題あたり総額最大3億円', { maxPerProjectYen: 300_000_000 }],
    ['予算額：1課題あたり年間2億円以内', { maxPerProjectYen: 200_000_000 }],
    ['助成額 300万円', { maxPerProjectYen: 3_000_000 }],
    ['下限50万円', { minPerProjectYen: 500_000 }],
    [
      '補助上限額：750万円～1,250万円（従業員規模による）、下限100万円',
      { maxPerProjectYen: 12_500_000, minPerProjectYen: 1_000_000 },
    ],
    ['総額9,918百万円', { programBudgetYen: 9_918_000_000 }],
    ['予算額：5,521百万円', { programBudgetYen: 5_521_000_000 }],
    ['令和8年度予算 12億円の内数', { programBudgetYen: 1_200_000_000 }],
    [
      '予算規模 1地域あたり年間1億円程度（総額 2,420百万円）',
      { maxPerProjectYen: 100_000_000, programBudgetYen: 2_420_000_000 },
    ],
  ])('reads %s', (text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  it.each([
    ['補助率：2/3以内', '2/3'],
    ['補助率 1/2', '1/2'],
    ['補助率：3/4', '3/4'],
    ['補助率は2分の1以内', '1/2'],
    ['補助率：定額', 'fixed'],
    ['補助率10/10', '10/10'],
    ['補助率：中小企業 1/2、小規模事業者 2/3', '2/3'],
    ['補助対象経費の1/2以内を補助します', '1/2'],
  ])('reads the subsidy rate of %s as %s', (text, rate) => {
    expect(read(text)).toEqual({ subsidyRate: rate });
  });

  it.each([
    ['3,000万円の売上がある企業'],
    ['資本金3億円以下の中小企業'],
    ['提出期限：3月31日'],
    ['説明会は1/2以内に開催'],
    ['5,521百万円'],
    ['予算の範囲内で採択します'],
  ])('reads nothing from %s', (text) => {
    expect(readAmounts(text, 'detail')).toBeUndefined();
  });

  it('keeps the deciding phrase of each field and where it was read', () => {
    expect(
      readAmounts('予算規模：1件あたり上限3,000万円、総額1億5,000万円。補助率：2/3以内', 'eligibility')?.evidence,
    ).toEqual([
      { field: 'maxPerProjectYen', phrase: '予算規模:1件あたり上限3,000万円', from: 'eligibility' },
      { field: 'subsidyRate', phrase: '補助率:2/3以内', from: 'eligibility' },
      { field: 'programBudgetYen', phrase: '総額1億5,000万円', from: 'eligibility' },
    ]);
  });
});

describe('mergeAmounts', () => {
  it('keeps the fields of earlier readings and fills the gaps from later ones', () => {
    const merged = mergeAmounts([
      readAmounts('補助上限額 12,500,000円', 'metadata'),
      undefined,
      readAmounts('補助上限額：1,000万円。補助率：1/2。下限100万円', 'detail'),
    ]);

    expect(merged).toEqual({
      maxPerProjectYen: 12_500_000,
      minPerProjectYen: 1_000_000,
      subsidyRate: '1/2',
      evidence: [
        { field: 'maxPerProjectYen', phrase: '補助上限額 12,500,000円', from: 'metadata' },
        { field: 'minPerProjectYen', phrase: '下限100万円', from: 'detail' },
        { field: 'subsidyRate', phrase: '補助率:1/2', from: 'detail' },
      ],
    });
  });

  it('gives undefined when no reading holds anything', () => {
    expect(mergeAmounts([undefined, readAmounts('3月31日締切', 'detail')])).toBeUndefined();
  });
});
