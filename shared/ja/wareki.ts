/**
 * 和暦 (Japanese era years): the five modern eras with the Gregorian day each began.
 *
 * Rules this module applies:
 * - 元年 is year 1 of an era; year 0 does not exist.
 * - A date before its era began is rejected (令和元年4月30日 was still 平成31年).
 * - A continued era is accepted: 平成38年 is 2026. Documents printed before 2019 and forms that
 *   were never updated still count years of a finished era, so the year is simply continued.
 * - 明治 begins on 1868-10-23 (明治元年9月8日 in the lunar calendar, converted); dates before the
 *   Gregorian calendar was adopted on 明治6年1月1日 are treated as Gregorian, which no ministry page needs.
 */
import { InvalidInputError } from '../errors.js';

/** An era name as printed: 明治, 大正, 昭和, 平成, 令和. */
export type EraName = '明治' | '大正' | '昭和' | '平成' | '令和';

/** One era with its Latin letter and first day. */
export interface Era {
  readonly name: EraName;
  /** Latin abbreviation used in forms and tables (R7.5.30, H30.1.1). */
  readonly letter: 'M' | 'T' | 'S' | 'H' | 'R';
  /** First day of the era (Gregorian, Asia/Tokyo). */
  readonly start: { readonly year: number; readonly month: number; readonly day: number };
}

/** The modern eras, oldest first. */
const eras: readonly Era[] = [
  { name: '明治', letter: 'M', start: { year: 1868, month: 10, day: 23 } },
  { name: '大正', letter: 'T', start: { year: 1912, month: 7, day: 30 } },
  { name: '昭和', letter: 'S', start: { year: 1926, month: 12, day: 25 } },
  { name: '平成', letter: 'H', start: { year: 1989, month: 1, day: 8 } },
  // 令和 starts 2019-05-01 (the day after the abdication).
  { name: '令和', letter: 'R', start: { year: 2019, month: 5, day: 1 } },
];

/**
 * Finds an era by its name or Latin letter (case-insensitive, a trailing dot is ignored).
 *
 * @example eraByName('令和')?.start.year === 2019
 * @example eraByName('h.')?.name === '平成'
 */
export function eraByName(name: string): Era | undefined {
  const key = name.trim().replace(/\.$/u, '');
  return eras.find((era) => era.name === key || era.letter === key.toUpperCase());
}

/**
 * Converts an era year to the Gregorian year. `'元'` stands for 1. Throws `InvalidInputError` for an
 * unknown era or a year below 1. Continued eras are accepted (平成38 → 2026).
 *
 * @example warekiToGregorianYear('令和', 7) === 2025
 * @example warekiToGregorianYear('R', '元') === 2019
 * @example warekiToGregorianYear('平成', 38) === 2026
 */
export function warekiToGregorianYear(eraName: string, eraYear: number | '元'): number {
  const era = eraByName(eraName);
  if (!era) {
    throw new InvalidInputError([
      {
        path: [],
        message: `era "${eraName}" is unknown, expected one of 明治, 大正, 昭和, 平成, 令和 or M, T, S, H, R`,
      },
    ]);
  }
  const year = eraYear === '元' ? 1 : eraYear;
  if (!Number.isInteger(year) || year < 1) {
    throw new InvalidInputError([
      { path: [], message: `era year ${era.name}${year}年 is not valid, expected 1 or more (元年 is year 1)` },
    ]);
  }
  return era.start.year + year - 1;
}

/**
 * The era a Gregorian date falls in, with its era year; `undefined` before 明治.
 *
 * @example toWareki({ year: 2019, month: 5, day: 1 }) // { era: 令和, year: 1 }
 * @example toWareki({ year: 2019, month: 4, day: 30 }) // { era: 平成, year: 31 }
 */
export function toWareki(date: { year: number; month: number; day: number }): { era: Era; year: number } | undefined {
  const key = date.year * 10_000 + date.month * 100 + date.day;
  for (let i = eras.length - 1; i >= 0; i--) {
    const era = eras[i];
    if (era && key >= era.start.year * 10_000 + era.start.month * 100 + era.start.day) {
      return { era, year: date.year - era.start.year + 1 };
    }
  }
  return undefined;
}

/**
 * Formats a Gregorian date as 和暦, with 元年 for year 1.
 *
 * @example formatWareki({ year: 2019, month: 5, day: 1 }) === '令和元年5月1日'
 */
export function formatWareki(date: { year: number; month: number; day: number }): string {
  const wareki = toWareki(date);
  if (!wareki) return `${date.year}年${date.month}月${date.day}日`;
  const year = wareki.year === 1 ? '元' : String(wareki.year);
  return `${wareki.era.name}${year}年${date.month}月${date.day}日`;
}

/** True when the Gregorian date is on or after the first day of `era`. */
export function isOnOrAfterEraStart(era: Era, date: { year: number; month: number; day: number }): boolean {
  const key = date.year * 10_000 + date.month * 100 + date.day;
  return key >= era.start.year * 10_000 + era.start.month * 100 + era.start.day;
}
