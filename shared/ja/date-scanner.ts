/**
 * The syntax half of Japanese date parsing: finds date, time and range expressions in prepared
 * text without judging whether the numbers make sense. `date-values.ts` does the judging, and
 * `japanese-date.ts`, `date-range.ts` and `deadline.ts` put the two together.
 */
import type { TimeOfDay } from './calendar.js';
import { tokyoPartsOf } from './calendar.js';
import { kanjiNumeralsToDigits } from './kanji-numerals.js';
import { eraByName, type Era } from './wareki.js';

/** A date as printed: any of year, month may be missing (5月30日, 30日). Numbers are unchecked. */
export interface PartialDate {
  /** Gregorian year, converted from the era when printed as 和暦. */
  readonly year?: number;
  readonly month?: number;
  readonly day: number;
  /** Set when printed as 和暦, for the era-start check and messages. */
  readonly era?: Era;
  readonly eraYear?: number;
}

/** A time of day as printed; `meridiem` is 午前/午後 (AM/PM) when given. Numbers are unchecked. */
export interface PrintedTime extends TimeOfDay {
  readonly meridiem?: 'am' | 'pm';
}

/** One date with what was printed next to it: weekday, time of day. */
export interface DateExpression {
  readonly index: number;
  readonly end: number;
  readonly text: string;
  readonly date: PartialDate;
  /** 0 (日) to 6 (土) when a weekday was printed. */
  readonly weekday?: number;
  readonly time?: PrintedTime;
}

/** Two expressions joined by ～, 〜, ~, -, から. */
export interface RangeExpression {
  readonly index: number;
  readonly end: number;
  readonly text: string;
  readonly start: DateExpression;
  readonly finish: DateExpression;
}

/** One scanner hit: a range, or a single date expression. */
export type DateMatch =
  | { readonly kind: 'range'; readonly range: RangeExpression }
  | { readonly kind: 'single'; readonly expr: DateExpression };

/**
 * NFKC (全角 digits and brackets to ASCII), 漢数字 before 年/月/日/時/分 to digits, and every
 * range dash (～ 〜 – — ― −, and ー between dates) to `~` or `-`.
 *
 * @example prepareDateText('令和七年五月三十日（金）') === '令和7年5月30日(金)'
 */
export function prepareDateText(text: string): string {
  return kanjiNumeralsToDigits(text.normalize('NFKC'))
    .replace(/[〜～]/gu, '~')
    .replace(/[\u2010-\u2015\u2212]/gu, '-')
    .replace(/(?<=[日)\d])\s*ー\s*(?=[\d明大昭平令MTSHR])/gu, '~');
}

const eraName = '(明治|大正|昭和|平成|令和|[MTSHRmtshr]\\.?)';
const westernNote = '(?:\\(\\s*\\d{4}\\s*年?\\s*\\)\\s*)?';
// 令和7(2025)年 and 2025(令和7)年 put the other calendar's year before 年.
const westernInline = '(?:\\(\\s*\\d{4}\\s*\\)\\s*)?';
const eraInline = '(?:\\(\\s*(?:明治|大正|昭和|平成|令和|[MTSHR])\\s*(?:\\d{1,2}|元)\\s*\\)\\s*)?';
const eraNote = '(?:\\(\\s*(?:明治|大正|昭和|平成|令和)\\s*(?:\\d{1,2}|元)\\s*年?\\s*\\)\\s*)?';

// 2025-05-30T17:00:00+09:00, as feeds print dates.
const isoInstantRe = /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})/uy;
// 令和7年5月30日, R7年5月30日, 令和7年(2025年)5月30日, 令和7(2025)年5月30日
const eraFullRe = new RegExp(
  `${eraName}\\s*(\\d{1,2}|元)\\s*${westernInline}年\\s*${westernNote}(\\d{1,2})\\s*月\\s*(\\d{1,2})\\s*日`,
  'uy',
);
// R7.5.30, H30/1/1, 令和7.5.30
const eraDottedRe = new RegExp(`${eraName}\\s*(\\d{1,2}|元)([./-])(\\d{1,2})\\3(\\d{1,2})(?![\\d]|[./]\\d)`, 'uy');
// 2025年5月30日, 2025年(令和7年)5月30日, 2025(令和7)年5月30日
const westernKanjiRe = new RegExp(`(\\d{4})\\s*${eraInline}年\\s*${eraNote}(\\d{1,2})\\s*月\\s*(\\d{1,2})\\s*日`, 'uy');
// 2025/5/30, 2025-05-30, 2025.5.30 (one separator throughout)
const westernNumericRe = /(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?![\d]|[./]\d)/uy;
const monthDayRe = /(\d{1,2})\s*月\s*(\d{1,2})\s*日/uy;
const slashMonthDayRe = /(\d{1,2})\/(\d{1,2})(?![\d/])/uy;
// A bare day ends a range (4月1日～30日); 10日間 and 3日以内 are durations, not days.
const dayOnlyRe = /(\d{1,2})\s*日(?!\s*(?:間|以内|以上|前|後|程度|目|分))/uy;

// (金), （金曜日）, (月・祝), (祝), 金曜日
const weekdayRe =
  /\s*(?:\(\s*([月火水木金土日])?(?:曜日?)?\s*(?:[・,、]?\s*(?:祝|休)日?)?\s*\)|([月火水木金土日])曜日?)/uy;
const timeKanjiRe = /\s*の?\s*(午前|午後|AM|PM|am|pm)?\s*(\d{1,2})\s*時(?!間)\s*(?:(\d{1,2})\s*分|(半))?/uy;
const timeColonRe =
  /\s*の?\s*(午前|午後|AM|PM|am|pm)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?(?!\d)(?:\s*(AM|PM|am|pm)(?![A-Za-z]))?/uy;
const noonRe = /\s*の?\s*(?:午後\s*)?正午/uy;
const rangeSeparatorRe = /\s*(?:~|-|から|より)\s*/uy;
const untilRe = /\s*(?:まで|迄)/uy;

const weekdays = '日月火水木金土';
const startChars = new Set('0123456789明大昭平令MTSHRmtshr');

function sticky(re: RegExp, s: string, i: number): RegExpExecArray | null {
  re.lastIndex = i;
  return re.exec(s);
}

function n(value: string | undefined): number {
  return Number(value);
}

function eraYearOf(value: string | undefined): number {
  return value === '元' ? 1 : Number(value);
}

function fromEra(
  name: string | undefined,
  yearText: string | undefined,
  month: number,
  day: number,
): PartialDate | undefined {
  const era = eraByName(name ?? '');
  if (!era) return undefined;
  const eraYear = eraYearOf(yearText);
  return { era, eraYear, year: era.start.year + eraYear - 1, month, day };
}

/** Options for what a date may look like at a position. */
export interface MatchAllow {
  /** Accept 5/30 (month/day with a slash). */
  readonly slash?: boolean;
  /** Accept a bare day (30日), as the end of a range. */
  readonly dayOnly?: boolean;
}

/**
 * Matches one date at exactly position `i` of prepared text. A time comes back only for an ISO
 * instant (converted to Tokyo).
 */
function matchDateAt(
  s: string,
  i: number,
  allow: MatchAllow = {},
): { date: PartialDate; end: number; time?: PrintedTime } | undefined {
  const prev = i > 0 ? (s[i - 1] ?? '') : '';
  const afterDigit = /\d/u.test(prev);
  const afterLetter = /[A-Za-z]/u.test(prev);
  let m: RegExpExecArray | null;
  if (!afterDigit && (m = sticky(isoInstantRe, s, i))) {
    const offset = m[7] === 'Z' || m[7] === undefined ? 'Z' : m[7].replace(/^([+-]\d{2})(\d{2})$/u, '$1:$2');
    const instant = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${offset}`);
    if (!Number.isNaN(instant.getTime())) {
      const parts = tokyoPartsOf(instant);
      return { date: parts.date, time: parts.time, end: i + m[0].length };
    }
  }
  if (!afterLetter && !afterDigit) {
    for (const re of [eraFullRe, eraDottedRe]) {
      if ((m = sticky(re, s, i))) {
        const month = re === eraFullRe ? n(m[3]) : n(m[4]);
        const day = re === eraFullRe ? n(m[4]) : n(m[5]);
        const date = fromEra(m[1], m[2], month, day);
        if (date) return { date, end: i + m[0].length };
      }
    }
  }
  if (afterDigit) return undefined;
  if ((m = sticky(westernKanjiRe, s, i)))
    return { date: { year: n(m[1]), month: n(m[2]), day: n(m[3]) }, end: i + m[0].length };
  if ((m = sticky(westernNumericRe, s, i)))
    return { date: { year: n(m[1]), month: n(m[3]), day: n(m[4]) }, end: i + m[0].length };
  if ((m = sticky(monthDayRe, s, i))) return { date: { month: n(m[1]), day: n(m[2]) }, end: i + m[0].length };
  if (allow.slash && (m = sticky(slashMonthDayRe, s, i)))
    return { date: { month: n(m[1]), day: n(m[2]) }, end: i + m[0].length };
  if (allow.dayOnly && (m = sticky(dayOnlyRe, s, i))) return { date: { day: n(m[1]) }, end: i + m[0].length };
  return undefined;
}

/** Matches a time of day at position `i` (after optional spaces). */
function matchTimeAt(s: string, i: number): { time: PrintedTime; end: number } | undefined {
  let m: RegExpExecArray | null;
  const meridiemOf = (text: string | undefined): 'am' | 'pm' | undefined =>
    text === undefined ? undefined : text === '午前' || text.toLowerCase() === 'am' ? 'am' : 'pm';
  if ((m = sticky(noonRe, s, i))) return { time: { hour: 12, minute: 0, second: 0 }, end: i + m[0].length };
  if ((m = sticky(timeColonRe, s, i))) {
    const meridiem = meridiemOf(m[1] ?? m[5]);
    return {
      time: {
        hour: n(m[2]),
        minute: n(m[3]),
        second: m[4] === undefined ? 0 : n(m[4]),
        ...(meridiem ? { meridiem } : {}),
      },
      end: i + m[0].length,
    };
  }
  if ((m = sticky(timeKanjiRe, s, i))) {
    const meridiem = meridiemOf(m[1]);
    const minute = m[4] === '半' ? 30 : m[3] === undefined ? 0 : n(m[3]);
    return { time: { hour: n(m[2]), minute, second: 0, ...(meridiem ? { meridiem } : {}) }, end: i + m[0].length };
  }
  return undefined;
}

/** A date at `i` followed by an optional weekday and time of day. */
function matchExpressionAt(s: string, i: number, allow: MatchAllow = {}): DateExpression | undefined {
  const date = matchDateAt(s, i, allow);
  if (!date) return undefined;
  let end = date.end;
  let weekday: number | undefined;
  let time = date.time;
  const w = sticky(weekdayRe, s, end);
  if (w && /[^\s()]/u.test(w[0])) {
    const char = w[1] ?? w[2];
    if (char !== undefined) weekday = weekdays.indexOf(char);
    end += w[0].length;
  }
  if (!time) {
    const t = matchTimeAt(s, end);
    if (t) {
      time = t.time;
      end = t.end;
    }
  }
  return {
    index: i,
    end,
    text: s.slice(i, end),
    date: date.date,
    ...(weekday !== undefined ? { weekday } : {}),
    ...(time ? { time } : {}),
  };
}

/** A range at `i`: a date with month, a separator, and a date that may lack year, month or both. */
function matchRangeAt(s: string, i: number): RangeExpression | undefined {
  const start = matchExpressionAt(s, i);
  if (!start || start.date.month === undefined) return undefined;
  const sep = sticky(rangeSeparatorRe, s, start.end);
  if (!sep) return undefined;
  const finish = matchExpressionAt(s, start.end + sep[0].length, { slash: true, dayOnly: true });
  if (!finish) return undefined;
  const until = sticky(untilRe, s, finish.end);
  const end = until ? finish.end + until[0].length : finish.end;
  return { index: i, end, text: s.slice(i, end), start, finish };
}

/**
 * Every date and range in prepared text, left to right; a range wins over the single date it starts with.
 * `slashAtStart` accepts 5/30 only as the very first thing in the text.
 */
export function* scanDates(s: string, options: { slashAtStart?: boolean } = {}): Generator<DateMatch> {
  let i = 0;
  while (i < s.length) {
    // Every date starts with a digit or an era name; skip the rest without trying the patterns.
    if (!startChars.has(s[i] ?? '')) {
      i++;
      continue;
    }
    const range = matchRangeAt(s, i);
    if (range) {
      yield { kind: 'range', range };
      i = range.end;
      continue;
    }
    const allow = options.slashAtStart && s.slice(0, i).trim() === '' ? { slash: true } : {};
    const expr = matchExpressionAt(s, i, allow);
    if (expr) {
      yield { kind: 'single', expr };
      i = expr.end;
      continue;
    }
    i++;
  }
}
