import type { ParsedSearchQuery } from '../query.js';
import type { Facets } from '../search-index.js';
import { applicantTypes, maskOf, kinds, regionBlocks } from './columns.js';
import type { IndexState } from './index-state.js';
import { statusIn, statusMaskOf } from './status-column.js';

/**
 * The one registry of the engine's filters. Every path that narrows a result set derives from it:
 * the compiled per-document predicate (`compileFilters().pass`, used by the posting-list walk and
 * the no-text scan), the bitmaps the dense path intersects (`bits`), and the candidate lists the
 * posting-list walk may use instead of its rarest term (`docs`). A filter that offers a bitmap is
 * still checked by predicate on the other paths, and the dense path calls the predicates of the
 * filters that offer none, so no path can skip a filter. Adding a filter is one entry here (and its
 * column in `columns.ts`); `queryFields` lists the query fields that are not filters.
 */
export interface QueryFilter {
  /** The query fields this filter decides. */
  readonly claims: readonly (keyof ParsedSearchQuery)[];
  /** The facet this filter's column is counted into, if any (see `facets.ts`). */
  readonly facet?: keyof Facets;
  /** The test over document numbers, or undefined when the query does not use this filter. */
  compile(s: IndexState, q: ParsedSearchQuery, now: number): ((d: number) => boolean) | undefined;
  /** The same test as a bitmap over document numbers, where one is kept (alive and status). */
  bits?(s: IndexState, q: ParsedSearchQuery, now: number): Uint32Array | undefined;
  /** The passing documents as an ascending list, where one is kept (status). */
  docs?(s: IndexState, q: ParsedSearchQuery, now: number): Int32Array | undefined;
}

/** Query fields that are not filters: the text, the order and the page. */
export const queryFields: readonly (keyof ParsedSearchQuery)[] = ['text', 'sort', 'size', 'cursor'];

const used = (list: readonly unknown[] | undefined): boolean => list !== undefined && list.length > 0;

type DateRange = ParsedSearchQuery['opens'];
type RangeColumn = 'opens' | 'closes' | 'published' | 'updated' | 'ceiling';

/** The test `from <= value <= to` over a numeric column; a missing value (NaN) fails any range. */
function inRange(s: IndexState, column: RangeColumn, from: number, to: number): (d: number) => boolean {
  const col = s.cols[column];
  return (d) => {
    const v = col[d] as number;
    return v >= from && v <= to;
  };
}

/** An inclusive date-range filter over a date column. */
function dateRange(claim: 'opens' | 'closes' | 'published' | 'updated', column: RangeColumn): QueryFilter {
  return {
    claims: [claim],
    compile: (s, q) => {
      const r: DateRange = q[claim];
      if (!r || (r.from === undefined && r.to === undefined)) return undefined;
      return inRange(
        s,
        column,
        r.from === undefined ? -Infinity : Date.parse(r.from),
        r.to === undefined ? Infinity : Date.parse(r.to),
      );
    },
  };
}

/** An any-of filter over a bitmap column whose bit positions are `names`. */
function anyOf<T extends string>(
  claim: 'regions' | 'applicants',
  facet: 'region' | 'applicant',
  column: 'region' | 'applicants',
  names: readonly T[],
): QueryFilter {
  return {
    claims: [claim],
    facet,
    compile: (s, q) => {
      const wanted = q[claim] as readonly T[] | undefined;
      if (!used(wanted)) return undefined;
      const mask = maskOf(wanted ?? [], names);
      const col = s.cols[column];
      return (d) => ((col[d] as number) & mask) !== 0;
    },
  };
}

export const queryFilters: readonly QueryFilter[] = [
  {
    // Tombstones always, withdrawn items unless asked for.
    claims: ['includeWithdrawn'],
    compile: (s, q) => {
      const { alive, withdrawn } = s.cols;
      if (q.includeWithdrawn) return (d) => alive[d] === 1;
      return (d) => alive[d] === 1 && withdrawn[d] === 0;
    },
    bits: (s, q) => s.visibleBits(q.includeWithdrawn === true),
  },
  {
    claims: ['kinds'],
    facet: 'kind',
    compile: (s, q) => {
      if (!used(q.kinds)) return undefined;
      const mask = maskOf(q.kinds ?? [], kinds);
      const kind = s.cols.kind;
      return (d) => (mask & (1 << (kind[d] as number))) !== 0;
    },
  },
  {
    // A derived status, or `expected` (a forecast on a document neither open nor upcoming).
    claims: ['statuses'],
    facet: 'status',
    compile: (s, q, now) => {
      if (!used(q.statuses)) return undefined;
      const mask = statusMaskOf(q.statuses ?? []);
      const status = s.status.at(now);
      const forecastOpens = s.cols.forecastOpens;
      return (d) => statusIn(mask, status[d] as number, forecastOpens[d] as number);
    },
    bits: (s, q, now) => (used(q.statuses) ? s.status.bits(now, statusMaskOf(q.statuses ?? [])) : undefined),
    docs: (s, q, now) => (used(q.statuses) ? s.status.docs(now, statusMaskOf(q.statuses ?? [])) : undefined),
  },
  {
    claims: ['ministries'],
    facet: 'ministry',
    compile: (s, q) => {
      if (!used(q.ministries)) return undefined;
      const wanted = new Uint8Array(s.cols.ministries.values.length);
      for (const m of q.ministries ?? []) {
        const id = s.cols.ministries.find(m);
        if (id !== undefined) wanted[id] = 1;
      }
      const ministry = s.cols.ministry;
      return (d) => {
        const m = ministry[d] as number;
        return m >= 0 && wanted[m] === 1;
      };
    },
  },
  {
    claims: ['prefectures'],
    facet: 'prefecture',
    compile: (s, q) => {
      if (!used(q.prefectures)) return undefined;
      let lo = 0;
      let hi = 0;
      for (const code of q.prefectures ?? []) {
        const c = Number(code);
        if (c <= 32) lo |= 1 << (c - 1);
        else hi |= 1 << (c - 33);
      }
      const { prefLo, prefHi } = s.cols;
      return (d) => ((prefLo[d] as number) & lo) !== 0 || ((prefHi[d] as number) & hi) !== 0;
    },
  },
  anyOf('regions', 'region', 'region', regionBlocks),
  anyOf('applicants', 'applicant', 'applicants', applicantTypes),
  {
    claims: ['fields'],
    facet: 'field',
    compile: (s, q) => {
      if (!used(q.fields)) return undefined;
      const wanted = new Set<number>();
      let mask = 0;
      for (const f of q.fields ?? []) {
        const id = s.cols.fields.find(f);
        if (id === undefined) continue;
        wanted.add(id);
        if (id < 32) mask |= 1 << id;
      }
      const { fieldLo, fieldMore, fieldIds } = s.cols;
      return (d) =>
        ((fieldLo[d] as number) & mask) !== 0 ||
        (fieldMore[d] === 1 && (fieldIds[d] as readonly number[]).some((f) => wanted.has(f)));
    },
  },
  {
    // The per-project ceiling (上限額), inclusive both ends; an unknown ceiling fails either bound.
    claims: ['amountMin', 'amountMax'],
    compile: (s, q) => {
      if (q.amountMin === undefined && q.amountMax === undefined) return undefined;
      return inRange(s, 'ceiling', q.amountMin ?? -Infinity, q.amountMax ?? Infinity);
    },
  },
  dateRange('opens', 'opens'),
  dateRange('closes', 'closes'),
  dateRange('published', 'published'),
  dateRange('updated', 'updated'),
];

/** A query's filters, compiled for one search. */
export interface CompiledFilters {
  /** Every filter's test. */
  readonly pass: (d: number) => boolean;
  /** The bitmaps of filters that keep one; AND them all before calling `rest`. */
  readonly bits: readonly Uint32Array[];
  /** The tests of the filters that keep no bitmap; undefined when there are none. */
  readonly rest: ((d: number) => boolean) | undefined;
  /** The shortest candidate list a filter keeps, if any. */
  readonly docs: Int32Array | undefined;
}

function all(tests: ReadonlyArray<(d: number) => boolean>): ((d: number) => boolean) | undefined {
  if (tests.length === 0) return undefined;
  if (tests.length === 1) return tests[0];
  if (tests.length === 2) {
    const [a, b] = tests as [(d: number) => boolean, (d: number) => boolean];
    return (d) => a(d) && b(d);
  }
  return (d) => {
    for (const t of tests) if (!t(d)) return false;
    return true;
  };
}

export function compileFilters(s: IndexState, q: ParsedSearchQuery, now: number): CompiledFilters {
  const tests: Array<(d: number) => boolean> = [];
  const rest: Array<(d: number) => boolean> = [];
  const bits: Uint32Array[] = [];
  let docs: Int32Array | undefined;
  for (const filter of queryFilters) {
    const test = filter.compile(s, q, now);
    if (test === undefined) continue;
    tests.push(test);
    const b = filter.bits?.(s, q, now);
    if (b === undefined) rest.push(test);
    else bits.push(b);
    const list = filter.docs?.(s, q, now);
    if (list !== undefined && (docs === undefined || list.length < docs.length)) docs = list;
  }
  return { pass: all(tests) ?? (() => true), bits, rest: all(rest), docs };
}
