import { ByteWriter } from './varint.js';

/**
 * Token positions of one term's posting entries, so a phrase is checked by comparing positions
 * instead of reading text. A position is `field * 2^24 + p`, where `p` counts the field's tokens (a
 * Latin word is one, a CJK character is one; a bigram stands at its first character). Three slots
 * per entry, one per field: the position itself when the term occurs once in that field of the
 * document (the common case, read with no decoding), else `manyFlag | offset` of the field's
 * positions in `more`: a varint count, then the positions ascending as varint deltas (the first one
 * whole). A field where the term does not occur has slot 0 and is never read (the entry's field
 * mask says so).
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

/** Slots per entry. */
export const fieldSlots = 3;

export function emptyPositions(): Positions {
  return { slots: new Uint32Array(4 * fieldSlots), more: new ByteWriter(), entries: 0 };
}

function addField(p: Positions, slot: number, values: ArrayLike<number>, from: number, to: number): void {
  if (to - from === 1) {
    p.slots[slot] = values[from] as number;
    return;
  }
  p.slots[slot] = (manyFlag | p.more.used) >>> 0;
  p.more.writeVarint(to - from);
  let prev = 0;
  for (let k = from; k < to; k++) {
    const v = values[k] as number;
    p.more.writeVarint(v - prev);
    prev = v;
  }
}

/** Appends the next entry's positions (ascending, so grouped by field). */
export function addPositions(p: Positions, values: ArrayLike<number>, count = values.length): void {
  if ((p.entries + 1) * fieldSlots > p.slots.length) {
    const bigger = new Uint32Array(Math.max(4 * fieldSlots, p.slots.length * 2));
    bigger.set(p.slots);
    p.slots = bigger;
  }
  const base = p.entries++ * fieldSlots;
  let from = 0;
  while (from < count) {
    const field = (values[from] as number) >>> 24;
    let to = from + 1;
    while (to < count && (values[to] as number) >>> 24 === field) to++;
    addField(p, base + field, values, from, to);
    from = to;
  }
}

/**
 * Decodes the positions of entry `k` in `field` (which the entry's mask says it has) into `out`
 * (replaced by a bigger one when short); returns `[out, count]`.
 */
export function positionsOf(p: Positions, k: number, field: number, out: Int32Array): [Int32Array, number] {
  const slot = p.slots[k * fieldSlots + field] as number;
  if (slot < manyFlag) {
    out[0] = slot;
    return [out, 1];
  }
  // The varints read inline: this runs for every candidate whose key occurs more than once.
  const b = p.more.bytes;
  let at = slot - manyFlag;
  let byte = b[at++] as number;
  let count = byte & 0x7f;
  for (let shift = 7; byte & 0x80; shift += 7) {
    byte = b[at++] as number;
    count += (byte & 0x7f) * 2 ** shift;
  }
  if (out.length < count) out = new Int32Array(Math.max(count, out.length * 2));
  let v = 0;
  for (let i = 0; i < count; i++) {
    byte = b[at++] as number;
    let delta = byte & 0x7f;
    for (let shift = 7; byte & 0x80; shift += 7) {
      byte = b[at++] as number;
      delta += (byte & 0x7f) * 2 ** shift;
    }
    v += delta;
    out[i] = v;
  }
  return [out, count];
}

/**
 * The positions of the entries `k` for which `keep(k)` holds, in order (compaction); `masks(k)` is
 * entry `k`'s field mask.
 */
export function keepPositions(p: Positions, keep: (k: number) => boolean, masks: (k: number) => number): Positions {
  const out = emptyPositions();
  let buf: Int32Array = new Int32Array(16);
  const all: number[] = [];
  for (let k = 0; k < p.entries; k++) {
    if (!keep(k)) continue;
    all.length = 0;
    const mask = masks(k);
    for (let f = 0; f < fieldSlots; f++) {
      if (!(mask & (1 << f))) continue;
      let count: number;
      [buf, count] = positionsOf(p, k, f, buf);
      for (let i = 0; i < count; i++) all.push(buf[i] as number);
    }
    addPositions(out, all);
  }
  return out;
}
