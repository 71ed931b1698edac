import * as z from 'zod';
import { documentCommands, tableCommands, type DocumentClient } from './dynamodb-sdk.js';
import type { Clock } from '../clock.js';
import { CrawlRunSchema, SourceHealthSchema, UrlStateSchema } from '../domain/crawl-run.js';
import type { CrawlRun, SourceHealth, UrlState } from '../domain/crawl-run.js';
import {
  IsoInstantSchema,
  ItemIdSchema,
  itemIdFor,
  type Item,
  type ItemDraft,
  type ItemId,
  type ItemKind,
} from '../domain/item.js';
import {
  claimsTitle,
  decideUpsert,
  mergesByTitle,
  withdrawSource,
  type ItemMatch,
  type StoredItem,
  type TitleClaim,
  withinTitleWindow,
} from '../domain/item-merge.js';
import { ConflictError, InvalidInputError, ServiceUnavailableError } from '../errors.js';
import type { Log } from '../log.js';
import { silentLog } from '../log.js';
import { parseInput } from '../parse-input.js';
import type { ItemChange, ItemStore, ItemVersion, Page, UpsertResult } from './item-store.js';
import {
  aliasKey,
  changesIndexName,
  crawlRunKey,
  crawlRunPrefix,
  crawlRunTtlSec,
  healthKey,
  itemFromRecord,
  itemKey,
  itemToRecord,
  maxItemBytes,
  tableDefinition,
  titleKey,
  toUtcIso,
  urlStateKey,
} from './keys.js';

export interface DynamoDbItemStoreOptions {
  /** Build it with `marshallOptions: { removeUndefinedValues: true }` (the store strips undefined itself too). */
  readonly client: DocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  /**
   * Called once per `upsert` / `markWithdrawn` call with every item it wrote, after the writes.
   * The local stack passes the changes to the indexer here, because dynalite has no streams.
   * In AWS leave it unset: the table's DynamoDB stream (NEW_AND_OLD_IMAGES) feeds the index
   * Lambda instead. An error thrown here reaches the caller; the writes have already happened.
   */
  readonly onChange?: (changes: ItemChange[]) => Promise<void>;
  readonly log?: Log;
}

const TitleRecordSchema = z.object({ itemId: z.string(), firstSeenAt: IsoInstantSchema });
const AliasRecordSchema = z.object({ itemId: z.string() });
const CursorSchema = z.record(z.string(), z.string());

const maxConditionalAttempts = 5;
const tableActiveTimeoutMs = 120_000;

/**
 * `ItemStore` on one DynamoDB table (see keys.ts for the key design). The same adapter serves
 * AWS and the local stack (dynalite), so it uses only what dynalite implements:
 * - no TransactWriteItems: every write is a single conditional PutItem/UpdateItem. Side records
 *   (title key, alias, source health counters) are written after the item; a crash in between
 *   can lose a dedupe hint or skew `itemCount` by one, never an item or an update.
 * - no streams: change events go to `onChange` (local) or come from the table stream (AWS).
 * - no TTL: crawl runs carry `expiresAt`, which only AWS acts on.
 *
 * Zero writes for an unchanged re-crawl: a draft whose content hash equals the stored one, from a
 * source already in the provenance, writes nothing, so `lastSeenAt` is NOT bumped on every crawl;
 * it moves only when the item is written for another reason. "Is it still listed?" is answered
 * by `withdrawnAt` (the crawler marks vanished items) and by the source's crawl runs instead.
 *
 * What a draft does to an item (identity, aliasing, content ownership, withdrawal, the change
 * history) is decided by shared/domain/item-merge.ts; this adapter reads what those decisions
 * need and persists them.
 */
export class DynamoDbItemStore implements ItemStore {
  private readonly client: DocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly onChange?: (changes: ItemChange[]) => Promise<void>;
  private readonly log: Log;

  constructor(options: DynamoDbItemStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.clock = options.clock;
    this.onChange = options.onChange;
    this.log = options.log ?? silentLog;
  }

  async ensureTable(): Promise<void> {
    const status = await this.tableStatus();
    if (status === undefined) {
      try {
        await this.client.send(
          new (await tableCommands()).CreateTableCommand({
            TableName: this.tableName,
            BillingMode: tableDefinition.billingMode,
            AttributeDefinitions: tableDefinition.attributes.map((a) => ({
              AttributeName: a.name,
              AttributeType: a.type,
            })),
            KeySchema: [
              { AttributeName: tableDefinition.partitionKey.name, KeyType: 'HASH' },
              { AttributeName: tableDefinition.sortKey.name, KeyType: 'RANGE' },
            ],
            GlobalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
                { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: index.projectionType },
            })),
          }),
        );
        this.log.info('table created', { tableName: this.tableName });
      } catch (error) {
        // Another process created it between our describe and create: fine, wait for it below.
        if (errorName(error) !== 'ResourceInUseException') throw error;
      }
    }
    const deadline = Date.now() + tableActiveTimeoutMs;
    for (let round = 0; (await this.tableStatus()) !== 'ACTIVE'; round++) {
      if (Date.now() > deadline) {
        throw new ServiceUnavailableError(
          `table ${this.tableName} did not become ACTIVE within ${tableActiveTimeoutMs} ms`,
          'dynamodb',
        );
      }
      await sleep(Math.min(2000, 20 * 2 ** round));
    }
  }

  async upsert(drafts: readonly ItemDraft[]): Promise<UpsertResult[]> {
    const cache = await this.prefetch(drafts.map((d) => itemIdFor(d.canonicalUrl)));
    const results: UpsertResult[] = [];
    const healthDeltas = new Map<string, number>();
    for (const draft of drafts) {
      const result = await this.upsertOne(draft, cache, healthDeltas);
      results.push(result);
    }
    await this.applyHealthDeltas(healthDeltas);
    const changes = results
      .filter((r) => r.outcome !== 'unchanged')
      .map((r): ItemChange => ({ id: r.id, newItem: r.item, oldItem: r.previous }));
    if (changes.length > 0 && this.onChange) await this.onChange(changes);
    return results;
  }

  async get(id: ItemId): Promise<Item | undefined> {
    return (await this.readItem(id))?.item;
  }

  async listChangedSince(kind: ItemKind, since: string, cursor?: string, limit = 100): Promise<Page<Item>> {
    const sinceUtc = toUtcIso(parseInput(IsoInstantSchema, since, ['since']));
    const out = await this.client.send(
      new (await documentCommands()).QueryCommand({
        TableName: this.tableName,
        IndexName: changesIndexName,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
        ExpressionAttributeValues: { ':pk': `CHANGED#${kind}`, ':since': sinceUtc },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    const ids = (out.Items ?? []).map((k) => String(k['pk']).slice('ITEM#'.length) as ItemId);
    const found = await this.batchReadItems(ids);
    const items = ids.flatMap((id) => {
      const stored = found.get(id);
      return stored ? [stored.item] : [];
    });
    return { items, cursor: encodeCursor(out.LastEvaluatedKey) };
  }

  async scanItems(cursor?: string, limit = 100): Promise<Page<Item>> {
    return this.scanItemRecords(cursor, limit, undefined, itemFromRecord);
  }

  /** `scanItems` projected to the key and `updatedAt`: DynamoDB returns (and the caller parses) a few bytes per item. */
  async scanVersions(cursor?: string, limit = 1000): Promise<Page<ItemVersion>> {
    return this.scanItemRecords(cursor, limit, '#pk, #updatedAt', (record) => ({
      id: parseInput(ItemIdSchema, String(record['pk']).slice('ITEM#'.length)),
      updatedAt: String(record['updatedAt']),
    }));
  }

  /** Pages of item records (the filter drops other record types), up to `limit` per page. */
  private async scanItemRecords<T>(
    cursor: string | undefined,
    limit: number,
    projection: string | undefined,
    parse: (record: Record<string, unknown>) => T,
  ): Promise<Page<T>> {
    const items: T[] = [];
    let startKey = decodeCursor(cursor);
    // Scan's Limit counts records before the filter, so keep reading until the page is full.
    do {
      const out = await this.client.send(
        new (await documentCommands()).ScanCommand({
          TableName: this.tableName,
          FilterExpression: '#type = :item',
          ExpressionAttributeNames: {
            '#type': 'type',
            ...(projection ? { '#pk': 'pk', '#updatedAt': 'updatedAt' } : {}),
          },
          ExpressionAttributeValues: { ':item': 'item' },
          ...(projection ? { ProjectionExpression: projection } : {}),
          Limit: limit - items.length,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const record of out.Items ?? []) items.push(parse(record));
      startKey = out.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    return { items, cursor: encodeCursor(startKey) };
  }

  /** Counts the keys in the `changes` index (items only). In AWS a GSI lags writes by well under a second. */
  async countItems(): Promise<number> {
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new (await documentCommands()).ScanCommand({
          TableName: this.tableName,
          IndexName: changesIndexName,
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      count += out.Count ?? 0;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  async markWithdrawn(id: ItemId, sourceId: string, at: string): Promise<Item | undefined> {
    const atIso = parseInput(IsoInstantSchema, at, ['at']);
    for (let attempt = 0; attempt < maxConditionalAttempts; attempt++) {
      const stored = await this.readItem(id);
      if (!stored) return undefined;
      const previous = stored.item;
      const item = withdrawSource(previous, sourceId, atIso, this.now());
      if (!item) return previous;
      if (!(await this.putItem(item, stored.changedAt, previous.version))) continue;
      await this.applyHealthDeltas(new Map([[sourceId, -1]]));
      if (this.onChange) await this.onChange([{ id, newItem: item, oldItem: previous }]);
      return item;
    }
    throw new ConflictError(`item ${id} kept changing while marking it withdrawn; retry later`);
  }

  async getUrlState(url: string): Promise<UrlState | undefined> {
    const out = await this.client.send(
      new (await documentCommands()).GetCommand({
        TableName: this.tableName,
        Key: urlStateKey(url),
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    return UrlStateSchema.parse(withoutKeys(out.Item, ['pk', 'sk', 'type']));
  }

  /** Always writes; the crawler calls it only when the state changed. */
  async putUrlState(state: UrlState): Promise<void> {
    const parsed = parseInput(UrlStateSchema, state, ['state']);
    await this.client.send(
      new (await documentCommands()).PutCommand({
        TableName: this.tableName,
        Item: stripUndefined({ ...urlStateKey(parsed.url), type: 'url', ...parsed }),
      }),
    );
  }

  /**
   * Stores the run, then updates the source's health: `consecutiveFailures` counts `failed` runs
   * in a row (a `partial` run resets it and counts as a success for `lastSuccessAt`);
   * `newestItemAt` only moves forward.
   */
  async recordCrawlRun(run: CrawlRun): Promise<void> {
    const parsed = parseInput(CrawlRunSchema, run, ['run']);
    const expiresAt = Math.floor(Date.parse(parsed.finishedAt) / 1000) + crawlRunTtlSec;
    await this.client.send(
      new (await documentCommands()).PutCommand({
        TableName: this.tableName,
        Item: stripUndefined({
          ...crawlRunKey(parsed.sourceId, parsed.startedAt, parsed.runId),
          type: 'run',
          expiresAt,
          ...parsed,
        }),
      }),
    );
    const failed = parsed.outcome === 'failed';
    const firstError = parsed.errors[0];
    const quality = parsed.quality;
    const values: Record<string, unknown> = {
      ':sid': parsed.sourceId,
      ':at': parsed.finishedAt,
      ':outcome': parsed.outcome,
      ':counts': parsed.counts,
      ':zero': 0,
    };
    // A suspect run is neither a failure (the site answered) nor a success (nothing was published):
    // it leaves consecutiveFailures and lastSuccessAt alone and counts on consecutiveSuspect. Runs
    // without a report (an unchanged listing, a failed fetch) leave the gate's fields alone.
    const sets = [
      'sourceId = :sid',
      'lastRunAt = :at',
      'lastOutcome = :outcome',
      'lastCounts = :counts',
      'itemCount = if_not_exists(itemCount, :zero)',
      failed
        ? 'consecutiveFailures = if_not_exists(consecutiveFailures, :zero) + :one'
        : parsed.outcome === 'suspect'
          ? 'consecutiveFailures = if_not_exists(consecutiveFailures, :zero)'
          : 'consecutiveFailures = :zero',
      !quality
        ? 'consecutiveSuspect = if_not_exists(consecutiveSuspect, :zero)'
        : quality.passed
          ? 'consecutiveSuspect = :zero'
          : 'consecutiveSuspect = if_not_exists(consecutiveSuspect, :zero) + :one',
    ];
    if (!failed && parsed.outcome !== 'suspect') sets.push('lastSuccessAt = :at');
    if (quality) {
      sets.push('lastQuality = :quality');
      values[':quality'] = quality;
      if (quality.passed && quality.items > 0) sets.push('verifiedAt = if_not_exists(verifiedAt, :at)');
    }
    if (sets.some((set) => set.includes(':one'))) values[':one'] = 1;
    if (firstError) {
      sets.push('lastError = :error');
      values[':error'] = `${firstError.kind}: ${firstError.message} (${firstError.url})`;
    }
    await this.client.send(
      new (await documentCommands()).UpdateCommand({
        TableName: this.tableName,
        Key: healthKey(parsed.sourceId),
        UpdateExpression: `SET ${sets.join(', ')}${firstError ? '' : ' REMOVE lastError'}`,
        ExpressionAttributeValues: values,
      }),
    );
    if (parsed.newestItemAt) {
      const newest = toUtcIso(parsed.newestItemAt);
      try {
        await this.client.send(
          new (await documentCommands()).UpdateCommand({
            TableName: this.tableName,
            Key: healthKey(parsed.sourceId),
            UpdateExpression: 'SET newestItemAt = :n',
            ConditionExpression: 'attribute_not_exists(newestItemAt) OR newestItemAt < :n',
            ExpressionAttributeValues: { ':n': newest },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
  }

  async listCrawlRuns(sourceId: string, limit = 20): Promise<CrawlRun[]> {
    const out = await this.client.send(
      new (await documentCommands()).QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': crawlRunKey(sourceId, new Date(0).toISOString(), '').pk,
          ':prefix': crawlRunPrefix,
        },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).map((record) =>
      CrawlRunSchema.parse(withoutKeys(record, ['pk', 'sk', 'type', 'expiresAt'])),
    );
  }

  /** Sorted by source id. Sources that only have items (no run yet) are left out. */
  async listSourceHealth(): Promise<SourceHealth[]> {
    const out: SourceHealth[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new (await documentCommands()).QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': healthKey('').pk },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const record of page.Items ?? []) {
        if (record['lastRunAt'] === undefined) continue;
        out.push(SourceHealthSchema.parse(withoutKeys(record, ['pk', 'sk'])));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  // ---- upsert internals -------------------------------------------------------------------

  private async upsertOne(
    draft: ItemDraft,
    cache: Map<ItemId, StoredItem | null>,
    healthDeltas: Map<string, number>,
  ): Promise<UpsertResult> {
    const draftId = itemIdFor(draft.canonicalUrl);
    for (let attempt = 0; attempt < maxConditionalAttempts; attempt++) {
      const { match, title } = await this.resolve(draft, draftId, cache, attempt > 0);
      const decision = decideUpsert(draft, match, this.now());
      if (decision.outcome === 'unchanged') return { id: decision.item.id, outcome: 'unchanged', item: decision.item };
      if (decision.outcome === 'new') {
        const { item, changedAt } = decision;
        if (!(await this.putItem(item, changedAt, undefined))) {
          cache.delete(draftId);
          continue;
        }
        cache.set(draftId, { item, changedAt });
        addDelta(healthDeltas, draft.sourceId, 1);
        if (claimsTitle(title, draft, item.id)) await this.putTitle(draft, item.id);
        return { id: item.id, outcome: 'new', item };
      }
      const { item, previous, changedAt } = decision;
      if (!(await this.putItem(item, changedAt, previous.version))) {
        cache.delete(draftId);
        cache.delete(previous.id);
        continue;
      }
      const next = { item, changedAt };
      cache.set(draftId, next);
      cache.set(item.id, next);
      if (decision.sourceJoined) addDelta(healthDeltas, draft.sourceId, 1);
      if (decision.alias) {
        // A permanent pointer, so the merge still holds after the title window closes.
        await this.client.send(
          new (await documentCommands()).PutCommand({
            TableName: this.tableName,
            Item: { ...aliasKey(decision.alias), type: 'alias', itemId: item.id },
          }),
        );
      }
      return { id: item.id, outcome: 'updated', item, previous };
    }
    throw new ConflictError(`item for ${draft.canonicalUrl} kept changing during upsert; retry the crawl later`);
  }

  /** Finds the item a draft belongs to: by its own id, then an alias, then the title key. */
  private async resolve(
    draft: ItemDraft,
    draftId: ItemId,
    cache: Map<ItemId, StoredItem | null>,
    fresh: boolean,
  ): Promise<{ match?: ItemMatch; title?: TitleClaim }> {
    const cached = fresh ? undefined : cache.get(draftId);
    if (cached) return { match: { stored: cached, viaTitle: false } };
    const own = cached === null ? undefined : await this.readItem(draftId);
    if (own) return { match: { stored: own, viaTitle: false } };

    const alias = await this.client.send(
      new (await documentCommands()).GetCommand({
        TableName: this.tableName,
        Key: aliasKey(draftId),
        ConsistentRead: true,
      }),
    );
    if (alias.Item) {
      const target = await this.readItem(AliasRecordSchema.parse(alias.Item).itemId as ItemId);
      if (target) return { match: { stored: target, viaTitle: false } };
    }

    const title = await this.readTitle(draft);
    if (title && withinTitleWindow(title.firstSeenAt, draft.seenAt)) {
      const target = await this.readItem(title.itemId as ItemId);
      if (target && mergesByTitle(title, draft, target.item))
        return { match: { stored: target, viaTitle: true }, title };
    }
    return { title };
  }

  private async readTitle(draft: ItemDraft): Promise<TitleClaim | undefined> {
    const out = await this.client.send(
      new (await documentCommands()).GetCommand({
        TableName: this.tableName,
        Key: titleKey(draft),
        ConsistentRead: true,
      }),
    );
    return out.Item ? TitleRecordSchema.parse(out.Item) : undefined;
  }

  /** Points the title key at a new item. */
  private async putTitle(draft: ItemDraft, id: ItemId): Promise<void> {
    await this.client.send(
      new (await documentCommands()).PutCommand({
        TableName: this.tableName,
        Item: { ...titleKey(draft), type: 'title', itemId: id, firstSeenAt: draft.seenAt },
      }),
    );
  }

  /**
   * Conditional put: `expectedVersion` undefined means "must not exist". Returns false when the
   * condition failed (someone else wrote first); the caller re-reads and retries.
   */
  private async putItem(item: Item, changedAt: string, expectedVersion: number | undefined): Promise<boolean> {
    const record = fitToItemLimit(stripUndefined(itemToRecord(item, changedAt)));
    try {
      await this.client.send(
        new (await documentCommands()).PutCommand({
          TableName: this.tableName,
          Item: record,
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': expectedVersion },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) {
        this.log.debug('conditional write lost a race', { id: item.id, expectedVersion });
        return false;
      }
      throw error;
    }
  }

  private async readItem(id: ItemId): Promise<StoredItem | undefined> {
    const out = await this.client.send(
      new (await documentCommands()).GetCommand({ TableName: this.tableName, Key: itemKey(id), ConsistentRead: true }),
    );
    return out.Item ? storedFromRecord(out.Item) : undefined;
  }

  private async prefetch(ids: readonly ItemId[]): Promise<Map<ItemId, StoredItem | null>> {
    const unique = [...new Set(ids)];
    const found = await this.batchReadItems(unique);
    return new Map(unique.map((id) => [id, found.get(id) ?? null]));
  }

  /** Consistent BatchGet in chunks of 100, retrying unprocessed keys. */
  private async batchReadItems(ids: readonly ItemId[]): Promise<Map<ItemId, StoredItem>> {
    const out = new Map<ItemId, StoredItem>();
    for (let start = 0; start < ids.length; start += 100) {
      let keys: Record<string, unknown>[] = ids.slice(start, start + 100).map((id) => itemKey(id));
      for (let round = 0; keys.length > 0; round++) {
        if (round > 0) await sleep(Math.min(1000, 50 * 2 ** round));
        const page = await this.client.send(
          new (await documentCommands()).BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const record of page.Responses?.[this.tableName] ?? []) {
          const stored = storedFromRecord(record);
          out.set(stored.item.id, stored);
        }
        keys = page.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return out;
  }

  /** Adjusts `itemCount` of each source's health record (atomic ADD; creates the record if needed). */
  private async applyHealthDeltas(deltas: Map<string, number>): Promise<void> {
    for (const [sourceId, delta] of deltas) {
      if (delta === 0) continue;
      await this.client.send(
        new (await documentCommands()).UpdateCommand({
          TableName: this.tableName,
          Key: healthKey(sourceId),
          UpdateExpression:
            'SET sourceId = :sid, consecutiveFailures = if_not_exists(consecutiveFailures, :zero) ADD itemCount :delta',
          ExpressionAttributeValues: { ':sid': sourceId, ':zero': 0, ':delta': delta },
        }),
      );
    }
  }

  private async tableStatus(): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new (await tableCommands()).DescribeTableCommand({ TableName: this.tableName }),
      );
      const table = out.Table;
      if (!table) return undefined;
      const indexesActive = (table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
      return table.TableStatus === 'ACTIVE' && !indexesActive ? 'UPDATING' : table.TableStatus;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

function storedFromRecord(record: Record<string, unknown>): StoredItem {
  const item = itemFromRecord(record);
  const changedAt = typeof record['changedAt'] === 'string' ? record['changedAt'] : item.createdAt;
  return { item, changedAt };
}

function addDelta(deltas: Map<string, number>, sourceId: string, delta: number): void {
  deltas.set(sourceId, (deltas.get(sourceId) ?? 0) + delta);
}

/**
 * Keeps a record under DynamoDB's 400 KB item limit: drops the oldest history entries, then
 * shortens `bodyText`. The size is estimated from the JSON form, which over-counts slightly.
 */
function fitToItemLimit(record: Record<string, unknown>): Record<string, unknown> {
  const size = (r: Record<string, unknown>) => Buffer.byteLength(JSON.stringify(r), 'utf8');
  const out = { ...record };
  let excess = size(out) - maxItemBytes;
  while (excess > 0 && Array.isArray(out['history']) && out['history'].length > 0) {
    out['history'] = out['history'].slice(0, -1);
    excess = size(out) - maxItemBytes;
  }
  while (excess > 0 && typeof out['bodyText'] === 'string' && out['bodyText'].length > 0) {
    // Every character is at least one byte, so cutting `excess` characters is always enough.
    out['bodyText'] = out['bodyText'].slice(0, Math.max(0, out['bodyText'].length - excess));
    excess = size(out) - maxItemBytes;
  }
  return out;
}

function stripUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out as T;
}

function withoutKeys(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out = { ...record };
  for (const key of keys) delete out[key];
  return out;
}

function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

function decodeCursor(cursor: string | undefined): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidInputError([{ path: ['cursor'], message: `cursor "${cursor}" is not one this store issued` }], {
      cause: error,
    });
  }
  return parseInput(CursorSchema, decoded, ['cursor']);
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function isConditionFailure(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
