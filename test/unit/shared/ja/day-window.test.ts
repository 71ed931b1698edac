import { describe, expect, it } from 'vitest';
import { formatDayWindow } from '../../../../shared/ja/day-window.js';

describe('formatDayWindow', () => {
  it.each([
    [{ from: '2026-04-01', to: '2026-04-21' }, '2026年4月1日〜4月21日頃'],
    [{ from: '2027-04-01', to: '2027-04-20' }, '2027年4月1日〜4月20日頃'],
    [{ from: '2026-12-20', to: '2027-01-10' }, '2026年12月20日〜2027年1月10日頃'],
    [{ from: '2027-12-20', to: '2028-01-10' }, '2027年12月20日〜2028年1月10日頃'],
    [{ from: '2027-04-03', to: '2027-04-03' }, '2027年4月3日頃'],
  ])('names the year once within a year, both across a new year, one day alone: %o as %s', (window, shown) => {
    expect(formatDayWindow(window)).toBe(shown);
  });
});
