import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/errors.js';
import { parseJapaneseDate, parseYearMonth } from '../../../../shared/ja/japanese-date.js';

describe('parseJapaneseDate', () => {
  it.each([
    ['令和7年5月30日', '2025-05-30'],
    ['令和元年5月1日', '2019-05-01'],
    ['令和 7 年 5 月 30 日', '2025-05-30'],
    ['R7.5.30', '2025-05-30'],
    ['r7.5.30', '2025-05-30'],
    ['R元.5.1', '2019-05-01'],
    ['H30.1.1', '2018-01-01'],
    ['H.30.1.1', '2018-01-01'],
    ['S64.1.7', '1989-01-07'],
    ['R7/5/30', '2025-05-30'],
    ['令和7.5.30', '2025-05-30'],
    ['R7年5月30日', '2025-05-30'],
    ['平成31年4月30日', '2019-04-30'],
    ['平成38年3月31日', '2026-03-31'],
    ['平成32年3月31日', '2020-03-31'],
    ['平成元年1月8日', '1989-01-08'],
    ['昭和64年1月7日', '1989-01-07'],
    ['大正15年12月24日', '1926-12-24'],
    ['明治45年7月29日', '1912-07-29'],
    ['2025/5/30', '2025-05-30'],
    ['2025-05-30', '2025-05-30'],
    ['2025.5.30', '2025-05-30'],
    ['2025年5月30日', '2025-05-30'],
    ['2025年5月30日(金)', '2025-05-30'],
    ['2025年5月30日（金）', '2025-05-30'],
    ['2025年5月30日（金曜日）', '2025-05-30'],
    ['2025年5月30日金曜日', '2025-05-30'],
    ['令和7年5月5日（月・祝）', '2025-05-05'],
    ['２０２５年５月３０日', '2025-05-30'],
    ['令和７年５月３０日（金）', '2025-05-30'],
    ['２０２５／５／３０', '2025-05-30'],
    ['令和七年五月三十日', '2025-05-30'],
    ['令和元年十二月一日', '2019-12-01'],
    ['二〇二五年五月三十日', '2025-05-30'],
    ['二千二十五年五月三十日', '2025-05-30'],
    ['2025年（令和7年）5月30日', '2025-05-30'],
    ['令和7年（2025年）5月30日', '2025-05-30'],
    ['令和7（2025）年5月30日', '2025-05-30'],
    ['2025（令和7）年5月30日', '2025-05-30'],
    ['2025年05月01日', '2025-05-01'],
    ['令和元（2019）年5月1日', '2019-05-01'],
    ['㍻30年1月1日', '2018-01-01'],
    ['掲載日：令和7年5月30日', '2025-05-30'],
    ['更新日 2026年8月17日', '2026-08-17'],
    ['2024年2月29日', '2024-02-29'],
    ['2000年2月29日', '2000-02-29'],
    ['2026-08-19T14:00:00+09:00', '2026-08-19'],
    ['2026-06-18T20:00:00Z', '2026-06-19'],
  ])('reads %s as %s', (text, expected) => {
    expect(parseJapaneseDate(text).iso).toBe(expected);
  });

  it.each([
    // listing policy: the latest year that is not more than 7 days after the reference
    ['8月19日', '2026-08-20', '2026-08-19'],
    ['8月25日', '2026-08-20', '2026-08-25'],
    ['12月28日', '2026-01-05', '2025-12-28'],
    ['1月9日', '2026-01-05', '2026-01-09'],
    ['9月30日', '2026-08-20', '2025-09-30'],
    ['2月29日', '2026-03-10', '2024-02-29'],
    ['5/30', '2025-06-01', '2025-05-30'],
  ])('reads year-less %s listed on %s as %s', (text, ref, expected) => {
    expect(parseJapaneseDate(text, { ref }).iso).toBe(expected);
  });

  it('reads a year-less date with the deadline policy as the next occurrence', () => {
    expect(parseJapaneseDate('1月15日', { ref: '2025-11-20', policy: 'deadline' }).iso).toBe('2026-01-15');
  });

  it('takes the year from context before the reference', () => {
    expect(parseJapaneseDate('8月19日', { ref: '2030-01-01', year: 2026 }).iso).toBe('2026-08-19');
  });

  it('keeps the date when the printed weekday is wrong, and says so', () => {
    const wrong = parseJapaneseDate('令和7年5月30日(木)');
    const right = parseJapaneseDate('令和7年5月30日(金)');

    expect(wrong.iso).toBe('2025-05-30');
    expect(wrong.weekdayMismatch).toBe(true);
    expect(right.weekdayMismatch).toBe(false);
  });

  it('returns a printed time of day', () => {
    expect(parseJapaneseDate('2025年5月30日 17:30').time).toEqual({ hour: 17, minute: 30, second: 0 });
  });

  it.each([
    ['令和7年13月1日', 'date "令和7年13月1日" has month 13, expected 1-12'],
    ['2025年0月1日', 'date "2025年0月1日" has month 0, expected 1-12'],
    ['2025年2月30日', 'date "2025年2月30日" has day 30, expected 1-28 in 2025-02'],
    ['2025年2月29日', 'date "2025年2月29日" has day 29, expected 1-28 in 2025-02'],
    ['1900年2月29日', 'date "1900年2月29日" has day 29, expected 1-28 in 1900-02'],
    ['2025/4/31', 'date "2025/4/31" has day 31, expected 1-30 in 2025-04'],
    ['令和7年6月0日', 'date "令和7年6月0日" has day 0, expected 1-30 in 2025-06'],
    ['令和0年5月1日', 'date "令和0年5月1日" has era year 0, expected 1 or more (元年 is year 1)'],
    ['R0.5.1', 'date "R0.5.1" has era year 0, expected 1 or more'],
    [
      '令和1年4月30日',
      'date "令和1年4月30日" is before 令和 began on 2019-05-01, expected the earlier era (平成31年4月30日)',
    ],
    ['令和元年1月1日', 'date "令和元年1月1日" is before 令和 began on 2019-05-01'],
    [
      '平成元年1月7日',
      'date "平成元年1月7日" is before 平成 began on 1989-01-08, expected the earlier era (昭和64年1月7日)',
    ],
    ['5月32日', 'date "5月32日" has day 32, expected 1-31 in month 5'],
    ['2月30日', 'date "2月30日" has day 30, expected 1-29 in month 2'],
    ['5月30日', 'date "5月30日" has no year, expected a year or a reference date to resolve it'],
    ['お知らせ', 'no date found in "お知らせ", expected a date such as 令和7年5月30日 or 2025-05-30'],
    ['令和7年度', 'no date found in "令和7年度"'],
    ['', 'no date found in ""'],
  ])('rejects %s: %s', (text, message) => {
    expect(() => parseJapaneseDate(text)).toThrow(InvalidInputError);
    expect(() => parseJapaneseDate(text)).toThrow(message);
  });

  it('puts the caller path on the issue', () => {
    try {
      parseJapaneseDate('令和7年13月1日', { path: ['publishedAt'] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).issues).toEqual([
        { path: ['publishedAt'], message: 'date "令和7年13月1日" has month 13, expected 1-12' },
      ]);
    }
  });
});

describe('parseYearMonth', () => {
  it.each([
    ['令和8年8月分', { year: 2026, month: 8 }],
    ['令和元年5月', { year: 2019, month: 5 }],
    ['2026年8月の報道発表', { year: 2026, month: 8 }],
    ['平成30年', { year: 2018 }],
    ['２０２６年', { year: 2026 }],
  ])('reads the heading %s as %o', (text, expected) => {
    expect(parseYearMonth(text)).toEqual(expected);
  });

  it.each([['令和8年度'], ['報道発表']])('reads no calendar year in %s', (text) => {
    expect(parseYearMonth(text)).toBeUndefined();
  });

  it('rejects a month that does not exist', () => {
    expect(() => parseYearMonth('令和8年13月分')).toThrow('date "令和8年13月分" has month 13, expected 1-12');
  });
});
