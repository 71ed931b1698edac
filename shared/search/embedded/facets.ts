import type { FacetCount, Facets } from '../search-index.js';
import { applicantTypes, kinds, regionBlocks } from './columns.js';
import { queryFilters } from './filters.js';
import type { IndexState } from './index-state.js';
import { expectedBit, statusIn, statusNames } from './status-column.js';

/** Status facet values: the derived statuses, then `expected` (counted besides the document's own status). */
const statusFacetNames: readonly string[] = [...statusNames, 'expected'];
const expectedSlot = statusNames.length;

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

/**
 * Counts over the matched documents in one pass over their columns (the facets dominate the
 * cost of broad queries), reported for each filter of the registry that names a facet.
 */
export function facetsOf(s: IndexState, docs: Int32Array, count: number, now: number): Facets {
  const ministries = s.cols.ministries.values;
  const fields = s.cols.fields.values;
  const kindCounts = new Uint32Array(kinds.length);
  const statusCounts = new Uint32Array(statusFacetNames.length);
  // Absent ministry (-1) counts in the last slot, which is never reported.
  const ministryCounts = new Uint32Array(ministries.length + 1);
  const prefCounts = new Uint32Array(48);
  const regionCounts = new Uint32Array(regionBlocks.length);
  const fieldCounts = new Uint32Array(Math.max(32, fields.length));
  const applicantCounts = new Uint32Array(applicantTypes.length);
  const { kind, ministry, prefLo, prefHi, region, applicants, forecastOpens, fieldLo, fieldMore, fieldIds } = s.cols;
  const status = s.status.at(now);
  const mc = ministryCounts.length;
  for (let k = 0; k < count; k++) {
    const d = docs[k] as number;
    bump(kindCounts, kind[d] as number);
    const code = status[d] as number;
    bump(statusCounts, code);
    if (statusIn(expectedBit, code, forecastOpens[d] as number)) bump(statusCounts, expectedSlot);
    bump(ministryCounts, ((ministry[d] as number) + mc) % mc);
    countBits(prefCounts, prefLo[d] as number, 1);
    countBits(prefCounts, prefHi[d] as number, 33);
    countBits(regionCounts, region[d] as number, 0);
    countBits(applicantCounts, applicants[d] as number, 0);
    countBits(fieldCounts, fieldLo[d] as number, 0);
    if (fieldMore[d]) for (const id of fieldIds[d] as readonly number[]) if (id >= 32) bump(fieldCounts, id);
  }
  const lists: Record<keyof Facets, () => FacetCount[]> = {
    kind: () => facetList(kindCounts, kinds),
    status: () => facetList(statusCounts, statusFacetNames),
    ministry: () => facetList(ministryCounts.subarray(0, ministries.length), ministries),
    prefecture: () => facetList(prefCounts, prefectureCodes),
    region: () => facetList(regionCounts, regionBlocks),
    field: () => facetList(fieldCounts.subarray(0, fields.length), fields),
    applicant: () => facetList(applicantCounts, applicantTypes),
  };
  const out: Partial<Record<keyof Facets, FacetCount[]>> = {};
  for (const filter of queryFilters) if (filter.facet) out[filter.facet] = lists[filter.facet]();
  return {
    kind: out.kind ?? [],
    status: out.status ?? [],
    ministry: out.ministry ?? [],
    prefecture: out.prefecture ?? [],
    region: out.region ?? [],
    field: out.field ?? [],
    applicant: out.applicant ?? [],
  };
}
