import * as z from 'zod';
import { ItemKindSchema } from '../../../shared/domain/item.js';

/** One field of a source's record: `{ label: '従業員数', value: '300名以下' }`. */
const SourceFieldSchema = z.object({ label: z.string(), value: z.string() });
export type SourceField = Readonly<z.infer<typeof SourceFieldSchema>>;

/** What an extractor may or may not find of an entry besides its title and link. */
const ExtractedFactsSchema = z
  .object({
    /** ISO instant with offset, from a feed (`dc:date`, `updated`, `pubDate`). */
    publishedAt: z.string(),
    /** A date as printed on a list page: `2026年8月17日`, `8月19日`, `令和8年11月1日`. */
    dateText: z.string(),
    /** The heading that gives a year-less `dateText` its year and month: `令和8年8月分`. */
    dateContext: z.string(),
    /** An application period as printed: `令和8年11月1日（日）～令和8年12月15日（火）17時`. */
    periodText: z.string(),
    summary: z.string(),
    /** Machine dates of the application period (APIs). */
    opensAt: z.string(),
    closesAt: z.string(),
    budgetText: z.string(),
    budgetYen: z.number(),
    eligibility: z.string(),
    /** Prefecture names or codes the entry declares (J-Net21 `dc:coverage`, jGrants target area). */
    areaText: z.string(),
    /** Text the kind, prefectures and fields are also read from (detail page body, API detail). */
    bodyText: z.string(),
    kindHint: ItemKindSchema,
    /**
     * A source's own fields about who may apply and how much (jGrants 従業員数, 業種, 利用目的,
     * 補助上限額, 補助率), label and value as the source gives them.
     */
    metadata: z.array(SourceFieldSchema),
    /** Key an adapter uses to decide whether a detail fetch is needed (jGrants id). */
    externalId: z.string(),
  })
  .partial();

/**
 * One entry as an extractor read it, before normalisation: text as printed (whitespace not yet
 * cleaned), the link made absolute, and dates either machine-readable (`publishedAt`, from a
 * feed) or as printed (`dateText`, with `dateContext` for list pages whose year and month stand
 * in a heading such as 令和8年8月分). `toDraft` turns it into an `ItemDraft`. The schema reads one
 * back from JSON (the detail queue a crawl continuation carries).
 */
export const ExtractedItemSchema = z.object({
  title: z.string(),
  /** Absolute URL (resolved against the page's final URL). */
  url: z.string(),
  ...ExtractedFactsSchema.shape,
});
export type ExtractedItem = Readonly<z.infer<typeof ExtractedItemSchema>>;

/**
 * Why an entry of a page never became an item. Extractors report `no-title`, `no-link`,
 * `non-http-link` and `empty` (neither a title nor a link: a table's header row, a spacer); the
 * run adds the rest (`keywords`: the source's keyword rules filtered it out; `duplicate`: the
 * same link earlier in the listing; `invalid`: the draft failed the Item schema).
 */
export type DropReason = 'no-title' | 'no-link' | 'non-http-link' | 'empty' | 'keywords' | 'duplicate' | 'invalid';

/** One entry that was dropped, with what could be read of it (for the quality report's examples). */
export interface DroppedEntry {
  readonly reason: DropReason;
  readonly title?: string;
  /** The link as printed (possibly relative, empty or `javascript:`). */
  readonly link?: string;
  /** Extra words for the operator (the schema issue of an `invalid` draft). */
  readonly detail?: string;
}

/** What one page gave: its entries and, for paginated lists, the next page. */
export interface ExtractedPage {
  readonly items: ExtractedItem[];
  /** Entries the extractor saw but could not turn into items (no title, no or non-http link). */
  readonly dropped?: readonly DroppedEntry[];
  readonly nextPageUrl?: string;
  /** Feed dialect, for the operator's eyes. */
  readonly format?: 'rss1' | 'rss2' | 'atom' | 'html' | 'json';
}
