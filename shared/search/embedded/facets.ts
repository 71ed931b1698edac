import type { FacetCount, Facets } from '../search-index.js';
import { kinds, regionBlocks } from './columns.js';
import { queryFilters } from './filters.js';
import type { IndexState } from './index-state.js';
import { statusNames } from './status-column.js';

/** Facet values of prefecture bit positions: index 1 is '01' (index 0 is never counted). */
const prefectureCodes: readonly string[] = Array.from({ length: 48 }, (_, i) => String(i).padStart(2, '0'));

function facetList(counts: Uint32Array, names: readonly string[]): FacetCount[] {
  const out: FacetCount[] = [];
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] as number;
    if (count > 0) out.push({ value: names[i] as string, count });
  }
  out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return out;
}

function bump(counts: Uint32Array, i: number): void {
  counts[i] = (counts[i] as number) + 1;
}

/** Adds one to `counts[base + b]` for every set bit `b` of `bits`. */
function countBits(counts: Uint32Array, bits: number, base: number): void {
  while (bits !== 0) {
    const b = 31 - Math.clz32(bits & -bits);
    bump(counts, base + b);
    bits &= bits - 1;
  }
}

type Counter = (s: IndexState, docs: Int32Array, count: number, now: number) => FacetCount[];

/** How each facet counts the matched documents from its column. */
const counters: Record<keyof Facets, Counter> = {
  kind: (s, docs, count) => {
    const counts = new Uint32Array(kinds.length);
    const kind = s.cols.kind;
    for (let k = 0; k < count; k++) bump(counts, kind[docs[k] as number] as number);
    return facetList(counts, kinds);
  },
  status: (s, docs, count, now) => {
    const counts = new Uint32Array(statusNames.length);
    const status = s.status.at(now);
    for (let k = 0; k < count; k++) bump(counts, status[docs[k] as number] as number);
    return facetList(counts, statusNames);
  },
  ministry: (s, docs, count) => {
    const names = s.cols.ministries.values;
    // Absent ministry (-1) counts in the last slot, which is never reported.
    const counts = new Uint32Array(names.length + 1);
    const ministry = s.cols.ministry;
    for (let k = 0; k < count; k++)
      bump(counts, ((ministry[docs[k] as number] as number) + counts.length) % counts.length);
    return facetList(counts.subarray(0, names.length), names);
  },
  prefecture: (s, docs, count) => {
    const counts = new Uint32Array(48);
    const { prefLo, prefHi } = s.cols;
    for (let k = 0; k < count; k++) {
      const d = docs[k] as number;
      countBits(counts, prefLo[d] as number, 1);
      countBits(counts, prefHi[d] as number, 33);
    }
    return facetList(counts, prefectureCodes);
  },
  region: (s, docs, count) => {
    const counts = new Uint32Array(regionBlocks.length);
    const region = s.cols.region;
    for (let k = 0; k < count; k++) countBits(counts, region[docs[k] as number] as number, 0);
    return facetList(counts, regionBlocks);
  },
  field: (s, docs, count) => {
    const names = s.cols.fields.values;
    const counts = new Uint32Array(Math.max(32, names.length));
    const { fieldLo, fieldMore, fieldIds } = s.cols;
    for (let k = 0; k < count; k++) {
      const d = docs[k] as number;
      countBits(counts, fieldLo[d] as number, 0);
      if (fieldMore[d]) for (const id of fieldIds[d] as readonly number[]) if (id >= 32) bump(counts, id);
    }
    return facetList(counts.subarray(0, names.length), names);
  },
};

/** Counts over the matched documents, one facet per filter of the registry that names one. */
export function facetsOf(s: IndexState, docs: Int32Array, count: number, now: number): Facets {
  const out: Partial<Record<keyof Facets, FacetCount[]>> = {};
  for (const filter of queryFilters) if (filter.facet) out[filter.facet] = counters[filter.facet](s, docs, count, now);
  return {
    kind: out.kind ?? [],
    status: out.status ?? [],
    ministry: out.ministry ?? [],
    prefecture: out.prefecture ?? [],
    region: out.region ?? [],
    field: out.field ?? [],
  };
}
