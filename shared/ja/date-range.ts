/**
 * Date ranges as pages print application periods: 令和7年4月1日（火）～5月30日（金）, 4月1日～30日,
 * 2025/4/1～2025/5/30, 令和7年12月1日から1月15日まで. Separators: ～ 〜 ~ - – — から (and ー between
 * dates); the end inherits the year and month it leaves out, and rolls over 12月→1月.
 */
import { InvalidInputError } from '../errors.js';
import { type CalendarDate, endOfDay, startOfDay, tokyoInstant } from './calendar.js';
import { type RangeExpression, prepareDateText, scanDates } from './date-scanner.js';
import { type DateParseOptions, checkTime, completeRange, invalid, quote } from './date-values.js';

/** A period with both ends as Tokyo instants. */
export interface DateRange {
  /** Start instant; 00:00:00+09:00 when no time was printed. */
  readonly start: string;
  /** End instant; 23:59:59+09:00 (end of day) when no time was printed. */
  readonly end: string;
  readonly startDate: CalendarDate;
  readonly endDate: CalendarDate;
  /** The matched part of the (normalised) text. */
  readonly text: string;
}

/** Completes a scanned range into instants. */
export function rangeFrom(range: RangeExpression, raw: string, options: DateParseOptions): DateRange {
  const { start, end } = completeRange(range.start, range.finish, raw, options);
  const startTime = range.start.time ? checkTime(range.start.time, raw, options) : startOfDay;
  const endTime = range.finish.time ? checkTime(range.finish.time, raw, options) : endOfDay;
  return {
    start: tokyoInstant(start, startTime),
    end: tokyoInstant(end, endTime),
    startDate: start,
    endDate: end,
    text: range.text,
  };
}

/**
 * Parses the first date in `text`, which must be the start of a range. Year-less ranges need
 * `options.ref` (the end is resolved with the `'deadline'` policy, the start takes its year).
 * Throws `InvalidInputError` when there is no range or either end does not exist.
 *
 * @example parseDateRange('令和7年4月1日（火）～5月30日（金）').end === '2025-05-30T23:59:59+09:00'
 * @example parseDateRange('令和7年12月1日～1月15日').end === '2026-01-15T23:59:59+09:00'
 * @example parseDateRange('4月1日～30日', { ref: '2025-04-10' }).start === '2025-04-01T00:00:00+09:00'
 */
export function parseDateRange(text: string, options: DateParseOptions = {}): DateRange {
  for (const match of scanDates(prepareDateText(text))) {
    if (match.kind === 'range') return rangeFrom(match.range, text, options);
    throw invalid(
      options,
      `date range ${quote(text)} has one date, expected two joined by ～ (e.g. 令和7年4月1日～5月30日)`,
    );
  }
  throw invalid(options, `no date range found in ${quote(text)}, expected e.g. 令和7年4月1日～5月30日`);
}

const periodLabelRe = /(期間|受付|募集|公募|応募|申請|提出|実施|開催)[^\n。]{0,12}$/u;

/**
 * Finds the application period in free text (a detail page): the first range after a label such as
 * 公募期間, 募集期間, 受付期間, else the first range at all. Ranges that do not form valid dates are
 * skipped. `undefined` when there is none.
 *
 * @example findPeriod('公募期間：令和7年4月1日～5月30日', '2025-04-10')?.end === '2025-05-30T23:59:59+09:00'
 */
export function findPeriod(text: string, ref: Date | string, options: DateParseOptions = {}): DateRange | undefined {
  const s = prepareDateText(text);
  let first: DateRange | undefined;
  let previousEnd = 0;
  for (const match of scanDates(s)) {
    const index = match.kind === 'range' ? match.range.index : match.expr.index;
    const end = match.kind === 'range' ? match.range.end : match.expr.end;
    if (match.kind === 'range') {
      try {
        const range = rangeFrom(match.range, match.range.text, { ...options, ref });
        if (periodLabelRe.test(s.slice(previousEnd, index))) return range;
        first ??= range;
      } catch (error) {
        // An impossible date in free text is not a period; keep looking.
        if (!(error instanceof InvalidInputError)) throw error;
      }
    }
    previousEnd = end;
  }
  return first;
}
