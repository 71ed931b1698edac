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
 * A query typed as one word across scripts (`IoT化`) becomes two terms (`iot`, `化`), both required.
 */

/** One query term: a CJK run or a Latin word, already folded. */
export interface QueryTerm {
  readonly text: string; // folded; for a mixed term the concatenation of its parts
  readonly cjk: boolean; // false for a mixed term
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

/** The required terms of a query text, folded and de-duplicated, in typed order. */
export function queryTermsOf(text: string | undefined): QueryTerm[] {
  if (text === undefined) return [];
  const seen = new Set<string>();
  const terms: QueryTerm[] = [];
  for (const run of splitRuns(foldForMatch(text))) {
    const key = `${run.cjk ? 'c' : 'w'}:${run.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push({ text: run.text, cjk: run.cjk });
  }
  return terms;
}

/**
 * Index terms whose postings together are a superset of a query term's matches: the term itself
 * for a word or single character, its distinct bigrams for a longer CJK run. For runs of 3 or more
 * characters the candidates still need `termOccursIn` (bigrams found apart are not a phrase).
 */
export function lookupTermsOf(term: QueryTerm): string[] {
  if (!term.cjk) return [term.text];
  const chars = Array.from(term.text);
  if (chars.length < 2) return [term.text];
  const out = new Set<string>();
  for (let k = 0; k + 1 < chars.length; k++) out.add((chars[k] as string) + (chars[k + 1] as string));
  return [...out];
}

/** Whether postings alone decide a term (a word, one character or one bigram). */
export function termNeedsVerify(term: QueryTerm): boolean {
  return term.cjk && Array.from(term.text).length > 2;
}

/**
 * Spans `[start, end)` of a term in already-folded text: a CJK term wherever its characters stand
 * together, a word only where it is a whole word.
 */
function termSpansIn(folded: string, term: QueryTerm): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
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
  return termSpansIn(folded, term).length > 0;
}
