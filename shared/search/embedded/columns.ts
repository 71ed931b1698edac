import type { ItemKind, RegionBlock } from '../../domain/item.js';
import { RegionBlockSchema } from '../../domain/item.js';
import type { SearchDoc } from '../search-index.js';

/** Kind codes of the `kind` column. */
export const kinds: readonly ItemKind[] = ['call', 'news', 'theme'];
/** Bit positions of the `region` column. */
export const regionBlocks: readonly RegionBlock[] = RegionBlockSchema.options;

/** Field ids of one document: a plain array for added documents, a view into the snapshot for loaded ones. */
export type FieldIds = readonly number[] | Uint32Array;

type Column = Uint8Array | Int32Array | Uint32Array | Uint16Array | Float64Array;

/** Strings numbered densely in order of first sight (ministries, research fields). */
export class Dictionary {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();

  constructor(values: readonly string[] = []) {
    for (const v of values) this.idOf(v);
  }

  /** The id of `value`, assigned on first sight. */
  idOf(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  /** The id of `value` when it was ever seen. */
  find(value: string): number | undefined {
    return this.ids.get(value);
  }
}

/** Epoch ms of an ISO instant; NaN when absent. */
function toMs(iso: string | undefined): number {
  return iso === undefined ? Number.NaN : Date.parse(iso);
}

/**
 * The filter, facet and sort columns: one typed-array slot per document number, grown by doubling.
 * Dates are epoch ms (NaN when absent); prefectures are bits of `prefLo` (01-32) and `prefHi`
 * (33-47); field ids 0-31 are bits of `fieldLo`, with `fieldMore` set when a document also has
 * higher ids, which only `fieldIds` holds.
 */
export class Columns {
  kind = new Uint8Array(16);
  ministry = new Int32Array(16);
  prefLo = new Uint32Array(16);
  prefHi = new Uint32Array(16);
  region = new Uint16Array(16);
  published = new Float64Array(16);
  opens = new Float64Array(16);
  closes = new Float64Array(16);
  updated = new Float64Array(16);
  withdrawn = new Uint8Array(16);
  alive = new Uint8Array(16);
  fieldLo = new Uint32Array(16);
  fieldMore = new Uint8Array(16);
  fieldIds: FieldIds[] = [];
  ministries = new Dictionary();
  fields = new Dictionary();

  /** The columns a snapshot stores, by name (`fieldLo`/`fieldMore` derive from `fieldIds`, `alive` is all set). */
  stored(): Array<[string, Column]> {
    return [
      ['kind', this.kind],
      ['ministry', this.ministry],
      ['prefLo', this.prefLo],
      ['prefHi', this.prefHi],
      ['region', this.region],
      ['published', this.published],
      ['opens', this.opens],
      ['closes', this.closes],
      ['updated', this.updated],
      ['withdrawn', this.withdrawn],
    ];
  }

  /** Replaces a stored column (by its `stored()` name) with `values`, keeping room for `cap` documents. */
  restore(name: string, values: Uint8Array, cap: number): void {
    const current = this.stored().find(([n]) => n === name)?.[1];
    if (current === undefined) return;
    const Ctor = current.constructor as new (b: ArrayBufferLike | number) => Column;
    const out = new Ctor(cap);
    // slice(): an exact-length aligned copy, so the view covers the column and nothing else.
    out.set(new Ctor(values.slice().buffer) as never);
    (this as unknown as Record<string, Column>)[name] = out;
  }

  get capacity(): number {
    return this.kind.length;
  }

  /** Makes room for `min` documents. */
  grow(min: number): void {
    if (min <= this.kind.length) return;
    let cap = this.kind.length;
    while (cap < min) cap *= 2;
    this.resize(cap);
  }

  /** Sets every column's length to `cap` (dropping slots beyond it). */
  resize(cap: number): void {
    const g = <T extends Column>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a.length <= cap ? a : (a.subarray(0, cap) as T));
      return b;
    };
    this.kind = g(this.kind);
    this.ministry = g(this.ministry);
    this.prefLo = g(this.prefLo);
    this.prefHi = g(this.prefHi);
    this.region = g(this.region);
    this.published = g(this.published);
    this.opens = g(this.opens);
    this.closes = g(this.closes);
    this.updated = g(this.updated);
    this.withdrawn = g(this.withdrawn);
    this.alive = g(this.alive);
    this.fieldLo = g(this.fieldLo);
    this.fieldMore = g(this.fieldMore);
  }

  /** Writes document `d`'s filter, facet and sort values. */
  write(d: number, doc: SearchDoc): void {
    this.grow(d + 1);
    this.kind[d] = Math.max(0, kinds.indexOf(doc.kind));
    this.ministry[d] = doc.ministry === undefined ? -1 : this.ministries.idOf(doc.ministry);
    let lo = 0;
    let hi = 0;
    for (const code of doc.prefectures) {
      const c = Number(code);
      if (c >= 1 && c <= 32) lo |= 1 << (c - 1);
      else if (c > 32 && c <= 47) hi |= 1 << (c - 33);
    }
    this.prefLo[d] = lo >>> 0;
    this.prefHi[d] = hi >>> 0;
    let r = 0;
    for (const block of doc.regions) r |= 1 << regionBlocks.indexOf(block);
    this.region[d] = r;
    this.setFields(
      d,
      [...new Set(doc.fields)].map((f) => this.fields.idOf(f)),
    );
    this.published[d] = toMs(doc.publishedAt);
    this.opens[d] = toMs(doc.opensAt);
    this.closes[d] = toMs(doc.closesAt);
    this.updated[d] = toMs(doc.updatedAt);
    this.withdrawn[d] = doc.withdrawn ? 1 : 0;
    this.alive[d] = 1;
  }

  /** Records a document's field ids in `fieldIds` and the bitmap columns. */
  setFields(d: number, ids: FieldIds): void {
    this.fieldIds[d] = ids;
    let lo = 0;
    let more = 0;
    for (const f of ids) {
      if (f < 32) lo |= 1 << f;
      else more = 1;
    }
    this.fieldLo[d] = lo >>> 0;
    this.fieldMore[d] = more;
  }

  /** Moves document `d` to `nd` (`nd <= d`), as compaction renumbers. */
  move(d: number, nd: number): void {
    const cols: Column[] = [
      this.kind,
      this.ministry,
      this.prefLo,
      this.prefHi,
      this.region,
      this.published,
      this.opens,
      this.closes,
      this.updated,
      this.withdrawn,
      this.alive,
      this.fieldLo,
      this.fieldMore,
    ];
    for (const col of cols) col[nd] = col[d] as number;
    this.fieldIds[nd] = this.fieldIds[d] as FieldIds;
  }
}
