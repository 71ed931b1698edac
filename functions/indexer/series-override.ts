import type { ItemId } from '../../shared/domain/item.js';
import type { SeriesId, SeriesOverride } from '../../shared/domain/series.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors.js';
import { linkSeries, type SeriesLinkDeps } from './link-series.js';

/** Where the two items stand after an override. */
export interface OverrideResult {
  readonly override: SeriesOverride;
  readonly seriesOf: Readonly<Record<ItemId, SeriesId | undefined>>;
}

/**
 * Records an operator's decision on a pair of items, `split` (never in one series) or `merge`
 * (one series), and links their group again at once. The decision is stored, so every later
 * linking (a re-crawl, a changed item) keeps it; a new decision on the same pair replaces it.
 * Throws `InvalidInputError` for a pair of one item and `NotFoundError` for an unknown item.
 */
export async function overrideSeries(
  deps: SeriesLinkDeps,
  action: SeriesOverride['action'],
  a: ItemId,
  b: ItemId,
  note?: string,
): Promise<OverrideResult> {
  if (a === b)
    throw new InvalidInputError([
      { path: ['items'], message: `cannot ${action} item ${a} with itself, expected two items` },
    ]);
  const [itemA, itemB] = await Promise.all([deps.items.get(a), deps.items.get(b)]);
  if (!itemA) throw new NotFoundError(`no item with id ${a}`);
  if (!itemB) throw new NotFoundError(`no item with id ${b}`);
  const override: SeriesOverride = {
    action,
    items: a < b ? [a, b] : [b, a],
    at: deps.clock.now().toISOString(),
    ...(note ? { note } : {}),
  };
  await deps.series.putOverride(override);
  await linkSeries(deps, [
    { id: a, newItem: itemA },
    { id: b, newItem: itemB },
  ]);
  return {
    override,
    seriesOf: { [a]: await deps.series.seriesIdOf(a), [b]: await deps.series.seriesIdOf(b) },
  };
}
