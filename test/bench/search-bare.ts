/**
 * The search benchmark's reference: a bare in-memory character-bigram inverted index, the
 * practical limit of a simple engine. Postings are one `Uint32Array` of `docNo * 8 | fieldMask`
 * (title 1, summary 2, body 4) per term in CSR form (built by counting, then filling); a query
 * intersects the postings of its grams (CJK bigrams, single CJK characters, Latin words) by
 * galloping, with no phrase check, so 3+-character words and words typed across scripts return
 * extra documents. Filters and facets read typed columns; sorts select the page with a heap of
 * `page × size + size`; the page's documents are decoded from a UTF-8 blob holding only what a
 * result page shows (id, title, url). Persistence: every array written to one file, read back.
 *
 * CJK text is taken as UTF-16 code units (astral characters, rare in Japanese text and absent
 * from the benchmark corpus, would be split).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ApplicantTypeSchema } from '../../shared/domain/applicant.js';
import { foldForMatch } from '../../shared/ja/normalize.js';
import { splitRuns } from '../../shared/search/analyze.js';
import { gallop } from '../../shared/search/gallop.js';
import { deadlineGroup, deadlineWithin } from '../../shared/search/deadline-rank.js';
import type { SearchQuery } from '../../shared/search/query.js';
import type { SearchDoc } from '../../shared/search/search-index.js';

const kindNames = ['call', 'news', 'theme'] as const;
/** Status codes; `expected` (4) is a filter and facet value beside a document's own status. */
const statusNames = ['upcoming', 'open', 'closed', 'unknown', 'expected'] as const;
const applicantNames = ApplicantTypeSchema.options;
/** The score of a field mask: title 3, summary 1.5, body 1 (the engines' field weights), summed. */
const maskScore = [0, 3, 1.5, 4.5, 1, 4, 2.5, 5.5] as const;

interface FacetCount {
  readonly value: string;
  readonly count: number;
}

export interface BarePage {
  readonly total: number;
  readonly items: ReadonlyArray<{ id: string; title: string; url: string }>;
  readonly facets: Record<
    'kind' | 'status' | 'ministry' | 'prefecture' | 'region' | 'field' | 'applicant',
    FacetCount[]
  >;
}

function grow<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

const ms = (iso: string | undefined): number => (iso === undefined ? Number.NaN : Date.parse(iso));

/** Column names, in file order. */
const columnNames = [
  'offsets',
  'postings',
  'kind',
  'ministry',
  'prefLo',
  'prefHi',
  'region',
  'field',
  'published',
  'updated',
  'opens',
  'closes',
  'withdrawn',
  'applicants',
  'ceiling',
  'forecast',
  'idRank',
  'pageOff',
  'pageBlob',
] as const;
type Columns = {
  offsets: Uint32Array;
  postings: Uint32Array;
  kind: Uint8Array;
  ministry: Int32Array;
  prefLo: Uint32Array;
  prefHi: Uint32Array;
  region: Uint16Array;
  field: Uint32Array;
  published: Float64Array;
  updated: Float64Array;
  opens: Float64Array;
  closes: Float64Array;
  withdrawn: Uint8Array;
  applicants: Uint16Array;
  ceiling: Float64Array;
  forecast: Float64Array;
  idRank: Uint32Array;
  pageOff: Uint32Array;
  pageBlob: Uint8Array;
};
const columnTypes: Record<keyof Columns, new (b: ArrayBuffer, o: number, n: number) => ArrayBufferView> = {
  offsets: Uint32Array,
  postings: Uint32Array,
  kind: Uint8Array,
  ministry: Int32Array,
  prefLo: Uint32Array,
  prefHi: Uint32Array,
  region: Uint16Array,
  field: Uint32Array,
  published: Float64Array,
  updated: Float64Array,
  opens: Float64Array,
  closes: Float64Array,
  withdrawn: Uint8Array,
  applicants: Uint16Array,
  ceiling: Float64Array,
  forecast: Float64Array,
  idRank: Uint32Array,
  pageOff: Uint32Array,
  pageBlob: Uint8Array,
};

interface Dictionaries {
  n: number;
  terms: string[];
  ministries: string[];
  regions: string[];
  fields: string[];
}

/** Builds the index document by document; `finish()` turns it into a `BareIndex`. */
export class BareIndexBuilder {
  private n = 0;
  private readonly cjkIds = new Map<number, number>();
  private readonly wordIds = new Map<string, number>();
  private terms: string[] = [];
  private stamp = new Int32Array(1024).fill(-1);
  private maskOf = new Uint8Array(1024);
  /** Per document its distinct `termId * 8 | mask`, flat; `docEnd[d]` ends document d. */
  private docTerms = new Uint32Array(1 << 16);
  private docTermsLen = 0;
  private docEnd = new Uint32Array(1024);
  private df = new Uint32Array(1024);
  private readonly c = {
    kind: new Uint8Array(1024),
    ministry: new Int32Array(1024),
    prefLo: new Uint32Array(1024),
    prefHi: new Uint32Array(1024),
    region: new Uint16Array(1024),
    field: new Uint32Array(1024),
    published: new Float64Array(1024),
    updated: new Float64Array(1024),
    opens: new Float64Array(1024),
    closes: new Float64Array(1024),
    withdrawn: new Uint8Array(1024),
    applicants: new Uint16Array(1024),
    ceiling: new Float64Array(1024),
    forecast: new Float64Array(1024),
  };
  private readonly ids: string[] = [];
  private readonly pages: string[] = [];
  private readonly dict = {
    ministries: new Map<string, number>(),
    regions: new Map<string, number>(),
    fields: new Map<string, number>(),
  };

  private termId(key: number | string, text: () => string): number {
    const map = (typeof key === 'number' ? this.cjkIds : this.wordIds) as Map<number | string, number>;
    let id = map.get(key);
    if (id === undefined) {
      id = this.terms.length;
      map.set(key, id);
      this.terms.push(text());
      if (id >= this.stamp.length) {
        const stamp = new Int32Array(this.stamp.length * 2).fill(-1);
        stamp.set(this.stamp);
        this.stamp = stamp;
        this.maskOf = grow(this.maskOf, stamp.length);
        this.df = grow(this.df, stamp.length);
      }
    }
    return id;
  }

  private see(id: number, bit: number): void {
    if (this.stamp[id] !== this.n) {
      this.stamp[id] = this.n;
      this.maskOf[id] = bit;
      this.docTerms = grow(this.docTerms, this.docTermsLen + 1);
      this.docTerms[this.docTermsLen++] = id;
    } else this.maskOf[id] = (this.maskOf[id] as number) | bit;
  }

  private static code(map: Map<string, number>, value: string): number {
    let id = map.get(value);
    if (id === undefined) map.set(value, (id = map.size));
    return id;
  }

  add(doc: SearchDoc): void {
    const d = this.n;
    const start = this.docTermsLen;
    [doc.title, doc.summary ?? '', doc.bodyText ?? ''].forEach((text, k) => {
      const bit = 1 << k;
      for (const run of splitRuns(foldForMatch(text))) {
        if (!run.cjk) {
          this.see(
            this.termId(run.text, () => run.text),
            bit,
          );
          continue;
        }
        const t = run.text;
        for (let i = 0; i < t.length; i++) {
          const a = t.charCodeAt(i);
          this.see(
            this.termId(a, () => t[i] as string),
            bit,
          );
          if (i + 1 < t.length) {
            const b = t.charCodeAt(i + 1);
            this.see(
              this.termId(a * 0x10000 + b + 0x1_0000_0000, () => t.slice(i, i + 2)),
              bit,
            );
          }
        }
      }
    });
    for (let k = start; k < this.docTermsLen; k++) {
      const id = this.docTerms[k] as number;
      this.docTerms[k] = id * 8 + (this.maskOf[id] as number);
      this.df[id] = (this.df[id] as number) + 1;
    }
    this.docEnd = grow(this.docEnd, d + 1);
    this.docEnd[d] = this.docTermsLen;
    const c = this.c;
    for (const key of Object.keys(c) as Array<keyof typeof c>)
      (c as Record<string, ArrayBufferView>)[key] = grow(c[key], d + 1);
    c.kind[d] = kindNames.indexOf(doc.kind);
    c.ministry[d] = doc.ministry === undefined ? -1 : BareIndexBuilder.code(this.dict.ministries, doc.ministry);
    for (const p of doc.prefectures) {
      const code = Number(p);
      if (code < 32) c.prefLo[d] = (c.prefLo[d] as number) | (1 << code);
      else c.prefHi[d] = (c.prefHi[d] as number) | (1 << (code - 32));
    }
    for (const r of doc.regions)
      c.region[d] = (c.region[d] as number) | (1 << BareIndexBuilder.code(this.dict.regions, r));
    for (const f of doc.fields) {
      const id = BareIndexBuilder.code(this.dict.fields, f);
      if (id < 32) c.field[d] = (c.field[d] as number) | (1 << id);
    }
    c.published[d] = ms(doc.publishedAt);
    c.updated[d] = ms(doc.updatedAt);
    c.opens[d] = ms(doc.opensAt);
    c.closes[d] = ms(doc.closesAt);
    c.withdrawn[d] = doc.withdrawn ? 1 : 0;
    for (const a of doc.applicants) c.applicants[d] = (c.applicants[d] as number) | (1 << applicantNames.indexOf(a));
    c.ceiling[d] = doc.amountCeiling ?? Number.NaN;
    c.forecast[d] = doc.forecast === undefined ? Number.NaN : Date.parse(`${doc.forecast.opens.from}T00:00:00+09:00`);
    this.ids.push(doc.id);
    this.pages.push(JSON.stringify({ id: doc.id, title: doc.title, url: doc.url }));
    this.n = d + 1;
  }

  finish(): BareIndex {
    const n = this.n;
    const termCount = this.terms.length;
    const offsets = new Uint32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) offsets[t + 1] = (offsets[t] as number) + (this.df[t] as number);
    const postings = new Uint32Array(offsets[termCount] as number);
    const fill = offsets.slice(0, termCount);
    let k = 0;
    for (let d = 0; d < n; d++) {
      const end = this.docEnd[d] as number;
      for (; k < end; k++) {
        const entry = this.docTerms[k] as number;
        const t = entry >>> 3;
        postings[fill[t] as number] = d * 8 + (entry & 7);
        fill[t] = (fill[t] as number) + 1;
      }
    }
    this.docTerms = new Uint32Array(0);
    const order = this.ids
      .map((_, d) => d)
      .sort((a, b) => ((this.ids[a] as string) < (this.ids[b] as string) ? -1 : 1));
    const idRank = new Uint32Array(n);
    order.forEach((d, rank) => (idRank[d] = rank));
    const encoded = new TextEncoder().encode(this.pages.join(''));
    const pageOff = new Uint32Array(n + 1);
    let off = 0;
    this.pages.forEach((p, d) => {
      off += Buffer.byteLength(p);
      pageOff[d + 1] = off;
    });
    const c = this.c;
    const cut = <T extends ArrayBufferView & { slice(a: number, b: number): T }>(a: T): T => a.slice(0, n);
    return new BareIndex(
      {
        offsets,
        postings,
        kind: cut(c.kind),
        ministry: cut(c.ministry),
        prefLo: cut(c.prefLo),
        prefHi: cut(c.prefHi),
        region: cut(c.region),
        field: cut(c.field),
        published: cut(c.published),
        updated: cut(c.updated),
        opens: cut(c.opens),
        closes: cut(c.closes),
        withdrawn: cut(c.withdrawn),
        applicants: cut(c.applicants),
        ceiling: cut(c.ceiling),
        forecast: cut(c.forecast),
        idRank,
        pageOff,
        pageBlob: encoded,
      },
      {
        n,
        terms: this.terms,
        ministries: [...this.dict.ministries.keys()],
        regions: [...this.dict.regions.keys()],
        fields: [...this.dict.fields.keys()],
      },
    );
  }
}

export class BareIndex {
  private readonly termIds: Map<string, number>;
  private matchDocs = new Int32Array(1024);
  private matchScores = new Float64Array(1024);

  constructor(
    private readonly c: Columns,
    private readonly dict: Dictionaries,
  ) {
    this.termIds = new Map(dict.terms.map((t, i) => [t, i]));
  }

  /** Writes every array and the dictionaries to one file; returns its size in bytes. */
  save(file: string): number {
    const header = Buffer.from(
      JSON.stringify({ dict: this.dict, lengths: columnNames.map((name) => this.c[name].length) }),
    );
    const parts: Buffer[] = [Buffer.alloc(4), header];
    parts[0]?.writeUInt32LE(header.length);
    let size = 4 + header.length;
    for (const name of columnNames) {
      const a = this.c[name];
      const pad = (8 - (size % 8)) % 8;
      parts.push(Buffer.alloc(pad));
      parts.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
      size += pad + a.byteLength;
    }
    writeFileSync(file, Buffer.concat(parts));
    return size;
  }

  static load(file: string): BareIndex {
    const buf = readFileSync(file);
    // A fresh ArrayBuffer, 8-aligned at offset 0, so the columns are views into it.
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const headerLen = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + headerLen).toString()) as { dict: Dictionaries; lengths: number[] };
    let at = 4 + headerLen;
    const cols: Record<string, ArrayBufferView> = {};
    columnNames.forEach((name, i) => {
      const Type = columnTypes[name];
      const bytesPer = (Type as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      at += (8 - (at % 8)) % 8;
      const length = header.lengths[i] as number;
      cols[name] = new Type(ab, at, length);
      at += length * bytesPer;
    });
    return new BareIndex(cols as Columns, header.dict);
  }

  /** The grams a query looks up, per query run (no phrase check, runs typed across scripts apart). */
  private gramsOf(text: string): string[][] {
    return splitRuns(foldForMatch(text)).map((run) => {
      if (!run.cjk || run.text.length === 1) return [run.text];
      const out = new Set<string>();
      for (let i = 0; i + 1 < run.text.length; i++) out.add(run.text.slice(i, i + 2));
      return [...out];
    });
  }

  search(q: SearchQuery, page: number, now: number): BarePage {
    const c = this.c;
    const n = this.dict.n;
    // Filters as masks over the columns.
    const kindMask = q.kinds ? q.kinds.reduce((m, k) => m | (1 << kindNames.indexOf(k)), 0) : 7;
    const statusMask = q.statuses ? q.statuses.reduce((m, s) => m | (1 << statusNames.indexOf(s)), 0) : 31;
    const amountMin = q.amountMin ?? -Infinity;
    const amountMax = q.amountMax ?? Infinity;
    const amountUsed = q.amountMin !== undefined || q.amountMax !== undefined;
    const codeMask = (values: readonly string[] | undefined, names: readonly string[]): number =>
      values ? values.reduce((m, v) => (names.indexOf(v) >= 0 ? m | (1 << names.indexOf(v)) : m), 0) : -1;
    const regionMask = codeMask(q.regions, this.dict.regions);
    const applicantMask = codeMask(q.applicants, applicantNames);
    const fieldMask = codeMask(q.fields, this.dict.fields);
    let prefLo = -1;
    let prefHi = -1;
    if (q.prefectures) {
      prefLo = 0;
      prefHi = 0;
      for (const p of q.prefectures) {
        const code = Number(p);
        if (code < 32) prefLo |= 1 << code;
        else prefHi |= 1 << (code - 32);
      }
    }
    const ministryOk = q.ministries ? new Uint8Array(this.dict.ministries.length + 1) : undefined;
    for (const m of q.ministries ?? []) {
      const id = this.dict.ministries.indexOf(m);
      if (id >= 0 && ministryOk) ministryOk[id] = 1;
    }
    const withdrawnOk = q.includeWithdrawn === true;
    const statusOf = (d: number): number => {
      const o = c.opens[d] as number;
      const cl = c.closes[d] as number;
      const hasO = o === o;
      if (!hasO && cl !== cl) return 3;
      if (hasO && now < o) return 0;
      if (now > cl) return 2;
      return 1;
    };
    // 1 when the document carries a forecast and is closed or undated (status codes 2 and 3).
    const expected = (d: number): number => (c.forecast[d] === c.forecast[d] && statusOf(d) >= 2 ? 1 : 0);
    const pass = (d: number): boolean =>
      (withdrawnOk || c.withdrawn[d] === 0) &&
      ((kindMask >> (c.kind[d] as number)) & 1) === 1 &&
      (ministryOk === undefined || ministryOk[c.ministry[d] as number] === 1) &&
      (prefLo === -1 || ((c.prefLo[d] as number) & prefLo) !== 0 || ((c.prefHi[d] as number) & prefHi) !== 0) &&
      (regionMask === -1 || ((c.region[d] as number) & regionMask) !== 0) &&
      (fieldMask === -1 || ((c.field[d] as number) & fieldMask) !== 0) &&
      (applicantMask === -1 || ((c.applicants[d] as number) & applicantMask) !== 0) &&
      (!amountUsed || ((c.ceiling[d] as number) >= amountMin && (c.ceiling[d] as number) <= amountMax)) &&
      (statusMask === 31 || ((statusMask >> statusOf(d)) & 1) === 1 || ((statusMask >> 4) & 1 & expected(d)) === 1);

    // Matches: intersect the postings of every gram, rarest first.
    let count = 0;
    if (this.matchDocs.length < n) {
      this.matchDocs = new Int32Array(n);
      this.matchScores = new Float64Array(n);
    }
    const docs = this.matchDocs;
    const scores = this.matchScores;
    const runs = q.text ? this.gramsOf(q.text) : [];
    if (runs.length === 0) {
      for (let d = 0; d < n; d++) {
        if (!pass(d)) continue;
        docs[count] = d;
        scores[count++] = 0;
      }
    } else {
      const lists: Array<{ run: number; from: number; end: number }> = [];
      let missing = false;
      runs.forEach((grams, run) => {
        for (const g of grams) {
          const t = this.termIds.get(g);
          if (t === undefined) missing = true;
          else lists.push({ run, from: c.offsets[t] as number, end: c.offsets[t + 1] as number });
        }
      });
      if (!missing) {
        lists.sort((a, b) => a.end - a.from - (b.end - b.from));
        const first = lists[0] as (typeof lists)[number];
        const rest = lists.slice(1);
        const runMask = new Uint8Array(runs.length);
        const post = c.postings;
        outer: for (let k = first.from; k < first.end; k++) {
          const e = post[k] as number;
          const d = e >>> 3;
          runMask.fill(7);
          runMask[first.run] = e & 7;
          for (const l of rest) {
            const at = gallop(post, l.from, l.end, d * 8);
            l.from = at;
            if (at >= l.end) break outer;
            const f = post[at] as number;
            if (f >>> 3 !== d) continue outer;
            runMask[l.run] = (runMask[l.run] as number) & f;
          }
          if (!pass(d)) continue;
          let score = 0;
          for (let r = 0; r < runs.length; r++) score += maskScore[(runMask[r] as number) & 7] as number;
          docs[count] = d;
          scores[count++] = score;
        }
      }
    }

    // Facets over every match.
    const kindCounts = new Uint32Array(3);
    const statusCounts = new Uint32Array(5);
    const applicantCounts = new Uint32Array(applicantNames.length);
    const ministryCounts = new Uint32Array(this.dict.ministries.length + 1);
    const prefCounts = new Uint32Array(48);
    const regionCounts = new Uint32Array(16);
    const fieldCounts = new Uint32Array(32);
    const inc = (counts: Uint32Array, i: number): void => {
      counts[i] = (counts[i] as number) + 1;
    };
    const incBits = (counts: Uint32Array, bits: number, base: number): void => {
      for (; bits !== 0; bits &= bits - 1) inc(counts, base + 31 - Math.clz32(bits & -bits));
    };
    for (let k = 0; k < count; k++) {
      const d = docs[k] as number;
      inc(kindCounts, c.kind[d] as number);
      inc(statusCounts, statusOf(d));
      if (expected(d) === 1) inc(statusCounts, 4);
      incBits(applicantCounts, c.applicants[d] as number, 0);
      const m = c.ministry[d] as number;
      if (m >= 0) inc(ministryCounts, m);
      incBits(prefCounts, c.prefLo[d] as number, 0);
      incBits(prefCounts, c.prefHi[d] as number, 32);
      incBits(regionCounts, c.region[d] as number, 0);
      incBits(fieldCounts, c.field[d] as number, 0);
    }
    const list = (counts: Uint32Array, name: (i: number) => string): FacetCount[] => {
      const out: FacetCount[] = [];
      counts.forEach((count, i) => count > 0 && out.push({ value: name(i), count }));
      return out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    };
    const facets = {
      kind: list(kindCounts, (i) => kindNames[i] as string),
      status: list(statusCounts, (i) => statusNames[i] as string),
      ministry: list(ministryCounts, (i) => this.dict.ministries[i] as string),
      prefecture: list(prefCounts, (i) => String(i).padStart(2, '0')),
      region: list(regionCounts, (i) => this.dict.regions[i] as string),
      field: list(fieldCounts, (i) => this.dict.fields[i] as string),
      applicant: list(applicantCounts, (i) => applicantNames[i] as string),
    };

    // The page: a heap of the best `want` matches, worst at the root.
    const want = (page + 1) * (q.size ?? 20);
    const cmp = this.comparator(q.sort ?? 'relevance', scores, docs, now);
    const heap: number[] = [];
    const siftDown = (i: number): void => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let w = i;
        if (l < heap.length && cmp(heap[l] as number, heap[w] as number) > 0) w = l;
        if (r < heap.length && cmp(heap[r] as number, heap[w] as number) > 0) w = r;
        if (w === i) return;
        [heap[i], heap[w]] = [heap[w] as number, heap[i] as number];
        i = w;
      }
    };
    for (let k = 0; k < count; k++) {
      if (heap.length < want) {
        heap.push(k);
        for (let i = heap.length - 1; i > 0;) {
          const p = (i - 1) >> 1;
          if (cmp(heap[i] as number, heap[p] as number) <= 0) break;
          [heap[i], heap[p]] = [heap[p] as number, heap[i] as number];
          i = p;
        }
      } else if (cmp(k, heap[0] as number) < 0) {
        heap[0] = k;
        siftDown(0);
      }
    }
    const top = heap.sort(cmp).slice(page * (q.size ?? 20));
    const decoder = new TextDecoder();
    const items = top.map((k) => {
      const d = docs[k] as number;
      return JSON.parse(
        decoder.decode(c.pageBlob.subarray(c.pageOff[d] as number, c.pageOff[d + 1] as number)),
      ) as BarePage['items'][number];
    });
    return { total: count, items, facets };
  }

  /** Order of match slots `a`, `b` (indexes into the match arrays): negative when `a` comes first. */
  private comparator(
    sort: NonNullable<SearchQuery['sort']>,
    scores: Float64Array,
    docs: Int32Array,
    now: number,
  ): (a: number, b: number) => number {
    const c = this.c;
    // Descending with NaN (missing) last.
    const missing = (x: number, y: number): number => (x !== x ? (y !== y ? 0 : 1) : -1);
    const desc = (x: number, y: number): number => (x !== x || y !== y ? missing(x, y) : y - x);
    const asc = (x: number, y: number): number => (x !== x || y !== y ? missing(x, y) : x - y);
    const rank = (a: number, b: number): number => (c.idRank[a] as number) - (c.idRank[b] as number);
    const newest = (a: number, b: number): number =>
      desc(c.published[a] as number, c.published[b] as number) ||
      desc(c.updated[a] as number, c.updated[b] as number) ||
      rank(a, b);
    if (sort === 'newest') return (a, b) => newest(docs[a] as number, docs[b] as number);
    if (sort === 'amount' || sort === 'expected') {
      const col = sort === 'amount' ? c.ceiling : c.forecast;
      const lead = sort === 'amount' ? desc : asc;
      return (a, b) => {
        const x = docs[a] as number;
        const y = docs[b] as number;
        return lead(col[x] as number, col[y] as number) || newest(x, y);
      };
    }
    if (sort === 'deadline') {
      return (a, b) => {
        const x = docs[a] as number;
        const y = docs[b] as number;
        const gx = deadlineGroup(c.opens[x] as number, c.closes[x] as number, now);
        const gy = deadlineGroup(c.opens[y] as number, c.closes[y] as number, now);
        return (
          gx - gy ||
          asc(
            deadlineWithin(c.opens[x] as number, c.closes[x] as number, gx),
            deadlineWithin(c.opens[y] as number, c.closes[y] as number, gy),
          ) ||
          rank(x, y)
        );
      };
    }
    return (a, b) => (scores[b] as number) - (scores[a] as number) || newest(docs[a] as number, docs[b] as number);
  }
}
