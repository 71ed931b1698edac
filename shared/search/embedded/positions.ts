import type { ByteSource } from './byte-io.js';
import { ByteWriter } from './varint.js';

/**
 * Token positions of one term's posting entries, so a phrase is checked by comparing positions
 * instead of reading text. A position is `field * 2^24 + p`, where `p` counts the field's tokens (a
 * Latin word is one, a CJK character is one; a bigram stands at its first character), so one
 * ascending list holds an entry's positions in every field. One slot per entry: the position
 * itself when the term occurs once in the document (the common case, read with no decoding), else
 * `manyFlag | offset` of the entry's positions in `more`: a varint count, then the positions
 * ascending as varint deltas (the first one whole).
 */
export interface Positions {
  slots: Uint32Array;
  readonly more: ByteWriter;
  entries: number;
}

/**
 * One term's positions as a snapshot holds them, read from the file the first time a phrase check
 * (or a write to the term) asks for them: most terms are never part of a phrase query, so their
 * positions never take memory.
 */
export class StoredPositions implements Positions {
  private loadedSlots: Uint32Array | undefined;
  private loadedMore: ByteWriter | undefined;

  constructor(
    private readonly file: ByteSource,
    /** File offsets of the term's slots (4 bytes each) and of its further position bytes. */
    private readonly slotsAt: number,
    private readonly moreAt: number,
    private readonly moreLength: number,
    public entries: number,
  ) {}

  get slots(): Uint32Array {
    return (this.loadedSlots ??= new Uint32Array(this.file.bytes(this.slotsAt, this.entries * 4).buffer));
  }

  set slots(slots: Uint32Array) {
    this.loadedSlots = slots;
  }

  get more(): ByteWriter {
    return (this.loadedMore ??= new ByteWriter(this.file.bytes(this.moreAt, this.moreLength), this.moreLength));
  }

  /** Whether the positions were read into memory. */
  get isLoaded(): boolean {
    return this.loadedSlots !== undefined || this.loadedMore !== undefined;
  }

  /** How many further position bytes the file holds for the term. */
  get storedLength(): number {
    return this.moreLength;
  }

  /** The slots as the file holds them, read without keeping them (to copy them into a new snapshot). */
  storedSlots(): Uint8Array {
    return this.file.bytes(this.slotsAt, this.entries * 4);
  }

  /** The further position bytes as the file holds them, read without keeping them. */
  storedMore(): Uint8Array {
    return this.file.bytes(this.moreAt, this.moreLength);
  }
}

/** Positions in one field are below this; the field is `position >>> 24`. */
export const fieldSpan = 2 ** 24;
/** Marks a slot that points into `more`. */
export const manyFlag = 0x80000000;

export function emptyPositions(): Positions {
  return { slots: new Uint32Array(4), more: new ByteWriter(), entries: 0 };
}

/** Appends the next entry's positions (ascending). */
export function addPositions(p: Positions, values: ArrayLike<number>, count = values.length): void {
  if (p.entries === p.slots.length) {
    const bigger = new Uint32Array(Math.max(4, p.slots.length * 2));
    bigger.set(p.slots);
    p.slots = bigger;
  }
  const k = p.entries++;
  if (count === 1) {
    p.slots[k] = values[0] as number;
    return;
  }
  p.slots[k] = (manyFlag | p.more.used) >>> 0;
  p.more.writeVarint(count);
  let prev = 0;
  for (let i = 0; i < count; i++) {
    const v = values[i] as number;
    p.more.writeVarint(v - prev);
    prev = v;
  }
}

/** Copies `p` into arrays of exactly its size (the build's growth slack is dropped). */
export function trimPositions(p: Positions): Positions {
  return {
    slots: p.slots.slice(0, p.entries),
    more: new ByteWriter(p.more.view().slice(), p.more.used),
    entries: p.entries,
  };
}

/**
 * Walks the positions of one entry at a time, ascending, decoding only as far as asked: `open`
 * an entry, then `skipTo` a target. `value` is the current position.
 */
export class PositionCursor {
  value = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  private at = 0;
  private left = 0;

  /** Starts at entry `k`'s first position. */
  open(p: Positions, k: number): void {
    const slot = p.slots[k] as number;
    if (slot < manyFlag) {
      this.value = slot;
      this.left = 0;
      return;
    }
    this.bytes = p.more.bytes;
    this.at = slot - manyFlag;
    this.left = this.varint() - 1;
    this.value = this.varint();
  }

  /** Decodes the next position; false (and `value` unchanged) when there is none. */
  step(): boolean {
    if (this.left === 0) return false;
    this.value += this.varint();
    this.left--;
    return true;
  }

  /**
   * The varint at the read offset (a count, then position deltas); moves past it. Counts and
   * positions stay below 2^31 (a position is below 3 × 2^24), so shifts decode them.
   */
  private varint(): number {
    const b = this.bytes;
    let at = this.at;
    let byte = b[at++] as number;
    let value = byte & 0x7f;
    for (let shift = 7; byte & 0x80; shift += 7) {
      byte = b[at++] as number;
      value |= (byte & 0x7f) << shift;
    }
    this.at = at;
    return value;
  }

  /** Moves to the first position ≥ `target`; false when there is none. */
  skipTo(target: number): boolean {
    while (this.value < target) if (!this.step()) return false;
    return true;
  }
}

/** Entry `k`'s positions, ascending, into `out` (replaced by a bigger one when short); returns `[out, count]`. */
export function positionsOf(
  p: Positions,
  k: number,
  out: Int32Array,
  cursor = new PositionCursor(),
): [Int32Array, number] {
  cursor.open(p, k);
  let count = 0;
  do {
    if (count === out.length) {
      const bigger = new Int32Array(out.length * 2 || 16);
      bigger.set(out);
      out = bigger;
    }
    out[count++] = cursor.value;
  } while (cursor.step());
  return [out, count];
}

/** The positions of the entries `k` for which `keep(k)` holds, in order (compaction). */
export function keepPositions(p: Positions, keep: (k: number) => boolean): Positions {
  const out = emptyPositions();
  const cursor = new PositionCursor();
  let buf: Int32Array = new Int32Array(16);
  for (let k = 0; k < p.entries; k++) {
    if (!keep(k)) continue;
    let count: number;
    [buf, count] = positionsOf(p, k, buf, cursor);
    addPositions(out, buf, count);
  }
  return trimPositions(out);
}
