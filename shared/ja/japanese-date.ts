/**
 * Reads one date in any form a ministry page prints: 令和7年5月30日, 令和元年5月1日, R7.5.30,
 * H30.1.1, 2025/5/30, 2025-05-30, 2025.5.30, 2025年5月30日(金), 全角 digits, 漢数字
 * (令和七年五月三十日, 二〇二五年五月三十日), 2025年(令和7年)5月30日, and year-less 5月30日
 * resolved against a reference day.
 *
 * A printed weekday is read but does not decide: when it does not match the date (a typo such as
 * 5月30日(木) for a Friday), the date wins and the result says `weekdayMismatch: true`. Rejecting it
 * would lose a real deadline over a cosmetic error. For a date printed without a year, the weekday
 * may pick the year before the policy's choice (see `YearlessPolicy`).
 */
import { type CalendarDate, type TimeOfDay, formatIsoDate } from './calendar.js';
import { type DateExpression, prepareDateText, scanDates } from './date-scanner.js';
import { type DateParseOptions, checkTime, completeDate, invalid, quote, weekdayMismatch } from './date-values.js';
import { warekiToGregorianYear } from './wareki.js';

/** Options shared by every parser in shared/ja. */
export type { DateParseOptions } from './date-values.js';

/** A date read from text. */
export interface ParsedDate {
  readonly date: CalendarDate;
  /** `YYYY-MM-DD`. */
  readonly iso: string;
  /** A time of day printed after the date (17時, 17:00, 正午), when there was one. */
  readonly time?: TimeOfDay;
  /** The printed weekday disagrees with the date; the date was kept. */
  readonly weekdayMismatch: boolean;
  /** The matched part of the (normalised) text. */
  readonly text: string;
}

/** The first date expression in `text`, or an `InvalidInputError` saying none was found. */
function firstExpression(text: string, options: DateParseOptions): DateExpression {
  for (const match of scanDates(prepareDateText(text), { slashAtStart: true })) {
    return match.kind === 'single' ? match.expr : match.range.start;
  }
  throw invalid(options, `no date found in ${quote(text)}, expected a date such as 令和7年5月30日 or 2025-05-30`);
}

/**
 * Parses the first date in `text`. Text before it (a label such as 掲載日：) is skipped; a year-less
 * date needs `options.ref` or `options.year` and follows `options.policy` (default `'listing'`).
 * Throws `InvalidInputError` when no date is found or the date does not exist.
 *
 * @example parseJapaneseDate('令和7年5月30日(金)').iso === '2025-05-30'
 * @example parseJapaneseDate('令和元年5月1日').iso === '2019-05-01'
 * @example parseJapaneseDate('8月19日', { ref: '2026-08-20' }).iso === '2026-08-19'
 * @example parseJapaneseDate('令和7年13月1日') // throws: date "令和7年13月1日" has month 13, expected 1-12
 */
export function parseJapaneseDate(text: string, options: DateParseOptions = {}): ParsedDate {
  const expr = firstExpression(text, options);
  const date = completeDate(expr, text, options, 'listing');
  return {
    date,
    iso: formatIsoDate(date),
    ...(expr.time ? { time: checkTime(expr.time, text, options) } : {}),
    weekdayMismatch: weekdayMismatch(expr, date),
    text: expr.text,
  };
}

/**
 * Reads a year with an optional month, as list pages print them in headings (令和8年8月分,
 * 2026年8月, 令和元年). Gives the `year` context for the bare dates below such a heading.
 * `undefined` when the text holds no year. Fiscal years (令和8年度) are not calendar years and are
 * not read.
 *
 * @example parseYearMonth('令和8年8月分') // { year: 2026, month: 8 }
 * @example parseYearMonth('2026年') // { year: 2026 }
 */
export function parseYearMonth(
  text: string,
  options: DateParseOptions = {},
): { year: number; month?: number } | undefined {
  const s = prepareDateText(text);
  const m = /(?:(明治|大正|昭和|平成|令和)\s*(\d{1,2}|元)|(?<![\d])(\d{4}))\s*年(?!度)(?:\s*(\d{1,2})\s*月)?/u.exec(s);
  if (!m) return undefined;
  const year = m[1] !== undefined ? warekiToGregorianYear(m[1], m[2] === '元' ? '元' : Number(m[2])) : Number(m[3]);
  if (m[4] === undefined) return { year };
  const month = Number(m[4]);
  if (month < 1 || month > 12) throw invalid(options, `date ${quote(text)} has month ${month}, expected 1-12`);
  return { year, month };
}
