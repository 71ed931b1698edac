import { XMLParser } from 'fast-xml-parser';
import { xmlTextOptions } from './feed.js';
import type { KakenSource } from '../../../shared/domain/source.js';
import { endOfDay, startOfDay, tokyoInstant } from '../../../shared/ja/calendar.js';
import { fieldByCode, kakenFieldCodes } from '../../../shared/taxonomy/fields.js';
import { prefectureOfInstitution } from '../../../shared/taxonomy/institutions.js';
import { prefectureBy } from '../../../shared/taxonomy/prefectures.js';
import { tokyoIso } from './feed.js';
import { ExtractionError } from '../../../shared/errors.js';
import type { DroppedEntry, ExtractedItem, ExtractedPage } from './extracted-item.js';

/**
 * KAKEN (科学研究費助成事業データベース, NII) research projects as research themes.
 *
 * The query is the OpenSearch API of "研究課題をさがす", `https://kaken.nii.ac.jp/opensearch/`
 * with `kw` (free words), `qe` (研究機関), `qd` (審査区分/研究分野), `s1`/`s2` (fiscal years of
 * the project period), `rw` (page size 20/50/100/200/500), `st` (1-based start index, at most
 * 200,000 results), `format=xml`, `lang` and `appid` (the CiNii application id), as documented in
 * "KAKEN-メタデータ・API" (https://support.nii.ac.jp/ja/kaken/api/api_outline, with the
 * "KAKEN公開XML定義 / APIパラメータ" downloads linked there). The project search answers XML only
 * (JSON is documented for researchers, not projects), so only XML is read. No sort order
 * (`od`) is sent: KAKEN's default lists the newest project start first, so new projects land on
 * the first page, and an unchanged first page (the crawl's conditional-GET shortcut) means
 * nothing new.
 *
 * The response, per that XML definition: a root (`grantAwards`) with OpenSearch `totalResults`,
 * `startIndex` and `itemsPerPage`, then one `grantAward@id` (`KAKENHI-PROJECT-23K01234`) per
 * project, holding `created` and one `summary` per language (`xml:lang`) with `title`,
 * `category` (研究種目), `review_section` (審査区分) or `field` (研究分野), `institution`
 * (研究機関), `member` (researchers and their roles), `projectStatus`, `keywordList/keyword`,
 * `paragraphList/paragraph` (outlines), `periodOfAward` (`startDate`, `endDate`,
 * `startFiscalYear`, `endFiscalYear`) and `overallAwardAmount` (`directCost`, `indirectCost`,
 * `totalCost`, `unit`). Our fixtures are written from that definition, not copied from responses.
 *
 * What a theme's dates mean on the portal: `opensAt`/`closesAt` are the project period (the
 * start date or 1 April of the first fiscal year; the end date or 31 March after the last fiscal
 * year, end of day, Tokyo), so the derived status reads `upcoming` (adopted, not started), `open`
 * (research under way) and `closed` (finished). `publishedAt` is when KAKEN created the record.
 * Researcher names are left out of the text: surnames such as 山口 or 石川 would tag prefectures.
 */

const parser = new XMLParser({
  ...xmlTextOptions,
  isArray: (name) =>
    [
      'grantAward',
      'summary',
      'category',
      'review_section',
      'field',
      'institution',
      'keyword',
      'paragraphList',
      'paragraph',
      'overallAwardAmount',
    ].includes(name),
});

type Node = Record<string, unknown>;

/** KAKEN's cap on a search's reachable results. */
const kakenMaxResults = 200_000;

/** The parameter carrying the application id; the crawler adds it and keeps it out of every record. */
export const kakenAppIdParam = 'appid';

/**
 * The search URL of one page, without the application id. `start` is the 1-based index of the
 * page's first result (`st`).
 *
 * @example kakenSearchUrl(source, 101) // https://kaken.nii.ac.jp/opensearch/?kw=...&rw=100&st=101&format=xml&lang=ja
 */
export function kakenSearchUrl(source: KakenSource, start = 1): string {
  const p = source.params;
  const query = new URLSearchParams();
  if (p.keywords) query.set('kw', orOf(p.keywords));
  if (p.institutions) query.set('qe', orOf(p.institutions));
  if (p.researchFields) query.set('qd', orOf(p.researchFields));
  if (p.fromFiscalYear !== undefined) query.set('s1', String(p.fromFiscalYear));
  if (p.toFiscalYear !== undefined) query.set('s2', String(p.toFiscalYear));
  query.set('rw', String(p.pageSize));
  query.set('st', String(start));
  query.set('format', 'xml');
  query.set('lang', p.lang);
  const base = new URL(source.url);
  for (const [key, value] of query) base.searchParams.set(key, value);
  return base.href;
}

// Words with spaces are phrases (a space means AND to KAKEN); the list is a disjunction.
function orOf(words: readonly string[]): string {
  return words.map((w) => (/\s/u.test(w.trim()) ? `"${w.trim()}"` : w.trim())).join(' OR ');
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return text(value[0]);
  if (typeof value === 'object') return text((value as Node)['#text']);
  return undefined;
}

function texts(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return [...new Set(value.map(text).filter((t): t is string => t !== undefined))];
}

function node(value: unknown): Node | undefined {
  if (Array.isArray(value)) return node(value[0]);
  return value && typeof value === 'object' ? (value as Node) : undefined;
}

function count(value: unknown): number | undefined {
  const t = text(value);
  const n = t === undefined ? Number.NaN : Number(t);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** The summary in the source's language, else Japanese, else the first. */
function summaryOf(award: Node, lang: string): Node | undefined {
  const all = (Array.isArray(award['summary']) ? award['summary'] : []).map(node).filter((s) => s !== undefined);
  return all.find((s) => s['@_lang'] === lang) ?? all.find((s) => s['@_lang'] === 'ja') ?? all[0];
}

const fiscalYearRe = /^\d{4}$/;
const dateRe = /^(\d{4})-(\d{2})-(\d{2})$/;

function dateOf(value: string | undefined): { year: number; month: number; day: number } | undefined {
  const m = value ? dateRe.exec(value) : null;
  return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
}

/** The project period as instants (see the module comment) and as printed for people. */
export function kakenPeriod(period: Node | undefined): { opensAt?: string; closesAt?: string; text?: string } {
  if (!period) return {};
  const endNode = node(period['endDate']);
  const endFyNode = node(period['endFiscalYear']);
  const hidden = (n: Node | undefined) => n?.['@_nondisclosure'] === 'true';
  const startDate = dateOf(text(period['startDate']));
  const endDate = hidden(endNode) ? undefined : dateOf(text(period['endDate']));
  const startFy = text(period['startFiscalYear']) ?? (period['@_searchStartFiscalYear'] as string | undefined);
  const endFyRaw = hidden(endFyNode)
    ? undefined
    : (text(period['endFiscalYear']) ?? (period['@_searchEndFiscalYear'] as string | undefined));
  const startYear = startFy && fiscalYearRe.test(startFy) ? Number(startFy) : undefined;
  const endYear = endFyRaw && fiscalYearRe.test(endFyRaw) ? Number(endFyRaw) : undefined;
  const opensAt = startDate
    ? tokyoInstant(startDate, startOfDay)
    : startYear !== undefined
      ? tokyoInstant({ year: startYear, month: 4, day: 1 }, startOfDay)
      : undefined;
  // 年度 N runs from 1 April N to 31 March N+1.
  const closesAt = endDate
    ? tokyoInstant(endDate, endOfDay)
    : endYear !== undefined
      ? tokyoInstant({ year: endYear + 1, month: 3, day: 31 }, endOfDay)
      : undefined;
  const printed =
    startYear !== undefined || endYear !== undefined
      ? [startYear !== undefined ? `${startYear}年度` : '', endYear !== undefined ? `${endYear}年度` : '']
          .join(' - ')
          .trim()
      : undefined;
  return {
    ...(opensAt ? { opensAt } : {}),
    ...(closesAt ? { closesAt } : {}),
    ...(printed ? { text: printed } : {}),
  };
}

function yen(n: number): string {
  return `${n.toLocaleString('ja-JP')}円`;
}

/** The total award (配分額) in yen, with its direct and indirect parts as printed text. */
export function kakenAmount(amounts: unknown): { budgetText?: string; budgetYen?: number } {
  const first = node(amounts);
  if (!first) return {};
  const unit = text(node(first['unit'])?.['normalizedValue']) ?? text(node(first['unit'])?.['originalValue']);
  if (unit !== undefined && unit !== 'JPY' && unit !== '円') return {};
  const total = count(first['totalCost']);
  if (total === undefined) return {};
  const direct = count(first['directCost']);
  const indirect = count(first['indirectCost']);
  const parts = [
    direct !== undefined ? `直接経費 ${yen(direct)}` : undefined,
    indirect !== undefined ? `間接経費 ${yen(indirect)}` : undefined,
  ].filter(Boolean);
  return {
    budgetText: `配分額 ${yen(total)}${parts.length > 0 ? ` (${parts.join('、')})` : ''}`,
    budgetYen: total,
  };
}

const outlineTypes = ['outline_of_research_initial', 'purpose', 'abstract', 'outline_of_research_achievement'];

function outlineOf(summary: Node): string | undefined {
  const lists = (Array.isArray(summary['paragraphList']) ? summary['paragraphList'] : [])
    .map(node)
    .filter((l) => l !== undefined);
  for (const type of outlineTypes) {
    const list = lists.find((l) => l['@_type'] === type);
    const paragraphs = list ? texts(list['paragraph']) : [];
    if (paragraphs.length > 0) return paragraphs.join('\n');
  }
  return undefined;
}

/** One project as an extracted item, or the reason it cannot be one. */
function kakenItem(source: KakenSource, award: Node): ExtractedItem | DroppedEntry {
  const id = typeof award['@_id'] === 'string' ? award['@_id'].trim() : '';
  const summary = summaryOf(award, source.params.lang);
  const title = summary ? text(summary['title']) : undefined;
  if (!title || !summary) return { reason: 'no-title', ...(id ? { link: id } : {}) };
  if (!/^[A-Za-z0-9-]+$/.test(id)) return { reason: 'no-link', title, ...(id ? { link: id } : {}) };

  const institutions = texts(summary['institution']);
  const sections = texts(summary['review_section']);
  const researchFields = texts(summary['field']);
  const categories = texts(summary['category']);
  const keywords = texts(node(summary['keywordList'])?.['keyword']);
  const period = kakenPeriod(node(summary['periodOfAward']));
  const amount = kakenAmount(summary['overallAwardAmount']);
  const awardNumber = typeof award['@_awardNumber'] === 'string' ? award['@_awardNumber'] : undefined;
  const ourFields = kakenFieldCodes([...sections, ...researchFields])
    .map((code) => fieldByCode(code)?.label)
    .filter(Boolean);
  const prefectureNames = [
    ...new Set(
      institutions
        .map(prefectureOfInstitution)
        .map((code) => (code ? prefectureBy(code)?.name : undefined))
        .filter((name): name is string => name !== undefined),
    ),
  ];
  const outline = outlineOf(summary);

  const line = (label: string, values: readonly (string | undefined)[]) => {
    const present = values.filter((v): v is string => v !== undefined && v !== '');
    return present.length > 0 ? `${label}: ${present.join('、')}` : undefined;
  };
  const body = [
    line('研究種目', categories),
    line('審査区分', sections),
    line('研究分野', researchFields),
    line('キーワード', keywords),
    line('研究機関', institutions),
    line('研究期間', [period.text]),
    line('研究課題番号', [awardNumber]),
    // Our taxonomy's labels, so the fields are detected and a search for 情報通信 finds 知能情報学.
    line('分野', ourFields),
  ]
    .filter(Boolean)
    .join('\n');
  const lead = [categories[0], institutions.join('・') || undefined, period.text].filter(Boolean).join(' / ');

  return {
    title: normalizeTitle(title),
    url: source.params.itemUrl.replace('{id}', encodeURIComponent(id)),
    publishedAt: tokyoIso(text(award['created'])),
    ...(period.opensAt ? { opensAt: period.opensAt } : {}),
    ...(period.closesAt ? { closesAt: period.closesAt } : {}),
    ...amount,
    summary: [lead, outline].filter(Boolean).join('\n') || undefined,
    bodyText: body || undefined,
    ...(prefectureNames.length > 0 ? { areaText: prefectureNames.join(' ') } : {}),
    kindHint: source.defaultKind,
    externalId: awardNumber ?? id,
  };
}

// Titles keep what KAKEN printed; only line breaks inside the element collapse.
function normalizeTitle(title: string): string {
  return title.replace(/[ \t\r\n\f\v]+/g, ' ').trim();
}

function isDropped(entry: ExtractedItem | DroppedEntry): entry is DroppedEntry {
  return 'reason' in entry;
}

/**
 * One KAKEN response page: its projects as items (kind from the source, `theme` by default),
 * the entries it could not use, and the next page while results remain (the page cap is the
 * crawl's `politeness.maxPages`). Throws `ExtractionError` when the body is not a KAKEN search
 * result (an error page, HTML, a truncated body).
 */
export function extractKaken(source: KakenSource, body: string): ExtractedPage {
  let parsed: Node;
  try {
    parsed = parser.parse(body) as Node;
  } catch (error) {
    throw new ExtractionError(`KAKEN response is not XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const rootName = Object.keys(parsed).find((k) => !k.startsWith('?'));
  const root = rootName ? node(parsed[rootName]) : undefined;
  const total = root ? count(root['totalResults']) : undefined;
  if (!root || !rootName || total === undefined) {
    throw new ExtractionError(
      `KAKEN response has no totalResults (root element "${rootName ?? 'none'}"), expected a grantAwards search result`,
    );
  }
  if (!body.trimEnd().endsWith(`</${rootName}>`) && !body.trimEnd().endsWith('/>')) {
    throw new ExtractionError(`KAKEN response is truncated: "${rootName}" is not closed`);
  }
  const start = count(root['startIndex']) ?? 1;
  const awards = (Array.isArray(root['grantAward']) ? root['grantAward'] : []).map(node).filter((a) => a !== undefined);
  const perPage = count(root['itemsPerPage']) ?? source.params.pageSize;
  const items: ExtractedItem[] = [];
  const dropped: DroppedEntry[] = [];
  for (const award of awards) {
    const entry = kakenItem(source, award);
    if (isDropped(entry)) dropped.push(entry);
    else items.push(entry);
  }
  const next = start + Math.max(perPage, 1);
  const more = awards.length > 0 && next <= total && next <= kakenMaxResults;
  return {
    items,
    ...(dropped.length > 0 ? { dropped } : {}),
    ...(more ? { nextPageUrl: kakenSearchUrl(source, next) } : {}),
  };
}
