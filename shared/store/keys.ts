import { createHash } from 'node:crypto';
import { ItemSchema, type Item, type ItemId, type ItemKind } from '../domain/item.js';
import { foldForMatch } from '../ja/normalize.js';

/**
 * Single-table design of the item store. Pure constants and key builders only: no SDK import,
 * so the CDK stack (infra/aws) imports `tableDefinition` from here.
 *
 * | record            | pk                      | sk                                  | gsi1pk (changes)  | gsi1sk                    |
 * |-------------------|-------------------------|-------------------------------------|-------------------|---------------------------|
 * | item              | `ITEM#<itemId>`         | `ITEM`                              | `CHANGED#<kind>`  | `<changedAt UTC>#<itemId>`|
 * | alias             | `ALIAS#<itemId>`        | `ALIAS`                             | -                 | -                         |
 * | title key         | `TITLE#<sha256>`        | `TITLE`                             | -                 | -                         |
 * | URL crawl state   | `URL#<sha256(url)>`     | `STATE`                             | -                 | -                         |
 * | crawl run         | `SOURCE#<sourceId>`     | `RUN#<startedAt UTC>#<runId>`       | -                 | -                         |
 * | source health     | `HEALTH`                | `SOURCE#<sourceId>`                 | -                 | -                         |
 *
 * - **item**: the item's fields as top-level attributes (so a stream `NewImage` unmarshals to the
 *   item plus the key attributes; `itemFromRecord` strips them). `type = 'item'`.
 *   `changedAt` is `createdAt`, moved to the time of each *material* change; it feeds the
 *   `changes` index behind `listChangedSince`.
 * - **alias**: the id a draft's canonical URL would have had, pointing at the item it was merged
 *   into by title (so the merge holds after the 30-day title window).
 * - **title key**: sha256 of kind + folded publisher + folded title (`foldForMatch`), pointing at
 *   the item first seen with that title and when; used to merge the same call published under
 *   two URLs within 30 days.
 * - **crawl run**: newest first by querying the source's partition backwards; carries
 *   `expiresAt` (epoch seconds, 180 days) for DynamoDB TTL in AWS. dynalite has no TTL, so local
 *   runs simply accumulate.
 * - **source health**: one partition for all sources (hundreds, updated once per crawl run), so
 *   `listSourceHealth` is a single Query. `itemCount` is kept with atomic `ADD`.
 *
 * Subscription records share the table with their own prefixes (`SUBS#`, `SUBEMAIL#`, `SUPPRESS#`,
 * `RATE#`; see dynamodb-subscription-store.ts). Only item records may set `gsi1pk`/`gsi1sk`:
 * `countItems` counts the `changes` index.
 *
 * The `changes` GSI projects KEYS_ONLY: an item write that does not move its index keys costs no
 * index write, `listChangedSince` reads the items back with a consistent BatchGet, and
 * `countItems` scans the (small) index instead of the table. One index partition per kind is
 * fine for our write rate (material changes, not every crawl).
 *
 * Limits: a DynamoDB item is at most 400 KB. `bodyText` is capped at 100,000 characters by the
 * schema (up to ~300 KB of UTF-8 Japanese); history snapshots are cut to
 * `historySnapshotChars` (shared/domain/item-merge.ts) and, if an item would still exceed `maxItemBytes`, drops the oldest
 * history entries and then shortens the stored `bodyText` (the content hash is always the
 * hash of the full draft, so a cut body does not look like a change on the next crawl).
 */

/** Attribute names of the table's own keys and bookkeeping (not part of an Item). */
export const keyAttributes = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'type', 'changedAt'] as const;

export const changesIndexName = 'changes';

/**
 * The table, as both `ensureTable()` (CreateTable) and the CDK stack build it. On-demand
 * billing; the CDK stack adds the stream (NEW_AND_OLD_IMAGES), TTL on `ttlAttribute` and PITR.
 */
export const tableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  billingMode: 'PAY_PER_REQUEST',
  attributes: [
    { name: 'pk', type: 'S' },
    { name: 'sk', type: 'S' },
    { name: 'gsi1pk', type: 'S' },
    { name: 'gsi1sk', type: 'S' },
  ],
  globalSecondaryIndexes: [
    {
      indexName: changesIndexName,
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
      projectionType: 'KEYS_ONLY',
    },
  ],
  /** Epoch seconds; DynamoDB TTL deletes crawl-run records after it (AWS only). */
  ttlAttribute: 'expiresAt',
  /** The stream the indexer consumes in AWS (locally the store's `onChange` hook stands in). */
  streamViewType: 'NEW_AND_OLD_IMAGES',
} as const;

/** Budget for one stored item, below DynamoDB's 400 KB limit to leave room for attribute names. */
export const maxItemBytes = 380 * 1024;
/** How long crawl-run records live in AWS (TTL). */
export const crawlRunTtlSec = 180 * 24 * 60 * 60;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** ISO instant in UTC (`...Z`), so sort keys compare as strings whatever offset came in. */
export function toUtcIso(instant: string): string {
  return new Date(instant).toISOString();
}

export const itemKey = (id: ItemId) => ({ pk: `ITEM#${id}`, sk: 'ITEM' });
export const aliasKey = (id: ItemId) => ({ pk: `ALIAS#${id}`, sk: 'ALIAS' });
export const urlStateKey = (url: string) => ({ pk: `URL#${sha256(url)}`, sk: 'STATE' });
export const healthKey = (sourceId: string) => ({ pk: 'HEALTH', sk: `SOURCE#${sourceId}` });
export const crawlRunKey = (sourceId: string, startedAt: string, runId: string) => ({
  pk: `SOURCE#${sourceId}`,
  sk: `RUN#${toUtcIso(startedAt)}#${runId}`,
});
export const crawlRunPrefix = 'RUN#';

/** The title key: same kind, same publisher, same title after NFKC + width + case folding. */
export function titleKey(draft: { kind: ItemKind; publisher: string; title: string }) {
  return {
    pk: `TITLE#${sha256([draft.kind, foldForMatch(draft.publisher), foldForMatch(draft.title)].join('\n'))}`,
    sk: 'TITLE',
  };
}

/** Index keys of an item in the `changes` GSI. */
export function changesIndexKeys(kind: ItemKind, changedAt: string, id: ItemId) {
  return { gsi1pk: `CHANGED#${kind}`, gsi1sk: `${toUtcIso(changedAt)}#${id}` };
}

/** The table record of an item. */
export function itemToRecord(item: Item, changedAt: string): Record<string, unknown> {
  return { ...itemKey(item.id), ...changesIndexKeys(item.kind, changedAt, item.id), type: 'item', changedAt, ...item };
}

/** True when an (unmarshalled) table record, e.g. a stream image, is an item. */
export function isItemRecord(record: Record<string, unknown>): boolean {
  return record['type'] === 'item' && typeof record['pk'] === 'string' && record['pk'].startsWith('ITEM#');
}

/** Parses an (unmarshalled) item record, e.g. a stream `NewImage`, into an Item; throws on a corrupt record. */
export function itemFromRecord(record: Record<string, unknown>): Item {
  const rest: Record<string, unknown> = { ...record };
  for (const name of keyAttributes) delete rest[name];
  return ItemSchema.parse(rest);
}
