/** A window of Tokyo days, `YYYY-MM-DD` both ends, as forecasts carry them. */
export interface DayWindow {
  readonly from: string;
  readonly to: string;
}

/** The year, month and day of a `YYYY-MM-DD` day. */
export function dayParts(day: string): { year: number; month: number; date: number } {
  const [year = 0, month = 0, date = 0] = day.split('-').map(Number);
  return { year, month, date };
}

/**
 * A window as a reader reads it, the year once when both ends share it, one day alone when they are
 * the same: `2027年4月1日〜4月20日頃`, `2027年12月20日〜2028年1月10日頃`, `2027年4月1日頃`. Mails and the
 * portal word forecast windows with it.
 */
export function formatDayWindow(window: DayWindow): string {
  const from = dayParts(window.from);
  const to = dayParts(window.to);
  const start = `${from.year}年${from.month}月${from.date}日`;
  if (window.from === window.to) return `${start}頃`;
  const end = from.year === to.year ? `${to.month}月${to.date}日` : `${to.year}年${to.month}月${to.date}日`;
  return `${start}〜${end}頃`;
}
