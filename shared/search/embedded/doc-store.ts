import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** Documents per compressed block: small, so a page of hits inflates little besides its own. */
const blockDocs = 16;
/** Inflated blocks kept for the next reads. */
const blocksKept = 256;

/**
 * The stored documents (`JSON.stringify(SearchDoc)`), read only for the hits a page returns and
 * for digests: appended into blocks of `blockDocs` documents, each joined by newlines (JSON has no
 * raw newline) and deflated once full, so neither memory nor the snapshot holds the corpus as
 * text. `loc` gives each document number its block and slot; compaction only moves `loc` entries,
 * and `rewrite` drops the removed documents' bytes when they outweigh the rest.
 */
export class DocStore {
  private blocks: Uint8Array[] = [];
  private loc = new Uint32Array(16);
  private pending: string[] = [];
  private readonly inflated = new Map<number, string[]>();
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
      docs = inflateRawSync(this.blocks[block] as Uint8Array)
        .toString('utf8')
        .split('\n');
      this.inflated.set(block, docs);
    }
    return docs[slot] as string;
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
    this.loc = fresh.loc;
    this.pending = fresh.pending;
    this.slots = fresh.slots;
    this.inflated.clear();
  }

  /** The store of `n` documents as sections: the compressed blocks, their offsets, and `loc`. */
  sections(n: number): { blocks: Uint8Array; offsets: Float64Array; loc: Uint32Array } {
    this.seal();
    const offsets = new Float64Array(this.blocks.length + 1);
    let total = 0;
    this.blocks.forEach((b, i) => {
      offsets[i] = total;
      total += b.length;
    });
    offsets[this.blocks.length] = total;
    const blocks = new Uint8Array(total);
    this.blocks.forEach((b, i) => blocks.set(b, offsets[i] as number));
    return { blocks, offsets, loc: this.loc.slice(0, n) };
  }

  /** A store over loaded sections (views, not copies). */
  static fromSections(blocks: Uint8Array, offsets: Float64Array, loc: Uint32Array): DocStore {
    const store = new DocStore();
    for (let i = 0; i + 1 < offsets.length; i++)
      store.blocks.push(blocks.subarray(offsets[i] as number, offsets[i + 1] as number));
    store.loc = new Uint32Array(Math.max(16, loc.length));
    store.loc.set(loc);
    store.slots = store.blocks.length * blockDocs;
    // New documents start a fresh block after the loaded ones.
    return store;
  }
}
