import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/errors.js';
import { eraByName, formatWareki, toWareki, warekiToGregorianYear } from '../../../../shared/ja/wareki.js';

describe('warekiToGregorianYear', () => {
  it.each([
    ['令和', 7, 2025],
    ['令和', '元' as const, 2019],
    ['R', 1, 2019],
    ['平成', 31, 2019],
    ['平成', 38, 2026],
    ['H', 30, 2018],
    ['h.', 1, 1989],
    ['昭和', 64, 1989],
    ['S', 50, 1975],
    ['大正', 15, 1926],
    ['明治', 45, 1912],
  ])('reads %s%s年 as %i', (era, year, expected) => {
    expect(warekiToGregorianYear(era, year)).toBe(expected);
  });

  it.each([
    ['令和', 0, 'era year 令和0年 is not valid, expected 1 or more (元年 is year 1)'],
    ['慶応', 3, 'era "慶応" is unknown, expected one of 明治, 大正, 昭和, 平成, 令和 or M, T, S, H, R'],
    ['X', 3, 'era "X" is unknown'],
  ])('rejects %s%s年 with a reason', (era, year, message) => {
    expect(() => warekiToGregorianYear(era, year)).toThrow(InvalidInputError);
    expect(() => warekiToGregorianYear(era, year)).toThrow(message);
  });
});

describe('toWareki and formatWareki', () => {
  it.each([
    [{ year: 2019, month: 5, day: 1 }, '令和元年5月1日'],
    [{ year: 2019, month: 4, day: 30 }, '平成31年4月30日'],
    [{ year: 1989, month: 1, day: 7 }, '昭和64年1月7日'],
    [{ year: 1989, month: 1, day: 8 }, '平成元年1月8日'],
    [{ year: 2025, month: 5, day: 30 }, '令和7年5月30日'],
  ])('formats %o as %s', (date, expected) => {
    expect(formatWareki(date)).toBe(expected);
  });

  it('gives no era before 明治', () => {
    expect(toWareki({ year: 1868, month: 1, day: 1 })).toBeUndefined();
  });

  it('finds eras by letter case-insensitively', () => {
    expect(eraByName('r')?.name).toBe('令和');
  });
});
