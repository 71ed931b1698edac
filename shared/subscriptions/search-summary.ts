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
export function summariseSearch(query: DescribedQuery): ConfirmationSearch {
  const keyword = query.text ? keywordLabel(query.text) : '';
  const filters = truncate(describeSearch({ ...query, text: undefined }, 'すべての公募'), maxFiltersChars);
  return keyword ? { keyword, filters } : { filters };
}
