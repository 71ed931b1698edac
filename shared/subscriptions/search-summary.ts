import { applicantLabel, type ApplicantType } from '../domain/applicant.js';
import type { ConfirmationSearch } from '../mail/render.js';
import { describeSearch, type DescribedQuery } from '../taxonomy/labels.js';

/** Longest keyword a confirmation mail shows, in characters (before the ellipsis). */
export const maxKeywordChars = 20;
/** Longest filter description a confirmation mail shows, in characters (before the ellipsis). */
const maxFiltersChars = 120;

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
}

/**
 * A search's words as a keyword label: NFKC-folded; URLs, addresses and host names
 * (`x://…`, `…@…`, `a.b/…`) dropped; every other character but letters, digits, marks, spaces, `・`
 * and `-` replaced by a space; spaces collapsed; cut to `maxKeywordChars`. Whatever was typed, the
 * result holds no link a mail client could make clickable (no `:`, `/`, `.`, `@`, `<`, no line
 * break) and cannot run on as a message. Empty when nothing is left.
 *
 * @example keywordLabel('重要：リンクから https://evil.example へ') === '重要 リンクから へ'
 */
export function keywordLabel(text: string): string {
  const words = text
    .normalize('NFKC')
    .replace(/[a-z][a-z0-9+.-]*:\/\/\S*/giu, ' ')
    .replace(/\S*@\S*/gu, ' ')
    .replace(/[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+(?:[/?#]\S*)?/gu, ' ')
    .replace(/[^\p{L}\p{N}\p{M}・\- ]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return truncate(words, maxKeywordChars);
}

/**
 * What a confirmation mail shows of a saved search, built from its parsed query, never from the
 * request's text: the keyword label (see `keywordLabel`) and the filters in the taxonomy's words
 * (`describeSearch` without the text), each length-limited. The mail escapes and quotes them.
 *
 * @example summariseSearch({ text: 'クラスター', statuses: ['open'] }) deep-equals { keyword: 'クラスター', filters: '募集中' }
 */
export function summariseSearch(query: DescribedSearchQuery): ConfirmationSearch {
  const keyword = query.text ? keywordLabel(query.text) : '';
  const filters = truncate(describeSearchQuery({ ...query, text: undefined }, 'すべての公募'), maxFiltersChars);
  return keyword ? { keyword, filters } : { filters };
}

/** The reader's word for the `expected` status (公募予定・見込み), the portal's word too. */
const expectedStatusLabel = '公募予定（見込み）';

/** What `describeSearchQuery` puts into words: `describeSearch`'s parts, who may apply and the amount range. */
export interface DescribedSearchQuery extends DescribedQuery {
  readonly applicants?: readonly ApplicantType[];
  readonly amountMin?: number;
  readonly amountMax?: number;
}

/**
 * A yen amount in a reader's words: whole 億 and 万 units where the amount has them, else digits
 * with separators.
 *
 * @example yenWords(30_000_000) === '3,000万円'
 * @example yenWords(120_000_000) === '1億2,000万円'
 * @example yenWords(1_234_567) === '1,234,567円'
 */
export function yenWords(yen: number): string {
  const group = (n: number) => n.toLocaleString('ja-JP');
  if (yen < 10_000 || yen % 10_000 !== 0) return `${group(yen)}円`;
  const oku = Math.floor(yen / 100_000_000);
  const man = (yen % 100_000_000) / 10_000;
  return `${oku > 0 ? `${group(oku)}億` : ''}${man > 0 ? `${group(man)}万` : ''}円`;
}

/**
 * A search in words (`describeSearch`), with the `expected` status as 公募予定（見込み）, who may apply
 * (「大学・高専または中小企業」) and the ceiling range (上限額 100万円以上, 上限額 1億円以下,
 * 上限額 100万円〜1億円) after the other filters.
 *
 * @example describeSearchQuery({ statuses: ['expected'], applicants: ['sme'], amountMin: 1_000_000 }) === '公募予定（見込み）・中小企業・上限額 100万円以上'
 */
export function describeSearchQuery(query: DescribedSearchQuery, empty = 'すべて'): string {
  // describeSearch shows a status it has no label for as given, so the label goes in its place.
  const statuses = query.statuses?.map((status) => (status === 'expected' ? expectedStatusLabel : status));
  const base = describeSearch({ ...query, statuses }, '');
  const { amountMin: min, amountMax: max } = query;
  const parts = [
    base || undefined,
    query.applicants && query.applicants.length > 0 ? query.applicants.map(applicantLabel).join('または') : undefined,
    min !== undefined && max !== undefined
      ? `上限額 ${min === max ? yenWords(min) : `${yenWords(min)}〜${yenWords(max)}`}`
      : min !== undefined
        ? `上限額 ${yenWords(min)}以上`
        : max !== undefined
          ? `上限額 ${yenWords(max)}以下`
          : undefined,
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join('・') : empty;
}

/** A Tokyo-day window of a forecast: `2027-04-01〜2027-04-30ごろ`, or one day `2027-04-15ごろ`. */
function windowWords(window: { readonly from: string; readonly to: string }): string {
  return window.from === window.to ? `${window.from}ごろ` : `${window.from}〜${window.to}ごろ`;
}

/**
 * A forecast of a program's next round in words: the expected windows, each with ごろ, then the
 * forecast's own 「見込み」 sentence with its basis. Callers label it as 見込み; it is never an announcement.
 *
 * @example forecastWords({ opens: { from: '2027-04-01', to: '2027-04-30' }, text: '…の見込み' }) === '受付開始 2027-04-01〜2027-04-30ごろ。…の見込み'
 */
export function forecastWords(forecast: {
  readonly opens: { readonly from: string; readonly to: string };
  readonly closes?: { readonly from: string; readonly to: string };
  readonly text: string;
}): string {
  const closes = forecast.closes ? `、締切 ${windowWords(forecast.closes)}` : '';
  return `受付開始 ${windowWords(forecast.opens)}${closes}。${forecast.text}`;
}
