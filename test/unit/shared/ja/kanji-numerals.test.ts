import { describe, expect, it } from 'vitest';
import { kanjiNumeralsToDigits, kanjiToNumber } from '../../../../shared/ja/kanji-numerals.js';

describe('kanjiToNumber', () => {
  it.each([
    ['二〇二五', 2025],
    ['三十一', 31],
    ['十二', 12],
    ['十', 10],
    ['二十', 20],
    ['二千二十五', 2025],
    ['七', 7],
  ])('reads %s as %i', (text, expected) => {
    expect(kanjiToNumber(text)).toBe(expected);
  });

  it('returns undefined for text that is not a numeral', () => {
    expect(kanjiToNumber('第一')).toBeUndefined();
  });
});

describe('kanjiNumeralsToDigits', () => {
  it.each([
    ['令和七年五月三十日', '令和7年5月30日'],
    ['二〇二五年十二月一日', '2025年12月1日'],
    ['第一回公募', '第一回公募'],
    ['十七時必着', '17時必着'],
  ])('turns %s into %s', (text, expected) => {
    expect(kanjiNumeralsToDigits(text)).toBe(expected);
  });
});
