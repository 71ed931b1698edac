/**
 * One entry point for "whatever date this is": a range, a deadline instant or a plain date. The
 * `chiiki normalize-date` command prints its result.
 */
import { prepareDateText, scanDates } from './date-scanner.js';
import { parseDateRange } from './date-range.js';
import { parseDeadline } from './deadline.js';
import type { DateParseOptions } from './date-values.js';
import { invalid, quote } from './date-values.js';
import { parseJapaneseDate } from './japanese-date.js';

/** What a text turned out to be: a range of instants, one instant, or a date (`YYYY-MM-DD`). */
export type DateExpressionResult =
  | { readonly kind: 'range'; readonly start: string; readonly end: string }
  | { readonly kind: 'instant'; readonly at: string }
  | { readonly kind: 'date'; readonly date: string };

const deadlineWordRe = /(?:必着|まで|迄|締切|締め切り|〆切|厳守|消印|期限)/u;

/**
 * Reads the first date expression in `text` and decides what it is: two dates joined by ～ are a
 * range; a date with a time of day or a deadline word (必着, まで, 締切, 消印有効, 期限) is an
 * instant; anything else is a date. Throws `InvalidInputError` like the parsers it calls.
 *
 * @example parseDateExpression('令和7年5月30日(金)17時必着') // { kind: 'instant', at: '2025-05-30T17:00:00+09:00' }
 * @example parseDateExpression('R7.5.30') // { kind: 'date', date: '2025-05-30' }
 * @example parseDateExpression('令和7年4月1日～5月30日') // { kind: 'range', start: '2025-04-01T00:00:00+09:00', end: '2025-05-30T23:59:59+09:00' }
 */
export function parseDateExpression(text: string, options: DateParseOptions = {}): DateExpressionResult {
  const s = prepareDateText(text);
  for (const match of scanDates(s, { slashAtStart: true })) {
    if (match.kind === 'range') {
      const range = parseDateRange(text, options);
      return { kind: 'range', start: range.start, end: range.end };
    }
    if (match.expr.time || deadlineWordRe.test(s)) return { kind: 'instant', at: parseDeadline(text, options).at };
    return { kind: 'date', date: parseJapaneseDate(text, options).iso };
  }
  throw invalid(options, `no date found in ${quote(text)}, expected a date such as 令和7年5月30日 or 2025-05-30`);
}

/**
 * The ISO 8601 form of a result: the instant, the date, or `start/end` (an ISO interval).
 *
 * @example formatDateExpression({ kind: 'range', start: 'a', end: 'b' }) === 'a/b'
 */
export function formatDateExpression(result: DateExpressionResult): string {
  if (result.kind === 'range') return `${result.start}/${result.end}`;
  return result.kind === 'instant' ? result.at : result.date;
}
