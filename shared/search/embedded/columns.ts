import { ApplicantTypeSchema, type ApplicantType } from '../../domain/applicant.js';
import type { ItemKind, RegionBlock } from '../../domain/item.js';
import { RegionBlockSchema } from '../../domain/item.js';
import type { SearchDoc } from '../search-index.js';

/** Kind codes of the `kind` column. */
export const kinds: readonly ItemKind[] = ['call', 'news', 'theme'];
/** Bit positions of the `region` column. */
export const regionBlocks: readonly RegionBlock[] = RegionBlockSchema.options;
/** Bit positions of the `applicants` column (nine types: one `Uint16Array` slot). */
export const applicantTypes: readonly ApplicantType[] = ApplicantTypeSchema.options;

/** Field ids of one document: a plain array for added documents, a view into the snapshot for loaded ones. */
export type FieldIds = readonly number[] | Uint32Array;

type Column = Uint8Array | Int32Array | Uint32Array | Uint16Array | Float64Array;
type ColumnType = new (size: number) => Column;

/**
 * Every per-document column and its array type. Dates, the ceiling (yen) and the forecast opening
 * (epoch ms of its first Tokyo day) are `Float64Array`s holding NaN when absent.
 */
// prettier-ignore
const columnTypes = {
  kind: Uint8Array, withdrawn: Uint8Array, alive: Uint8Array, fieldMore: Uint8Array,
  ministry: Int32Array, prefLo: Uint32Array, prefHi: Uint32Array, fieldLo: Uint32Array,
  region: Uint16Array, applicants: Uint16Array,
  published: Float64Array, opens: Float64Array, closes: Float64Array, updated: Float64Array,
  ceiling: Float64Array, forecastOpens: Float64Array,
} satisfies Record<string, ColumnType>;

type ColumnName = keyof typeof columnTypes;
const columnNames = Object.keys(columnTypes) as ColumnName[];
/** Columns a snapshot does not store: `alive` is all set on load, the field bitmaps derive from `fieldIds`. */
const derivedColumns: ReadonlySet<ColumnName> = new Set(['alive', 'fieldLo', 'fieldMore']);

/** The columns as typed properties, each made with room for 16 documents. */
type ColumnArrays = { -readonly [N in ColumnName]: InstanceType<(typeof columnTypes)[N]> };
const ColumnArrays = class {
  constructor() {
    Object.assign(this, Object.fromEntries(columnNames.map((name) => [name, new columnTypes[name](16)])));
  }
} as new () => ColumnArrays;

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

/** Epoch ms of the start of a Tokyo day (`YYYY-MM-DD`); NaN when absent. */
function tokyoDayStartMs(day: string | undefined): number {
  return day === undefined ? Number.NaN : Date.parse(`${day}T00:00:00+09:00`);
}

/** The bits of `values` at their positions in `names` (values not named set no bit). */
export function maskOf<T>(values: readonly T[], names: readonly T[]): number {
  let mask = 0;
  for (const v of values) {
    const at = names.indexOf(v);
    if (at >= 0) mask |= 1 << at;
  }
  return mask;
}

/**
 * The filter, facet and sort columns: one typed-array slot per document number, grown by doubling
 * (see `columnTypes`). Prefectures are bits of `prefLo` (01-32) and `prefHi` (33-47); regions and
 * applicant types are bits of `region` and `applicants`; field ids 0-31 are bits of `fieldLo`,
 * with `fieldMore` set when a document also has higher ids, which only `fieldIds` holds.
 */
export class Columns extends ColumnArrays {
  fieldIds: FieldIds[] = [];
  ministries = new Dictionary();
  fields = new Dictionary();

  /** The columns a snapshot stores, by name. */
  stored(): Array<[string, Column]> {
    return columnNames.filter((name) => !derivedColumns.has(name)).map((name) => [name, this[name]]);
  }

  /** Replaces a stored column (by its `stored()` name) with `values`, keeping room for `cap` documents. */
  restore(name: string, values: Uint8Array, cap: number): void {
    const column = columnNames.find((n) => n === name && !derivedColumns.has(n));
    if (column === undefined) return;
    const Ctor = columnTypes[column] as new (b: ArrayBufferLike | number) => Column;
    const out = new Ctor(cap);
    // slice(): an exact-length aligned copy, so the view covers the column and nothing else.
    out.set(new Ctor(values.slice().buffer) as never);
    (this as Record<ColumnName, Column>)[column] = out;
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
    for (const name of columnNames) {
      const a: Column = this[name];
      const b = new columnTypes[name](cap);
      b.set((a.length <= cap ? a : a.subarray(0, cap)) as never);
      (this as Record<ColumnName, Column>)[name] = b;
    }
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
    this.region[d] = maskOf(doc.regions, regionBlocks);
    // Documents written before applicants were indexed lack the field (a change-log replay).
    this.applicants[d] = maskOf(doc.applicants ?? [], applicantTypes);
    this.setFields(
      d,
      [...new Set(doc.fields)].map((f) => this.fields.idOf(f)),
    );
    this.published[d] = toMs(doc.publishedAt);
    this.opens[d] = toMs(doc.opensAt);
    this.closes[d] = toMs(doc.closesAt);
    this.updated[d] = toMs(doc.updatedAt);
    this.ceiling[d] = doc.amountCeiling ?? Number.NaN;
    this.forecastOpens[d] = tokyoDayStartMs(doc.forecast?.opens.from);
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
    for (const name of columnNames) {
      const col: Column = this[name];
      col[nd] = col[d] as number;
    }
    this.fieldIds[nd] = this.fieldIds[d] as FieldIds;
  }
}
