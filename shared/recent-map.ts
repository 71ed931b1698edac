/**
 * A bounded map of values derived from strings seen recently (response bodies, query strings):
 * once there are more than `maxEntries`, or their total `weigh`t passes `maxWeight`, the oldest
 * go first. Finding the same string object again is cheap (V8 keeps a string's hash), which is
 * what the API's per-body caches (ETag, compressed forms, UTF-8 bytes) and its query-parse cache rely on.
 */
export class RecentMap<V> {
  private readonly entries = new Map<string, V>();
  private total = 0;

  constructor(
    private readonly limits: {
      readonly maxEntries: number;
      readonly maxWeight?: number;
      readonly weigh?: (key: string, value: V) => number;
    },
  ) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Stores `value` as the newest entry (replacing one under the same key), then trims the oldest. */
  set(key: string, value: V): void {
    const weigh = this.limits.weigh ?? (() => 0);
    const maxWeight = this.limits.maxWeight ?? Number.POSITIVE_INFINITY;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.total -= weigh(key, old);
    }
    this.entries.set(key, value);
    this.total += weigh(key, value);
    for (const [oldKey, oldValue] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.total <= maxWeight) break;
      this.entries.delete(oldKey);
      this.total -= weigh(oldKey, oldValue);
    }
  }
}
