import { fieldSpan, PositionCursor } from './positions.js';
import { seekDoc, type Posting } from './postings.js';
import type { TermPlan } from './tokens.js';

/** `leap`: some key has no position at or after the one asked for. */
const exhausted = -2;
/** `leap`: no start in the field. */
const notInField = -1;

/**
 * Verifies one query term's phrase in documents visited in ascending order: finds each key's
 * entry for the document (cursors only move forward), then walks the keys' positions together (a
 * leapfrog join: each key skips to the start the others ask for) and stops, per field, at the
 * first start where every key stands at its offset. Positions are decoded lazily, so a phrase found
 * early in a field reads only the positions before it. Never reads the document's text.
 */
export class PhraseCheck {
  private readonly lists: Posting[];
  private readonly offsets: Int32Array;
  private readonly at: Int32Array;
  private readonly cursors: PositionCursor[];

  constructor(postings: ReadonlyMap<string, Posting>, phrase: NonNullable<TermPlan['phrase']>) {
    this.lists = phrase.keys.map((k) => postings.get(k) ?? { data: new Uint32Array(0), len: 0 });
    this.offsets = Int32Array.from(phrase.offsets);
    this.at = new Int32Array(this.lists.length);
    this.cursors = this.lists.map(() => new PositionCursor());
  }

  /**
   * The fields (bits of `mask`: title 1, summary 2, body 4) of document `d` where the phrase
   * stands; with `firstOnly`, only the first such field (enough when nothing ranks by score).
   */
  fields(d: number, mask: number, firstOnly: boolean): number {
    const lists = this.lists;
    for (let i = 0; i < lists.length; i++) {
      const p = lists[i] as Posting;
      const k = seekDoc(p.data, p.len, this.at[i] as number, d);
      this.at[i] = k;
      if (k >= p.len || (p.data[k] as number) >>> 3 !== d || p.pos === undefined) return 0;
      // Only fields where every key stands can hold the phrase.
      mask &= (p.data[k] as number) & 7;
      (this.cursors[i] as PositionCursor).open(p.pos, k);
    }
    let found = 0;
    for (let f = 0; f < 3; f++) {
      if (!(mask & (1 << f))) continue;
      const start = this.leap(f * fieldSpan, (f + 1) * fieldSpan);
      if (start === exhausted) break;
      if (start === notInField) continue;
      found |= 1 << f;
      if (firstOnly) break;
    }
    return found;
  }

  /**
   * The first start in `[start, end)` where every key stands at its offset; `notInField` when the
   * keys pass `end` first, `exhausted` when some key runs out of positions.
   */
  private leap(start: number, end: number): number {
    const n = this.cursors.length;
    const offsets = this.offsets;
    // Every key agrees on `start` once a full round moves none of them past it.
    let agreed = 0;
    for (let i = 0; agreed < n; i = i + 1 === n ? 0 : i + 1) {
      const cursor = this.cursors[i] as PositionCursor;
      const want = start + (offsets[i] as number);
      if (!cursor.skipTo(want)) return exhausted;
      if (cursor.value === want) agreed++;
      else {
        start = cursor.value - (offsets[i] as number);
        if (start >= end) return notInField;
        agreed = 1;
      }
    }
    return start;
  }
}
