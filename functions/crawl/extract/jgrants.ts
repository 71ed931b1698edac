import * as z from 'zod';
import type { JgrantsSource } from '../../../shared/domain/source.js';
import { tokyoIso } from './feed.js';
import { ExtractionError } from '../../../shared/errors.js';
import type { ExtractedItem, SourceField } from './extracted-item.js';

/** A text field of the API, which sends null (or leaves the field out) where it has no value. */
const ApiTextSchema = z.string().nullish();

/**
 * jGrants public API (デジタル庁, https://api.jgrants-portal.go.jp/exp/v1/public). The list
 * answers every match at once (no paging) with a handful of fields; the detail adds the
 * description (HTML), target area detail and subsidy rate but also base64 attachments of
 * several MB, so it is fetched only for ids that are new or whose list fields changed.
 * Responses are parsed with zod (loose: the API may add fields). Attribution: Jグランツ.
 */
export const JgrantsListEntrySchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  title: z.string().min(1),
  target_area_search: ApiTextSchema,
  subsidy_max_limit: z.number().nullish(),
  acceptance_start_datetime: ApiTextSchema,
  acceptance_end_datetime: ApiTextSchema,
  target_number_of_employees: ApiTextSchema,
});
export type JgrantsListEntry = z.infer<typeof JgrantsListEntrySchema>;

const ListSchema = z.object({ result: z.array(z.unknown()).default([]) });

const DetailSchema = z.object({
  result: z
    .array(
      z.object({
        id: z.string(),
        title: z.string().optional(),
        subsidy_catch_phrase: ApiTextSchema,
        detail: ApiTextSchema,
        target_area_detail: ApiTextSchema,
        subsidy_rate: ApiTextSchema,
        use_purpose: ApiTextSchema,
        industry: ApiTextSchema,
        front_subsidy_detail_page_url: ApiTextSchema,
      }),
    )
    .min(1),
});
export type JgrantsDetail = z.infer<typeof DetailSchema>['result'][number];

/** List URL for one keyword. */
export function jgrantsListUrl(source: JgrantsSource, keyword: string): string {
  const p = source.params;
  const query = new URLSearchParams({ keyword, sort: p.sort, order: p.order, acceptance: p.acceptance });
  if (p.targetAreaSearch) query.set('target_area_search', p.targetAreaSearch);
  return `${source.url.replace(/\/$/, '')}${p.listPath}?${query}`;
}

export function jgrantsDetailUrl(source: JgrantsSource, id: string): string {
  return `${source.url.replace(/\/$/, '')}${source.params.detailPath.replace('{id}', encodeURIComponent(id))}`;
}

/**
 * Entries of a list response. Entries that do not match the expected shape are returned in
 * `invalid` (counted on the crawl run), the rest are kept. Throws `ExtractionError` when the body
 * is not a jGrants list at all.
 */
export function parseJgrantsList(body: string): { entries: JgrantsListEntry[]; invalid: number } {
  const list = ListSchema.safeParse(parseJson(body, 'jGrants list'));
  if (!list.success) throw new ExtractionError(`jGrants list has no "result" array: ${list.error.issues[0]?.message}`);
  const entries: JgrantsListEntry[] = [];
  let invalid = 0;
  for (const raw of list.data.result) {
    const entry = JgrantsListEntrySchema.safeParse(raw);
    if (entry.success) entries.push(entry.data);
    else invalid += 1;
  }
  return { entries, invalid };
}

export function parseJgrantsDetail(body: string): JgrantsDetail {
  const detail = DetailSchema.safeParse(parseJson(body, 'jGrants detail'));
  if (!detail.success) throw new ExtractionError('jGrants detail has no result entry');
  return detail.data.result[0] as JgrantsDetail;
}

/** `body` as JSON; an `ExtractionError` saying that `what` is not JSON when it does not parse. */
function parseJson(body: string, what: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new ExtractionError(`${what} is not JSON`);
  }
}

function stripHtml(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<br\s*\/?>|<\/p>|<\/li>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

/** One subsidy as an extracted item; `detail` when it was fetched this run. */
export function jgrantsItem(source: JgrantsSource, entry: JgrantsListEntry, detail?: JgrantsDetail): ExtractedItem {
  const limit = entry.subsidy_max_limit ?? undefined;
  const body = detail?.detail ? stripHtml(detail.detail) : undefined;
  return {
    title: entry.title,
    // The item URL comes from the list entry's id alone, never from the detail's
    // front_subsidy_detail_page_url: the URL is the item's identity, and an entry saved without its
    // detail (beyond the run's detail cap, or out of time) must have the id it gets with it.
    url: source.params.itemUrl.replace('{id}', encodeURIComponent(entry.id)),
    opensAt: tokyoIso(entry.acceptance_start_datetime ?? undefined),
    closesAt: tokyoIso(entry.acceptance_end_datetime ?? undefined),
    budgetText: limit ? `補助上限額 ${limit.toLocaleString('ja-JP')}円` : undefined,
    budgetYen: limit ?? undefined,
    areaText: [entry.target_area_search, detail?.target_area_detail].filter(Boolean).join(' ') || undefined,
    summary: detail?.subsidy_catch_phrase ?? undefined,
    bodyText: body,
    eligibility: entry.target_number_of_employees ? `従業員数: ${entry.target_number_of_employees}` : undefined,
    metadata: jgrantsFields(entry, detail),
    kindHint: 'call',
    externalId: entry.id,
  };
}

/** The entry's and detail's fields about applicants and money, under jGrants' own labels. */
function jgrantsFields(entry: JgrantsListEntry, detail: JgrantsDetail | undefined): SourceField[] | undefined {
  const fields: [string, string | null | undefined][] = [
    ['従業員数', entry.target_number_of_employees],
    ['補助上限額', entry.subsidy_max_limit ? `${entry.subsidy_max_limit.toLocaleString('ja-JP')}円` : undefined],
    ['補助率', detail?.subsidy_rate],
    ['業種', detail?.industry],
    ['利用目的', detail?.use_purpose],
  ];
  const out = fields.flatMap(([label, value]) => (value ? [{ label, value }] : []));
  return out.length > 0 ? out : undefined;
}
