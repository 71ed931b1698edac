/**
 * `chiiki series show ID` prints a program series (by its `se_` id, or by the `it_` id of one of
 * its rounds): its rounds with dates and links, the evidence that links them and the forecast of
 * the next round. `chiiki series split ITEM ITEM [--note TEXT]` and `chiiki series merge ITEM ITEM
 * [--note TEXT]` store an operator's decision on a pair of items, which every later linking keeps
 * (re-crawls included), and link the pair's group again at once. `chiiki series relink` links every
 * stored item (the backfill for items stored before series existed). The store is DYNAMODB_ENDPOINT
 * when set, the running `npm start`'s dynalite, else dynalite on disk under DATA_DIR.
 * Exit 0 on success, 1 when the id is unknown, 2 on bad arguments.
 */
import { badInput } from '../usage.js';
import { overrideSeries } from '../../../functions/indexer/series-override.js';
import { relinkAll, type SeriesLinkDeps } from '../../../functions/indexer/link-series.js';
import { systemClock } from '../../../shared/clock.js';
import { loadConfig } from '../../../shared/config.js';
import { ItemIdSchema } from '../../../shared/domain/item.js';
import { SeriesIdSchema, type Series } from '../../../shared/domain/series.js';
import { InvalidInputError, NotFoundError } from '../../../shared/errors.js';
import { consoleLog } from '../../../shared/log.js';
import { DynamoDbSeriesStore } from '../../../shared/store/dynamodb-series-store.js';
import { openItemStore } from '../open-document-client.js';

export const usage = [
  'usage: chiiki series show SERIES_ID|ITEM_ID',
  '       chiiki series split ITEM_ID ITEM_ID [--note TEXT]   keep two items out of one series, for good',
  '       chiiki series merge ITEM_ID ITEM_ID [--note TEXT]   put two items in one series, for good',
  '       chiiki series relink                                link every stored item (backfill)',
].join('\n');

const tokyoDay = (instant: string | undefined): string =>
  instant ? new Date(Date.parse(instant) + 9 * 3_600_000).toISOString().slice(0, 10) : '-';

/** A series as the command prints it: a heading, one line per round, the evidence, the forecast. */
export function formatSeries(series: Series): string {
  return [
    `${series.id}  ${series.name}（${series.publisher}）  ${series.rounds.length} rounds`,
    ...series.rounds.map(
      (r) => `  ${r.label || '-'}  opens ${tokyoDay(r.opensAt)}  closes ${tokyoDay(r.closesAt)}  ${r.itemId}  ${r.url}`,
    ),
    'evidence:',
    ...series.evidence.map(
      (e) =>
        `  ${e.rule}  ${e.items.join(' ~ ')}  key "${e.key}"  differs ${e.differing.map((d) => `"${d}"`).join(' / ')}`,
    ),
    `forecast: ${series.forecast.text}`,
  ].join('\n');
}

function parseArgs(args: readonly string[]): { action: string; ids: string[]; note?: string } | string {
  const [action, ...rest] = args;
  const ids: string[] = [];
  let note: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--note') note = rest[++i];
    else if (arg.startsWith('--note=')) note = arg.slice('--note='.length);
    else if (arg.startsWith('-')) return `unknown option "${arg}"`;
    else ids.push(arg);
  }
  if (action === 'show' && ids.length !== 1) return 'show takes one series or item id';
  if ((action === 'split' || action === 'merge') && ids.length !== 2) return `${action} takes two item ids`;
  if (action === 'relink' && ids.length !== 0) return 'relink takes no ids';
  if (action !== 'show' && action !== 'split' && action !== 'merge' && action !== 'relink')
    return `unknown action "${action ?? ''}"`;
  return { action, ids, ...(note ? { note } : {}) };
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') return badInput('series', usage, parsed);
  const config = loadConfig();
  const log = consoleLog(config.LOG_LEVEL);
  const closers: Array<() => Promise<void>> = [];
  try {
    const { client, store } = await openItemStore(config, log, closers);
    const deps: SeriesLinkDeps = {
      items: store,
      series: new DynamoDbSeriesStore({ client, tableName: config.TABLE_NAME }),
      clock: systemClock,
      log,
    };
    if (parsed.action === 'show') return await show(deps, parsed.ids[0] ?? '');
    if (parsed.action === 'relink') {
      const result = await relinkAll({ ...deps, scan: store });
      console.log(`relinked ${result.items} items, ${result.saved} series written`);
      return 0;
    }
    const [a, b] = parsed.ids.map((id) => ItemIdSchema.safeParse(id).data);
    if (!a || !b) {
      return badInput('series', usage, 'expected two item ids such as it_0123456789abcdef01234567');
    }
    const result = await overrideSeries(deps, parsed.action === 'split' ? 'split' : 'merge', a, b, parsed.note);
    console.log(`${parsed.action} ${result.override.items.join(' ')} stored`);
    for (const [item, series] of Object.entries(result.seriesOf)) console.log(`  ${item}: ${series ?? 'in no series'}`);
    return 0;
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof InvalidInputError) {
      console.error(`chiiki series: ${error.message}`);
      return error instanceof NotFoundError ? 1 : 2;
    }
    throw error;
  } finally {
    for (const close of closers.reverse()) await close();
  }
}

/** Prints the series of a series id or of an item id; 1 when there is none. */
async function show(deps: SeriesLinkDeps, id: string): Promise<number> {
  const item = ItemIdSchema.safeParse(id);
  const seriesId = item.success ? await deps.series.seriesIdOf(item.data) : SeriesIdSchema.safeParse(id).data;
  const series = seriesId ? await deps.series.get(seriesId) : undefined;
  if (!series) {
    console.error(`chiiki series: no series ${item.success ? `has item ${id}` : `with id ${id}`}`);
    return 1;
  }
  console.log(formatSeries(series));
  return 0;
}
