import { createHash } from 'node:crypto';
import * as z from 'zod';
import { kanjiToNumber } from '../ja/kanji-numerals.js';
import { foldForMatch, normalizeText } from '../ja/normalize.js';
import { warekiToGregorianYear } from '../ja/wareki.js';
import { ForecastSchema } from './forecast.js';
import { IsoInstantSchema, ItemIdSchema, type Item, type ItemId } from './item.js';

/**
 * Program series (事業のシリーズ): calls that are rounds of one program, linked from the evidence a
 * crawl has. Three rules link two calls, each keeping its evidence (the rule, the normalised key,
 * the tokens that differ):
 * - `program-id`: the same explicit program id, where a source has one;
 * - `title`: the same publisher and a title that differs only by fiscal year, round or 公募 number
 *   (令和8年度, R8, 2026年度, 平成30年度, 第2回, 二次公募, 追加公募, 【第3次締切】 …);
 * - `path`: the same publisher and a detail-page path that differs only by a year segment
 *   (`/koubo/2024/abc.html` and `/koubo/2025/abc.html`).
 * Operator overrides (`split`, `merge`) are decisions on a pair of items and win over the rules.
 */

/** `se_` + 24 hex characters. */
export const SeriesIdSchema = z
  .string()
  .regex(/^se_[0-9a-f]{24}$/, 'expected a series id such as se_0123456789abcdef01234567')
  .brand<'SeriesId'>();
export type SeriesId = z.infer<typeof SeriesIdSchema>;

const SeriesRuleSchema = z.enum(['program-id', 'title', 'path', 'operator-merge']);

/** Why two items are rounds of one program. */
export const SeriesEvidenceSchema = z.strictObject({
  rule: SeriesRuleSchema,
  /** The normalised key both items share (title without round tokens, path template, program id). */
  key: z.string(),
  items: z.tuple([ItemIdSchema, ItemIdSchema]),
  /** What differs, as printed: the round tokens (or path years) of each item, `''` for none. */
  differing: z.tuple([z.string(), z.string()]),
});
export type SeriesEvidence = z.infer<typeof SeriesEvidenceSchema>;

/** One round of a series: the item, its round label and dates. */
export const SeriesRoundSchema = z.strictObject({
  itemId: ItemIdSchema,
  title: z.string(),
  url: z.string(),
  /** The round as printed (`令和8年度 第2回`), or the year of the path; `''` when neither says. */
  label: z.string(),
  fiscalYear: z.number().int().optional(),
  opensAt: IsoInstantSchema.optional(),
  closesAt: IsoInstantSchema.optional(),
  publishedAt: IsoInstantSchema.optional(),
});
export type SeriesRound = z.infer<typeof SeriesRoundSchema>;

/** An operator's decision on a pair of items; it survives re-crawls and wins over the rules. */
export const SeriesOverrideSchema = z.strictObject({
  action: z.enum(['split', 'merge']),
  /** Sorted, so a pair has one override. */
  items: z.tuple([ItemIdSchema, ItemIdSchema]),
  at: IsoInstantSchema,
  note: z.string().max(500).optional(),
});
export type SeriesOverride = z.infer<typeof SeriesOverrideSchema>;

/** A stored series: its rounds oldest first, the evidence linking them and the next round's forecast. */
export const SeriesSchema = z.strictObject({
  id: SeriesIdSchema,
  /** The program's name: the newest round's title without its round tokens. */
  name: z.string(),
  publisher: z.string(),
  rounds: z.array(SeriesRoundSchema).min(2),
  evidence: z.array(SeriesEvidenceSchema),
  forecast: ForecastSchema,
  updatedAt: IsoInstantSchema,
});
export type Series = z.infer<typeof SeriesSchema>;

/** What the rules read of an item; `programId` where a source publishes one. */
export type SeriesCandidate = Pick<
  Item,
  'id' | 'kind' | 'title' | 'publisher' | 'canonicalUrl' | 'opensAt' | 'closesAt' | 'publishedAt' | 'url'
> & { readonly programId?: string };

/** A round token found in a title: its printed text and what it means. */
interface RoundToken {
  readonly printed: string;
  readonly value: string;
}

const numeral = '(?:\\d{1,3}|[〇一二三四五六七八九十]{1,3})';
const readNumber = (text: string): number | undefined => (/^\d+$/.test(text) ? Number(text) : kanjiToNumber(text));

/** Round patterns on NFKC text, each with what its match means (from its capture groups). */
const roundPatterns: ReadonlyArray<{
  readonly pattern: RegExp;
  readonly value: (groups: readonly string[]) => string;
}> = [
  {
    // 令和8年度, 平成30年度分, 令和元年度
    pattern: new RegExp(`(令和|平成)\\s*(元|${numeral})\\s*年度分?`, 'gu'),
    value: ([era, year]) => `fy${fiscal(era ?? '', year ?? '')}`,
  },
  {
    // R8, R8年度, H30年度 (not R7.5.30, a date)
    pattern: /(?<![A-Za-z0-9])([RH])\s?(\d{1,2})(?:年度分?)?(?![\d.年月A-Za-z])/gu,
    value: ([era, year]) => `fy${fiscal(era ?? '', year ?? '')}`,
  },
  { pattern: /(?:FY\s?)?(?<!\d)((?:19|20)\d{2})(?:年度分?)(?!\d)/gu, value: ([year]) => `fy${year ?? ''}` },
  { pattern: /FY\s?((?:19|20)\d{2})(?!\d)/gu, value: ([year]) => `fy${year ?? ''}` },
  {
    // 第2回, 第3次締切, 第1期公募
    pattern: new RegExp(`第\\s*(${numeral})\\s*(?:回|次|期)(?:目)?(?:公募|募集|締切|締め切り)?`, 'gu'),
    value: ([n]) => `round${readNumber(n ?? '') ?? n ?? ''}`,
  },
  {
    // 二次公募, 2次募集
    pattern: new RegExp(`(${numeral})\\s*次\\s*(?:公募|募集|締切)`, 'gu'),
    value: ([n]) => `round${readNumber(n ?? '') ?? n ?? ''}`,
  },
  { pattern: /(?:追加|再)(?:公募|募集)/gu, value: () => 'additional' },
];

function fiscal(era: string, year: string): number {
  const n = year === '元' ? '元' : (readNumber(year) ?? 0);
  return warekiToGregorianYear(era, n);
}

// Brackets and separators that carry no program name once the round tokens are gone.
const noise = /[\s【】（）()［］[\]「」『』〔〕〈〉《》・、，,.。:：\-－—～~｜|/]/gu;
// How a call page says it is a call: not part of the program's name.
const callPhrase =
  /(?:の)?(?:公募|募集)(?:について|のお知らせ|のご案内|を開始します|を開始しました|開始について|開始のお知らせ|を行います|します)$/u;

/** A title read for series: the key without round tokens, the tokens, the printed name. */
export interface TitleReading {
  /** Folded title without round tokens, brackets, separators and a trailing call phrase. */
  readonly key: string;
  readonly tokens: readonly RoundToken[];
  /** The title without its round tokens and left-over empty brackets, for display. */
  readonly name: string;
  readonly fiscalYear?: number;
}

/**
 * Reads a title for series linking.
 *
 * @example readTitle('令和8年度 地域イノベーション創出支援事業の公募について').key === '地域イノベーション創出支援事業'
 * @example readTitle('【第3次締切】ものづくり補助金').tokens[0]?.value === 'round3'
 */
export function readTitle(title: string): TitleReading {
  let text = normalizeText(title);
  const tokens: Array<RoundToken & { at: number }> = [];
  for (const { pattern, value } of roundPatterns) {
    // Blanked to the same length, so every token keeps its place for ordering.
    text = text.replace(pattern, (whole: string, ...rest: unknown[]) => {
      const groups = rest.slice(0, -2).map((g) => (typeof g === 'string' ? g : ''));
      tokens.push({ printed: whole, value: value(groups), at: Number(rest[rest.length - 2]) });
      return ' '.repeat(whole.length);
    });
  }
  tokens.sort((a, b) => a.at - b.at);
  const name = text
    .replace(/[【(［[「〔][\s・、]*[】)］\]」〕]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .replace(callPhrase, '')
    .replace(/^[\s・、]+|[\s・、]+$/gu, '');
  const key = foldForMatch(name).replace(noise, '').replace(callPhrase, '');
  const year = tokens.find((t) => t.value.startsWith('fy'))?.value.slice(2);
  return {
    key,
    tokens: tokens.map(({ printed, value }) => ({ printed, value })),
    name,
    ...(year ? { fiscalYear: Number(year) } : {}),
  };
}

/** Shortest title key the `title` rule trusts: 「事業」 alone names no program. */
const minTitleKeyLength = 4;

/** A detail page's path with its year segments as `{year}`, and those years; `undefined` when it has none. */
function pathTemplate(url: string): { key: string; years: string[] } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const years: string[] = [];
  const segments = parsed.pathname.split('/').map((segment) => {
    if (/^[rh]0?\d{1,2}$/iu.test(segment)) {
      years.push(segment);
      return '{year}';
    }
    return segment.replace(/(?<!\d)(?:19|20)\d{2}(?!\d)/gu, (y) => {
      years.push(y);
      return '{year}';
    });
  });
  const last = (segments[segments.length - 1] ?? '').replace(/\.[a-z0-9]+$/iu, '').replace(/\{year\}/gu, '');
  // A page named by a number or `index` is a dated listing or press release, not a program's page.
  if (years.length === 0 || !/[a-z]/iu.test(last) || /^index$/iu.test(last)) return undefined;
  return { key: `${parsed.host}${segments.join('/')}${parsed.search}`, years };
}

/** The keys under which an item may meet other rounds of its program (what a store indexes). */
export function seriesKeysOf(candidate: SeriesCandidate): string[] {
  return keysOf(candidate, readingOf(candidate));
}

/** What the rules read of a candidate, computed once per candidate. */
interface Reading {
  readonly publisher: string;
  readonly title: TitleReading;
  readonly path: { key: string; years: string[] } | undefined;
}

function readingOf(candidate: SeriesCandidate): Reading {
  return {
    publisher: foldForMatch(candidate.publisher),
    title: readTitle(candidate.title),
    path: pathTemplate(candidate.canonicalUrl),
  };
}

function keysOf(candidate: SeriesCandidate, { publisher, title, path }: Reading): string[] {
  if (candidate.kind !== 'call') return [];
  const keys: string[] = [];
  if (candidate.programId) keys.push(`program-id\n${publisher}\n${candidate.programId}`);
  if (title.key.length >= minTitleKeyLength) keys.push(`title\n${publisher}\n${title.key}`);
  if (path) keys.push(`path\n${publisher}\n${path.key}`);
  return keys;
}

const printedTokens = (reading: TitleReading): string => reading.tokens.map((t) => t.printed).join(' ');
const tokenValues = (reading: TitleReading): string =>
  [...new Set(reading.tokens.map((t) => t.value))].sort().join(' ');

/**
 * Why two items are rounds of one program, or `undefined` when no rule links them. Both must be
 * calls of the same publisher, and something must differ (the same tokens make a duplicate, which
 * the item store merges, not a round).
 */
export function linkEvidence(a: SeriesCandidate, b: SeriesCandidate): SeriesEvidence | undefined {
  return evidenceBetween(a, b, readingOf(a), readingOf(b));
}

function evidenceBetween(
  a: SeriesCandidate,
  b: SeriesCandidate,
  readingA: Reading,
  readingB: Reading,
): SeriesEvidence | undefined {
  if (a.kind !== 'call' || b.kind !== 'call' || a.id === b.id) return undefined;
  if (readingA.publisher !== readingB.publisher) return undefined;
  const items: [ItemId, ItemId] = [a.id, b.id];
  const [titleA, titleB] = [readingA.title, readingB.title];
  if (a.programId && a.programId === b.programId)
    return { rule: 'program-id', key: a.programId, items, differing: [printedTokens(titleA), printedTokens(titleB)] };
  if (
    titleA.key.length >= minTitleKeyLength &&
    titleA.key === titleB.key &&
    tokenValues(titleA) !== tokenValues(titleB)
  )
    return { rule: 'title', key: titleA.key, items, differing: [printedTokens(titleA), printedTokens(titleB)] };
  const [pathA, pathB] = [readingA.path, readingB.path];
  if (pathA && pathB && pathA.key === pathB.key && pathA.years.join('/') !== pathB.years.join('/'))
    return { rule: 'path', key: pathA.key, items, differing: [pathA.years.join('/'), pathB.years.join('/')] };
  return undefined;
}

/** A group of items linked into one series (two or more), with the evidence of each link. */
export interface SeriesCluster {
  readonly members: readonly ItemId[];
  readonly evidence: readonly SeriesEvidence[];
}

const pairKey = (a: string, b: string): string => (a < b ? `${a} ${b}` : `${b} ${a}`);

/**
 * Groups candidates into series. Operator merges link first, then the rules' links in a fixed
 * order; a link that would put a split pair into one series is skipped, so a split holds
 * whatever else links the two sides. Members come out sorted by id, clusters by first member.
 */
export function clusterSeries(
  candidates: readonly SeriesCandidate[],
  overrides: readonly SeriesOverride[] = [],
): SeriesCluster[] {
  const ids = new Set(candidates.map((c) => c.id));
  const splits = overrides.filter((o) => o.action === 'split').map((o) => o.items);
  const parent = new Map<ItemId, ItemId>();
  const members = new Map<ItemId, Set<ItemId>>();
  for (const c of candidates) {
    parent.set(c.id, c.id);
    members.set(c.id, new Set([c.id]));
  }
  const find = (id: ItemId): ItemId => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(id, root);
    return root;
  };
  const evidence: SeriesEvidence[] = [];
  const link = (found: SeriesEvidence): void => {
    const [ra, rb] = [find(found.items[0]), find(found.items[1])];
    if (ra === rb) return;
    const sideA = members.get(ra) ?? new Set<ItemId>();
    const sideB = members.get(rb) ?? new Set<ItemId>();
    if (splits.some(([x, y]) => (sideA.has(x) && sideB.has(y)) || (sideA.has(y) && sideB.has(x)))) return;
    parent.set(rb, ra);
    for (const id of sideB) sideA.add(id);
    members.delete(rb);
    evidence.push(found);
  };
  for (const o of overrides)
    if (o.action === 'merge' && ids.has(o.items[0]) && ids.has(o.items[1]))
      link({ rule: 'operator-merge', key: pairKey(...o.items), items: o.items, differing: ['', ''] });
  const sorted = [...candidates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const readings = new Map(sorted.map((c) => [c.id, readingOf(c)] as const));
  const byKey = new Map<string, SeriesCandidate[]>();
  for (const c of sorted)
    for (const key of keysOf(c, readings.get(c.id) ?? readingOf(c))) {
      const group = byKey.get(key) ?? [];
      group.push(c);
      byKey.set(key, group);
    }
  for (const group of byKey.values())
    group.forEach((a, i) => {
      for (const b of group.slice(i + 1)) {
        // Already in one series: a further link adds no member (and its evidence is not needed).
        if (find(a.id) === find(b.id)) continue;
        const found = evidenceBetween(a, b, readings.get(a.id) ?? readingOf(a), readings.get(b.id) ?? readingOf(b));
        if (found) link(found);
      }
    });
  return [...members.values()]
    .filter((set) => set.size >= 2)
    .map((set) => {
      const inside = [...set].sort();
      return { members: inside, evidence: evidence.filter((e) => set.has(e.items[0])) };
    })
    .sort((a, b) => ((a.members[0] ?? '') < (b.members[0] ?? '') ? -1 : 1));
}

/** A round of the series from its item: the printed round tokens (or the path's year) as the label. */
export function roundOf(item: SeriesCandidate): SeriesRound {
  const reading = readTitle(item.title);
  const pathYears = pathTemplate(item.canonicalUrl)?.years.join('/');
  const label = printedTokens(reading) || pathYears || '';
  return {
    itemId: item.id,
    title: item.title,
    url: item.url,
    label,
    ...(reading.fiscalYear !== undefined ? { fiscalYear: reading.fiscalYear } : {}),
    ...(item.opensAt ? { opensAt: item.opensAt } : {}),
    ...(item.closesAt ? { closesAt: item.closesAt } : {}),
    ...(item.publishedAt ? { publishedAt: item.publishedAt } : {}),
  };
}

const roundTime = (round: SeriesRound): number =>
  Date.parse(round.opensAt ?? round.publishedAt ?? round.closesAt ?? '') || Number.POSITIVE_INFINITY;

/** Rounds oldest first: by fiscal year where the titles print one, then by opening (or publishing) date. */
export function sortRounds(rounds: readonly SeriesRound[]): SeriesRound[] {
  return [...rounds].sort(
    (a, b) =>
      (a.fiscalYear ?? 0) - (b.fiscalYear ?? 0) ||
      roundTime(a) - roundTime(b) ||
      (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0),
  );
}

/** The series id first given to a series whose smallest member is `itemId`. */
export function seriesIdFor(itemId: string): SeriesId {
  return `se_${createHash('sha256').update(`series\n${itemId}`).digest('hex').slice(0, 24)}` as SeriesId;
}

/**
 * Ids for clusters, keeping ids stable: a cluster takes the id most of its members had before
 * (`previous`, item → series id) if no other cluster took it first, else a new id from its
 * smallest member. Clusters are served largest first.
 */
export function assignSeriesIds(
  clusters: readonly SeriesCluster[],
  previous: ReadonlyMap<ItemId, SeriesId>,
): SeriesId[] {
  const taken = new Set<SeriesId>();
  const out = new Array<SeriesId>(clusters.length);
  const order = clusters.map((c, i) => ({ c, i })).sort((a, b) => b.c.members.length - a.c.members.length || a.i - b.i);
  for (const { c, i } of order) {
    const votes = new Map<SeriesId, number>();
    for (const id of c.members) {
      const was = previous.get(id);
      if (was && !taken.has(was)) votes.set(was, (votes.get(was) ?? 0) + 1);
    }
    const best = [...votes.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
    let id = best ?? seriesIdFor(c.members[0] ?? '');
    for (let n = 1; taken.has(id); n++) id = seriesIdFor(`${c.members[0] ?? ''}#${n}`);
    taken.add(id);
    out[i] = id;
  }
  return out;
}
