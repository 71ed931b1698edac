import type { Item, ItemId } from '../../shared/domain/item.js';
import type { Series } from '../../shared/domain/series.js';
import { toSearchDoc, type SearchDoc } from '../../shared/search/search-index.js';
import type { SeriesStore } from '../../shared/store/series-store.js';

/** An item's search document with its series' forecast where it is the newest round. */
export type Projector = (item: Item) => SearchDoc;

/**
 * The projector of a whole-store pass (reindex, the checks by content): every series with an
 * expected forecast is read once (`SeriesStore.listForecasts`, at most one per program), and each
 * item is projected with the series whose newest round it is. Only those items carry a forecast
 * (`searchForecastOf`), so no other series needs reading. Without a series store, items are
 * projected without series.
 */
export async function forecastProjector(series?: Pick<SeriesStore, 'listForecasts'>): Promise<Projector> {
  return projectorOf(series ? await series.listForecasts() : []);
}

/** The projector of one reading of `listForecasts`. */
export function projectorOf(forecasts: readonly Series[]): Projector {
  const byNewest = newestRounds(forecasts);
  return (item) => toSearchDoc(item, byNewest.get(item.id));
}

/** Each forecast series by the item id of its newest round. */
function newestRounds(forecasts: readonly Series[]): Map<ItemId, Series> {
  const byNewest = new Map<ItemId, Series>();
  for (const series of forecasts) {
    const newest = series.rounds[series.rounds.length - 1];
    if (newest) byNewest.set(newest.itemId, series);
  }
  return byNewest;
}

/**
 * The newest rounds whose forecast differs between two readings of `listForecasts` (a forecast
 * that appeared, moved or went away), sorted: the documents a pass that projected with the first
 * reading must write again.
 */
export function forecastsMoved(before: readonly Series[], after: readonly Series[]): ItemId[] {
  const [a, b] = [newestRounds(before), newestRounds(after)];
  const text = (series: Series | undefined) => (series ? JSON.stringify([series.id, series.forecast]) : '');
  return [...new Set([...a.keys(), ...b.keys()])].filter((id) => text(a.get(id)) !== text(b.get(id))).sort();
}
