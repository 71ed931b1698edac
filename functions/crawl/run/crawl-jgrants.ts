import type { UrlState } from '../../../shared/domain/crawl-run.js';
import { itemIdFor, type ItemDraft } from '../../../shared/domain/item.js';
import { carryForward, listFieldsChanged } from '../../../shared/domain/item-merge.js';
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
import { passesKeywords, toDraft } from './to-draft.js';
import { canonicalUrl } from '../fetch/urls.js';
import { assessQuality, mergeQualityReports, sliceReport } from './quality.js';
import type { JgrantsCursor } from './crawl-continuation.js';
import { hashOf, stateOf, type SourceCrawl } from './source-crawl.js';

/**
 * Reads each keyword's list, then the detail of each subsidy that is new, whose list fields
 * changed, or whose detail was never read (no URL state for it: an earlier run left it to the
 * cap or the clock). At most `params.detailFetchLimit` details per run; the rest are saved
 * from their list entry and their lists' validators are not kept, so the next run reads the
 * lists again and fetches those details.
 */
export async function crawlJgrants(
  crawl: SourceCrawl,
  source: JgrantsSource,
  resume: JgrantsCursor | undefined,
): Promise<{ newest?: string; firstFailed: boolean }> {
  const { store } = crawl.deps;
  const states: UrlState[] = [...(resume?.states ?? [])];
  const drafts: ItemDraft[] = [];
  const dropped: DroppedEntry[] = [];
  const seen = new Set<string>(resume?.seen ?? []);
  let anyRead = resume?.anyRead ?? false;
  let anyExtracted = false;
  let detailsLeft = resume?.detailsLeft ?? false;
  let newest: string | undefined;
  /** The detail queue: entries listed but not yet drafted. */
  const queue: JgrantsListEntry[] = [...(resume?.pending ?? [])];
  let keywordIndex = resume?.keywordIndex ?? 0;
  let stopped = false;

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const entry = queue[0] as JgrantsListEntry;
      const bare = jgrantsItem(source, entry);
      const id = itemIdFor(canonicalUrl(bare.url, { https: source.canonicalHttps }));
      const stored = await store.get(id);
      const detailUrl = jgrantsDetailUrl(source, entry.id);
      let detail: JgrantsDetail | undefined;
      // Detail only for new or changed ids, or one never read: its attachments make it heavy.
      if (!stored || listFieldsChanged(stored, bare) || !(await store.getUrlState(detailUrl))) {
        if (crawl.detailFetches >= source.params.detailFetchLimit) detailsLeft = true;
        else {
          const verdict = crawl.timeVerdict();
          if (verdict === 'stop') {
            stopped = true;
            return;
          }
          if (verdict === 'skip') detailsLeft = true;
          else {
            crawl.detailFetches += 1;
            const detailResult = await crawl.fetch(detailUrl, undefined);
            if (detailResult?.status === 'ok') {
              try {
                detail = parseJgrantsDetail(detailResult.text);
                crawl.pendingStates.push(stateOf(detailResult, crawl.seenAt));
              } catch (error) {
                crawl.recordError(detailUrl, error);
              }
            }
          }
        }
      }
      queue.shift();
      const outcome = toDraft(jgrantsItem(source, entry, detail), {
        source,
        seenAt: crawl.seenAt,
        refDate: crawl.started,
      });
      if (!outcome.ok) {
        dropped.push({ reason: 'invalid', title: entry.title, link: outcome.url, detail: outcome.reason });
        continue;
      }
      drafts.push(detail ? outcome.draft : carryForward(outcome.draft, stored, { detailRead: false }));
    }
  };

  await drain();
  for (; !stopped && keywordIndex < source.params.keywords.length; keywordIndex++) {
    const keyword = source.params.keywords[keywordIndex] as string;
    const url = jgrantsListUrl(source, keyword);
    const verdict = crawl.timeVerdict();
    if (verdict === 'stop') {
      stopped = true;
      break;
    }
    if (verdict === 'skip') break;
    const state = await store.getUrlState(url);
    const result = await crawl.fetch(url, state);
    if (!result) continue;
    anyRead = true;
    if (result.status === 'not-modified' || (state?.bodyHash && state.bodyHash === hashOf(result.body))) {
      crawl.unchangedListing(state);
      continue;
    }
    let entries;
    try {
      const parsed = parseJgrantsList(result.text);
      entries = parsed.entries;
      for (let i = 0; i < parsed.invalid; i++) dropped.push({ reason: 'invalid', detail: 'not a jGrants list entry' });
    } catch (error) {
      crawl.recordError(url, error);
      continue;
    }
    anyExtracted = true;
    const listed = new Set<string>();
    for (const entry of entries) {
      if (seen.has(entry.id)) continue;
      if (!passesKeywords(source, entry.title)) {
        dropped.push({ reason: 'keywords', title: entry.title });
        continue;
      }
      seen.add(entry.id);
      listed.add(itemIdFor(canonicalUrl(jgrantsItem(source, entry).url, { https: source.canonicalHttps })));
      queue.push(entry);
    }
    states.push({ ...stateOf(result, crawl.seenAt), itemIds: [...listed] });
    await drain();
    if (stopped) {
      keywordIndex += 1; // this keyword's list is read; its entries wait in the queue
      break;
    }
  }
  for (const d of drafts) if (d.publishedAt && (!newest || d.publishedAt > newest)) newest = d.publishedAt;
  if (!anyRead && !stopped) return { firstFailed: true };
  const sliced = crawl.deps.resume !== undefined || stopped;
  if (anyExtracted || drafts.length > 0) {
    const readAll = !sliced && states.length === source.params.keywords.length;
    const report = assessQuality({
      source,
      drafts,
      dropped,
      unreadableDates: 0,
      pageUrls: states.map((s) => s.url),
      // Only a run that re-read every keyword's list compares its count with earlier runs.
      ...(readAll ? { recentItemCounts: crawl.recentItemCounts } : {}),
    });
    const judged = sliced ? sliceReport(report) : report;
    crawl.quality = sliced ? mergeQualityReports(crawl.quality, judged) : judged;
    crawl.countDropped(dropped);
    if (!judged.passed) return { firstFailed: false };
  }
  await crawl.upsertDrafts(drafts);
  for (const state of crawl.pendingStates) await store.putUrlState(state);
  if (states.length < source.params.keywords.length && !stopped) crawl.countComparable = false;
  if (stopped) {
    crawl.cursor = { kind: 'jgrants', keywordIndex, pending: queue, seen: [...seen], states, anyRead, detailsLeft };
    return { ...(newest ? { newest } : {}), firstFailed: false };
  }
  for (const state of states) {
    const previous = await store.getUrlState(state.url);
    await crawl.withdrawVanished(previous, new Set(state.itemIds ?? []), seen);
    // Lists with entries left without detail keep no validators: the next run reads them again.
    await store.putUrlState(detailsLeft ? { url: state.url, fetchedAt: state.fetchedAt, ...idsOf(state) } : state);
  }
  return { ...(newest ? { newest } : {}), firstFailed: false };
}

/** The URL state's listed ids, if it has any. */
function idsOf(state: UrlState): { itemIds?: string[] } {
  return state.itemIds ? { itemIds: state.itemIds } : {};
}
