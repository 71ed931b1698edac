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
