import type { HighlightSource } from '../highlight.js';
import type { SearchDoc } from '../search-index.js';
import { Columns } from './columns.js';
import { DocStore } from './doc-store.js';
import { addPositions, emptyPositions, keepPositions } from './positions.js';
import { addPosting, DenseForms, type Posting } from './postings.js';
import type { ByteSource } from './byte-io.js';
import type { PostingSpills } from './spill.js';
import { StatusColumn } from './status-column.js';
import { fieldTerms } from './tokens.js';

/** Parsed documents kept for hits (about 2 KB each with their highlight sources). */
const hydratedDocsKept = 4096;

/** A parsed document and, once highlighted, its folded fields. */
export interface HydratedDoc {
  readonly doc: SearchDoc;
  title?: HighlightSource;
  summary?: HighlightSource;
  bodyText?: HighlightSource;
}

/**
 * One generation of the index: document numbers, postings, columns and documents. Updates append
 * a new document number and tombstone the old one; `compact` renumbers.
 */
export class IndexState {
  n = 0;
  live = 0;
  ids: string[] = [];
  private idMap: Map<string, number> | undefined = new Map<string, number>();
  /** The documents as JSON, compressed, read for returned hits. */
  docs = new DocStore();
  readonly cols = new Columns();
  readonly status = new StatusColumn(this.cols, () => this.n);
  readonly postings = new Map<string, Posting>();
  readonly dense = new DenseForms();
  /** Counts writes, so derived bitmaps know when they are stale. */
  writes = 0;
  private visible: { writes: number; all: Uint32Array; shown: Uint32Array } | undefined;
  /** Where a reindex being built spills its postings (absent: everything stays in memory). */
  spills: PostingSpills | undefined;
  /** Posting entries added since the last spill. */
  private entriesInMemory = 0;
  /** The snapshot file this state was loaded from, which still holds its positions and documents. */
  source: ByteSource | undefined;
  /** Recently returned documents, parsed, with their fields folded for highlighting (oldest first). */
  private readonly hydrated = new Map<number, HydratedDoc>();

  /** The document at `d`, parsed; kept for the next few thousand hits, as documents never change in place. */
  hydrate(d: number): HydratedDoc {
    let h = this.hydrated.get(d);
    if (h === undefined) {
      if (this.hydrated.size >= hydratedDocsKept) this.hydrated.delete(this.hydrated.keys().next().value as number);
      h = { doc: JSON.parse(this.docAt(d)) as SearchDoc };
      this.hydrated.set(d, h);
    }
    return h;
  }

  /**
   * Moves the postings in memory to the next spill file (see `PostingSpills`). A state with spills
   * is only written (`writeState`), never searched.
   */
  spillPostings(): void {
    if (this.spills === undefined || this.postings.size === 0) return;
    this.spills.spill(this.postings);
    this.postings.clear();
    this.dense.clear();
    this.entriesInMemory = 0;
  }

  /**
   * Closes the snapshot file and lets go of the documents, postings and columns, so a state that
   * was replaced gives its memory back even while something still refers to it (a reindex writer
   * after its commit). The state holds nothing after.
   */
  release(): void {
    this.source?.close();
    this.source = undefined;
    this.postings.clear();
    this.dense.clear();
    this.hydrated.clear();
    this.docs = new DocStore();
    this.ids = [];
    this.idMap = new Map();
    this.cols.resize(16);
    this.cols.fieldIds = [];
    this.n = 0;
    this.live = 0;
    this.writes++;
    this.status.invalidate();
  }

  /** Bitmap of live documents, withdrawn ones included or not. */
  visibleBits(includeWithdrawn: boolean): Uint32Array {
    if (this.visible === undefined || this.visible.writes !== this.writes) {
      const words = (this.n + 31) >>> 5;
      const all = new Uint32Array(words);
      const shown = new Uint32Array(words);
      const { alive, withdrawn } = this.cols;
      for (let d = 0; d < this.n; d++) {
        if (!alive[d]) continue;
        const bit = 1 << (d & 31);
        all[d >>> 5] = (all[d >>> 5] as number) | bit;
        if (!withdrawn[d]) shown[d >>> 5] = (shown[d >>> 5] as number) | bit;
      }
      this.visible = { writes: this.writes, all, shown };
    }
    return includeWithdrawn ? this.visible.all : this.visible.shown;
  }

  /** id → document number; built on the first write after a load (searches do not need it). */
  get idToDoc(): Map<string, number> {
    if (!this.idMap) {
      this.idMap = new Map();
      for (let d = 0; d < this.n; d++) if (this.cols.alive[d]) this.idMap.set(this.ids[d] as string, d);
    }
    return this.idMap;
  }

  /** Forgets the id map of a freshly loaded state, until a write needs it. */
  dropIdMap(): void {
    this.idMap = undefined;
  }

  docAt(d: number): string {
    return this.docs.get(d);
  }

  upsert(doc: SearchDoc): void {
    this.remove(doc.id);
    const d = this.n++;
    this.live++;
    this.ids[d] = doc.id;
    this.idToDoc.set(doc.id, d);
    this.docs.add(d, JSON.stringify(doc));
    const masks = new Map<string, number>();
    const positions = new Map<string, number[]>();
    const emit = (field: number) => (term: string, position: number) => {
      masks.set(term, (masks.get(term) ?? 0) | (1 << field));
      if (position < 0) return;
      const list = positions.get(term);
      if (list === undefined) positions.set(term, [position]);
      else list.push(position);
    };
    fieldTerms(doc.title, 0, emit(0));
    if (doc.summary !== undefined) fieldTerms(doc.summary, 1, emit(1));
    if (doc.bodyText !== undefined) fieldTerms(doc.bodyText, 2, emit(2));
    for (const [term, mask] of masks) {
      const p = addPosting(this.postings, term, d * 8 + mask);
      const list = positions.get(term);
      if (list !== undefined) addPositions((p.pos ??= emptyPositions()), list);
    }
    this.cols.write(d, doc);
    this.writes++;
    this.status.invalidate();
    this.entriesInMemory += masks.size;
    if (this.spills !== undefined && this.entriesInMemory >= this.spills.threshold) this.spillPostings();
  }

  remove(id: string): boolean {
    const old = this.idToDoc.get(id);
    if (old === undefined) return false;
    this.idToDoc.delete(id);
    this.cols.alive[old] = 0;
    this.writes++;
    this.status.dropLists();
    this.live--;
    return true;
  }

  get dead(): number {
    return this.n - this.live;
  }

  /** Renumbers live documents densely and drops tombstones from every posting list. */
  compact(): void {
    const map = this.renumbering();
    if (map === undefined) return;
    for (const [term, p] of this.postings) {
      if (p.pos !== undefined) {
        const data = p.data;
        p.pos = keepPositions(p.pos, (k) => (map[(data[k] as number) >>> 3] as number) >= 0);
      }
      let w = 0;
      for (let k = 0; k < p.len; k++) {
        const e = p.data[k] as number;
        const nd = map[e >>> 3] as number;
        if (nd >= 0) p.data[w++] = nd * 8 + (e & 7);
      }
      if (w === 0) this.postings.delete(term);
      else p.len = w;
    }
    this.compactRows(map);
  }

  /** Per document number, its number once the removed ones are dropped (-1: removed); undefined when none is. */
  renumbering(): Int32Array | undefined {
    if (this.dead === 0) return undefined;
    const map = new Int32Array(this.n).fill(-1);
    let next = 0;
    for (let d = 0; d < this.n; d++) if (this.cols.alive[d]) map[d] = next++;
    return map;
  }

  /** Renumbers ids, columns and stored documents by `map` (`renumbering`); the postings are the caller's. */
  compactRows(map: Int32Array): void {
    this.dense.clear();
    this.hydrated.clear();
    this.writes++;
    const ids: string[] = [];
    let next = 0;
    for (let d = 0; d < this.n; d++) {
      const nd = map[d] as number;
      if (nd < 0) continue;
      this.cols.move(d, nd);
      ids[nd] = this.ids[d] as string;
      this.docs.move(d, nd);
      next = nd + 1;
    }
    this.ids = ids;
    this.n = next;
    this.live = next;
    this.docs.rewrite(next);
    this.idMap = undefined;
    this.status.invalidate();
  }
}
