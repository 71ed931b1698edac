import { describe, expect, it } from 'vitest';
import {
  ceilingText,
  formatYen,
  groupByOpeningMonth,
  manYenToYen,
  monthLabel,
  subsidyRateText,
  yenToManYen,
} from '../../../portal/src/facts.js';

describe('formatYen', () => {
  it.each([
    [30_000_000, '3,000万円'],
    [150_000_000, '1億5,000万円'],
    [100_000_000, '1億円'],
    [5_521_000_000, '55億2,100万円'],
    [5_000_000, '500万円'],
    [12_345, '1万2,345円'],
    [800, '800円'],
    [0, '0円'],
  ])('writes %d yen as %s', (yen, text) => {
    expect(formatYen(yen)).toBe(text);
  });
});

describe('ceilingText', () => {
  it('says 上限 with the amount when the ceiling is known, nothing when it is not', () => {
    expect(ceilingText(30_000_000)).toBe('上限 3,000万円');
    expect(ceilingText(undefined)).toBeUndefined();
  });
});

describe('subsidyRateText', () => {
  it.each([
    ['2/3', '2/3以内'],
    ['1/2', '1/2以内'],
    ['10/10', '10/10以内'],
    ['fixed', '定額'],
  ])('writes 補助率 %s as %s', (rate, text) => {
    expect(subsidyRateText(rate)).toBe(text);
  });
});

describe('manYenToYen and yenToManYen', () => {
  it.each([
    ['3000', 30_000_000],
    ['３，０００', 30_000_000],
    ['1,500', 15_000_000],
    ['0.5', 5_000],
    [' 100 ', 1_000_000],
  ])('reads %j 万円 as %d yen', (input, yen) => {
    expect(manYenToYen(input)).toBe(yen);
  });

  it.each(['', '-5', 'abc', '3千', '1e3'])('refuses %j', (input) => {
    expect(manYenToYen(input)).toBeUndefined();
  });

  it('gives back the 万円 a visitor typed', () => {
    expect(yenToManYen(30_000_000)).toBe('3000');
    expect(yenToManYen(5_000)).toBe('0.5');
    expect(manYenToYen(yenToManYen(123_450_000))).toBe(123_450_000);
  });
});

describe('groupByOpeningMonth', () => {
  const hit = (id: string, from?: string) => ({
    id,
    ...(from ? { forecast: { opens: { from, to: from } } } : {}),
  });

  it('groups by the month the expected opening starts in, months in order, hits in their order', () => {
    const groups = groupByOpeningMonth([
      hit('a', '2027-05-10'),
      hit('b', '2027-04-28'),
      hit('c'),
      hit('d', '2027-04-02'),
      hit('e', '2028-01-05'),
    ]);

    expect(groups.map((g) => [monthLabel(g.month), g.hits.map((h) => h.id)])).toEqual([
      ['2027年4月', ['b', 'd']],
      ['2027年5月', ['a']],
      ['2028年1月', ['e']],
    ]);
  });

  it('is empty without forecasts', () => {
    expect(groupByOpeningMonth([hit('c')])).toEqual([]);
  });
});
