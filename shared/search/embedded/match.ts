import type { QueryTerm } from '../analyze.js';
import type { ParsedSearchQuery } from '../query.js';
import { textFieldWeights } from '../ranking.js';
import { compileFilters, type CompiledFilters } from './filters.js';
import type { IndexState } from './index-state.js';
import { PhraseCheck } from './phrase.js';
import { DenseForms, seekDoc, type Posting } from './postings.js';
import { termPlanOf } from './tokens.js';
import type { MatchSet } from './top-k.js';

const weights = textFieldWeights.map((f) => f.weight);
const [titleWeight, summaryWeight, bodyWeight] = weights as [number, number, number];

interface TermList {
  readonly p: Posting;
  readonly term: number;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
}

/**
 * The score of document `d` from its per-term field masks (bits 0-2: title, summary, body; one
 * field weight per bit), after checking by positions the phrase of each term that has one; -1
 * when some term is in none of the fields. Without `attribute` (a sort that does not rank by
 * score), a phrase check stops at the first field where the phrase stands: the document matches,
 * and its score is not used.
 */
function scoreOfMasks(
  d: number,
  checks: ReadonlyArray<PhraseCheck | undefined>,
  masks: Uint8Array,
  attribute: boolean,
): number {
  let score = 0;
  for (let t = 0; t < checks.length; t++) {
    let mask = masks[t] as number;
    const check = checks[t];
    if (check !== undefined && mask !== 0) mask = check.fields(d, mask, !attribute);
    if (mask === 0) return -1;
    if (mask & 1) score += titleWeight;
    if (mask & 2) score += summaryWeight;
    if (mask & 4) score += bodyWeight;
  }
  return score;
}

/** Appends document `d` with `score` to the match set unless the score is -1; returns the new count. */
function keepScored(d: number, score: number, docs: Int32Array, scores: Float64Array, count: number): number {
  if (score < 0) return count;
  docs[count] = d;
  scores[count] = score;
  return count + 1;
}

/**
 * Computes a query's match set once (total, facets, sort and page all derive from it). Match sets
 * live only within one synchronous search, so their buffers are reused.
 */
export class Matcher {
  private docBuffer = new Int32Array(1024);
  private scoreBuffer = new Float64Array(1024);
  private bitBuffer = new Uint32Array(64);

  private scratchDocs(size: number): Int32Array {
    if (this.docBuffer.length < size) this.docBuffer = new Int32Array(size);
    return this.docBuffer;
  }

  private scratchScores(size: number): Float64Array {
    if (this.scoreBuffer.length < size) this.scoreBuffer = new Float64Array(size);
    return this.scoreBuffer;
  }

  match(s: IndexState, q: ParsedSearchQuery, terms: readonly QueryTerm[], now: number): MatchSet {
    const filters = compileFilters(s, q, now);
    const pass = filters.pass;
    const filterDocs = filters.docs;
    if (terms.length === 0) {
      const docs = this.scratchDocs(filterDocs?.length ?? s.n);
      let count = 0;
      if (filterDocs) {
        for (const d of filterDocs) if (pass(d)) docs[count++] = d;
      } else for (let d = 0; d < s.n; d++) if (pass(d)) docs[count++] = d;
      return { docs, scores: new Float64Array(0), count };
    }
    const lists: TermList[] = [];
    const plans = terms.map((t) => termPlanOf(t));
    for (let t = 0; t < terms.length; t++) {
      for (const lookup of plans[t]?.lookups ?? []) {
        const p = s.postings.get(lookup);
        if (!p || p.len === 0) return { docs: new Int32Array(0), scores: new Float64Array(0), count: 0 };
        lists.push({ p, term: t });
      }
    }
    // Document at a time: walk the shortest posting list (or a filter's candidate list, when
    // shorter), check the cheap column filters first, then gallop through the other lists (their
    // positions only move forward).
    lists.sort((a, b) => a.p.len - b.p.len);
    const first = (lists[0] as TermList).p;
    const checks = plans.map((plan) => (plan.phrase ? new PhraseCheck(s.postings, plan.phrase) : undefined));
    const attribute = q.sort === 'relevance';
    if (DenseForms.isDense(first, s.n)) return this.matchDense(s, checks, lists, filters, attribute);
    const byFilter = filterDocs !== undefined && filterDocs.length < first.len ? filterDocs : undefined;
    const firstTerm = byFilter ? -1 : (lists[0] as TermList).term;
    const others = byFilter ? lists : lists.slice(1);
    const steps = byFilter ? byFilter.length : first.len;
    const otherData = others.map((l) => l.p.data);
    const otherLen = others.map((l) => l.p.len);
    const otherDense = others.map((l) => s.dense.masks(l.p, s.n));
    const otherTerm = others.map((l) => l.term);
    const pos = new Int32Array(others.length);
    const nTerms = terms.length;
    // Per term, the fields all its lookups were found in (then, for long CJK terms, where the phrase is).
    const masks = new Uint8Array(nTerms);
    const docs = this.scratchDocs(steps);
    const scores = this.scratchScores(steps);
    let count = 0;
    const data = first.data;
    scan: for (let k = 0; k < steps; k++) {
      const e = byFilter ? 0 : (data[k] as number);
      const d = byFilter ? (byFilter[k] as number) : e >>> 3;
      if (!pass(d)) continue;
      for (let t = 0; t < nTerms; t++) masks[t] = 7;
      if (firstTerm >= 0) masks[firstTerm] = e & 7;
      for (let l = 0; l < otherData.length; l++) {
        const t = otherTerm[l] as number;
        const dense = otherDense[l];
        if (dense !== undefined) {
          const fields = dense[d] as number;
          if (fields === 0) continue scan;
          masks[t] = (masks[t] as number) & fields;
          continue;
        }
        const list = otherData[l] as Uint32Array;
        const len = otherLen[l] as number;
        const at = seekDoc(list, len, pos[l] as number, d);
        pos[l] = at;
        if (at >= len) break scan; // this list has no later document: nothing further can match
        const o = list[at] as number;
        if (o >>> 3 !== d) continue scan;
        masks[t] = (masks[t] as number) & o & 7;
      }
      count = keepScored(d, scoreOfMasks(d, checks, masks, attribute), docs, scores, count);
    }
    return { docs, scores, count };
  }

  /**
   * `match` when every term is frequent: intersects the terms' bitmaps with the filters' bitmaps
   * a word (32 documents) at a time, then visits only the documents left, testing the filters
   * that keep no bitmap.
   */
  private matchDense(
    s: IndexState,
    checks: ReadonlyArray<PhraseCheck | undefined>,
    lists: readonly TermList[],
    filters: CompiledFilters,
    attribute: boolean,
  ): MatchSet {
    const words = (s.n + 31) >>> 5;
    if (this.bitBuffer.length < words) this.bitBuffer = new Uint32Array(words);
    const acc = this.bitBuffer;
    acc.fill(-1 >>> 0, 0, words);
    const and = (bits: Uint32Array): void => {
      for (let w = 0; w < words; w++) acc[w] = (acc[w] as number) & ((bits[w] as number | undefined) ?? 0);
    };
    for (const bits of filters.bits) and(bits);
    for (const l of lists) and(s.dense.of(l.p, s.n).bits);
    // Bits past the last document are never set in term bitmaps, so `acc` holds only documents.
    // Per list and field, the term's bitmap; per word, per term and field, the documents where
    // all the term's lookups stand in that field (32 documents at a time).
    const fieldBits = lists.map((l) => s.dense.of(l.p, s.n).fieldBits);
    const listTerm = lists.map((l) => l.term);
    const nTerms = checks.length;
    const termWords = new Int32Array(nTerms * 3);
    const masks = new Uint8Array(nTerms);
    const rest = filters.rest;
    let total = 0;
    for (let w = 0; w < words; w++) total += popcount(acc[w] as number);
    const docs = this.scratchDocs(total);
    const scores = this.scratchScores(total);
    let count = 0;
    for (let w = 0; w < words; w++) {
      let x = acc[w] as number;
      if (x === 0) continue;
      termWords.fill(-1);
      for (let l = 0; l < fieldBits.length; l++) {
        const at = (listTerm[l] as number) * 3;
        const fb = fieldBits[l] as Uint32Array[];
        for (let f = 0; f < 3; f++)
          termWords[at + f] = (termWords[at + f] as number) & ((fb[f] as Uint32Array)[w] as number);
      }
      while (x !== 0) {
        const low = x & -x;
        x ^= low;
        const b = 31 - Math.clz32(low);
        const d = (w << 5) | b;
        if (rest !== undefined && !rest(d)) continue;
        for (let t = 0; t < nTerms; t++) {
          masks[t] =
            (((termWords[t * 3] as number) >>> b) & 1) |
            ((((termWords[t * 3 + 1] as number) >>> b) & 1) << 1) |
            ((((termWords[t * 3 + 2] as number) >>> b) & 1) << 2);
        }
        count = keepScored(d, scoreOfMasks(d, checks, masks, attribute), docs, scores, count);
      }
    }
    return { docs, scores, count };
  }
}
