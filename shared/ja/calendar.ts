/**
 * Calendar arithmetic in Asia/Tokyo. Japan has had no daylight saving time since 1951, so Tokyo
 * time is always UTC+9 and plain arithmetic on a shifted UTC date is exact.
 */
import { InvalidInputError } from '../errors.js';

/** A day on the Gregorian calendar (no time, no zone). */
export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A time of day; `hour` may be 24 (24時 = midnight at the end of the day). */
export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const tokyoOffsetMs = 9 * 60 * 60 * 1000;
const dayMs = 24 * 60 * 60 * 1000;

/** The end of a Tokyo day as this project stores it: 23:59:59. */
export const endOfDay: TimeOfDay = { hour: 23, minute: 59, second: 59 };
/** The start of a Tokyo day: 00:00:00. */
export const startOfDay: TimeOfDay = { hour: 0, minute: 0, second: 0 };

/** Gregorian leap year. @example isLeapYear(2024) === true; isLeapYear(1900) === false */
function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** @example daysInMonth(2024, 2) === 29 */
export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** Days since 1970-01-01 for comparing and shifting dates. */
export function dayNumber(date: CalendarDate): number {
  return Math.floor(Date.UTC(date.year, date.month - 1, date.day) / dayMs);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** @example formatIsoDate({ year: 2025, month: 5, day: 30 }) === '2025-05-30' */
export function formatIsoDate(date: CalendarDate): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

/**
 * The instant of a Tokyo wall-clock time as an ISO string with `+09:00`. 24:00 rolls to the next day.
 *
 * @example tokyoInstant({ year: 2025, month: 5, day: 30 }, { hour: 17, minute: 0, second: 0 }) === '2025-05-30T17:00:00+09:00'
 */
export function tokyoInstant(date: CalendarDate, time: TimeOfDay): string {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute, time.second));
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+09:00`
  );
}

/** The Tokyo calendar day and time of an instant. */
export function tokyoPartsOf(instant: Date): { date: CalendarDate; time: TimeOfDay } {
  const d = new Date(instant.getTime() + tokyoOffsetMs);
  return {
    date: { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() },
    time: { hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() },
  };
}

/**
 * A reference point for year-less dates: a `Date`, an ISO instant, or a `YYYY-MM-DD` Tokyo day.
 * Throws `InvalidInputError` for anything else.
 *
 * @example referenceDay('2025-05-10') // { year: 2025, month: 5, day: 10 }
 */
export function referenceDay(ref: Date | string): CalendarDate {
  if (typeof ref === 'string') {
    const day = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(ref.trim());
    if (day) {
      const date = { year: Number(day[1]), month: Number(day[2]), day: Number(day[3]) };
      if (date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= daysInMonth(date.year, date.month)) {
        return date;
      }
    } else if (/^\d{4}-\d{2}-\d{2}T/u.test(ref) && !Number.isNaN(Date.parse(ref))) {
      return tokyoPartsOf(new Date(ref)).date;
    }
    throw new InvalidInputError([
      { path: ['ref'], message: `reference date "${ref}" is not valid, expected YYYY-MM-DD or an ISO instant` },
    ]);
  }
  if (Number.isNaN(ref.getTime())) {
    throw new InvalidInputError([{ path: ['ref'], message: 'reference date is an invalid Date' }]);
  }
  return tokyoPartsOf(ref).date;
}

/**
 * How a date printed without a year (5月30日) gets one from a reference day.
 *
 * - `'listing'`: the date of something already published (a news list, 掲載日). It takes the
 *   latest year that puts the date no later than `futureMarginDays` (default 7) after the reference,
 *   so on 2026-01-05 「12月28日」 is 2025-12-28 and 「1月9日」 is 2026-01-09.
 * - `'deadline'`: a closing date or the end of a period. It takes the next occurrence counted from
 *   `graceDays` (default 30) before the reference: on 2025-11-20 「1月15日」 is 2026-01-15, and
 *   on 2025-06-02 「5月30日」 stays 2025-05-30 (a call that just closed, whose page is still up)
 *   instead of jumping to a year ahead. Pass `graceDays: 0` for the strict next occurrence.
 *
 * Under either policy a printed weekday that fits the year before, and not the chosen year, moves
 * the date to the year before (see `date-values.ts`): 「5月30日(金)まで」 read in June 2026 is 2025-05-30.
 */
export type YearlessPolicy = 'listing' | 'deadline';

/** A reference day and the policy to apply; margins in days (see {@link YearlessPolicy}). */
export interface YearResolution {
  readonly ref: Date | string;
  readonly policy: YearlessPolicy;
  readonly futureMarginDays?: number;
  readonly graceDays?: number;
}

/**
 * Picks the year for a month and day under a {@link YearlessPolicy}. Skips years where the day does
 * not exist (2月29日 takes a leap year). Returns `undefined` when no year within 8 fits.
 *
 * @example resolveYear(5, 30, { ref: '2025-06-02', policy: 'deadline' }) === 2025
 * @example resolveYear(12, 28, { ref: '2026-01-05', policy: 'listing' }) === 2025
 */
export function resolveYear(month: number, day: number, how: YearResolution): number | undefined {
  const ref = referenceDay(how.ref);
  const refN = dayNumber(ref);
  const fits = (year: number): boolean => day <= daysInMonth(year, month);
  if (how.policy === 'listing') {
    const limit = refN + (how.futureMarginDays ?? 7);
    for (let year = ref.year + 1; year >= ref.year - 8; year--) {
      if (fits(year) && dayNumber({ year, month, day }) <= limit) return year;
    }
    return undefined;
  }
  const from = refN - (how.graceDays ?? 30);
  for (let year = ref.year - 1; year <= ref.year + 8; year++) {
    if (fits(year) && dayNumber({ year, month, day }) >= from) return year;
  }
  return undefined;
}
