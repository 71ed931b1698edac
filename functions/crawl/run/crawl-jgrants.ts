import { itemIdFor, type ItemDraft } from '../../../shared/domain/item.js';
import { listFieldsChanged } from '../../../shared/domain/item-merge.js';
import type { JgrantsSource } from '../../../shared/domain/source.js';
import type { DroppedEntry } from '../extract/extracted-item.js';
import {
  jgrantsDetailUrl,
  jgrantsItem,
  jgrantsListUrl,
  parseJgrantsDetail,
  parseJgrantsList,
  type JgrantsDetail,
  type JgrantsListEntry,
} from '../extract/jgrants.js';
import { canonicalUrl } from '../fetch/urls.js';
import { assessQuality } from './quality.js';
import type { CrawlVariant } from './crawl-run-loop.js';
import type { SourceCrawl } from './source-crawl.js';
import { passesKeywords, toDraft } from './to-draft.js';

type JgrantsList = ReturnType<typeof parseJgrantsList>;

/**
 * The jGrants API as a crawl variant: one independent list per keyword, then the detail of each
 * subsidy that is new, whose list fields changed, or whose detail was never read (its attachments
 * make it heavy). At most `params.detailFetchLimit` details per run.
 */
export function jgrantsVariant(
  crawl: SourceCrawl,
  source: JgrantsSource,
): CrawlVariant<JgrantsListEntry, JgrantsList, JgrantsDetail> {
  const { store } = crawl.deps;
  const { keywords } = source.params;
  const listUrl = (index: number) => jgrantsListUrl(source, keywords[index] as string);
  const idOf = (entry: JgrantsListEntry) =>
    itemIdFor(canonicalUrl(jgrantsItem(source, entry).url, { https: source.canonicalHttps }));
  const draftAll = (
    entries: readonly JgrantsListEntry[],
    detailOf: (e: JgrantsListEntry) => JgrantsDetail | undefined,
  ) => {
    const drafts: ItemDraft[] = [];
    const dropped: DroppedEntry[] = [];
    for (const entry of entries) {
      const outcome = toDraft(jgrantsItem(source, entry, detailOf(entry)), {
        source,
        seenAt: crawl.seenAt,
        refDate: crawl.started,
      });
      if (outcome.ok) drafts.push(outcome.draft);
      else dropped.push({ reason: 'invalid', title: entry.title, link: outcome.url, detail: outcome.reason });
    }
    return { drafts, dropped };
  };
  return {
    kind: 'jgrants',
    chained: false,
    firstUrl: listUrl(0),
    after: (list) =>
      list.index + 1 < keywords.length ? { index: list.index + 1, url: listUrl(list.index + 1) } : 'end',
    parse: (result) => parseJgrantsList(result.text),
    gate(pages, { pageUrls, recentItemCounts, listedBefore }) {
      const dropped: DroppedEntry[] = [];
      const kept: JgrantsListEntry[] = [];
      const listedIds = new Set<string>();
      const idsByPage = pages.map((page) => {
        for (let i = 0; i < page.invalid; i++) dropped.push({ reason: 'invalid', detail: 'not a jGrants list entry' });
        const ids: string[] = [];
        for (const entry of page.entries) {
          const id = idOf(entry);
          if (listedBefore.has(id) || listedIds.has(id)) continue;
          if (!passesKeywords(source, entry.title)) {
            dropped.push({ reason: 'keywords', title: entry.title });
            continue;
          }
          listedIds.add(id);
          ids.push(id);
          kept.push(entry);
        }
        return ids;
      });
      const judged = (detailOf: (e: JgrantsListEntry) => JgrantsDetail | undefined) => {
        const drafted = draftAll(kept, detailOf);
        const report = assessQuality({
          source,
          drafts: drafted.drafts,
          dropped: [...dropped, ...drafted.dropped],
          unreadableDates: 0,
          pageUrls,
          ...(recentItemCounts ? { recentItemCounts } : {}),
        });
        return { drafts: drafted.drafts, dropped: drafted.dropped, report };
      };
      const listOnly = judged(() => undefined);
      return {
        report: listOnly.report,
        dropped: [...dropped, ...listOnly.dropped],
        listedIds,
        idsByPage,
        candidates: kept,
        draft: (detailOf) => {
          const withDetails = judged(detailOf);
          return { drafts: withDetails.drafts, report: withDetails.report };
        },
      };
    },
    draftCarried: (entries, detailOf) => draftAll(entries, detailOf).drafts,
    itemUrl: (entry) => jgrantsItem(source, entry).url,
    detail: {
      cap: source.params.detailFetchLimit,
      url: (entry) => jgrantsDetailUrl(source, entry.id),
      async need(entry, state) {
        if (!state) return 'must';
        const bare = jgrantsItem(source, entry);
        const stored = await store.get(idOf(entry));
        return !stored || listFieldsChanged(stored, bare) ? 'must' : 'skip';
      },
      parse: (result) => parseJgrantsDetail(result.text),
    },
    cursorOf: (cursor) => ({ kind: 'jgrants', ...cursor, pending: [...cursor.pending] }),
  };
}
