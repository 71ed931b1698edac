/**
 * The search benchmark's query set and its truth: a brute-force scan over the folded fields that
 * applies the project's search semantics literally (docs/design.md, "Search semantics").
 */
import { deadlineGroup, deadlineWithin } from '../../shared/search/deadline-rank.js';
import { foldForMatch } from '../../shared/ja/normalize.js';
import { splitRuns } from '../../shared/search/analyze.js';
import type { SearchQuery } from '../../shared/search/query.js';
import type { SearchDoc } from '../../shared/search/search-index.js';

export const queryClasses = ['plain', 'filtered', 'sorted', 'faceted', 'page-10'] as const;
export type QueryClass = (typeof queryClasses)[number];
export const wordLengths = ['1 char', '2 chars', '3 chars', '4+ chars', 'latin', 'mixed', 'no text'] as const;
export type WordLength = (typeof wordLengths)[number];

export interface BenchQuery {
  readonly cls: QueryClass;
  readonly len: WordLength;
  /** The query of page 1 (size 20); a page-10 query is asked for its tenth page. */
  readonly q: SearchQuery;
  /** 0-based page asked for: 9 for the page-10 class, else 0. */
  readonly page: number;
}

/** What one engine answered to one query: total and the ids of the page. */
export interface Answer {
  readonly total: number;
  readonly ids: readonly string[];
}

const pageSize = 20;
/** The instant every engine of the benchmark takes as "now" (status filters and the deadline sort). */
export const benchNow = new Date('2025-06-15T12:00:00+09:00');

/** Query words per length class, all from the realistic corpus's vocabulary (test/support/search-corpus.ts). */
const words: Record<Exclude<WordLength, 'no text'>, readonly string[]> = {
  '1 char': ['研', '県', '光', '森', '熱', '薬', '鉄', '酪', '島', '災'],
  '2 chars': ['研究', '地域', '水素', '宇宙', '防災', '補助', '地熱', '繊維', '離島', '介護'],
  '3 chars': ['半導体', '産学官', '蓄電池', '自治体', '文化財', '感染症', '老朽化', '減災の', '獣医学', '研究所'],
  '4+ chars': [
    '産学官連携',
    'スマートシティ',
    '研究開発',
    '再生医療',
    'カーボンニュートラル',
    '量子コンピュータ',
    '伝統工芸',
    'セルロースナノファイバー',
    '中山間地域',
    '理化学研究所',
  ],
  latin: ['IoT', 'AI', 'DX', 'e-Rad', 'SDGs', 'GX', 'ICT', 'Society', 'EBPM', '5G'],
  mixed: ['ＤＸ推進', 'IoT化', 'AI活用', 'GX戦略', '5G基地局', 'ICT活用', 'DX推進', 'ＡＩ活用', 'IoT化', 'GX戦略'],
};

const filters: readonly SearchQuery[] = [
  { kinds: ['call'], statuses: ['open'] },
  { prefectures: ['13', '27', '01'] },
  { ministries: ['mext', 'jst'] },
  { kinds: ['news'] },
  { statuses: ['open', 'upcoming'] },
];
const drillDowns: readonly SearchQuery[] = [
  { fields: ['環境'] },
  { regions: ['kanto', 'kinki'] },
  { fields: ['情報通信', 'エネルギー'] },
  { kinds: ['call'], fields: ['ライフサイエンス'] },
  { regions: ['kyushu'], kinds: ['theme'] },
];

/** 62 queries: two per class and word length, plus two without text (facets over everything). */
export function benchQueries(): BenchQuery[] {
  const out: BenchQuery[] = [];
  for (const [len, list] of Object.entries(words) as Array<[WordLength, readonly string[]]>) {
    list.forEach((text, k) => {
      const cls = queryClasses[k % queryClasses.length] as QueryClass;
      const n = Math.floor(k / queryClasses.length) + (len.length % 3);
      const extra: SearchQuery =
        cls === 'filtered'
          ? (filters[n % filters.length] as SearchQuery)
          : cls === 'faceted'
            ? (drillDowns[n % drillDowns.length] as SearchQuery)
            : cls === 'sorted'
              ? { sort: n % 2 === 0 ? 'newest' : 'deadline' }
              : cls === 'page-10'
                ? { sort: n % 2 === 0 ? 'relevance' : 'newest' }
                : {};
      out.push({ cls, len, q: { text, ...extra, size: pageSize }, page: cls === 'page-10' ? 9 : 0 });
    });
  }
  out.push({ cls: 'faceted', len: 'no text', q: { size: pageSize }, page: 0 });
  out.push({ cls: 'faceted', len: 'no text', q: { kinds: ['call'], sort: 'deadline', size: pageSize }, page: 0 });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Truth.

/** A query word: a Latin word, a CJK run, or a word typed across scripts (its parts in order). */
interface Word {
  readonly text: string;
  readonly cjk: boolean;
  readonly parts?: readonly Word[];
}

/** The query's words: runs typed without a separator across scripts join into one mixed word. */
function wordsOf(text: string | undefined): Word[] {
  if (text === undefined) return [];
  const out: Word[] = [];
  let group: Word[] = [];
  let end = -1;
  const flush = (): void => {
    if (group.length === 1) out.push(group[0] as Word);
    if (group.length > 1) out.push({ text: group.map((w) => w.text).join(''), cjk: false, parts: group });
    group = [];
  };
  for (const run of splitRuns(foldForMatch(text))) {
    if (run.start !== end) flush();
    group.push({ text: run.text, cjk: run.cjk });
    end = run.end;
  }
  flush();
  const seen = new Set<string>();
  return out.filter((w) => {
    const key = `${w.parts ? 'm' : w.cjk ? 'c' : 'w'}:${w.text}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** Where a sentence ends: `。` and line breaks never join tokens, so tokens never cross them. */
function sentenceStart(text: string, at: number): number {
  return Math.max(text.lastIndexOf('。', at - 1), text.lastIndexOf('\n', at - 1)) + 1;
}

function sentenceEnd(text: string, at: number): number {
  const ends = [text.indexOf('。', at), text.indexOf('\n', at)].filter((k) => k >= 0);
  return ends.length > 0 ? Math.min(...ends) + 1 : text.length;
}

/** Whether `parts` stand as consecutive tokens of `tokens`, each as the mixed-word rule asks. */
function partsAt(tokens: ReturnType<typeof splitRuns>, parts: readonly Word[]): boolean {
  for (let i = 0; i + parts.length <= tokens.length; i++) {
    let ok = true;
    for (let k = 0; k < parts.length && ok; k++) {
      const part = parts[k] as Word;
      const token = tokens[i + k] as (typeof tokens)[number];
      if (token.cjk !== part.cjk) ok = false;
      else if (!part.cjk) ok = token.text === part.text;
      else {
        // A CJK part ends its run when a Latin part follows and starts it when one precedes.
        const before = k > 0;
        const after = k + 1 < parts.length;
        if (before && after) ok = token.text === part.text;
        else if (after) ok = token.text.endsWith(part.text);
        else if (before) ok = token.text.startsWith(part.text);
        else ok = token.text.includes(part.text);
      }
    }
    if (ok) return true;
  }
  return false;
}

/**
 * Whether a word occurs in folded text: a CJK word as a substring, a Latin word as a whole token,
 * a mixed word as its parts in consecutive tokens. Latin and mixed words are tokenised only around
 * each occurrence of their first part (that sentence and its neighbours), not the whole text.
 */
function occurs(text: string, word: Word): boolean {
  if (word.cjk) return text.includes(word.text);
  const parts = word.parts ?? [word];
  const anchor = (parts[0] as Word).text;
  if (!parts.every((p) => text.includes(p.text))) return false;
  for (let at = text.indexOf(anchor); at >= 0; at = text.indexOf(anchor, at + 1)) {
    const from = sentenceStart(text, sentenceStart(text, at) - 1);
    const to = sentenceEnd(text, sentenceEnd(text, at + anchor.length));
    if (partsAt(splitRuns(text.slice(from, to)), parts)) return true;
  }
  return false;
}

interface TruthDoc {
  readonly doc: SearchDoc;
  readonly fields: readonly string[];
  readonly published: number;
  readonly updated: number;
  readonly opens: number;
  readonly closes: number;
}

const weights = [3, 1.5, 1] as const;
const ms = (iso: string | undefined): number => (iso === undefined ? Number.NaN : Date.parse(iso));
/** NaN last, then `sign` order. */
const cmpNum = (x: number, y: number, sign: 1 | -1): number => {
  const xm = Number.isNaN(x);
  const ym = Number.isNaN(y);
  if (xm || ym) return xm === ym ? 0 : xm ? 1 : -1;
  return sign * (x - y);
};

function statusOf(d: TruthDoc, now: number): string {
  const hasOpens = !Number.isNaN(d.opens);
  if (!hasOpens && Number.isNaN(d.closes)) return 'unknown';
  if (hasOpens && now < d.opens) return 'upcoming';
  if (now > d.closes) return 'closed';
  return 'open';
}

/** The brute-force truth: every document tested against every word, sorted in full. */
export class BruteForce {
  private readonly docs: TruthDoc[] = [];

  add(doc: SearchDoc): void {
    this.docs.push({
      // The body is kept folded only.
      doc: { ...doc, bodyText: undefined },
      fields: [doc.title, doc.summary ?? '', doc.bodyText ?? ''].map((t) => foldForMatch(t)),
      published: ms(doc.publishedAt),
      updated: ms(doc.updatedAt),
      opens: ms(doc.opensAt),
      closes: ms(doc.closesAt),
    });
  }

  search(q: SearchQuery, page: number): Answer & { facets: Record<string, Map<string, number>> } {
    const now = benchNow.getTime();
    const ws = wordsOf(q.text);
    const hits: Array<{ d: TruthDoc; score: number }> = [];
    const facets: Record<string, Map<string, number>> = {};
    const count = (facet: string, value: string): void => {
      const m = (facets[facet] ??= new Map());
      m.set(value, (m.get(value) ?? 0) + 1);
    };
    for (const d of this.docs) {
      const doc = d.doc;
      if (!q.includeWithdrawn && doc.withdrawn) continue;
      if (q.kinds && !q.kinds.includes(doc.kind)) continue;
      if (q.ministries && (doc.ministry === undefined || !q.ministries.includes(doc.ministry))) continue;
      if (q.prefectures && !doc.prefectures.some((p) => q.prefectures?.includes(p))) continue;
      if (q.regions && !doc.regions.some((r) => q.regions?.includes(r))) continue;
      if (q.fields && !doc.fields.some((f) => q.fields?.includes(f))) continue;
      const status = statusOf(d, now);
      if (q.statuses && !(q.statuses as string[]).includes(status)) continue;
      let score = 0;
      let all = true;
      for (const w of ws) {
        let found = false;
        d.fields.forEach((f, k) => {
          if (occurs(f, w)) {
            found = true;
            score += weights[k as 0 | 1 | 2];
          }
        });
        if (!found) {
          all = false;
          break;
        }
      }
      if (!all) continue;
      hits.push({ d, score });
      count('kind', doc.kind);
      count('status', status);
      if (doc.ministry) count('ministry', doc.ministry);
      for (const p of doc.prefectures) count('prefecture', p);
      for (const r of doc.regions) count('region', r);
      for (const f of doc.fields) count('field', f);
    }
    const idCmp = (a: TruthDoc, b: TruthDoc): number => (a.doc.id < b.doc.id ? -1 : a.doc.id > b.doc.id ? 1 : 0);
    const newest = (a: TruthDoc, b: TruthDoc): number =>
      cmpNum(a.published, b.published, -1) || cmpNum(a.updated, b.updated, -1);
    if (q.sort === 'deadline') {
      const key = (d: TruthDoc): [number, number] => {
        const g = deadlineGroup(d.opens, d.closes, now);
        return [g, deadlineWithin(d.opens, d.closes, g)];
      };
      hits.sort((x, y) => {
        const [gx, wx] = key(x.d);
        const [gy, wy] = key(y.d);
        return gx - gy || cmpNum(wx, wy, 1) || idCmp(x.d, y.d);
      });
    } else if (q.sort === 'newest') hits.sort((x, y) => newest(x.d, y.d) || idCmp(x.d, y.d));
    else hits.sort((x, y) => y.score - x.score || newest(x.d, y.d) || idCmp(x.d, y.d));
    const size = q.size ?? pageSize;
    return {
      total: hits.length,
      ids: hits.slice(page * size, page * size + size).map((h) => h.d.doc.id),
      facets,
    };
  }
}
