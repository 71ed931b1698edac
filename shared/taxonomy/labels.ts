/**
 * The one vocabulary: the Japanese words the portal, mails, feeds and the CSV export show for
 * the codes the API speaks (kinds, statuses, ministries, prefectures, regions, fields). Every
 * reader-facing label comes from here, so a status is 募集中 everywhere (never 受付中).
 */
import type { ItemKind } from '../domain/item.js';
import type { CallStatus } from '../domain/status.js';
import { fieldByCode } from './fields.js';
import { ministryByCode } from './ministries.js';
import { prefectureBy } from './prefectures.js';
import { regions } from './regions.js';

/** What an item is: 公募 (a call, 公募・支援施策), ニュース, 研究テーマ. */
export const kindLabels: Readonly<Record<string, string>> = {
  call: '公募',
  news: 'ニュース',
  theme: '研究テーマ',
} satisfies Record<ItemKind, string>;

/** Application status (募集状況), derived at query time. */
export const statusLabels: Readonly<Record<string, string>> = {
  upcoming: '募集前',
  open: '募集中',
  closed: '締切済み',
  unknown: '期間不明',
} satisfies Record<CallStatus, string>;

/** The facets of a search, in the order the portal lists them. */
export type FacetName = 'kind' | 'status' | 'ministry' | 'region' | 'prefecture' | 'field';

/** The heading of each facet; the CSV export uses the same words for its columns. */
export const facetTitles: Readonly<Record<FacetName, string>> = {
  kind: '種類',
  status: '募集状況',
  ministry: '府省・機関',
  region: '地域ブロック',
  prefecture: '都道府県',
  field: '分野',
};

/** Item fields as a reader sees them, for change notes in mails and on the portal. */
export const itemFieldLabels: Readonly<Record<string, string>> = {
  kind: '種類',
  title: 'タイトル',
  summary: '概要',
  bodyText: '本文',
  url: 'URL',
  publisher: '発行元',
  ministry: '府省・機関',
  opensAt: '受付開始',
  closesAt: '締切',
  publishedAt: '公開日',
  updatedAt: '更新日時',
  budget: '予算',
  eligibility: '応募資格',
  applicants: '応募できる者',
  amount: '金額',
  prefectures: '都道府県',
  regions: '地域ブロック',
  fields: '分野',
  requiresRegistration: '事前登録',
  withdrawnAt: '掲載終了',
};

/**
 * The label of one facet value; a code the taxonomy does not know is returned unchanged.
 *
 * @example facetLabel('prefecture', '20') === '長野県'
 * @example facetLabel('ministry', 'pref-20') === '長野県'
 * @example facetLabel('status', 'open') === '募集中'
 */
export function facetLabel(facet: FacetName, code: string): string {
  switch (facet) {
    case 'kind':
      return kindLabels[code] ?? code;
    case 'status':
      return statusLabels[code] ?? code;
    case 'ministry':
      return ministryByCode(code)?.name ?? code;
    case 'region':
      return regions.find((r) => r.code === code)?.label ?? code;
    case 'prefecture':
      // Only exact JIS codes: prefectureBy would also read names, which are not codes.
      return /^\d{2}$/.test(code) ? (prefectureBy(code)?.name ?? code) : code;
    case 'field':
      return fieldByCode(code)?.label ?? code;
  }
}

/** The parts of a search that `describeSearch` puts into words (a `SearchQuery` fits). */
export interface DescribedQuery {
  readonly text?: string;
  readonly kinds?: readonly string[];
  readonly statuses?: readonly string[];
  readonly ministries?: readonly string[];
  readonly regions?: readonly string[];
  readonly prefectures?: readonly string[];
  readonly fields?: readonly string[];
  readonly opens?: DescribedRange;
  readonly closes?: DescribedRange;
  readonly published?: DescribedRange;
  readonly updated?: DescribedRange;
  readonly includeWithdrawn?: boolean;
}

interface DescribedRange {
  readonly from?: string;
  readonly to?: string;
}

/** `2025/5/30` in Asia/Tokyo. */
function tokyoDay(iso: string): string {
  const t = new Date(Date.parse(iso) + 9 * 3600_000);
  return `${t.getUTCFullYear()}/${t.getUTCMonth() + 1}/${t.getUTCDate()}`;
}

function rangeWords(label: string, range: DescribedRange | undefined): string | undefined {
  if (!range || (!range.from && !range.to)) return undefined;
  return `${label}${range.from ? tokyoDay(range.from) : ''}〜${range.to ? tokyoDay(range.to) : ''}`;
}

/**
 * A search in words, for mails, feed titles and the subscription pages: the words, then each
 * filter's labels. Filters of one facet are alternatives (「長野県または岐阜県」); facets are
 * joined with ・. `empty` is what a search without words or filters is called.
 *
 * @example describeSearch({ text: 'クラスター', statuses: ['open'], prefectures: ['20'] }) === 'クラスター・募集中・長野県'
 * @example describeSearch({ kinds: ['call'], ministries: ['mext'] }) === '公募・文部科学省'
 */
export function describeSearch(query: DescribedQuery, empty = 'すべて'): string {
  const facet = (name: FacetName, codes: readonly string[] | undefined): string | undefined =>
    codes && codes.length > 0 ? codes.map((code) => facetLabel(name, code)).join('または') : undefined;
  const parts = [
    query.text?.trim() || undefined,
    facet('kind', query.kinds),
    facet('status', query.statuses),
    facet('ministry', query.ministries),
    facet('region', query.regions),
    facet('prefecture', query.prefectures),
    facet('field', query.fields),
    rangeWords('受付開始', query.opens),
    rangeWords('締切', query.closes),
    rangeWords('公開', query.published),
    rangeWords('更新', query.updated),
    query.includeWithdrawn ? '掲載終了を含む' : undefined,
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join('・') : empty;
}
