import { ByteReader, ByteWriter } from './varint.js';

/**
 * Token positions of one term's posting entries, so a phrase is checked by comparing positions
 * instead of reading text. A position is `field * 2^24 + p`, where `p` counts the field's tokens (a
 * Latin word is one, a CJK character is one; a bigram stands at its first character). One slot
 * per entry: the position itself when the term occurs once in the document (the common case, read
 * with no decoding), else `manyFlag | offset` of the entry's positions in `more`: a varint count,
 * then the positions ascending as varint deltas (the first one whole).
 */
export interface Positions {
  slots: Uint32Array;
  readonly more: ByteWriter;
  entries: number;
}

/** Positions in one field are below this; the field is `position >>> 24`. */
export const fieldSpan = 2 ** 24;
/** Marks a slot that points into `more`. */
export const manyFlag = 0x80000000;

export function emptyPositions(): Positions {
  return { slots: new Uint32Array(4), more: new ByteWriter(), entries: 0 };
}

/** Appends the next entry's positions (ascending, at least one). */
export function addPositions(p: Positions, values: ArrayLike<number>, count = values.length): void {
  if (p.entries === p.slots.length) {
    const bigger = new Uint32Array(Math.max(4, p.slots.length * 2));
    bigger.set(p.slots);
    p.slots = bigger;
  }
  if (count === 1) {
    p.slots[p.entries++] = values[0] as number;
    return;
  }
  p.slots[p.entries++] = (manyFlag | p.more.used) >>> 0;
  p.more.writeVarint(count);
  let prev = 0;
  for (let k = 0; k < count; k++) {
    const v = values[k] as number;
    p.more.writeVarint(v - prev);
    prev = v;
  }
}

/** Decodes the positions of entry `k` into `out` (replaced by a bigger one when short); returns `[out, count]`. */
export function positionsOf(p: Positions, k: number, out: Int32Array): [Int32Array, number] {
  const slot = p.slots[k] as number;
  if (slot < manyFlag) {
    out[0] = slot;
    return [out, 1];
  }
  const r = new ByteReader(p.more.bytes, slot - manyFlag);
  const count = r.readVarint();
  if (out.length < count) out = new Int32Array(Math.max(count, out.length * 2));
  let v = 0;
  for (let i = 0; i < count; i++) {
    v += r.readVarint();
    out[i] = v;
  }
  return [out, count];
}

/** The positions of the entries `k` for which `keep(k)` holds, in order (compaction). */
export function keepPositions(p: Positions, keep: (k: number) => boolean): Positions {
  const out = emptyPositions();
  let buf: Int32Array = new Int32Array(16);
  for (let k = 0; k < p.entries; k++) {
    if (!keep(k)) continue;
    const [b, count] = positionsOf(p, k, buf);
    buf = b;
    addPositions(out, buf, count);
  }
  return out;
}
