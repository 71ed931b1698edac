import type { Clock } from '../../shared/clock.js';
import { ItemIdSchema, type Item } from '../../shared/domain/item.js';
import { statusAt } from '../../shared/domain/status.js';
import { NotFoundError } from '../../shared/errors.js';
import { parseInput } from '../../shared/parse-input.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import type { ItemDetail, SeriesDetail } from './schemas.js';
import { SeriesIdSchema, type Series } from '../../shared/domain/series.js';
import type { SeriesStore } from '../../shared/store/series-store.js';

/** The series reads of the item and series routes. */
export type SeriesReader = Pick<SeriesStore, 'get' | 'seriesIdOf'>;

/** GET /v1/items/{id}: the full record with provenance, change history and its program series. */
export async function getItem(
  deps: { store: ItemStore; clock: Clock; series?: SeriesReader },
  rawId: unknown,
): Promise<ItemDetail> {
  const id = parseInput(ItemIdSchema, rawId, ['id']);
  const item = await deps.store.get(id);
  if (!item) throw new NotFoundError(`no item with id ${id}`);
  const seriesId = deps.series ? await deps.series.seriesIdOf(id) : undefined;
  const series = seriesId ? await deps.series?.get(seriesId) : undefined;
  return toItemDetail(item, deps.clock.now(), series);
}

/** GET /v1/series/{id}: a program series with its rounds, evidence and forecast. */
export async function getSeries(deps: { series?: SeriesReader }, rawId: unknown): Promise<SeriesDetail> {
  const id = parseInput(SeriesIdSchema, rawId, ['id']);
  const series = await deps.series?.get(id);
  if (!series) throw new NotFoundError(`no series with id ${id}`);
  return series;
}

function toItemDetail(item: Item, now: Date, series: Series | undefined): ItemDetail {
  const { contentHash: _hash, id, ...rest } = item;
  return {
    id,
    ...rest,
    status: statusAt(item, now),
    ...(series
      ? { series: { id: series.id, name: series.name, rounds: series.rounds, forecast: series.forecast } }
      : {}),
  };
}
