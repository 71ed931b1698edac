/**
 * `chiiki series show ID` prints a program series (by its `se_` id, or by the `it_` id of one of
 * its rounds): its rounds with dates and links, the evidence that links them and the forecast of
 * the next round. `chiiki series split ITEM ITEM [--note TEXT]` and `chiiki series merge ITEM ITEM
 * [--note TEXT]` store an operator's decision on a pair of items, which every later linking keeps
 * (re-crawls included), and link the pair's group again at once. `chiiki series relink` links every
 * stored item (the backfill for items stored before series existed). After split, merge and relink
 * the search documents of every round whose series changed are written again (the indexer's path),
 * so a forecast moves to the right round at once. The store is DYNAMODB_ENDPOINT when set (the
 * index is then SEARCH_ENGINE's: OpenSearch, or the embedded index under DATA_DIR); else, when
 * `npm start` runs on DATA_DIR, the running stack runs split, merge and relink on its own store and
 * index; else dynalite and the embedded index on disk under DATA_DIR.
 * Exit 0 on success, 1 when the id is unknown, 2 on bad arguments.
 */
import { resolve } from 'node:path';
import { badInput } from '../usage.js';
import { searchDirOf } from '../../../functions/indexer/deps.js';
import type { SeriesLinkDeps } from '../../../functions/indexer/link-series.js';
import { seriesControl, type SeriesAnswer, type SeriesCommand } from '../../../functions/indexer/series-override.js';
import { systemClock } from '../../../shared/clock.js';
import { loadConfig } from '../../../shared/config.js';
import { ItemIdSchema } from '../../../shared/domain/item.js';
import { SeriesIdSchema, type Series } from '../../../shared/domain/series.js';
import { consoleLog } from '../../../shared/log.js';
import { EmbeddedSearchIndex } from '../../../shared/search/embedded-search-index.js';
import { DynamoDbSeriesStore } from '../../../shared/store/dynamodb-series-store.js';
import { searchIndexFor } from '../../../shared/wiring/search-index.js';
import { callRunningStack, findRunningStack } from '../../local/stack-control.js';
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
  let command: SeriesCommand | undefined;
  if (parsed.action === 'relink') command = { action: 'relink' };
  else if (parsed.action !== 'show') {
    const [a, b] = parsed.ids.map((id) => ItemIdSchema.safeParse(id).data);
    if (!a || !b) return badInput('series', usage, 'expected two item ids such as it_0123456789abcdef01234567');
    command = {
      action: parsed.action === 'split' ? 'split' : 'merge',
      items: [a, b],
      ...(parsed.note ? { note: parsed.note } : {}),
    };
  }
  const config = loadConfig();
  const log = consoleLog(config.LOG_LEVEL);
  // `npm start` on DATA_DIR owns its index: it runs the command, so its documents follow at once.
  const running = config.DYNAMODB_ENDPOINT === undefined ? findRunningStack(resolve(config.DATA_DIR)) : undefined;
  if (command && running) return answer(await callRunningStack<SeriesAnswer>(running, 'series', command));
  const closers: Array<() => Promise<void>> = [];
  try {
    const { client, store } = await openItemStore(config, log, closers);
    const deps: SeriesLinkDeps = {
      items: store,
      series: new DynamoDbSeriesStore({ client, tableName: config.TABLE_NAME }),
      clock: systemClock,
      log,
    };
    if (!command) return await show(deps, parsed.ids[0] ?? '');
    const index = searchIndexFor(config, systemClock, { dir: searchDirOf(config) });
    if (index instanceof EmbeddedSearchIndex) closers.push(() => index.close());
    await index.ensureIndex();
    return answer(await seriesControl({ ...deps, index, scan: store })(command));
  } finally {
    for (const close of closers.reverse()) await close();
  }
}

/** Prints an answer; the exit code: 0 done, 1 an unknown item, 2 a bad pair. */
function answer(result: SeriesAnswer): number {
  if ('refused' in result) {
    console.error(`chiiki series: ${result.message}`);
    return result.refused === 'NotFoundError' ? 1 : 2;
  }
  if (result.action === 'relink') {
    console.log(`relinked ${result.items} items, ${result.saved} series written`);
    return 0;
  }
  console.log(`${result.action} ${result.override.items.join(' ')} stored`);
  for (const item of result.override.items) console.log(`  ${item}: ${result.seriesOf[item] ?? 'in no series'}`);
  return 0;
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
