import { ByteReader, ByteWriter } from './varint.js';

/**
 * Token positions of one term's posting entries, so a phrase is checked by intersecting positions
 * instead of reading text. A position is `field * 2^24 + p`, where `p` counts the field's tokens (a
 * Latin word is one, a CJK character is one; a bigram stands at its first character). Per entry:
 * a varint count, then the positions ascending as varint deltas (the first one whole). `blocks`
 * holds the byte offset of every eighth entry; an entry is found by skipping at most seven.
 */
export interface Positions {
  readonly out: ByteWriter;
  blocks: Uint32Array;
  entries: number;
}

/** Positions in one field are below this; the field is `position >>> 24`. */
export const fieldSpan = 2 ** 24;

export function emptyPositions(): Positions {
  return { out: new ByteWriter(), blocks: new Uint32Array(2), entries: 0 };
}

/** Appends the next entry's positions (ascending). */
export function addPositions(p: Positions, values: ArrayLike<number>, count = values.length): void {
  if ((p.entries & 7) === 0) {
    const block = p.entries >>> 3;
    if (block >= p.blocks.length) {
      const bigger = new Uint32Array(Math.max(2, p.blocks.length * 2));
      bigger.set(p.blocks);
      p.blocks = bigger;
    }
    p.blocks[block] = p.out.used;
  }
  p.entries++;
  p.out.writeVarint(count);
  let prev = 0;
  for (let k = 0; k < count; k++) {
    const v = values[k] as number;
    p.out.writeVarint(v - prev);
    prev = v;
  }
}

/** Decodes the positions of entry `k` into `out` (replaced by a bigger one when short); returns `[out, count]`. */
export function positionsOf(p: Positions, k: number, out: Int32Array): [Int32Array, number] {
  const r = new ByteReader(p.out.bytes, p.blocks[k >>> 3] as number);
  for (let skip = k & 7; skip > 0; skip--) r.skipVarints(r.readVarint());
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
