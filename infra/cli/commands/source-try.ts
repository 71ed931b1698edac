/**
 * `chiiki source try --config FILE --input SAVED_PAGE [--url ORIGINAL_URL] [--ref-date YYYY-MM-DD]`:
 * runs one source definition against a saved page, feed or API response, without touching the
 * site, exactly as a crawl would (keyword rules, dedupe, validation, the quality gate; detail
 * pages are not fetched), and prints the items a crawl would publish as JSON lines (id, kind,
 * title, url, publishedAt, opensAt, closesAt, prefectures). Items that fail the Item schema, a
 * summary (count, newest date, stale or not as of the reference date) and the quality report go
 * to stderr. This is how an operator develops a new definition. `--config` may hold one source
 * or a registry (with `--source ID` to pick one). The page is decoded as the crawler would
 * (override, BOM, declaration, detection).
 * Exit 2 on bad arguments or an invalid definition, 1 when the page cannot be read, 3 when the
 * run fails its quality gate (a crawl would publish nothing from this page).
 */
import { readFileSync } from 'node:fs';
import { decodeBody } from '../../../functions/crawl/fetch/charset.js';
import { extractPage } from '../../../functions/crawl/extract/extract-page.js';
import { loadRegistry, parseSourceDefinition } from '../../../shared/sources/registry.js';
import { isStale } from '../../../shared/sources/source-health.js';
import { extractListing } from '../../../functions/crawl/run/listing.js';
import { formatQualityReport } from '../../../functions/crawl/run/quality.js';
import type { QualityReport } from '../../../shared/domain/crawl-run.js';
import { itemIdFor, type ItemDraft, type ItemId } from '../../../shared/domain/item.js';
import type { Source } from '../../../shared/domain/source.js';
import { InvalidInputError } from '../../../shared/errors.js';
import { referenceDay, formatIsoDate } from '../../../shared/ja/calendar.js';
import { badInput } from '../usage.js';

export const usage =
  'usage: chiiki source try --config FILE --input SAVED_PAGE [--url ORIGINAL_URL] [--ref-date YYYY-MM-DD] [--source ID]';

const fail = (message: string): number => badInput('source try', usage, message);

/** One extracted item as `source try` prints it: its id and the draft's fields an operator checks. */
export type TriedItem = { readonly id: ItemId } & Readonly<
  Pick<ItemDraft, 'kind' | 'title' | 'url' | 'publishedAt' | 'opensAt' | 'closesAt' | 'prefectures'>
>;

export interface TryResult {
  readonly items: TriedItem[];
  readonly invalid: { url: string; reason: string }[];
  readonly newestItemAt?: string;
  readonly stale: boolean;
  readonly charset: string;
  /** The quality report and gate verdict a crawl of this page would record. */
  readonly report: QualityReport;
}

/**
 * Extracts items from saved bytes with a definition exactly as a crawl would (keyword rules,
 * dedupe, validation and the quality gate; detail pages are not fetched), without writing.
 * `url` is the page's original URL (relative links resolve against it; default: the definition's
 * URL); `refDate` stands for the crawl day (year-less dates, staleness).
 */
export function trySource(source: Source, body: Uint8Array, options: { url?: string; refDate: string }): TryResult {
  const url = options.url ?? source.url;
  const decoded = decodeBody(body, { url, ...(source.charset ? { override: source.charset } : {}) });
  const page = extractPage(source, decoded.text, url);
  const seenAt = new Date(`${options.refDate}T12:00:00+09:00`).toISOString();
  const listing = extractListing([page], { source, seenAt, refDate: options.refDate, pageUrls: [url] });
  const items: TriedItem[] = listing.drafts.map((d) => ({
    id: itemIdFor(d.canonicalUrl),
    kind: d.kind,
    title: d.title,
    url: d.url,
    ...(d.publishedAt ? { publishedAt: d.publishedAt } : {}),
    ...(d.opensAt ? { opensAt: d.opensAt } : {}),
    ...(d.closesAt ? { closesAt: d.closesAt } : {}),
    prefectures: d.prefectures,
  }));
  const invalid = listing.dropped
    .filter((d) => d.reason === 'invalid')
    .map((d) => ({ url: d.link ?? '', reason: d.detail ?? 'invalid' }));
  const now = new Date(`${options.refDate}T23:59:59+09:00`);
  return {
    items,
    invalid,
    ...(listing.newest ? { newestItemAt: listing.newest } : {}),
    stale: isStale(listing.newest, source.expectedCadenceDays, now),
    charset: `${decoded.charset} (${decoded.charsetSource})`,
    report: listing.report,
  };
}

export async function run(args: string[]): Promise<number> {
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(0, eq) : arg;
    if (!['--config', '--input', '--url', '--ref-date', '--source'].includes(key))
      return fail(`unknown option "${arg}"`);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') return fail(`${key} needs a value`);
    opts[key.slice(2)] = value;
  }
  if (!opts['config']) return fail('missing --config FILE (a source definition or a registry)');
  if (!opts['input']) return fail('missing --input SAVED_PAGE');
  let refDate: string;
  try {
    refDate = formatIsoDate(referenceDay(opts['ref-date'] ?? new Date()));
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }

  let source: Source;
  try {
    const text = readFileSync(opts['config'], 'utf8');
    if (opts['source']) {
      const found = loadRegistry(opts['config'], { sampleHost: 'localhost:4010' }).sources.find(
        (s) => s.id === opts['source'],
      );
      if (!found) return fail(`no source "${opts['source']}" in ${opts['config']}`);
      source = found;
    } else {
      source = parseSourceDefinition(text, { sampleHost: 'localhost:4010' });
    }
  } catch (error) {
    if (error instanceof InvalidInputError) return fail(`invalid definition: ${error.message}`);
    return fail(error instanceof Error ? error.message : String(error));
  }

  let body: Buffer;
  try {
    body = readFileSync(opts['input']);
  } catch (error) {
    console.error(
      `chiiki source try: cannot read ${opts['input']}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  try {
    const result = trySource(source, body, { ...(opts['url'] ? { url: opts['url'] } : {}), refDate });
    for (const item of result.items) console.log(JSON.stringify(item));
    for (const bad of result.invalid) console.error(`invalid: ${bad.url}: ${bad.reason}`);
    console.error(
      `${source.id}: ${result.items.length} items, ${result.invalid.length} invalid, charset ${result.charset}` +
        (result.newestItemAt ? `, newest ${result.newestItemAt}` : '') +
        (result.stale
          ? ` — STALE as of ${refDate} (expected a new item every ${source.expectedCadenceDays} days)`
          : ''),
    );
    for (const line of formatQualityReport(result.report)) console.error(line);
    if (!result.report.passed) {
      console.error(`${source.id}: a crawl would publish nothing from this page (the run would be recorded suspect)`);
      return 3;
    }
    return 0;
  } catch (error) {
    console.error(`chiiki source try: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return 1;
  }
}
