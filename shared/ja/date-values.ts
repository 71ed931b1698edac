/**
 * The judging half of Japanese date parsing: checks the numbers the scanner found, gives year-less
 * dates a year, and builds ranges with inherited year and month. Every rejection is an
 * `InvalidInputError` whose message quotes the input and says what is expected.
 */
import { InvalidInputError } from '../errors.js';
import {
  type CalendarDate,
  type TimeOfDay,
  type YearlessPolicy,
  dayNumber,
  daysInMonth,
  formatIsoDate,
  resolveYear,
} from './calendar.js';
import type { DateExpression, PartialDate, PrintedTime } from './date-scanner.js';
import { formatWareki, isOnOrAfterEraStart } from './wareki.js';

/** How the parsers treat dates without a year, and how they name the input in errors. */
export interface DateParseOptions {
  /** Reference for year-less dates (5月30日): a `Date`, an ISO instant or `YYYY-MM-DD` (Tokyo). */
  readonly ref?: Date | string;
  /** See {@link YearlessPolicy}. Dates default to `'listing'`, deadlines and ranges to `'deadline'`. */
  readonly policy?: YearlessPolicy;
  /** `'listing'` policy: how many days after `ref` a date may lie. Default 7. */
  readonly futureMarginDays?: number;
  /** `'deadline'` policy: how many days before `ref` a date may lie. Default 30. */
  readonly graceDays?: number;
  /** A year known from context (a heading such as 令和8年8月分); wins over `ref`. */
  readonly year?: number;
  /** Issue path for errors, e.g. `['closesAt']`. Default: the root. */
  readonly path?: readonly (string | number)[];
}

/** Quotes the input for a message, shortened when long. */
export function quote(text: string): string {
  const trimmed = text.trim().replace(/\s+/gu, ' ');
  return `"${trimmed.length > 80 ? `${trimmed.slice(0, 79)}…` : trimmed}"`;
}

/** The error every parser throws: one issue at `options.path` with `message`. */
export function invalid(options: DateParseOptions, message: string): InvalidInputError {
  return new InvalidInputError([{ path: [...(options.path ?? [])], message }]);
}

/** Checks month, day (as far as known without a year) and era year. */
function checkPartial(date: PartialDate, raw: string, options: DateParseOptions): void {
  if (date.eraYear !== undefined && date.eraYear < 1) {
    throw invalid(options, `date ${quote(raw)} has era year ${date.eraYear}, expected 1 or more (元年 is year 1)`);
  }
  if (date.month !== undefined && (date.month < 1 || date.month > 12)) {
    throw invalid(options, `date ${quote(raw)} has month ${date.month}, expected 1-12`);
  }
  const max = date.month === undefined ? 31 : daysInMonth(date.year ?? 2000, date.month);
  if (date.day < 1 || date.day > max) {
    const where =
      date.month === undefined
        ? ''
        : date.year === undefined
          ? ` in month ${date.month}`
          : ` in ${date.year}-${String(date.month).padStart(2, '0')}`;
    throw invalid(options, `date ${quote(raw)} has day ${date.day}, expected 1-${max}${where}`);
  }
}

/** A full date with month and year checked against the calendar and the era's first day. */
function checkComplete(
  date: CalendarDate,
  era: PartialDate['era'],
  raw: string,
  options: DateParseOptions,
): CalendarDate {
  const max = daysInMonth(date.year, date.month);
  if (date.month < 1 || date.month > 12) {
    throw invalid(options, `date ${quote(raw)} has month ${date.month}, expected 1-12`);
  }
  if (date.day < 1 || date.day > max) {
    throw invalid(
      options,
      `date ${quote(raw)} has day ${date.day}, expected 1-${max} in ${date.year}-${String(date.month).padStart(2, '0')}`,
    );
  }
  if (era && !isOnOrAfterEraStart(era, date)) {
    throw invalid(
      options,
      `date ${quote(raw)} is before ${era.name} began on ${formatIsoDate(era.start)}, expected the earlier era (${formatWareki(date)})`,
    );
  }
  return date;
}

/** Converts a printed time to 24-hour form, rejecting impossible values. 24:00 is allowed. */
export function checkTime(time: PrintedTime, raw: string, options: DateParseOptions): TimeOfDay {
  let hour = time.hour;
  if (time.meridiem !== undefined) {
    const label = time.meridiem === 'am' ? '午前' : '午後';
    if (hour > 12 || (time.meridiem === 'pm' && hour === 12)) {
      throw invalid(
        options,
        `time in ${quote(raw)} is ${label}${hour}時, expected ${label}0時-${time.meridiem === 'am' ? 12 : 11}時`,
      );
    }
    if (time.meridiem === 'pm') hour += 12;
  }
  if (hour > 24 || (hour === 24 && (time.minute !== 0 || time.second !== 0))) {
    throw invalid(options, `time in ${quote(raw)} has hour ${time.hour}, expected 0-24`);
  }
  if (time.minute > 59) throw invalid(options, `time in ${quote(raw)} has minute ${time.minute}, expected 0-59`);
  if (time.second > 59) throw invalid(options, `time in ${quote(raw)} has second ${time.second}, expected 0-59`);
  return { hour, minute: time.minute, second: time.second };
}

function weekdayOf(date: CalendarDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/**
 * The year for a date printed without one: `options.year`, else the policy's year from `options.ref`.
 * A printed weekday that fits the year before and not the policy's year picks the year before: a
 * page still online a year after its deadline (5月30日(金) read in June 2026) is far more common
 * than a wrong weekday.
 */
function yearFor(
  month: number,
  day: number,
  raw: string,
  options: DateParseOptions,
  fallback: YearlessPolicy,
  weekday?: number,
): number {
  if (options.year !== undefined) return options.year;
  if (options.ref === undefined) {
    throw invalid(options, `date ${quote(raw)} has no year, expected a year or a reference date to resolve it`);
  }
  const year = resolveYear(month, day, {
    ref: options.ref,
    policy: options.policy ?? fallback,
    ...(options.futureMarginDays !== undefined ? { futureMarginDays: options.futureMarginDays } : {}),
    ...(options.graceDays !== undefined ? { graceDays: options.graceDays } : {}),
  });
  if (year === undefined) throw invalid(options, `date ${quote(raw)} has no year that fits the reference date`);
  if (
    weekday !== undefined &&
    weekdayOf({ year, month, day }) !== weekday &&
    day <= daysInMonth(year - 1, month) &&
    weekdayOf({ year: year - 1, month, day }) === weekday
  ) {
    return year - 1;
  }
  return year;
}

/** Gives a single expression its year and checks it. */
export function completeDate(
  expr: DateExpression,
  raw: string,
  options: DateParseOptions,
  fallback: YearlessPolicy,
): CalendarDate {
  const date = expr.date;
  checkPartial(date, raw, options);
  if (date.month === undefined) throw invalid(options, `date ${quote(raw)} has no month, expected e.g. 5月30日`);
  const year = date.year ?? yearFor(date.month, date.day, raw, options, fallback, expr.weekday);
  return checkComplete({ year, month: date.month, day: date.day }, date.era, raw, options);
}

/** True when a printed weekday does not match the date. The date wins; callers may log this. */
export function weekdayMismatch(expr: DateExpression, date: CalendarDate): boolean {
  return expr.weekday !== undefined && weekdayOf(date) !== expr.weekday;
}

function before(a: { month: number; day: number }, b: { month: number; day: number }): boolean {
  return a.month < b.month || (a.month === b.month && a.day < b.day);
}

/**
 * Completes both ends of a range. The end inherits year and month from the start (4月1日～30日);
 * an end earlier in the year than the start rolls into the next year (12月1日～1月15日), a bare day
 * earlier than the start day into the next month. Without any year, the end is resolved as a deadline
 * and the start takes the same year (or the one before, for a rollover).
 */
export function completeRange(
  start: DateExpression,
  finish: DateExpression,
  raw: string,
  options: DateParseOptions,
): { start: CalendarDate; end: CalendarDate } {
  checkPartial(start.date, raw, options);
  checkPartial(finish.date, raw, options);
  const s = start.date;
  const f = finish.date;
  if (s.month === undefined) throw invalid(options, `date range ${quote(raw)} starts without a month`);
  let startYear = s.year ?? options.year;
  let endYear = f.year;
  let endMonth = f.month ?? s.month;
  const endDay = f.day;
  if (f.month === undefined && endDay < s.day) {
    endMonth = s.month + 1;
    if (endMonth === 13) {
      endMonth = 1;
      if (endYear === undefined && startYear !== undefined) endYear = startYear + 1;
    }
  }
  if (startYear !== undefined) {
    if (endYear === undefined) {
      endYear = before({ month: endMonth, day: endDay }, { month: s.month, day: s.day }) ? startYear + 1 : startYear;
    }
  } else {
    endYear ??= yearFor(endMonth, endDay, raw, options, 'deadline', finish.weekday);
    startYear = before({ month: endMonth, day: endDay }, { month: s.month, day: s.day }) ? endYear - 1 : endYear;
  }
  const startDate = checkComplete({ year: startYear, month: s.month, day: s.day }, s.era, raw, options);
  const endDate = checkComplete(
    { year: endYear, month: endMonth, day: endDay },
    f.era ?? (f.year === undefined ? s.era : undefined),
    raw,
    options,
  );
  if (dayNumber(endDate) < dayNumber(startDate)) {
    throw invalid(
      options,
      `date range ${quote(raw)} ends on ${formatIsoDate(endDate)} before it starts on ${formatIsoDate(startDate)}`,
    );
  }
  return { start: startDate, end: endDate };
}
