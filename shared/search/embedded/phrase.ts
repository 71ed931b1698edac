import type { Posting } from './postings.js';
import { seekDoc } from './postings.js';
import { fieldSlots, manyFlag, positionsOf, type Positions } from './positions.js';
import type { TermPlan } from './tokens.js';

/**
 * Verifies one query term's phrase in documents visited in ascending order: finds each key's
 * entry for the document (cursors only move forward), decodes its positions and keeps the start
 * positions where every key stands at its offset. Never reads the document's text.
 */
export class PhraseCheck {
  private readonly lists: Posting[];
  private readonly offsets: readonly number[];
  private readonly at: Int32Array;
  private readonly entries: Int32Array;
  private cand: Int32Array = new Int32Array(64);
  private other: Int32Array = new Int32Array(64);

  constructor(postings: ReadonlyMap<string, Posting>, phrase: NonNullable<TermPlan['phrase']>) {
    this.lists = phrase.keys.map((k) => postings.get(k) ?? { data: new Uint32Array(0), len: 0 });
    this.offsets = phrase.offsets;
    this.at = new Int32Array(this.lists.length);
    this.entries = new Int32Array(this.lists.length);
  }

  /** The entry index of document `d` in list `i`, or -1. */
  private entry(i: number, d: number): number {
    const p = this.lists[i] as Posting;
    const k = seekDoc(p.data, p.len, this.at[i] as number, d);
    this.at[i] = k;
    return k < p.len && (p.data[k] as number) >>> 3 === d ? k : -1;
  }

  /** The fields (bits of `mask`: title 1, summary 2, body 4) of document `d` where the phrase stands. */
  fields(d: number, mask: number): number {
    const lists = this.lists;
    const entries = this.entries;
    for (let i = 0; i < lists.length; i++) {
      const k = this.entry(i, d);
      if (k < 0 || (lists[i] as Posting).pos === undefined) return 0;
      entries[i] = k;
    }
    let found = 0;
    for (let f = 0; f < fieldSlots; f++) if (mask & (1 << f) && this.inField(f)) found |= 1 << f;
    return found;
  }

  /** Whether the phrase stands in field `f` of the document whose entries are in `entries`. */
  private inField(f: number): boolean {
    const lists = this.lists;
    const entries = this.entries;
    const offsets = this.offsets;
    // Common case first: each key once in the field, so one slot read per key.
    let single = true;
    for (let i = 0; i < lists.length && single; i++) {
      const pos = (lists[i] as Posting).pos as Positions;
      if ((pos.slots[(entries[i] as number) * fieldSlots + f] as number) >= manyFlag) single = false;
    }
    if (single) {
      const first = lists[0] as Posting;
      const start =
        ((first.pos as Positions).slots[(entries[0] as number) * fieldSlots + f] as number) - (offsets[0] as number);
      for (let i = 1; i < lists.length; i++) {
        const slot = ((lists[i] as Posting).pos as Positions).slots[(entries[i] as number) * fieldSlots + f] as number;
        if (slot !== start + (offsets[i] as number)) return false;
      }
      return true;
    }
    let count: number;
    [this.cand, count] = positionsOf((lists[0] as Posting).pos as Positions, entries[0] as number, f, this.cand);
    const cand = this.cand;
    const base = offsets[0] as number;
    for (let i = 1; i < lists.length && count > 0; i++) {
      let n: number;
      [this.other, n] = positionsOf((lists[i] as Posting).pos as Positions, entries[i] as number, f, this.other);
      const other = this.other;
      const shift = (offsets[i] as number) - base;
      // Keep the candidates c with c + shift among `other` (both ascending).
      let kept = 0;
      let j = 0;
      for (let c = 0; c < count; c++) {
        const want = (cand[c] as number) + shift;
        while (j < n && (other[j] as number) < want) j++;
        if (j < n && other[j] === want) cand[kept++] = cand[c] as number;
      }
      count = kept;
    }
    return count > 0;
  }
}
