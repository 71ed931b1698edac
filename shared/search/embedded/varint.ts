/**
 * LEB128 varints of unsigned 32-bit integers (7 bits a byte, low first, high bit = more), written
 * into a growable byte buffer.
 */
export class ByteWriter {
  /** Wraps `bytes`, of which `used` are written (a loaded view is copied on the first growth). */
  constructor(
    public bytes: Uint8Array = new Uint8Array(16),
    public used = 0,
  ) {}

  /** Appends `value` (0 ≤ value < 2^32). */
  writeVarint(value: number): void {
    if (this.used + 5 > this.bytes.length) {
      const bigger = new Uint8Array(Math.max(16, this.bytes.length * 2, this.used + 5));
      bigger.set(this.bytes.subarray(0, this.used));
      this.bytes = bigger;
    }
    let v = value >>> 0;
    while (v >= 0x80) {
      this.bytes[this.used++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[this.used++] = v;
  }

  /** The written bytes (a view). */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.used);
  }
}
