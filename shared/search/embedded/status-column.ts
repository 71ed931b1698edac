import type { CallStatus } from '../../domain/status.js';
import { deadlineGroup } from '../deadline-rank.js';
import type { ParsedSearchQuery } from '../query.js';
import type { Columns } from './columns.js';

/** Status codes of the status column, in facet order. */
export const statusNames: readonly CallStatus[] = ['upcoming', 'open', 'closed', 'unknown'];
/** A status a query may ask for: a derived one, or `expected`. */
export type WantedStatus = NonNullable<ParsedSearchQuery['statuses']>[number];
/** The mask bit of `expected`, above the status codes' bits. */
export const expectedBit = 1 << statusNames.length;
/** Status codes 2 (closed) and 3 (unknown): neither open nor upcoming. */
const notOpenOrUpcoming = 0b1100;

/**
 * Whether a document with status code `code` is one of the statuses in `mask` (bits of status
 * codes and `expectedBit`): its own status is, or `expected` is wanted and the document carries a
 * forecast (`forecastOpensMs` not NaN) while neither open nor upcoming.
 */
export function statusIn(mask: number, code: number, forecastOpensMs: number): boolean {
  const bit = 1 << code;
  if ((mask & bit) !== 0) return true;
  return (mask & expectedBit) !== 0 && (bit & notOpenOrUpcoming) !== 0 && !Number.isNaN(forecastOpensMs);
}

/** Status code of each `deadlineGroup` (open, upcoming, closed, neither date). */
const statusOfGroup = [1, 0, 2, 3];

/** 0 upcoming, 1 open, 2 closed, 3 unknown; the same rule as `statusAt`. */
function statusCode(opens: number, closes: number, now: number): number {
  return statusOfGroup[deadlineGroup(opens, closes, now)] as number;
}

/** Bits of the status codes of `statuses`, and `expectedBit` when `expected` is among them. */
export function statusMaskOf(statuses: readonly WantedStatus[]): number {
  let mask = 0;
  for (const st of statuses) mask |= st === 'expected' ? expectedBit : 1 << statusNames.indexOf(st);
  return mask;
}

/**
 * The status of every document at a given time, derived from opensAt/closesAt. Status only
 * changes when the clock passes some document's opensAt or closesAt, so the column is computed once
 * and reused until the clock leaves the window between the nearest such instants (or a write
 * invalidates it); the documents of a set of statuses are kept as a list and a bitmap.
 */
export class StatusColumn {
  private status = new Uint8Array(16);
  /** [opens above, closes at or above, opens at or below, closes below] of the time `status` was computed for. */
  private window = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  private readonly lists = new Map<number, Int32Array>();
  private readonly bitmaps = new Map<number, Uint32Array>();

  constructor(
    private readonly cols: Columns,
    private readonly size: () => number,
  ) {}

  /** Status codes of all documents at `now`. */
  at(now: number): Uint8Array {
    const w = this.window;
    if (now < (w[0] as number) && now <= (w[1] as number) && now >= (w[2] as number) && now > (w[3] as number))
      return this.status;
    const n = this.size();
    if (this.status.length < n) this.status = new Uint8Array(this.cols.capacity);
    let opensAbove = Infinity;
    let closesFrom = Infinity;
    let opensBelow = -Infinity;
    let closesBelow = -Infinity;
    const { opens, closes } = this.cols;
    const status = this.status;
    for (let d = 0; d < n; d++) {
      const o = opens[d] as number;
      const c = closes[d] as number;
      status[d] = statusCode(o, c, now);
      // NaN compares false both ways, so a missing date never narrows the window.
      if (o > now) opensAbove = Math.min(opensAbove, o);
      else if (o <= now) opensBelow = Math.max(opensBelow, o);
      if (c >= now) closesFrom = Math.min(closesFrom, c);
      else if (c < now) closesBelow = Math.max(closesBelow, c);
    }
    this.window = [opensAbove, closesFrom, opensBelow, closesBelow];
    this.lists.clear();
    this.bitmaps.clear();
    return status;
  }

  /** Live documents whose status at `now` is in `mask` (see `statusIn`), ascending. */
  docs(now: number, mask: number): Int32Array {
    const status = this.at(now);
    let docs = this.lists.get(mask);
    if (docs === undefined) {
      const n = this.size();
      const { alive, forecastOpens } = this.cols;
      const keep = (d: number): boolean =>
        alive[d] === 1 && statusIn(mask, status[d] as number, forecastOpens[d] as number);
      let count = 0;
      for (let d = 0; d < n; d++) if (keep(d)) count++;
      docs = new Int32Array(count);
      let k = 0;
      for (let d = 0; d < n; d++) if (keep(d)) docs[k++] = d;
      this.lists.set(mask, docs);
    }
    return docs;
  }

  /** Bitmap of `docs(now, mask)` (bit `d & 31` of word `d >>> 5`). */
  bits(now: number, mask: number): Uint32Array {
    const docs = this.docs(now, mask);
    let bits = this.bitmaps.get(mask);
    if (bits === undefined) {
      bits = new Uint32Array((this.size() + 31) >>> 5);
      for (const d of docs) bits[d >>> 5] = (bits[d >>> 5] as number) | (1 << (d & 31));
      this.bitmaps.set(mask, bits);
    }
    return bits;
  }

  /** After a removal: the lists are stale, the codes are not. */
  dropLists(): void {
    this.lists.clear();
    this.bitmaps.clear();
  }

  /** After an added or renumbered document: everything is recomputed on next use. */
  invalidate(): void {
    this.window = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
    this.dropLists();
  }
}
