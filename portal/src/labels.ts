/**
 * Japanese labels for the codes the API returns. They come from the project's one vocabulary
 * (shared/taxonomy/labels.ts), the same words the mails, feeds and CSV export use.
 */
import { itemFieldLabels } from '../../shared/taxonomy/labels.js';

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
