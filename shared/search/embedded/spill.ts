import { CorruptDataError } from '../../errors.js';
import { bytesOf, type ByteSource, type SpillFolder } from './byte-io.js';
import type { Posting } from './postings.js';

/**
 * Spilled postings: while a reindex builds a persistent index, the postings and positions of the
 * documents added since the last spill go to a file once they pass a number of entries, so the
 * build holds one slice of the index in memory instead of all of it. Document numbers only grow,
 * so a term's entries in spill k all come before its entries in spill k + 1, and the snapshot is
 * written by concatenating each term's parts (`mergedPostingSections` in snapshot.ts).
 *
 * A spill file is one record per term, in sorted term order: term length in bytes (u32 LE), the
 * term (UTF-16LE), entry count (u32), further position bytes (u32; `noPositions` for a term
 * without positions), then the entries, the position slots and the further position bytes.
 */
const noPositions = 0xffffffff;
/** Bytes a spill reader reads at once. */
const readChunk = 1 << 20;

/** One term of one spill file as read back. */
export interface SpillRecord {
  readonly term: string;
  readonly data: Uint32Array;
  /** Position slots and further bytes, when asked for and the term has positions. */
  readonly slots?: Uint32Array;
  readonly more?: Uint8Array;
  readonly hasPositions: boolean;
  /** How many further position bytes the term has here (0 without positions). */
  readonly moreLength: number;
}

/** What `SpillReader.next` reads of a record besides its entries; the rest is skipped. */
export type SpillRead = 'entries' | 'slots' | 'all';

/** Entries per spill by default: ~12k documents of real call-page length, ~150 MB while built. */
export const defaultSpillEntries = 8_000_000;

export class PostingSpills {
  readonly files: string[] = [];

  constructor(
    private readonly folder: SpillFolder,
    /** Starts every file name, so two builds in one folder never share a file. */
    private readonly prefix: string,
    /** Entries (term × document) held in memory before the next spill. */
    readonly threshold = defaultSpillEntries,
  ) {}

  /** Writes `postings` to the next spill file, terms sorted. */
  spill(postings: ReadonlyMap<string, Posting>): void {
    const name = `${this.prefix}-${this.files.length}.spill`;
    const sink = this.folder.create(name);
    try {
      const lead = new Uint8Array(4);
      const head = new Uint8Array(8);
      const view = new DataView(head.buffer);
      for (const term of [...postings.keys()].sort()) {
        const p = postings.get(term) as Posting;
        const termBytes = Buffer.from(term, 'utf16le');
        new DataView(lead.buffer).setUint32(0, termBytes.byteLength, true);
        sink.write(lead);
        sink.write(termBytes);
        view.setUint32(0, p.len, true);
        view.setUint32(4, p.pos === undefined ? noPositions : p.pos.more.used, true);
        sink.write(head);
        sink.write(bytesOf(p.data.subarray(0, p.len)));
        if (p.pos !== undefined) {
          sink.write(bytesOf(p.pos.slots.subarray(0, p.pos.entries)));
          sink.write(p.pos.more.view());
        }
      }
    } finally {
      sink.close();
    }
    this.files.push(name);
  }

  /** Readers over every spill file, in document order. */
  readers(): SpillReader[] {
    return this.files.map((name) => new SpillReader(this.folder.open(name)));
  }

  /** Deletes the spill files. */
  discard(): void {
    for (const name of this.files.splice(0)) this.folder.remove(name);
  }
}

/** Reads one spill file front to back in chunks; `peek` names the next term without reading it. */
export class SpillReader {
  private buf = new Uint8Array(0);
  private start = 0;
  /** File offset of the byte after `buf`. */
  private filled = 0;
  private nextTerm: string | undefined;

  constructor(private readonly file: ByteSource) {
    this.nextTerm = this.readTerm();
  }

  private get path(): string {
    return this.file.path;
  }

  /** The next record's term; undefined at the end of the file. */
  peek(): string | undefined {
    return this.nextTerm;
  }

  /** Reads the next record (as much of it as `read` says) and moves past it. */
  next(read: SpillRead): SpillRecord {
    const term = this.nextTerm;
    if (term === undefined)
      throw new CorruptDataError(`spill file ${this.path} read past its end`, { path: this.path });
    const head = new DataView(this.take(8).slice().buffer);
    const len = head.getUint32(0, true);
    const moreLength = head.getUint32(4, true);
    const hasPositions = moreLength !== noPositions;
    const data = new Uint32Array(this.take(len * 4).slice().buffer);
    const more = hasPositions ? moreLength : 0;
    let slots: Uint32Array | undefined;
    let moreBytes: Uint8Array | undefined;
    if (hasPositions && read !== 'entries') {
      slots = new Uint32Array(this.take(len * 4).slice().buffer);
      if (read === 'all') moreBytes = this.take(more).slice();
      else this.skip(more);
    } else this.skip(hasPositions ? len * 4 + more : 0);
    this.nextTerm = this.readTerm();
    return {
      term,
      data,
      hasPositions,
      moreLength: more,
      ...(slots === undefined ? {} : { slots }),
      ...(moreBytes === undefined ? {} : { more: moreBytes }),
    };
  }

  close(): void {
    this.file.close();
  }

  private readTerm(): string | undefined {
    if (!this.fill(4)) return undefined;
    const bytes = new DataView(this.take(4).slice().buffer).getUint32(0, true);
    return Buffer.from(this.take(bytes)).toString('utf16le');
  }

  /** `n` bytes from the read position (a view, valid until the next read), moving past them. */
  private take(n: number): Uint8Array {
    if (!this.fill(n)) throw new CorruptDataError(`spill file ${this.path} ends inside a record`, { path: this.path });
    const out = this.buf.subarray(this.start, this.start + n);
    this.start += n;
    return out;
  }

  private skip(n: number): void {
    const buffered = this.buf.length - this.start;
    if (n <= buffered) {
      this.start += n;
      return;
    }
    this.filled += n - buffered;
    this.buf = new Uint8Array(0);
    this.start = 0;
  }

  /** Makes `n` bytes available from the read position, reading ~1 MB at a time; false when the file ends first. */
  private fill(n: number): boolean {
    const buffered = this.buf.length - this.start;
    if (buffered >= n) return true;
    const length = Math.max(0, Math.min(Math.max(n - buffered, readChunk), this.file.size - this.filled));
    if (buffered + length < n) return false;
    const next = new Uint8Array(buffered + length);
    next.set(this.buf.subarray(this.start));
    next.set(this.file.bytes(this.filled, length), buffered);
    this.filled += length;
    this.buf = next;
    this.start = 0;
    return true;
  }
}
