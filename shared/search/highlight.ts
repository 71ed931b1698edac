import { mixedSpansIn, splitRuns, type QueryTerm, type TextRun } from './analyze.js';

/** Longest fragment (in characters) cut out of a summary or body around a match. */
export const fragmentChars = 100;
/** Fragments returned per long field, first matches first. */
export const fragmentsPerField = 3;

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '/': '&#x2F;',
};

/** HTML-escapes text the way OpenSearch's `html` highlight encoder does. */
function escapeHtml(text: string): string {
  // Most Japanese text has nothing to escape; testing first skips the replace machinery.
  if (!needsEscape.test(text)) return text;
  return text.replace(/[&<>"'/]/g, (ch) => escapes[ch] ?? ch);
}
const needsEscape = /[&<>"'/]/;

/**
 * A field prepared for highlighting: the original text, its folded form and the map between them
 * (see `foldForHighlight`). Immutable; an engine may keep it with a document and reuse it.
 */
export interface HighlightSource {
  readonly text: string;
  readonly folded: string;
  /** Per folded code unit, the offset of the original code point; absent when offsets carry over. */
  readonly origin?: Int32Array;
  readonly originEnd?: Int32Array;
  /** The folded text's runs, split on first use by a mixed-script term. */
  runs?: readonly TextRun[];
  /** The folded text's Latin words, split on first use. */
  words?: readonly TextRun[];
}

/**
 * Folds `text` code point by code point (NFKC + lower case) and keeps, for every folded code unit,
 * the offset of the original code point it came from, so matches found in folded text can be
 * marked in the original.
 */
export function foldForHighlight(text: string): HighlightSource {
  return { text, ...foldWithMap(text) };
}

function foldWithMap(text: string): { folded: string; origin?: Int32Array; originEnd?: Int32Array } {
  // Fast path: most text folds one code unit to one code unit (full-width ASCII, half-width kana
  // without voicing marks, case), so offsets carry over unchanged.
  const whole = text.replace(/\s/gu, ' ').normalize('NFKC').toLowerCase();
  if (whole.length === text.length && !/[\u3099\u309a\uff9e\uff9f]/u.test(text)) return { folded: whole };
  let folded = '';
  const origin: number[] = [];
  const originEnd: number[] = [];
  let offset = 0;
  for (const ch of text) {
    const f = /\s/u.test(ch) ? ' ' : ch.normalize('NFKC').toLowerCase();
    for (let k = 0; k < f.length; k++) {
      origin.push(offset);
      originEnd.push(offset + ch.length);
    }
    folded += f;
    offset += ch.length;
  }
  return { folded, origin: Int32Array.from(origin), originEnd: Int32Array.from(originEnd) };
}

/** Spans of a term in the folded field, as `termSpansIn` finds them (runs split once per field). */
function spansIn(source: HighlightSource, term: QueryTerm): Array<[number, number]> {
  const { folded } = source;
  const spans: Array<[number, number]> = [];
  if (term.parts) {
    if (!term.parts.every((part) => folded.includes(part.text))) return spans;
    source.runs ??= splitRuns(folded);
    return mixedSpansIn(source.runs, term.parts);
  }
  if (term.cjk) {
    for (let at = folded.indexOf(term.text); at >= 0; at = folded.indexOf(term.text, at + 1))
      spans.push([at, at + term.text.length]);
    return spans;
  }
  if (!folded.includes(term.text)) return spans;
  source.words ??= (source.runs ?? splitRuns(folded)).filter((run) => !run.cjk);
  for (const run of source.words) if (run.text === term.text) spans.push([run.start, run.end]);
  return spans;
}

/** Matched spans of any term in the original text, merged and sorted. */
function matchSpans(text: string | HighlightSource, terms: readonly QueryTerm[]): Array<[number, number]> {
  const source = typeof text === 'string' ? foldForHighlight(text) : text;
  const { origin, originEnd } = source;
  const spans: Array<[number, number]> = [];
  for (const term of terms) {
    for (const [s, e] of spansIn(source, term)) {
      const start = origin ? origin[s] : s;
      const end = originEnd ? originEnd[e - 1] : e;
      if (start !== undefined && end !== undefined) spans.push([start, end]);
    }
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}

function mark(text: string, from: number, to: number, spans: readonly (readonly [number, number])[]): string {
  let out = '';
  let pos = from;
  for (const [s, e] of spans) {
    if (e <= from || s >= to) continue;
    const start = Math.max(s, from);
    const end = Math.min(e, to);
    out += escapeHtml(text.slice(pos, start)) + '<mark>' + escapeHtml(text.slice(start, end)) + '</mark>';
    pos = end;
  }
  return out + escapeHtml(text.slice(pos, to));
}

/**
 * Highlight fragments of one field: the whole text when it is short (titles), else up to
 * `fragmentsPerField` windows of about `fragmentChars` around matches. Empty when nothing matches.
 */
export function highlightField(field: string | HighlightSource, terms: readonly QueryTerm[]): string[] {
  const text = typeof field === 'string' ? field : field.text;
  if (terms.length === 0 || text.length === 0) return [];
  const spans = matchSpans(field, terms);
  if (spans.length === 0) return [];
  if (text.length <= fragmentChars) return [mark(text, 0, text.length, spans)];
  const fragments: string[] = [];
  let coveredTo = 0;
  for (const [s, e] of spans) {
    if (fragments.length >= fragmentsPerField) break;
    if (s < coveredTo) continue;
    const room = Math.max(0, fragmentChars - (e - s));
    let from = Math.max(coveredTo, s - Math.floor(room / 3));
    let to = Math.min(text.length, from + Math.max(fragmentChars, e - from));
    if (to - from < fragmentChars) from = Math.max(coveredTo, to - fragmentChars);
    // Never cut a surrogate pair in half.
    if (from > 0 && /[\udc00-\udfff]/.test(text.charAt(from))) from--;
    if (to < text.length && /[\udc00-\udfff]/.test(text.charAt(to))) to++;
    fragments.push(mark(text, from, to, spans));
    coveredTo = to;
  }
  return fragments;
}
