import { dayParts, type DayWindow } from '../../shared/ja/day-window.js';

/**
 * Who may apply, how much and when the next round is expected, in the words the portal shows
 * (pure functions: no DOM, so they are tested on their own).
 */

const oku = 100_000_000;
const man = 10_000;
const grouped = new Intl.NumberFormat('ja-JP');

/**
 * Yen as a Japanese call prints it: `3,000万円`, `1億5,000万円`, `500万円`, `1億円`; a part below
 * 1万円 stays in yen (`1万2,345円`, `800円`).
 *
 * @example formatYen(30_000_000) === '3,000万円'
 */
export function formatYen(yen: number): string {
  const whole = Math.round(yen);
  const parts = [
    [Math.floor(whole / oku), '億'],
    [Math.floor((whole % oku) / man), '万'],
    [whole % man, ''],
  ] as const;
  const text = parts
    .filter(([amount]) => amount > 0)
    .map(([amount, unit]) => `${grouped.format(amount)}${unit}`)
    .join('');
  return `${text || '0'}円`;
}

/** 「上限 3,000万円」 for a hit whose per-project ceiling is known; undefined otherwise. */
export function ceilingText(amountCeiling: number | undefined): string | undefined {
  return amountCeiling === undefined ? undefined : `上限 ${formatYen(amountCeiling)}`;
}

/** 補助率 as printed: `2/3` → 「2/3以内」, `fixed` → 「定額」. */
export function subsidyRateText(rate: string): string {
  return rate === 'fixed' ? '定額' : `${rate}以内`;
}

/** 万円 as typed in the amount range box → whole yen; undefined for empty, negative or non-numeric input. */
export function manYenToYen(input: string): number | undefined {
  const text = input.normalize('NFKC').replace(/[,\s]/g, '');
  if (!/^\d+(?:\.\d+)?$/.test(text)) return undefined;
  const yen = Math.round(Number(text) * man);
  return Number.isSafeInteger(yen) ? yen : undefined;
}

/** Whole yen from the URL → 万円 for the amount range box (`30000000` → `3000`). */
export function yenToManYen(yen: number): string {
  return String(Math.round((yen / man) * 10_000) / 10_000);
}

/** The month a forecast opens in, as a sortable key: `2027-04`. */
function monthKey(day: string): string {
  return day.slice(0, 7);
}

/** `2027-04` → 「2027年4月」. */
export function monthLabel(key: string): string {
  const { year, month } = dayParts(`${key}-01`);
  return `${year}年${month}月`;
}

/**
 * Hits with a forecast grouped by the month their expected opening starts in, months in order and
 * hits in their given order within a month; hits without a forecast are left out.
 */
export function groupByOpeningMonth<T extends { readonly forecast?: { readonly opens: DayWindow } }>(
  hits: readonly T[],
): { month: string; hits: T[] }[] {
  const months = new Map<string, T[]>();
  for (const hit of hits) {
    if (!hit.forecast) continue;
    const key = monthKey(hit.forecast.opens.from);
    const list = months.get(key) ?? [];
    list.push(hit);
    months.set(key, list);
  }
  return [...months].sort(([a], [b]) => a.localeCompare(b)).map(([month, list]) => ({ month, hits: list }));
}
