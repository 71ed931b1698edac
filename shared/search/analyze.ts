import { foldForMatch } from '../ja/normalize.js';

/**
 * The one text analysis both search engines follow (docs/design.md, "Search semantics").
 *
 * Text is folded with `foldForMatch` (NFKC + lower case, so ＩｏＴ, IoT and iot are one word) and
 * split into runs:
 * - a CJK run (kanji incl. 々〆, hiragana, katakana incl. ー, hangul) is indexed as its characters
 *   and the bigrams of adjacent characters (what OpenSearch's `cjk_bigram` with unigrams emits);
 * - a Latin run is a word: letters, digits and `_`, joined across `.`/`'` between two letters or two
 *   digits and across `,` between two digits (close to the UAX#29 standard tokenizer).
 *
 * A query is cut into terms the same way: each CJK run is one term that must appear with its
 * characters standing together (a phrase of its bigrams, i.e. a substring inside one CJK run of the
 * text), each Latin word one term that must equal a word of the text, and every term is required.
 * 産学官 therefore matches 「産学官連携」 but not a text holding 「産学連携」 and 「大学官舎」 apart.
 *
 * Runs typed without a separator across scripts (`ＤＸ推進` → `dx` + `推進`, `IoT化`, `第3期`) are
 * ONE term with `parts`: a phrase of consecutive runs of the text, in order, where a Latin part
 * is a whole word and a CJK part stands inside one CJK run, ending that run when a Latin part
 * follows and starting it when a Latin part precedes (the tokens OpenSearch's phrase queries see
 * in a row). `ＤＸ推進` matches 「地域ＤＸ推進事業」, not 「DXの推進」 nor 「推進DX」. Runs are
 * consecutive when only separators stand between them, so 「DX 推進」 and 「DX・推進」 match too,
 * as on OpenSearch, where neither leaves a token.
 */

/** One query term: a CJK run, a Latin word, or a word typed across scripts; already folded. */
export interface QueryTerm {
  /** Folded; for a mixed term the concatenation of its parts. */
  readonly text: string;
  /** False for a mixed term. */
  readonly cjk: boolean;
  /** Present (2 or more) for a word typed across scripts: its Latin words and CJK runs in order. */
  readonly parts?: readonly QueryTerm[];
}

/** A run of the folded text with its code-unit offsets. */
export interface TextRun {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly cjk: boolean;
}

const cjkPattern = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}々〆〇ー゛゜]/u;
const wordCharPattern = /[\p{L}\p{N}\p{M}_]/u;
const digitPattern = /\p{N}/u;

function isCjkChar(ch: string): boolean {
  return cjkPattern.test(ch);
}

function isWordChar(ch: string): boolean {
  return wordCharPattern.test(ch) && !cjkPattern.test(ch);
}

/** Splits already-folded text into CJK runs and Latin words; everything else separates. */
export function splitRuns(folded: string): TextRun[] {
  const chars = Array.from(folded);
  const runs: TextRun[] = [];
  let offset = 0;
  let i = 0;
  const offsets: number[] = new Array<number>(chars.length + 1);
  for (let k = 0; k < chars.length; k++) {
    offsets[k] = offset;
    offset += (chars[k] as string).length;
  }
  offsets[chars.length] = offset;
  const at = (k: number): number => offsets[k] as number;
  while (i < chars.length) {
    const ch = chars[i] as string;
    if (isCjkChar(ch)) {
      let j = i + 1;
      while (j < chars.length && isCjkChar(chars[j] as string)) j++;
      runs.push({ text: folded.slice(at(i), at(j)), start: at(i), end: at(j), cjk: true });
      i = j;
    } else if (isWordChar(ch)) {
      let j = i + 1;
      for (;;) {
        if (j < chars.length && isWordChar(chars[j] as string)) {
          j++;
          continue;
        }
        const joiner = chars[j];
        const prev = chars[j - 1] as string;
        const next = chars[j + 1];
        if (joiner !== undefined && next !== undefined && isWordChar(next)) {
          const bothDigits = digitPattern.test(prev) && digitPattern.test(next);
          const bothLetters = !digitPattern.test(prev) && !digitPattern.test(next);
          if ((joiner === '.' || joiner === "'" || joiner === '’') && (bothDigits || bothLetters)) {
            j += 2;
            continue;
          }
          if (joiner === ',' && bothDigits) {
            j += 2;
            continue;
          }
        }
        break;
      }
      runs.push({ text: folded.slice(at(i), at(j)), start: at(i), end: at(j), cjk: false });
      i = j;
    } else {
      i++;
    }
  }
  return runs;
}

/**
 * The distinct index terms of one text: CJK characters and bigrams, Latin words. Input is raw
 * text; it is folded here.
 */
export function indexTermsOf(text: string): Set<string> {
  const terms = new Set<string>();
  for (const run of splitRuns(foldForMatch(text))) {
    if (!run.cjk) {
      terms.add(run.text);
      continue;
    }
    const chars = Array.from(run.text);
    for (let k = 0; k < chars.length; k++) {
      const ch = chars[k] as string;
      terms.add(ch);
      const next = chars[k + 1];
      if (next !== undefined) terms.add(ch + next);
    }
  }
  return terms;
}

/**
 * The required terms of a query text, folded and de-duplicated, in typed order: runs that touch
 * (one ends where the next starts, so they differ in script) form one mixed term.
 */
export function queryTermsOf(text: string | undefined): QueryTerm[] {
  if (text === undefined) return [];
  const seen = new Set<string>();
  const terms: QueryTerm[] = [];
  const runs = splitRuns(foldForMatch(text));
  for (let i = 0; i < runs.length;) {
    let j = i + 1;
    while (j < runs.length && (runs[j] as TextRun).start === (runs[j - 1] as TextRun).end) j++;
    const parts = runs.slice(i, j).map((run): QueryTerm => ({ text: run.text, cjk: run.cjk }));
    i = j;
    const term: QueryTerm =
      parts.length === 1 ? (parts[0] as QueryTerm) : { text: parts.map((p) => p.text).join(''), cjk: false, parts };
    const key = `${term.parts ? 'm' : term.cjk ? 'c' : 'w'}:${term.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push(term);
  }
  return terms;
}

/**
 * Index terms whose postings together are a superset of a query term's matches: the term itself
 * for a word or single character, its distinct bigrams for a longer CJK run, the union of its
 * parts' for a mixed term. For CJK runs of 3 or more characters and for mixed terms the candidates
 * still need `termOccursIn` (terms found apart are not a phrase).
 */
export function lookupTermsOf(term: QueryTerm): string[] {
  if (term.parts) return [...new Set(term.parts.flatMap(lookupTermsOf))];
  if (!term.cjk) return [term.text];
  const chars = Array.from(term.text);
  if (chars.length < 2) return [term.text];
  const out = new Set<string>();
  for (let k = 0; k + 1 < chars.length; k++) out.add((chars[k] as string) + (chars[k + 1] as string));
  return [...out];
}

/** Whether postings alone decide a term (a word, one character or one bigram); not a mixed term. */
export function termNeedsVerify(term: QueryTerm): boolean {
  return term.parts !== undefined || (term.cjk && Array.from(term.text).length > 2);
}

/**
 * Spans `[start, end)` of a mixed term's parts in the runs of one folded field: wherever its parts
 * stand in consecutive runs under the rules of the module comment. Pass the field's `splitRuns`.
 */
export function mixedSpansIn(runs: readonly TextRun[], parts: readonly QueryTerm[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const last = parts.length - 1;
  for (let i = 0; i + last < runs.length; i++) {
    const found: Array<[number, number]> = [];
    for (let k = 0; k <= last; k++) {
      const run = runs[i + k] as TextRun;
      const part = parts[k] as QueryTerm;
      if (run.cjk !== part.cjk) break;
      if (!part.cjk) {
        if (run.text !== part.text) break;
        found.push([run.start, run.end]);
      } else if (k > 0) {
        // A Latin part precedes: the CJK part starts the run (and is the whole run when one follows too).
        if (k < last ? run.text !== part.text : !run.text.startsWith(part.text)) break;
        found.push([run.start, run.start + part.text.length]);
      } else {
        if (!run.text.endsWith(part.text)) break;
        found.push([run.end - part.text.length, run.end]);
      }
    }
    if (found.length === parts.length) spans.push(...found);
  }
  return spans;
}

/**
 * Spans `[start, end)` of a term in already-folded text: a CJK term wherever its characters stand
 * together, a word only where it is a whole word, a mixed term's parts where they stand in a row.
 */
function termSpansIn(folded: string, term: QueryTerm): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  if (term.parts) return mixedSpansIn(splitRuns(folded), term.parts);
  if (term.cjk) {
    let from = 0;
    for (;;) {
      const at = folded.indexOf(term.text, from);
      if (at < 0) break;
      spans.push([at, at + term.text.length]);
      from = at + 1;
    }
    return spans;
  }
  if (!folded.includes(term.text)) return spans;
  for (const run of splitRuns(folded)) if (!run.cjk && run.text === term.text) spans.push([run.start, run.end]);
  return spans;
}

/** Whether a term occurs in already-folded text under the rules above. */
export function termOccursIn(folded: string, term: QueryTerm): boolean {
  if (term.cjk) return folded.includes(term.text);
  if (term.parts && !term.parts.every((part) => folded.includes(part.text))) return false;
  return termSpansIn(folded, term).length > 0;
}
