import * as z from 'zod';
import { dayNumber, formatIsoDate, tokyoPartsOf, type CalendarDate } from '../ja/calendar.js';
import { IsoInstantSchema } from './item.js';

/**
 * Forecast of a series' next round (次回の見込み) from the day of the year its past rounds opened
 * and closed, in Asia/Tokyo. A forecast is never a fact: every text form says 「見込み」 and shows
 * its basis (which rounds, their dates, the spread).
 */

/** A Tokyo day, `YYYY-MM-DD`. */
const TokyoDaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const WindowSchema = z.strictObject({ from: TokyoDaySchema, to: TokyoDaySchema });

/** One past round a forecast rests on. */
const BasisRoundSchema = z.strictObject({
  itemId: z.string(),
  label: z.string(),
  opensAt: IsoInstantSchema,
  closesAt: IsoInstantSchema.optional(),
});

export const ForecastSchema = z.discriminatedUnion('status', [
  z.strictObject({
    /** 公募予定（見込み）: the next round, not yet announced. */
    status: z.literal('expected'),
    /** When the next round is expected to open (widened by `marginDays` on each side). */
    opens: WindowSchema,
    /** When it is expected to close; absent when fewer than two past rounds have both dates. */
    closes: WindowSchema.optional(),
    basis: z.strictObject({
      rounds: z.array(BasisRoundSchema).min(2),
      /** Days between the earliest and latest day of the year the rounds opened on. */
      spreadDays: z.number().int().nonnegative(),
      marginDays: z.number().int().nonnegative(),
    }),
    /** Japanese sentence with 「見込み」 and the basis, for pages and mails. */
    text: z.string(),
  }),
  z.strictObject({
    status: z.literal('none'),
    reason: z.enum(['too-few-rounds', 'spread-too-wide']),
    text: z.string(),
  }),
]);
export type Forecast = z.infer<typeof ForecastSchema>;

/** What a forecast reads of a round. */
export interface RoundDates {
  readonly itemId: string;
  readonly label: string;
  readonly opensAt?: string;
  readonly closesAt?: string;
}

/** Rounds that opened further apart than this in the year give no forecast. */
const maxSpreadDays = 60;
/** Past rounds a forecast looks at (the most recent fiscal years). */
const maxBasisRounds = 5;

const monthStarts = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** Day of a 365-day year (0-364); 2月29日 counts as 2月28日, so leap years do not shift the dates after it. */
function dayOfYear(date: CalendarDate): number {
  const day = date.month === 2 && date.day === 29 ? 28 : date.day;
  return (monthStarts[date.month - 1] ?? 0) + day - 1;
}

/** 日本の年度 (April to March) of a Tokyo day. */
function fiscalYearOf(date: CalendarDate): number {
  return date.month >= 4 ? date.year : date.year - 1;
}

const tokyoDay = (instant: string): CalendarDate => tokyoPartsOf(new Date(instant)).date;

function fromDayNumber(n: number): CalendarDate {
  const d = new Date(n * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const japaneseDay = (date: CalendarDate): string => `${date.year}年${date.month}月${date.day}日`;
const monthDay = (date: CalendarDate): string => `${date.month}月${date.day}日`;

/** The first day number on or after `from` whose day of the year (365-day count) is `doy`. */
function firstOnOrAfter(from: number, doy: number): number {
  const month = monthStarts.findLastIndex((startDoy) => startDoy <= doy) + 1;
  const day = doy - (monthStarts[month - 1] ?? 0) + 1;
  const year = fromDayNumber(from).year;
  const inYear = dayNumber({ year, month, day });
  return inYear >= from ? inYear : dayNumber({ year: year + 1, month, day });
}

/**
 * The tightest arc of the year holding every day: where it starts (day of year) and how many days
 * it spans. Rounds on 3月25日 and 4月5日 span 11 days across the year boundary, not 354.
 */
function tightestArc(days: readonly number[]): { start: number; spread: number } {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  if (sorted.length === 1) return { start: first, spread: 0 };
  let widestGap = -1;
  let start = first;
  sorted.forEach((day, i) => {
    const next = i + 1 < sorted.length ? (sorted[i + 1] ?? 0) : first + 365;
    if (next - day > widestGap) {
      widestGap = next - day;
      start = next % 365;
    }
  });
  return { start, spread: 365 - widestGap };
}

/**
 * The next round's opening and closing windows from the past rounds: per fiscal year the round
 * that opened first, at most the last five years; the opening window is the arc of the year those
 * rounds opened in, placed after the latest round and widened by a margin (7 days, 14 when the
 * spread passes 21 days); the closing window adds the shortest and longest past application
 * periods. Fewer than two years with an opening date, or a spread over `maxSpreadDays`, give no
 * forecast (`status: 'none'`, with the reason).
 *
 * @example forecastNextRound([{ itemId: 'a', label: '令和6年度', opensAt: '2024-04-01T00:00:00+09:00' },
 *   { itemId: 'b', label: '令和7年度', opensAt: '2025-04-08T00:00:00+09:00' }]).status === 'expected'
 */
export function forecastNextRound(rounds: readonly RoundDates[]): Forecast {
  const firstPerYear = new Map<number, RoundDates & { opensAt: string }>();
  for (const round of rounds) {
    if (round.opensAt === undefined) continue;
    const opensAt = round.opensAt;
    const year = fiscalYearOf(tokyoDay(opensAt));
    const kept = firstPerYear.get(year);
    if (!kept || Date.parse(opensAt) < Date.parse(kept.opensAt)) firstPerYear.set(year, { ...round, opensAt });
  }
  const basis = [...firstPerYear.entries()]
    .sort(([a], [b]) => a - b)
    .slice(-maxBasisRounds)
    .map(([, round]) => round);
  if (basis.length < 2)
    return {
      status: 'none',
      reason: 'too-few-rounds',
      text: '次回の見込みはありません（受付開始日の分かる過去の回が2年度分に満たないため）',
    };
  const dated = basis.map((round) => ({ round, day: tokyoDay(round.opensAt) }));
  const arc = tightestArc(dated.map((d) => dayOfYear(d.day)));
  const dates = dated.map(({ round, day }) => `${round.label || `${fiscalYearOf(day)}年度`} ${monthDay(day)}`);
  if (arc.spread > maxSpreadDays)
    return {
      status: 'none',
      reason: 'spread-too-wide',
      text: `次回の見込みはありません（過去の受付開始日 ${dates.join('、')} のばらつきが${arc.spread}日で、${maxSpreadDays}日を超えるため）`,
    };
  const marginDays = arc.spread > 21 ? 14 : 7;
  const latest = Math.max(...dated.map((d) => dayNumber(d.day)));
  // The first day after half a year past the latest round that falls on the arc's start.
  const start = firstOnOrAfter(latest + 183, arc.start);
  const opens = { from: start - marginDays, to: start + arc.spread + marginDays };
  const periods = basis
    .filter((r) => r.closesAt !== undefined)
    .map((r) => dayNumber(tokyoDay(r.closesAt ?? '')) - dayNumber(tokyoDay(r.opensAt)));
  const closes =
    periods.length >= 2 ? { from: opens.from + Math.min(...periods), to: opens.to + Math.max(...periods) } : undefined;
  const day = (n: number) => fromDayNumber(n);
  const text =
    `次回の受付開始は${japaneseDay(day(opens.from))}〜${japaneseDay(day(opens.to))}頃の見込み` +
    (closes ? `、締切は${japaneseDay(day(closes.from))}〜${japaneseDay(day(closes.to))}頃の見込み` : '') +
    `（根拠: 過去${basis.length}回の受付開始日 ${dates.join('、')}、ばらつき${arc.spread}日、前後${marginDays}日の幅）`;
  return {
    status: 'expected',
    opens: { from: formatIsoDate(day(opens.from)), to: formatIsoDate(day(opens.to)) },
    ...(closes ? { closes: { from: formatIsoDate(day(closes.from)), to: formatIsoDate(day(closes.to)) } } : {}),
    basis: {
      rounds: basis.map((r) => ({
        itemId: r.itemId,
        label: r.label,
        opensAt: r.opensAt,
        ...(r.closesAt ? { closesAt: r.closesAt } : {}),
      })),
      spreadDays: arc.spread,
      marginDays,
    },
    text,
  };
}
