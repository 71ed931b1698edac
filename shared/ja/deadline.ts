/**
 * Deadline phrases: a date with an optional time of day and the words pages put around it.
 *
 * - 17時必着, 17時00分, 17:00まで, 午後5時, 正午 (12:00), 17時半 → that time in Asia/Tokyo.
 * - A date with no time (令和7年5月30日(金)必着, 5月30日まで) → the end of that day, 23:59:59+09:00.
 * - 消印有効 (postmark counts) → the end of that day unless a time is printed; `postmark` is set.
 * - 24時 → midnight at the end of the day, written as 00:00 of the next day.
 * - A range (令和7年4月1日～5月30日17時) → its end.
 *
 * 必着: must arrive by. 消印有効: the postmark date counts. 締切 / 〆切: deadline.
 */
import { InvalidInputError } from '../errors.js';
import { type CalendarDate, type TimeOfDay, endOfDay, tokyoInstant } from './calendar.js';
import { type DateMatch, prepareDateText, scanDates } from './date-scanner.js';
import { rangeFrom } from './date-range.js';
import { type DateParseOptions, checkTime, completeDate, invalid, quote, weekdayMismatch } from './date-values.js';

/** A closing instant read from a deadline phrase. */
export interface Deadline {
  /** ISO instant with +09:00, e.g. `2025-05-30T17:00:00+09:00`. */
  readonly at: string;
  readonly date: CalendarDate;
  /** The printed time of day in 24-hour form; absent when the deadline is the end of the day. */
  readonly time?: TimeOfDay;
  /** 消印有効: the postmark date counts, not the arrival. */
  readonly postmark: boolean;
  /** The printed weekday disagrees with the date; the date was kept. */
  readonly weekdayMismatch: boolean;
  /** The matched part of the (normalised) text. */
  readonly text: string;
}

const suffixRe = /^\s*(?:\([^)]{0,20}\)\s*)?(?:必着|まで|迄|締切|締め切り|〆切|厳守|消印|当日消印|受付終了)/u;
const deadlineLabelRe = /(?:締切|締め切|〆切|〆|期限|必着|受付終了|応募終了|募集終了|~)[^\n。]{0,12}$/u;

function deadlineFrom(match: DateMatch, s: string, raw: string, options: DateParseOptions): Deadline {
  const end = match.kind === 'range' ? match.range.end : match.expr.end;
  const postmark = /消印/u.test(s.slice(end, end + 40));
  if (match.kind === 'range') {
    const range = rangeFrom(match.range, raw, options);
    const time = match.range.finish.time ? checkTime(match.range.finish.time, raw, options) : undefined;
    return {
      at: range.end,
      date: range.endDate,
      ...(time ? { time } : {}),
      postmark,
      weekdayMismatch: weekdayMismatch(match.range.finish, range.endDate),
      text: match.range.text,
    };
  }
  const expr = match.expr;
  const date = completeDate(expr, raw, options, 'deadline');
  const time = expr.time ? checkTime(expr.time, raw, options) : undefined;
  return {
    at: tokyoInstant(date, time ?? endOfDay),
    date,
    ...(time ? { time } : {}),
    postmark,
    weekdayMismatch: weekdayMismatch(expr, date),
    text: expr.text,
  };
}

/**
 * Parses the first date in `text` as a deadline. Text before it (応募締切：) is skipped. Year-less
 * dates need `options.ref` and default to the `'deadline'` policy (the next occurrence, with a
 * 30-day grace for a deadline that has just passed). Throws `InvalidInputError` when no date is
 * found or the date or time does not exist.
 *
 * @example parseDeadline('令和7年5月30日(金)17時必着').at === '2025-05-30T17:00:00+09:00'
 * @example parseDeadline('2025年5月30日（金）正午').at === '2025-05-30T12:00:00+09:00'
 * @example parseDeadline('令和7年5月30日 当日消印有効').at === '2025-05-30T23:59:59+09:00'
 * @example parseDeadline('5月30日(金)午後5時まで', { ref: '2025-04-01' }).at === '2025-05-30T17:00:00+09:00'
 */
export function parseDeadline(text: string, options: DateParseOptions = {}): Deadline {
  const s = prepareDateText(text);
  for (const match of scanDates(s, { slashAtStart: true })) return deadlineFrom(match, s, text, options);
  throw invalid(options, `no deadline found in ${quote(text)}, expected a date such as 令和7年5月30日(金)17時必着`);
}

/**
 * Finds the closing instant in free text (a detail page). In order of preference: a date labelled
 * as a deadline (締切, 期限, 必着 before it; 必着, まで, 消印有効 after it), then the end of a period
 * labelled 公募期間 / 募集期間 / 受付期間, then the end of the first range. Dates that do not exist are
 * skipped. `undefined` when nothing looks like a deadline.
 *
 * @example findDeadline('応募締切：令和7年5月30日（金）17時必着', '2025-04-01')?.at === '2025-05-30T17:00:00+09:00'
 * @example findDeadline('公募期間：令和7年4月1日～5月30日', '2025-04-01')?.at === '2025-05-30T23:59:59+09:00'
 */
export function findDeadline(text: string, ref: Date | string, options: DateParseOptions = {}): Deadline | undefined {
  const s = prepareDateText(text);
  const withRef = { ...options, ref };
  let periodEnd: Deadline | undefined;
  let anyRangeEnd: Deadline | undefined;
  let previousEnd = 0;
  for (const match of scanDates(s)) {
    const index = match.kind === 'range' ? match.range.index : match.expr.index;
    const end = match.kind === 'range' ? match.range.end : match.expr.end;
    const before = s.slice(previousEnd, index);
    previousEnd = end;
    let deadline: Deadline;
    try {
      deadline = deadlineFrom(match, s, match.kind === 'range' ? match.range.text : match.expr.text, withRef);
    } catch (error) {
      // An impossible date in free text is not a deadline; keep looking.
      if (error instanceof InvalidInputError) continue;
      throw error;
    }
    if (deadlineLabelRe.test(before) || suffixRe.test(s.slice(end, end + 40))) return deadline;
    if (match.kind === 'range') {
      if (/(期間|受付|募集|公募|応募|申請|提出)[^\n。]{0,12}$/u.test(before)) periodEnd ??= deadline;
      anyRangeEnd ??= deadline;
    }
  }
  return periodEnd ?? anyRangeEnd;
}
