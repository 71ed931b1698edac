import * as z from 'zod';
import { ItemIdSchema, type ItemId } from '../../shared/domain/item.js';
import type { SeriesId, SeriesOverride } from '../../shared/domain/series.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { ItemChange, ItemStore } from '../../shared/store/item-store.js';
import { applyAndLink } from './apply-change.js';
import { linkSeries, type LinkResult, type SeriesLinkDeps } from './link-series.js';

/**
 * What an operator's series command works on: linking, and the search index whose documents follow
 * the decision. Without `index` only the series are written (the documents then follow at the
 * next change of the group or the next reindex).
 */
export interface SeriesCommandDeps extends SeriesLinkDeps {
  readonly index?: SearchIndex;
}

/**
 * Links `changes` again and, with an index, re-projects the documents of every round whose series
 * changed: the indexer's own path (`applyAndLink`), so a decision moves forecasts exactly as a
 * crawled round does.
 */
async function relink(deps: SeriesCommandDeps, changes: readonly ItemChange[]): Promise<LinkResult> {
  if (!deps.index) return linkSeries(deps, changes);
  return (await applyAndLink({ index: deps.index, log: deps.log, series: deps }, changes)).linked;
}

/** Where the two items stand after an override. */
export interface OverrideResult {
  readonly override: SeriesOverride;
  readonly seriesOf: Readonly<Record<ItemId, SeriesId | undefined>>;
}

/**
 * Records an operator's decision on a pair of items, `split` (never in one series) or `merge`
 * (one series), and links their group again at once (re-projecting its documents when `deps.index`
 * is given). The decision is stored, so every later
 * linking (a re-crawl, a changed item) keeps it; a new decision on the same pair replaces it.
 * Throws `InvalidInputError` for a pair of one item and `NotFoundError` for an unknown item.
 */
export async function overrideSeries(
  deps: SeriesCommandDeps,
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
  await relink(deps, [
    { id: a, newItem: itemA },
    { id: b, newItem: itemB },
  ]);
  return {
    override,
    seriesOf: { [a]: await deps.series.seriesIdOf(a), [b]: await deps.series.seriesIdOf(b) },
  };
}

/**
 * Links every stored item, page by page: the backfill for items stored before series existed (or
 * after the rules changed), re-projecting the documents when `deps.index` is given. Idempotent;
 * returns how many items were read and series written.
 */
export async function relinkAll(
  deps: SeriesCommandDeps & { readonly scan: Pick<ItemStore, 'scanItems'> },
  pageSize = 100,
): Promise<{ items: number; saved: number }> {
  let cursor: string | undefined;
  let items = 0;
  let saved = 0;
  do {
    const page = await deps.scan.scanItems(cursor, pageSize);
    items += page.items.length;
    saved += (
      await relink(
        deps,
        page.items.map((item) => ({ id: item.id, newItem: item })),
      )
    ).saved.length;
    cursor = page.cursor;
  } while (cursor);
  return { items, saved };
}

/** An operator's series command as `chiiki series` and the running local stack's control endpoint take it. */
export const SeriesCommandSchema = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.enum(['split', 'merge']),
    items: z.tuple([ItemIdSchema, ItemIdSchema]),
    note: z.string().max(500).optional(),
  }),
  z.strictObject({ action: z.literal('relink') }),
]);
export type SeriesCommand = z.infer<typeof SeriesCommandSchema>;

/** What a series command did: the stored decision and where its items stand, or the relink's counts. */
export type SeriesCommandResult =
  | ({ readonly action: 'split' | 'merge' } & OverrideResult)
  | { readonly action: 'relink'; readonly items: number; readonly saved: number };

/**
 * Runs a series command: `split`/`merge` store the decision and link the pair's group again,
 * `relink` links every stored item; with `deps.index` the documents of every round whose series
 * changed are re-projected. Throws as `overrideSeries` does.
 */
export async function runSeriesCommand(
  deps: SeriesCommandDeps & { readonly scan: Pick<ItemStore, 'scanItems'> },
  command: SeriesCommand,
): Promise<SeriesCommandResult> {
  if (command.action === 'relink') return { action: 'relink', ...(await relinkAll(deps)) };
  const [a, b] = command.items;
  return { action: command.action, ...(await overrideSeries(deps, command.action, a, b, command.note)) };
}

/** A series command's answer, or why it was refused (an unknown item, a bad pair): JSON either way. */
export type SeriesAnswer =
  SeriesCommandResult | { readonly refused: 'NotFoundError' | 'InvalidInputError'; readonly message: string };

/**
 * Runs series commands on `deps` (`runSeriesCommand`), answering a refusal as a value, so the
 * running local stack's control endpoint can send it back as JSON: what `chiiki series` and that
 * endpoint call.
 */
export function seriesControl(
  deps: Parameters<typeof runSeriesCommand>[0],
): (command: SeriesCommand) => Promise<SeriesAnswer> {
  return async (command) => {
    try {
      return await runSeriesCommand(deps, command);
    } catch (error) {
      if (error instanceof NotFoundError || error instanceof InvalidInputError)
        return {
          refused: error instanceof NotFoundError ? 'NotFoundError' : 'InvalidInputError',
          message: error.message,
        };
      throw error;
    }
  };
}
