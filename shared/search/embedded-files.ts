import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptDataError } from '../errors.js';
import type { ByteSink, ByteSource, SpillFolder } from './embedded/byte-io.js';

/**
 * The embedded engine's files on disk (`embedded/byte-io.ts` says what the engine needs of them):
 * snapshots read by range and written front to back, and the folder of a reindex's spill files.
 */

/**
 * One read or write call of Node stops at 2 GiB, and a snapshot of 200k documents with real body
 * lengths passes that: every call here moves at most `chunk` bytes.
 */
const defaultChunk = 1 << 30;

/** Reads `length` bytes at `position` of `fd` into `out` (from its start), in chunks. */
function readFully(fd: number, path: string, out: Uint8Array, position: number, chunk: number): void {
  for (let at = 0; at < out.byteLength;) {
    const read = readSync(fd, out, at, Math.min(chunk, out.byteLength - at), position + at);
    if (read === 0) {
      throw new CorruptDataError(`${path} ended at byte ${position + at} while ${out.byteLength} were being read`, {
        path,
      });
    }
    at += read;
  }
}

/**
 * A snapshot file kept open while its index serves, so the parts only some queries need (token
 * positions, stored documents) are read when first asked for instead of at start-up, as a mapped
 * file would be paged in. Reads return fresh buffers (aligned for any typed array). The file may be
 * replaced or deleted meanwhile: an open descriptor keeps reading the one it opened.
 */
export class SnapshotFile implements ByteSource {
  private fd: number | undefined;
  readonly size: number;

  constructor(
    readonly path: string,
    private readonly chunk = defaultChunk,
  ) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  /** `length` bytes at `position`, in a buffer of their own. */
  bytes(position: number, length: number): Uint8Array {
    if (this.fd === undefined) throw new CorruptDataError(`${this.path} was read after its index let it go`);
    if (position + length > this.size) {
      throw new CorruptDataError(`${this.path} has ${this.size} bytes; a section asks for ${position}+${length}`, {
        path: this.path,
      });
    }
    const out = new Uint8Array(length);
    readFully(this.fd, this.path, out, position, this.chunk);
    return out;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Writes a file front to back through a staging buffer (small pieces are gathered, large ones
 * go straight through in chunks), so a snapshot never needs a second copy of the index in memory.
 */
export class SnapshotSink implements ByteSink {
  private readonly fd: number;
  private readonly staging: Uint8Array;
  private used = 0;
  /** Bytes written so far (staged ones included). */
  written = 0;

  constructor(
    readonly path: string,
    stagingBytes = 4 << 20,
    private readonly chunk = defaultChunk,
  ) {
    this.fd = openSync(path, 'w');
    this.staging = new Uint8Array(stagingBytes);
  }

  write(bytes: Uint8Array): void {
    this.written += bytes.byteLength;
    if (bytes.byteLength <= this.staging.byteLength - this.used) {
      this.staging.set(bytes, this.used);
      this.used += bytes.byteLength;
      return;
    }
    this.flush();
    if (bytes.byteLength <= this.staging.byteLength >>> 1) {
      this.staging.set(bytes, 0);
      this.used = bytes.byteLength;
      return;
    }
    this.writeAll(bytes);
  }

  /** Zero bytes up to the next multiple of `align`. */
  pad(align: number): void {
    const gap = (align - (this.written % align)) % align;
    if (gap > 0) this.write(new Uint8Array(gap));
  }

  /** Flushes and closes; the file then holds every byte written. */
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }

  private flush(): void {
    if (this.used === 0) return;
    this.writeAll(this.staging.subarray(0, this.used));
    this.used = 0;
  }

  private writeAll(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.byteLength;)
      at += writeSync(this.fd, bytes, at, Math.min(this.chunk, bytes.byteLength - at));
  }
}

/** Spill files in one folder (created on the first spill). */
export class DiskSpillFolder implements SpillFolder {
  constructor(private readonly dir: string) {}

  create(name: string): ByteSink {
    mkdirSync(this.dir, { recursive: true });
    return new SnapshotSink(join(this.dir, name));
  }

  open(name: string): ByteSource {
    return new SnapshotFile(join(this.dir, name));
  }

  remove(name: string): void {
    rmSync(join(this.dir, name), { force: true });
  }
}

/** The format version a snapshot starts with; undefined for a file too short to say. */
export function snapshotFormatOf(path: string): number | undefined {
  const file = new SnapshotFile(path);
  try {
    return file.size < 4 ? undefined : new DataView(file.bytes(0, 4).buffer).getUint32(0, true);
  } finally {
    file.close();
  }
}
