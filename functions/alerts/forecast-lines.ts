import type { Item, ItemId } from '../../shared/domain/item.js';
import type { Series, SeriesId } from '../../shared/domain/series.js';
import type { Notified, SavedSearch, Subscription } from '../../shared/domain/subscription.js';
import { dayNumber, tokyoPartsOf } from '../../shared/ja/calendar.js';
import type { DigestEntry, DigestForecast } from '../../shared/mail/render.js';
import { searchForecastOf, toSearchDoc, type SearchIndex } from '../../shared/search/search-index.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import type { SeriesStore } from '../../shared/store/series-store.js';
import type { LinkBuilder } from '../../shared/subscriptions/links.js';
import { describeSearchQuery } from '../../shared/subscriptions/search-summary.js';
import { digestKindsOf, ScratchMatches, type DigestQuery } from './scratch-matches.js';

/**
 * Forecast lines of a digest (今後の公募（見込み）): the programs whose next round is forecast
 * (shared/domain/forecast.ts) and whose newest round matches one of the subscriber's saved
 * searches, told once when the expected opening window comes near, and the note on a new call
 * that it is the round such a line forecast.
 *
 * - **When.** A series is told from `forecastLeadDays` days before its expected opening window
 *   starts until the window ends (Tokyo days) while no new round has come: the store lists only
 *   series whose forecast is still `expected`, and a new round makes the next forecast a year
 *   later. Past the window's end a forecast is overdue and no longer told.
 * - **Matching.** The newest rounds go into a scratch index with their forecast (as the search
 *   index holds them) and each distinct saved search runs once against it, with the conditions
 *   on what the program is (words, kind, ministry, area, field, applicants, amount) and without
 *   those on the current round's state and dates (`statuses`, `opens`, `closes`, `published`,
 *   `updated`): those describe a call, and the forecast is of a round not yet announced.
 * - **Once.** What was told is a record in the subscription's `notified` map under
 *   `forecast:<seriesId>:<from>:<to>` (the expected opening window), merged by the same commit
 *   that moves the watermark, so the claim/resend protocol covers it: a resent digest holds the
 *   same lines, and a committed one is never told again. A changed window is a new key, told again
 *   (the old record goes). A line never names its round as announced: 「見込み」 and the basis are
 *   always in it (shared/mail/render.ts `forecastLine`).
 * - **Resolve.** A new call in the digest that is a round of a series the subscriber was told a
 *   forecast of says so (「見込みでお知らせした…の公募が始まりました」), and the records of that
 *   series go. Records of forecasts that never came true go `forecastRecordKeepDays` after their
 *   window ended.
 */

/** Days before a forecast's expected opening window from which a digest tells it. */
export const forecastLeadDays = 30;
/** Days after the expected window's end a told record is kept, so a late round still resolves it. */
const forecastRecordKeepDays = 180;
/** Forecast lines one digest holds at most; the rest, not yet recorded, come in the next one. */
const maxForecastLines = 20;

/** The series store calls the digest uses. */
export type DigestSeriesStore = Pick<SeriesStore, 'listForecasts' | 'seriesIdOf' | 'get'>;

export interface ForecastDeps {
  readonly series: DigestSeriesStore;
  readonly items: Pick<ItemStore, 'get'>;
  /** A new, empty, in-memory index (the embedded engine). */
  readonly scratchIndex: () => SearchIndex;
}

const keyPrefix = 'forecast:';
/** The `notified` value of a told forecast: the item fields of `Notified` do not apply. */
const toldRecord: Notified = { version: 1, remindedDays: [] };

/** The `notified` key of a told forecast: series and expected opening window. */
function forecastKey(seriesId: string, opens: DigestForecast['opens']): string {
  return `${keyPrefix}${seriesId}:${opens.from}:${opens.to}`;
}

/** The series and window end of a `notified` key, `undefined` for an item's key. */
function parseForecastKey(key: string): { seriesId: string; to: string } | undefined {
  const match = /^forecast:([^:]+):\d{4}-\d{2}-\d{2}:(\d{4}-\d{2}-\d{2})$/.exec(key);
  return match?.[1] && match[2] ? { seriesId: match[1], to: match[2] } : undefined;
}

/** Day number of a `YYYY-MM-DD` Tokyo day. */
function dayOf(isoDay: string): number {
  const [year = 0, month = 1, day = 1] = isoDay.split('-').map(Number);
  return dayNumber({ year, month, day });
}

const todayOf = (now: Date): number => dayNumber(tokyoPartsOf(now).date);

/** Whether the series' expected opening window is to be told at `now`. */
function inLeadWindow(series: Series, today: number): boolean {
  if (series.forecast.status !== 'expected') return false;
  const { from, to } = series.forecast.opens;
  return today >= dayOf(from) - forecastLeadDays && today <= dayOf(to);
}

/** A series to tell and its newest round. */
interface Candidate {
  readonly series: Series;
  readonly newest: Item;
  readonly forecast: DigestForecast;
}

/** The search conditions a forecast is matched on: what the program is, not the current round's state. */
function programQuery(search: SavedSearch): DigestQuery {
  const {
    statuses: _statuses,
    opens: _opens,
    closes: _closes,
    published: _published,
    updated: _updated,
    ...program
  } = search.query;
  return { ...program, kinds: digestKindsOf(search) };
}

/**
 * The forecasts of one digest run at its time: the series in their lead window with their newest
 * rounds, read once, matched per distinct saved search once; series memberships and names, read
 * once per item and series.
 */
export class ForecastCandidates {
  private loaded: Promise<{ byItem: Map<ItemId, Candidate>; scratch: ScratchMatches }> | undefined;
  private readonly memberships = new Map<ItemId, Promise<SeriesId | undefined>>();
  private readonly names = new Map<SeriesId, Promise<string | undefined>>();

  constructor(
    private readonly deps: ForecastDeps,
    private readonly now: Date,
  ) {}

  private load() {
    this.loaded ??= (async () => {
      const today = todayOf(this.now);
      const byItem = new Map<ItemId, Candidate>();
      for (const series of await this.deps.series.listForecasts()) {
        if (!inLeadWindow(series, today)) continue;
        const newestId = series.rounds[series.rounds.length - 1]?.itemId;
        const newest = newestId === undefined ? undefined : await this.deps.items.get(newestId);
        const forecast = newest ? searchForecastOf(newest, series) : undefined;
        if (newest && forecast) byItem.set(newest.id, { series, newest, forecast });
      }
      const docs = () => [...byItem.values()].map((c) => toSearchDoc(c.newest, c.series));
      return { byItem, scratch: new ScratchMatches(this.deps.scratchIndex, docs) };
    })();
    return this.loaded;
  }

  /** Series in their lead window whose newest round the saved search matches, earliest window first. */
  async matching(search: SavedSearch): Promise<Candidate[]> {
    const { byItem, scratch } = await this.load();
    if (byItem.size === 0) return [];
    const ids = await scratch.match(programQuery(search));
    return [...byItem.values()].filter((c) => ids.has(c.newest.id));
  }

  /** The series the item is a round of. */
  seriesIdOf(itemId: ItemId): Promise<SeriesId | undefined> {
    let found = this.memberships.get(itemId);
    if (found === undefined) {
      found = this.deps.series.seriesIdOf(itemId);
      this.memberships.set(itemId, found);
    }
    return found;
  }

  /** The program's name, `undefined` when the series is gone. */
  nameOf(seriesId: SeriesId): Promise<string | undefined> {
    let found = this.names.get(seriesId);
    if (found === undefined) {
      found = this.deps.series.get(seriesId).then((series) => series?.name);
      this.names.set(seriesId, found);
    }
    return found;
  }
}

/** What a subscriber's digest learns from the forecasts; `notified` is updated in place. */
export interface ForecastDigest {
  /** The forecast lines to add. */
  readonly entries: DigestEntry[];
  /** True when `notified` changed. */
  readonly changed: boolean;
}

/**
 * Marks each `new` entry that is a round of a series the subscriber was told a forecast of
 * (`forecastStarted`) and drops that series' told records; `entries` and `notified` are updated
 * in place. True when a record went.
 */
export async function resolveStartedForecasts(
  forecasts: ForecastCandidates,
  entries: DigestEntry[],
  notified: Record<string, Notified>,
): Promise<boolean> {
  const told = new Map<string, string[]>();
  for (const key of Object.keys(notified)) {
    const parsed = parseForecastKey(key);
    if (parsed) told.set(parsed.seriesId, [...(told.get(parsed.seriesId) ?? []), key]);
  }
  if (told.size === 0) return false;
  let changed = false;
  for (const [i, entry] of entries.entries()) {
    if (entry.reason !== 'new') continue;
    const seriesId = await forecasts.seriesIdOf(entry.itemId as ItemId);
    const keys = seriesId === undefined ? undefined : told.get(seriesId);
    if (seriesId === undefined || keys === undefined) continue;
    entries[i] = { ...entry, forecastStarted: (await forecasts.nameOf(seriesId)) ?? entry.title };
    for (const key of keys) delete notified[key];
    told.delete(seriesId);
    changed = true;
  }
  return changed;
}

/**
 * The forecast lines of one subscriber's digest at `now`: each series in its lead window whose
 * newest round one of the saved searches matches, not muted and not told for this window, once
 * (with the labels of the searches it matched). Records what it tells in `notified`, in place.
 */
export async function forecastLines(
  forecasts: ForecastCandidates,
  links: Pick<LinkBuilder, 'record' | 'mute'>,
  subscription: Subscription,
  notified: Record<string, Notified>,
  now: Date,
): Promise<ForecastDigest> {
  const matched = new Map<ItemId, { candidate: Candidate; labels: string[] }>();
  for (const search of subscription.searches) {
    for (const candidate of await forecasts.matching(search)) {
      const seen = matched.get(candidate.newest.id) ?? { candidate, labels: [] };
      seen.labels.push(describeSearchQuery(search.query));
      matched.set(candidate.newest.id, seen);
    }
  }
  const muted = new Set(subscription.muted);
  const entries: DigestEntry[] = [];
  const ordered = [...matched.values()].sort(
    (a, b) =>
      a.candidate.forecast.opens.from.localeCompare(b.candidate.forecast.opens.from) ||
      a.candidate.series.id.localeCompare(b.candidate.series.id),
  );
  for (const { candidate, labels } of ordered) {
    const { series, newest, forecast } = candidate;
    const key = forecastKey(series.id, forecast.opens);
    if (muted.has(newest.id) || notified[key] !== undefined) continue;
    if (entries.length >= maxForecastLines) break;
    for (const old of Object.keys(notified)) if (parseForecastKey(old)?.seriesId === series.id) delete notified[old];
    notified[key] = toldRecord;
    entries.push({
      reason: 'forecast',
      itemId: newest.id,
      title: series.name,
      publisher: series.publisher,
      sourceUrl: newest.url,
      recordUrl: links.record(newest.id),
      muteUrl: links.mute(subscription.id, newest.id, now),
      forecast,
      matchedSearches: labels,
    });
  }
  return { entries, changed: entries.length > 0 };
}

/** Drops told forecasts whose window ended more than `forecastRecordKeepDays` ago. True when one went. */
export function expireForecastRecords(notified: Record<string, Notified>, now: Date): boolean {
  const today = todayOf(now);
  let changed = false;
  for (const key of Object.keys(notified)) {
    const parsed = parseForecastKey(key);
    if (parsed && dayOf(parsed.to) + forecastRecordKeepDays < today) {
      delete notified[key];
      changed = true;
    }
  }
  return changed;
}
