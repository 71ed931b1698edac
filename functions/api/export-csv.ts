import { InvalidInputError, type Issue } from '../../shared/errors.js';
import { parseInput } from '../../shared/parse-input.js';
import { applicantLabel } from '../../shared/domain/applicant.js';
import type { SearchHit, SearchIndex } from '../../shared/search/search-index.js';
import { forecastWords } from '../../shared/subscriptions/search-summary.js';
import { maxPageSize, type SearchQuery } from '../../shared/search/query.js';
import { facetLabel, facetTitles, itemFieldLabels, type FacetName } from '../../shared/taxonomy/labels.js';
import { prefectureBy } from '../../shared/taxonomy/prefectures.js';
import { exportParamNames, ExportParamsSchema, exportRowCap, type ExportParams } from './schemas.js';
import { parseSearchParams, type RawQuery } from './search-params.js';

/**
 * The CSV export. By default (`labels=ja`) the header and the kind, status, ministry, prefecture,
 * region and field cells are Japanese words from the one vocabulary (shared/taxonomy/labels.ts),
 * and the codes follow in extra `…コード` columns; `labels=codes` writes only the code columns
 * under English headers. Several values in one cell are joined with `、` (words) or `;` (codes).
 *
 * Every cell is text a spreadsheet keeps as text: prefecture codes are written in their ISO 3166-2
 * form (`JP-01`, which the API also accepts), because Excel reads a bare `01` as the number 1;
 * ids, ministry, region and field codes and ISO times are never numbers; and a cell that
 * would run as a formula gets a leading `'` (see `csvCell`), the new columns' cells too (who may
 * apply, the ceiling in whole yen, the next round's forecast with its 「見込み」 text). The subsidy
 * rate (補助率) is on the item (`GET /v1/items/{id}`), not on the search document, so the export has
 * no column for it.
 */

interface Column {
  /** Header under `labels=ja`; `undefined` when the column is written only under `labels=codes`. */
  readonly ja?: string;
  /** Header under `labels=codes`; `undefined` when the column is written only under `labels=ja`. */
  readonly code?: string;
  readonly value: (hit: SearchHit) => string;
}

const words = (facet: FacetName, codes: readonly string[]) => codes.map((c) => facetLabel(facet, c)).join('、');
const prefectureCodes = (codes: readonly string[]) => codes.map((c) => prefectureBy(c)?.iso ?? c).join(';');

const columns: readonly Column[] = [
  { ja: 'ID', code: 'id', value: (h) => h.doc.id },
  { ja: facetTitles.kind, value: (h) => facetLabel('kind', h.doc.kind) },
  { ja: facetTitles.status, value: (h) => facetLabel('status', h.status) },
  { code: 'kind', value: (h) => h.doc.kind },
  { code: 'status', value: (h) => h.status },
  { ja: itemFieldLabels.title, code: 'title', value: (h) => h.doc.title },
  { ja: itemFieldLabels.publisher, code: 'publisher', value: (h) => h.doc.publisher },
  { ja: facetTitles.ministry, value: (h) => (h.doc.ministry ? facetLabel('ministry', h.doc.ministry) : '') },
  { ja: facetTitles.prefecture, value: (h) => words('prefecture', h.doc.prefectures) },
  { ja: facetTitles.region, value: (h) => words('region', h.doc.regions) },
  { ja: facetTitles.field, value: (h) => words('field', h.doc.fields) },
  { code: 'ministry', value: (h) => h.doc.ministry ?? '' },
  { code: 'prefectures', value: (h) => prefectureCodes(h.doc.prefectures) },
  { code: 'regions', value: (h) => h.doc.regions.join(';') },
  { code: 'fields', value: (h) => h.doc.fields.join(';') },
  { ja: itemFieldLabels.publishedAt, code: 'publishedAt', value: (h) => h.doc.publishedAt ?? '' },
  { ja: itemFieldLabels.opensAt, code: 'opensAt', value: (h) => h.doc.opensAt ?? '' },
  { ja: itemFieldLabels.closesAt, code: 'closesAt', value: (h) => h.doc.closesAt ?? '' },
  { ja: itemFieldLabels.updatedAt, code: 'updatedAt', value: (h) => h.doc.updatedAt },
  { ja: 'URL', code: 'url', value: (h) => h.doc.url },
  { ja: `${facetTitles.kind}コード`, value: (h) => h.doc.kind },
  { ja: `${facetTitles.status}コード`, value: (h) => h.status },
  { ja: `${facetTitles.ministry}コード`, value: (h) => h.doc.ministry ?? '' },
  { ja: `${facetTitles.prefecture}コード`, value: (h) => prefectureCodes(h.doc.prefectures) },
  { ja: `${facetTitles.region}コード`, value: (h) => h.doc.regions.join(';') },
  { ja: `${facetTitles.field}コード`, value: (h) => h.doc.fields.join(';') },
  // Added after the first release's columns, so a reader that counts columns keeps working.
  { ja: itemFieldLabels.applicants, value: (h) => h.doc.applicants.map(applicantLabel).join('、') },
  { ja: '上限額（円）', code: 'amountCeiling', value: (h) => h.doc.amountCeiling?.toString() ?? '' },
  { ja: '次回の見込み', value: (h) => (h.doc.forecast ? forecastWords(h.doc.forecast) : '') },
  { ja: `${itemFieldLabels.applicants}コード`, code: 'applicants', value: (h) => h.doc.applicants.join(';') },
  { code: 'forecastOpens', value: (h) => (h.doc.forecast ? windowCode(h.doc.forecast.opens) : '') },
  { code: 'forecastCloses', value: (h) => (h.doc.forecast?.closes ? windowCode(h.doc.forecast.closes) : '') },
  { code: 'forecastText', value: (h) => h.doc.forecast?.text ?? '' },
];

/** A forecast window as an ISO 8601 interval of days, `2027-04-01/2027-04-30`. */
function windowCode(window: { readonly from: string; readonly to: string }): string {
  return `${window.from}/${window.to}`;
}

const jaColumns = columns.filter((c): c is Column & { ja: string } => c.ja !== undefined);
const codeColumns = columns.filter((c): c is Column & { code: string } => c.code !== undefined);

/** Column names of the default export (`labels=ja`), in order; docs/api.md documents them. */
export const csvColumns: readonly string[] = jaColumns.map((c) => c.ja);
/** Column names under `labels=codes`, in order. */
export const csvCodeColumns: readonly string[] = codeColumns.map((c) => c.code);

export interface CsvExport {
  /** UTF-8 text starting with a BOM (so Excel reads Japanese correctly), CRLF line ends. */
  readonly csv: string;
  readonly rows: number;
  /** More hits existed than the rows written (`size`, or `exportRowCap`). */
  readonly truncated: boolean;
}

/**
 * GET /v1/export.csv: the hits of the search (same parameters as /v1/search), following cursors,
 * in the search's order. `size` is the number of rows (1-`exportRowCap`, default all up to
 * `exportRowCap`); `labels` picks words (`ja`, default) or codes. A `cursor` starts the export
 * at that page. Bad parameters of either kind are reported together as one `InvalidInputError`.
 */
export async function exportCsv(deps: { search: SearchIndex }, raw: RawQuery): Promise<CsvExport> {
  const { exportParams, query } = parseExportQuery(raw);
  const limit = exportParams.size ?? exportRowCap;
  const table = tableOf(exportParams.labels);
  const lines = [headerLine(table)];
  let cursor = query.cursor;
  let truncated = false;
  pages: for (;;) {
    const page = await deps.search.search({ ...query, size: maxPageSize, ...(cursor ? { cursor } : {}) });
    for (const hit of page.items) {
      if (lines.length - 1 >= limit) {
        truncated = true;
        break pages;
      }
      lines.push(csvLine(hit, table));
    }
    if (!page.nextCursor || page.items.length === 0) break;
    cursor = page.nextCursor;
  }
  return { csv: '\uFEFF' + lines.join('\r\n') + '\r\n', rows: lines.length - 1, truncated };
}

type Table = readonly (Column & { readonly header: string })[];

/** The columns written under `labels`, each with its header. */
function tableOf(labels: ExportParams['labels']): Table {
  return labels === 'codes'
    ? codeColumns.map((c) => ({ ...c, header: c.code }))
    : jaColumns.map((c) => ({ ...c, header: c.ja }));
}

function headerLine(table: Table): string {
  return table.map((c) => csvCell(c.header)).join(',');
}

/** One row of the export for a hit: each column's cell (`csvCell`), comma-joined, no line end. */
function csvLine(hit: SearchHit, table: Table): string {
  return table.map((column) => csvCell(column.value(hit))).join(',');
}

/**
 * The header and the row of one hit, as the export writes them under `labels` (`ja` or `codes`),
 * CRLF-joined with a final CRLF and no BOM.
 */
export function csvOfHit(hit: SearchHit, labels: ExportParams['labels']): string {
  const table = tableOf(labels);
  return `${headerLine(table)}\r\n${csvLine(hit, table)}\r\n`;
}

/** Splits the export's own parameters from the search parameters and parses both. */
function parseExportQuery(raw: RawQuery): { exportParams: ExportParams; query: SearchQuery } {
  const entries: [string, string][] =
    raw.rawQueryString !== undefined
      ? [...new URLSearchParams(raw.rawQueryString)]
      : Object.entries(raw.queryStringParameters ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k, v]]));
  const own = new Set<string>(exportParamNames);
  const issues: Issue[] = [];
  const collected: Record<string, string> = {};
  for (const [name, value] of entries.filter(([name]) => own.has(name))) {
    if (collected[name] !== undefined)
      issues.push({ path: [name], message: 'given more than once; expected a single value' });
    collected[name] = value;
  }
  const rest = new URLSearchParams(entries.filter(([name]) => !own.has(name))).toString();
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      issues.push(...error.issues.filter((issue) => !issues.some((known) => known.path[0] === issue.path[0])));
      return undefined;
    }
  };
  const exportParams = attempt(() => parseInput(ExportParamsSchema, collected));
  const query = attempt(() => parseSearchParams({ rawQueryString: rest }));
  if (issues.length > 0 || exportParams === undefined || query === undefined) throw new InvalidInputError(issues);
  return { exportParams, query };
}

/**
 * A leading character that makes a spreadsheet run the cell as a formula: `=`, `+`, `-`, `@` in
 * half and full width (`＝`, `＋`, `－`, `＠`, which Excel and LibreOffice fold on input), tab
 * and CR.
 */
const formulaStart = /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\t\r]/;

/**
 * One RFC 4180 field: quoted when it holds a comma, quote, CR or LF (quotes doubled). A cell a
 * spreadsheet would run as a formula (`formulaStart`) gets a leading `'`, which spreadsheets
 * hide, so the cell still reads as the site printed it.
 * @example csvCell('＝HYPERLINK("http://x")') // "'＝HYPERLINK(""http://x"")" quoted
 */
export function csvCell(value: string): string {
  const safe = formulaStart.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
