/**
 * Smallest `k` in `[from, end)` with `data[k] >= target` (`data` ascending), or `end`: steps of
 * 1, 2, 4, … from `from`, then a binary search in the last step, so a cursor that moves forward
 * through a sorted list pays for the distance it moves, not for the list's length.
 */
export function gallop(data: Uint32Array, from: number, end: number, target: number): number {
  let lo = from;
  let hi = from;
  let step = 1;
  while (hi < end && (data[hi] as number) < target) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > end) hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((data[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
