import type { Clock } from '../../shared/clock.js';
import { forecastNextRound } from '../../shared/domain/forecast.js';
import type { Item, ItemId } from '../../shared/domain/item.js';
import {
  assignSeriesIds,
  clusterSeries,
  readTitle,
  roundOf,
  seriesKeysOf,
  sortRounds,
  type Series,
  type SeriesCluster,
  type SeriesId,
  type SeriesOverride,
} from '../../shared/domain/series.js';
import type { Log } from '../../shared/log.js';
import type { ItemChange, ItemStore } from '../../shared/store/item-store.js';
import type { SeriesStore } from '../../shared/store/series-store.js';

/** What linking reads and writes: items from the store, series records, the clock for `updatedAt`. */
export interface SeriesLinkDeps {
  readonly items: Pick<ItemStore, 'get'>;
  readonly series: SeriesStore;
  readonly clock: Clock;
  readonly log: Log;
}

export interface LinkResult {
  /** Items looked at: the changed ones and every item that could share a series with them. */
  readonly items: number;
  /** Series written (new or changed), as stored. */
  readonly saved: readonly Series[];
  /** Series that no longer exist (split apart, or a round left), with the items that were their rounds. */
  readonly removed: readonly RemovedSeries[];
  /**
   * The series each item of the group is a round of after linking (written or not); an item in no
   * series is absent. What the indexer projects the group's documents with (`toSearchDoc`).
   */
  readonly seriesOf: ReadonlyMap<ItemId, Series>;
  /**
   * Items whose series changed: the rounds of every saved series and the former rounds of every
   * saved or removed one, each as read (an item that no longer exists is left out). Their search
   * documents change when the newest round or the forecast moved.
   */
  readonly affected: readonly Item[];
}

/** A series linking removed, and the items that were its rounds (sorted). */
export interface RemovedSeries {
  readonly id: SeriesId;
  readonly formerRounds: readonly ItemId[];
}

/** What a caller does between computing the links and writing them (see `linkSeries`). */
export interface LinkOptions {
  /**
   * Runs after the new series are computed and before any series is written or removed (the
   * indexer writes the group's documents here). When it throws, nothing is written, so a retry
   * computes the same result again.
   */
  readonly beforeWrite?: (result: LinkResult) => Promise<void>;
}

/** The most items one linking reads: a program's rounds and its look-alikes are a few dozen. */
const maxGroupItems = 500;

/**
 * Links changed items into program series (shared/domain/series.ts) and stores the result: every
 * changed call is recorded under its series keys, then the group of items that could share a
 * series with the changed ones (same keys, same series, an operator's pair) is read back and
 * clustered again under the operators' overrides, and each series that changed is written with
 * its rounds, evidence and forecast. A series that lost its last link is removed, and an item in
 * none has no membership. Returns what was written and removed, the series of every item of the
 * group and the items whose series changed, so a caller can re-project them without reading
 * again; `options.beforeWrite` sees that before the writes. Idempotent: linking the same items
 * again writes nothing (and reports nothing saved or removed).
 */
export async function linkSeries(
  deps: SeriesLinkDeps,
  changes: readonly ItemChange[],
  options: LinkOptions = {},
): Promise<LinkResult> {
  const loaded = new Map<ItemId, Item | undefined>();
  for (const change of changes) loaded.set(change.id, change.newItem);
  for (const change of changes)
    if (change.newItem) await deps.series.addKeyMembers(seriesKeysOf(change.newItem), change.id);
  const overrides = await deps.series.listOverrides();
  const previous = new Map<ItemId, SeriesId>();
  const group = await gatherGroup(deps, changes, overrides, loaded, previous);
  const candidates = group.flatMap((id) => {
    const item = loaded.get(id);
    return item ? [item] : [];
  });
  const clusters = clusterSeries(candidates, overrides);
  const ids = assignSeriesIds(clusters, previous);
  const now = deps.clock.now().toISOString();
  const saved: Series[] = [];
  const seriesOfItem = new Map<ItemId, Series>();
  for (const [i, cluster] of clusters.entries()) {
    const id = ids[i];
    if (!id) continue;
    const series = seriesOf(id, cluster, loaded, now);
    const stored = await deps.series.get(id);
    const unchanged =
      stored && sameSeries(stored, series) && cluster.members.every((m) => previous.get(m) === id) ? stored : undefined;
    if (!unchanged) saved.push(series);
    for (const member of cluster.members) seriesOfItem.set(member, unchanged ?? series);
  }
  const kept = new Set(ids);
  const removed: RemovedSeries[] = [...new Set(previous.values())]
    .filter((old) => !kept.has(old))
    .map((old) => ({
      id: old,
      formerRounds: [...previous]
        .filter(([, s]) => s === old)
        .map(([item]) => item)
        .sort(),
    }));
  const changedSeries = new Set<SeriesId>([...saved.map((s) => s.id), ...removed.map((r) => r.id)]);
  const affectedIds = new Set<ItemId>([
    ...saved.flatMap((s) => s.rounds.map((r) => r.itemId)),
    ...[...previous].filter(([, s]) => changedSeries.has(s)).map(([item]) => item),
  ]);
  const affected = [...affectedIds].sort().flatMap((id) => {
    const item = loaded.get(id);
    return item ? [item] : [];
  });
  const result: LinkResult = { items: group.length, saved, removed, seriesOf: seriesOfItem, affected };
  await options.beforeWrite?.(result);
  for (const series of saved) await deps.series.save(series);
  for (const { id } of removed) await deps.series.remove(id);
  for (const [item, old] of previous) if (!seriesOfItem.has(item) && old) await deps.series.clearMembership(item);
  if (saved.length + removed.length > 0)
    deps.log.debug('series linked', { items: group.length, saved: saved.length, removed: removed.length });
  return result;
}

/**
 * The changed items and every item that could share a series with them, transitively: members of
 * their series keys, rounds of their current series, the other item of an override. Items are
 * read once into `loaded`; `previous` gets each one's current series.
 */
async function gatherGroup(
  deps: SeriesLinkDeps,
  changes: readonly ItemChange[],
  overrides: readonly SeriesOverride[],
  loaded: Map<ItemId, Item | undefined>,
  previous: Map<ItemId, SeriesId>,
): Promise<ItemId[]> {
  const seen = new Set<ItemId>();
  const queue: ItemId[] = changes.map((c) => c.id);
  while (queue.length > 0 && seen.size < maxGroupItems) {
    const id = queue.shift();
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    if (!loaded.has(id)) loaded.set(id, await deps.items.get(id));
    const item = loaded.get(id);
    const neighbours: ItemId[] = [];
    for (const key of item ? seriesKeysOf(item) : []) neighbours.push(...(await deps.series.keyMembers(key)));
    const seriesId = await deps.series.seriesIdOf(id);
    if (seriesId) {
      previous.set(id, seriesId);
      const series = await deps.series.get(seriesId);
      neighbours.push(...(series?.rounds.map((r) => r.itemId) ?? []));
    }
    for (const o of overrides) if (o.items.includes(id)) neighbours.push(...o.items);
    for (const next of neighbours) if (!seen.has(next)) queue.push(next);
  }
  if (queue.some((id) => !seen.has(id))) deps.log.warn('series group cut', { items: seen.size, limit: maxGroupItems });
  return [...seen].sort();
}

/** The stored form of a cluster: rounds oldest first, the newest round's name, the forecast. */
function seriesOf(
  id: SeriesId,
  cluster: SeriesCluster,
  items: ReadonlyMap<ItemId, Item | undefined>,
  now: string,
): Series {
  const members = cluster.members.flatMap((m) => {
    const item = items.get(m);
    return item ? [item] : [];
  });
  const rounds = sortRounds(members.map(roundOf));
  const newest = rounds[rounds.length - 1];
  const newestItem = members.find((m) => m.id === newest?.itemId) ?? members[0];
  return {
    id,
    name: readTitle(newest?.title ?? '').name,
    publisher: newestItem?.publisher ?? '',
    rounds,
    evidence: [...cluster.evidence],
    forecast: forecastNextRound(rounds),
    updatedAt: now,
  };
}

/** Same series but for when it was computed (compared with keys sorted). */
function sameSeries(a: Series, b: Series): boolean {
  const canonical = (series: Series): string =>
    JSON.stringify({ ...series, updatedAt: '' }, (_, value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : 1)))
        : value,
    );
  return canonical(a) === canonical(b);
}
