import { foldForMatch } from '../../ja/normalize.js';
import { splitRuns, termNeedsVerify, type QueryTerm } from '../analyze.js';
import { fieldSpan } from './positions.js';

/**
 * The index side of `analyze.ts` with positions: a field's folded text as Latin words and CJK
 * runs, numbered one position per word and per CJK character (separators take none, as in
 * OpenSearch's standard tokenizer). Emitted terms: every CJK character (without position), every
 * CJK bigram at the position of its first character, every Latin word at its position, and a
 * character that begins or ends its CJK run also under `edgeKey(ch)` at its position (what a
 * one-character CJK part of a mixed-script term is checked against).
 */

/** The index key of a CJK character standing at the start or end of its run. */
function edgeKey(ch: string): string {
  return `\u0001${ch}`;
}

/** Calls `emit(term, position)` for each term of one field; `position` is -1 for plain characters. */
export function fieldTerms(text: string, field: number, emit: (term: string, position: number) => void): void {
  let p = field * fieldSpan;
  for (const run of splitRuns(foldForMatch(text))) {
    if (!run.cjk) {
      emit(run.text, p++);
      continue;
    }
    const chars = Array.from(run.text);
    const last = chars.length - 1;
    for (let k = 0; k <= last; k++) {
      const ch = chars[k] as string;
      emit(ch, -1);
      if (k === 0 || k === last) emit(edgeKey(ch), p + k);
      if (k < last) emit(ch + (chars[k + 1] as string), p + k);
    }
    p += chars.length;
  }
}

/**
 * How the embedded engine finds a query term: the index keys whose postings must all hold a
 * document, and, when postings alone do not decide, the phrase to verify by positions: each key
 * at its offset from the first (a term of 3+ CJK characters: its bigrams at 0, 1, …; a
 * mixed-script term: its Latin words and CJK runs in order, a one-character run by `edgeKey`).
 */
export interface TermPlan {
  readonly lookups: readonly string[];
  readonly phrase?: { readonly keys: readonly string[]; readonly offsets: readonly number[] };
}

function cjkPhrase(chars: readonly string[], at: number, keys: string[], offsets: number[], alone: boolean): void {
  if (chars.length === 1) {
    keys.push(alone ? (chars[0] as string) : edgeKey(chars[0] as string));
    offsets.push(at);
    return;
  }
  for (let k = 0; k + 1 < chars.length; k++) {
    keys.push((chars[k] as string) + (chars[k + 1] as string));
    offsets.push(at + k);
  }
}

export function termPlanOf(term: QueryTerm): TermPlan {
  const parts = term.parts;
  if (parts !== undefined && parts.length > 1) {
    const keys: string[] = [];
    const offsets: number[] = [];
    let at = 0;
    for (const part of parts) {
      if (part.cjk) {
        const chars = Array.from(part.text);
        cjkPhrase(chars, at, keys, offsets, false);
        at += chars.length;
      } else {
        keys.push(part.text);
        offsets.push(at++);
      }
    }
    return { lookups: [...new Set(keys)], phrase: { keys, offsets } };
  }
  if (!term.cjk) return { lookups: [term.text] };
  const chars = Array.from(term.text);
  const keys: string[] = [];
  const offsets: number[] = [];
  cjkPhrase(chars, 0, keys, offsets, true);
  const lookups = [...new Set(keys)];
  return termNeedsVerify(term) ? { lookups, phrase: { keys, offsets } } : { lookups };
}
