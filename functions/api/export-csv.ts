import type { SearchHit, SearchIndex } from '../../shared/search/search-index.js';
import { maxPageSize } from '../../shared/search/query.js';
import { exportRowCap } from './schemas.js';
import { parseSearchParams, type RawQuery } from './search-params.js';

/** Column names, in order; the README documents them. */
export const csvColumns = [
  'id',
  'kind',
  'status',
  'title',
  'publisher',
  'ministry',
  'prefectures',
  'regions',
  'fields',
  'publishedAt',
  'opensAt',
  'closesAt',
  'updatedAt',
  'url',
] as const;

export interface CsvExport {
  /** UTF-8 text starting with a BOM (so Excel reads Japanese correctly), CRLF line ends. */
  readonly csv: string;
  readonly rows: number;
  /** More hits existed than `exportRowCap`. */
  readonly truncated: boolean;
}

/**
 * GET /v1/export.csv: every hit of the search (same parameters as /v1/search), following
 * cursors up to `exportRowCap` rows. `size` and `cursor` are accepted and ignored for paging.
 */
export async function exportCsv(deps: { search: SearchIndex }, raw: RawQuery): Promise<CsvExport> {
  const query = parseSearchParams(raw);
  const lines = [csvColumns.join(',')];
  let cursor = query.cursor;
  let truncated = false;
  pages: for (;;) {
    const page = await deps.search.search({ ...query, size: maxPageSize, ...(cursor ? { cursor } : {}) });
    for (const hit of page.items) {
      if (lines.length - 1 >= exportRowCap) {
        truncated = true;
        break pages;
      }
      lines.push(csvRow(hit));
    }
    if (!page.nextCursor || page.items.length === 0) break;
    cursor = page.nextCursor;
  }
  return { csv: '\uFEFF' + lines.join('\r\n') + '\r\n', rows: lines.length - 1, truncated };
}

function csvRow(hit: SearchHit): string {
  const d = hit.doc;
  const values: Record<(typeof csvColumns)[number], string> = {
    id: d.id,
    kind: d.kind,
    status: hit.status,
    title: d.title,
    publisher: d.publisher,
    ministry: d.ministry ?? '',
    prefectures: d.prefectures.join(';'),
    regions: d.regions.join(';'),
    fields: d.fields.join(';'),
    publishedAt: d.publishedAt ?? '',
    opensAt: d.opensAt ?? '',
    closesAt: d.closesAt ?? '',
    updatedAt: d.updatedAt,
    url: d.url,
  };
  return csvColumns.map((column) => csvCell(values[column])).join(',');
}

/**
 * One RFC 4180 field: quoted when it holds a comma, quote, CR or LF (quotes doubled). A cell a
 * spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab, CR) gets a leading `'`.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
