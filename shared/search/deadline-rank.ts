/**
 * The deadline sort (締切が近い順), ascending: open calls by soonest deadline (open ones without a
 * deadline after them), then upcoming calls by opening date, then closed calls, most recently
 * closed first, then items with neither date; ties by id. Status follows `statusAt` (upcoming
 * before opensAt, closed after closesAt), so the order is derived at query time from `now` and
 * never stored. The embedded engine sorts by (`deadlineGroup`, `deadlineWithin`, id); the
 * OpenSearch adapter searches the same groups in turn, each sorted by its date, then id.
 */

/** 0 open, 1 upcoming, 2 closed, 3 neither date. Dates are epoch ms, `NaN` when absent. */
export function deadlineGroup(opensMs: number, closesMs: number, nowMs: number): number {
  const hasOpens = !Number.isNaN(opensMs);
  const hasCloses = !Number.isNaN(closesMs);
  if (!hasOpens && !hasCloses) return 3;
  if (hasOpens && nowMs < opensMs) return 1;
  if (hasCloses && nowMs > closesMs) return 2;
  return 0;
}

/**
 * Position within a group, ascending, `NaN` (last) when there is none: the deadline of an open
 * call, the opening of an upcoming one, minus the deadline of a closed one (latest first).
 */
export function deadlineWithin(opensMs: number, closesMs: number, group: number): number {
  if (group === 0) return closesMs;
  if (group === 1) return opensMs;
  if (group === 2) return -closesMs;
  return Number.NaN;
}

const dateSpan = 2 ** 42;
const groupSpan = 2 ** 44;

/**
 * Both keys folded into one number for a heap (smaller first): `group * 2^44 + position`, where the
 * position is the within-group value clamped into ±(2^42 - 1) (years 1830 to 2109) and shifted into
 * [1, 2^43), and 2^43 when missing. It orders like the two keys except that far-off dates can tie,
 * so equal keys must still go to the full comparison.
 */
export function deadlineRankKey(opensMs: number, closesMs: number, nowMs: number): number {
  const group = deadlineGroup(opensMs, closesMs, nowMs);
  const within = deadlineWithin(opensMs, closesMs, group);
  const position = Number.isNaN(within)
    ? 2 * dateSpan
    : Math.min(Math.max(within, 1 - dateSpan), dateSpan - 1) + dateSpan;
  return group * groupSpan + position;
}
