/**
 * What the engine's files are to the rest of the engine: byte ranges read on demand, bytes written
 * front to back, and a folder for spill files. The files themselves (`node:fs`) are
 * `embedded-files.ts`, beside the adapter; these modules only see the interfaces (and `bytesOf`).
 */

/** A file read by range (a snapshot kept open while its index serves). */
export interface ByteSource {
  readonly path: string;
  readonly size: number;
  /** `length` bytes at `position`, in a buffer of their own (aligned for any typed array). */
  bytes(position: number, length: number): Uint8Array;
  close(): void;
}

/** A file written front to back. */
export interface ByteSink {
  readonly path: string;
  /** Bytes written so far. */
  readonly written: number;
  write(bytes: Uint8Array): void;
  /** Zero bytes up to the next multiple of `align`. */
  pad(align: number): void;
  /** Flushes and closes; the file then holds every byte written. */
  close(): void;
}

/** A folder of named scratch files (a reindex's spilled postings). */
export interface SpillFolder {
  create(name: string): ByteSink;
  open(name: string): ByteSource;
  remove(name: string): void;
}

/** The bytes of a typed array (a view, not a copy), as files take them. */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
