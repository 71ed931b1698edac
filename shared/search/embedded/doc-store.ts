import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ByteSource } from './byte-io.js';

/** Documents per compressed block: small, so a page of hits inflates little besides its own. */
const blockDocs = 16;
/** Inflated blocks kept for the next reads. */
const blocksKept = 256;
const newline = 0x0a;

/** The compressed blocks of a snapshot, left in its file: block `i` is at `at + offsets[i]`. */
interface StoredBlocks {
  readonly file: ByteSource;
  readonly at: number;
  readonly offsets: Float64Array;
}

/** A store's snapshot sections: block offsets, `loc`, and the blocks handed to `write` in order. */
export interface DocSections {
  readonly offsets: Float64Array;
  readonly loc: Uint32Array;
  writeBlocks(write: (block: Uint8Array) => void): void;
}

/**
 * The stored documents (`JSON.stringify(SearchDoc)`), read only for the hits a page returns and
 * for digests: appended into blocks of `blockDocs` documents, each joined by newlines (JSON has no
 * raw newline) and deflated once full, so neither memory nor the snapshot holds the corpus as
 * text. `loc` gives each document number its block and slot; compaction only moves `loc` entries,
 * and `rewrite` drops the removed documents' bytes when they outweigh the rest.
 */
export class DocStore {
  /** Compressed blocks; undefined for one still in the snapshot file (`stored`). */
  private blocks: Array<Uint8Array | undefined> = [];
  private stored: StoredBlocks | undefined;
  private loc = new Uint32Array(16);
  private pending: string[] = [];
  private readonly inflated = new Map<number, Buffer>();
  /** Slots in sealed or pending blocks, for the rewrite decision. */
  private slots = 0;

  /** Stores document `d` (its number: past every stored one). */
  add(d: number, json: string): void {
    if (this.pending.length === blockDocs) this.seal();
    if (d >= this.loc.length) {
      let cap = this.loc.length;
      while (cap <= d) cap *= 2;
      const bigger = new Uint32Array(cap);
      bigger.set(this.loc);
      this.loc = bigger;
    }
    this.loc[d] = this.blocks.length * blockDocs + this.pending.length;
    this.pending.push(json);
    this.slots++;
  }

  get(d: number): string {
    const at = this.loc[d] as number;
    const block = Math.floor(at / blockDocs);
    const slot = at % blockDocs;
    if (block === this.blocks.length) return this.pending[slot] as string;
    let docs = this.inflated.get(block);
    if (docs === undefined) {
      if (this.inflated.size >= blocksKept) this.inflated.delete(this.inflated.keys().next().value as number);
      docs = inflateRawSync(this.blockBytes(block));
      this.inflated.set(block, docs);
    }
    // Only the asked document is decoded: a block of real call pages is ~100 KB of UTF-8.
    let start = 0;
    for (let k = 0; k < slot; k++) start = docs.indexOf(newline, start) + 1;
    const end = docs.indexOf(newline, start);
    return docs.toString('utf8', start, end < 0 ? docs.length : end);
  }

  /** Block `i`'s compressed bytes (read from the snapshot file when the block was loaded from one). */
  private blockBytes(i: number): Uint8Array {
    const held = this.blocks[i];
    if (held !== undefined) return held;
    const stored = this.stored as StoredBlocks;
    return stored.file.bytes(stored.at + (stored.offsets[i] as number), this.blockLength(i));
  }

  /** Gives document `d`'s stored text the number `nd` (compaction). */
  move(d: number, nd: number): void {
    this.loc[nd] = this.loc[d] as number;
  }

  private seal(): void {
    if (this.pending.length === 0) return;
    this.blocks.push(deflateRawSync(Buffer.from(this.pending.join('\n'), 'utf8')));
    this.pending = [];
  }

  /**
   * After compaction to `n` documents: when most stored slots belong to removed documents,
   * re-stores the `n` live ones densely.
   */
  rewrite(n: number): void {
    if (this.slots <= 2 * n + blockDocs) return;
    const fresh = new DocStore();
    for (let d = 0; d < n; d++) fresh.add(d, this.get(d));
    this.blocks = fresh.blocks;
    this.stored = undefined;
    this.loc = fresh.loc;
    this.pending = fresh.pending;
    this.slots = fresh.slots;
    this.inflated.clear();
  }

  /** The store of `n` documents as snapshot sections. */
  sections(n: number): DocSections {
    this.seal();
    const count = this.blocks.length;
    const offsets = new Float64Array(count + 1);
    for (let i = 0; i < count; i++) offsets[i + 1] = (offsets[i] as number) + this.blockLength(i);
    return {
      offsets,
      loc: this.loc.slice(0, n),
      writeBlocks: (write) => {
        for (let i = 0; i < count; i++) write(this.blockBytes(i));
      },
    };
  }

  private blockLength(i: number): number {
    const held = this.blocks[i];
    if (held !== undefined) return held.length;
    const offsets = (this.stored as StoredBlocks).offsets;
    return (offsets[i + 1] as number) - (offsets[i] as number);
  }

  /** A store whose blocks stay in a snapshot file (read when a document is asked for). */
  static fromStored(file: ByteSource, at: number, offsets: Float64Array, loc: Uint32Array): DocStore {
    const store = new DocStore();
    store.stored = { file, at, offsets };
    store.blocks = new Array<Uint8Array | undefined>(Math.max(0, offsets.length - 1)).fill(undefined);
    store.loc = new Uint32Array(Math.max(16, loc.length));
    store.loc.set(loc);
    store.slots = store.blocks.length * blockDocs;
    // New documents start a fresh block after the loaded ones.
    return store;
  }
}
