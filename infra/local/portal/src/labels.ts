/** Japanese labels for the codes the API returns (taxonomy codes, statuses, kinds). */
import { fieldByCode } from '../../../../shared/taxonomy/fields.js';
import { ministryByCode } from '../../../../shared/taxonomy/ministries.js';
import { prefectures } from '../../../../shared/taxonomy/prefectures.js';
import { regions } from '../../../../shared/taxonomy/regions.js';

export const kindLabels: Record<string, string> = { call: '公募・支援施策', news: 'ニュース', theme: '研究テーマ' };

export const statusLabels: Record<string, string> = {
  upcoming: '募集前',
  open: '募集中',
  closed: '締切',
  unknown: '期間不明',
};

export const sortLabels: Record<string, string> = { relevance: '関連度', newest: '新着順', deadline: '締切が近い順' };

export type FacetName = 'kind' | 'status' | 'ministry' | 'region' | 'prefecture' | 'field';

export const facetTitles: Record<FacetName, string> = {
  kind: '種類',
  status: '募集状況',
  ministry: '府省・機関',
  region: '地域ブロック',
  prefecture: '都道府県',
  field: '分野',
};

/** The label of one facet value, falling back to the code. */
export function facetLabel(facet: FacetName, value: string): string {
  switch (facet) {
    case 'kind':
      return kindLabels[value] ?? value;
    case 'status':
      return statusLabels[value] ?? value;
    case 'ministry':
      return ministryByCode(value)?.name ?? value;
    case 'region':
      return regions.find((r) => r.code === value)?.label ?? value;
    case 'prefecture':
      return prefectures.find((p) => p.code === value)?.name ?? value;
    case 'field':
      return fieldByCode(value)?.label ?? value;
  }
}

export const changeFieldLabels: Record<string, string> = {
  title: 'タイトル',
  summary: '概要',
  bodyText: '本文',
  url: 'URL',
  publisher: '発行元',
  opensAt: '受付開始',
  closesAt: '締切',
  publishedAt: '公開日',
  budget: '予算',
  eligibility: '応募資格',
  prefectures: '都道府県',
  regions: '地域',
  fields: '分野',
  requiresRegistration: '事前登録',
  withdrawnAt: '掲載終了',
};

export const sourceKindLabels: Record<string, string> = {
  feed: 'フィード (RSS/Atom)',
  'html-list': 'HTML一覧',
  json: 'JSON API',
};
