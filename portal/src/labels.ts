/**
 * Japanese labels for the codes the API returns. They come from the project's one vocabulary
 * (shared/taxonomy/labels.ts), the same words the mails, feeds and CSV export use.
 */
import { applicantLabel, type ApplicantType } from '../../shared/domain/applicant.js';
import {
  facetLabel,
  facetTitles,
  itemFieldLabels,
  statusLabels,
  type FacetName,
} from '../../shared/taxonomy/labels.js';

export { facetLabel, facetTitles, kindLabels, statusLabels, type FacetName } from '../../shared/taxonomy/labels.js';

/** Item fields named in change notes. */
export const changeFieldLabels: Readonly<Record<string, string>> = itemFieldLabels;

export const sourceKindLabels: Record<string, string> = {
  feed: 'フィード (RSS/Atom)',
  'html-list': 'HTML一覧',
  json: 'JSON API',
};

/**
 * The one state each source is counted under on the source-health page, in the order its table
 * lists them (worst first), with the summary's word for it. The summary counts every row once,
 * under the same word as the row's first badge.
 */
export const sourceCategoryLabels = {
  failed: '取得失敗',
  stale: '新着途絶',
  partial: '一部失敗',
  review: '要確認',
  never: '未取得',
  disabled: '停止中',
  ok: '正常',
} as const;
export type SourceCategory = keyof typeof sourceCategoryLabels;

/** The facets the portal offers: the vocabulary's, and 応募できる者 (the applicant taxonomy). */
export type PortalFacetName = FacetName | 'applicant';

/** Facet headings, with 応募できる者. */
export const portalFacetTitles: Readonly<Record<PortalFacetName, string>> = {
  ...facetTitles,
  applicant: '応募できる者',
};

/** 応募できる者: the taxonomy's word for an applicant type id; an id it does not know is shown as is. */
export function applicantWord(id: string): string {
  // The API sends ids of the taxonomy; a lookup miss (a newer API) falls back to the id itself.
  const word: string | undefined = applicantLabel(id as ApplicantType);
  return word ?? id;
}

/** 募集状況 as the search page offers it: the vocabulary's, and 公募予定（見込み） for a forecast round. */
const searchStatusLabels: Readonly<Record<string, string>> = {
  ...statusLabels,
  expected: '公募予定（見込み）',
};

/** The label of a facet value on the search page. */
export function portalFacetLabel(facet: PortalFacetName, code: string): string {
  if (facet === 'applicant') return applicantWord(code);
  if (facet === 'status') return searchStatusLabels[code] ?? code;
  return facetLabel(facet, code);
}
