import { createHash } from 'node:crypto';
import { ItemIdSchema, type ItemId } from '../domain/item.js';
import {
  SeriesIdSchema,
  SeriesOverrideSchema,
  SeriesSchema,
  type Series,
  type SeriesId,
  type SeriesOverride,
} from '../domain/series.js';
import { documentCommands, type DocumentClient } from './dynamodb-sdk.js';
import type { SeriesStore } from './series-store.js';

/**
 * `SeriesStore` on the items table (keys.ts describes the table; these records add their own
 * prefixes, none of which collides with an item's, and set no `gsi1pk`, so `countItems` and the
 * indexer's stream skip them):
 *
 * | record      | pk                        | sk                | attributes                       |
 * |-------------|---------------------------|-------------------|----------------------------------|
 * | series      | `SERIES#<seriesId>`       | `SERIES`          | `json` (the Series), `type='series'` |
 * | membership  | `SERIESOF#<itemId>`       | `SERIESOF`        | `seriesId`                       |
 * | key members | `SERIESKEY#<sha256(key)>` | `SERIESKEY`       | `itemIds` (string set, `ADD`)    |
 * | override    | `SERIESOVERRIDE`          | `<itemA>#<itemB>` | `json` (the SeriesOverride)      |
 * | forecast    | `SERIESFORECAST`          | `<seriesId>`      | `json` (the Series)              |
 *
 * - **series** is one JSON attribute: it is read and written whole, and a few dozen rounds with
 *   their evidence stay far below the 400 KB record limit.
 * - **key members** grow by atomic `ADD`, so two crawls adding rounds of one program at once both
 *   land; an item is never removed from a key (a stale member is re-read and dropped by linking).
 * - **override**: one partition for all, so `listOverrides` is one Query.
 * - **forecast**: a copy of each series whose forecast is `expected`, in one partition, so
 *   `listForecasts` is one Query (paged) and never a table scan; `save` and `remove` keep it.
 */
export class DynamoDbSeriesStore implements SeriesStore {
  private readonly client: DocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  private async getRecord(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const { GetCommand } = await documentCommands();
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return out.Item;
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    const { PutCommand } = await documentCommands();
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  private async delete(key: { pk: string; sk: string }): Promise<void> {
    const { DeleteCommand } = await documentCommands();
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: key }));
  }

  async get(id: SeriesId): Promise<Series | undefined> {
    const json = (await this.getRecord(seriesKey(id)))?.['json'];
    return typeof json === 'string' ? SeriesSchema.parse(JSON.parse(json)) : undefined;
  }

  async seriesIdOf(itemId: ItemId): Promise<SeriesId | undefined> {
    const id = (await this.getRecord(membershipKey(itemId)))?.['seriesId'];
    return id === undefined ? undefined : SeriesIdSchema.parse(id);
  }

  async addKeyMembers(keys: readonly string[], itemId: ItemId): Promise<void> {
    const { UpdateCommand } = await documentCommands();
    await Promise.all(
      keys.map((key) =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: memberKey(key),
            UpdateExpression: 'ADD itemIds :id SET #type = :type',
            ExpressionAttributeNames: { '#type': 'type' },
            ExpressionAttributeValues: { ':id': new Set([itemId]), ':type': 'series-key' },
          }),
        ),
      ),
    );
  }

  async keyMembers(key: string): Promise<ItemId[]> {
    const ids = (await this.getRecord(memberKey(key)))?.['itemIds'];
    if (!(ids instanceof Set)) return [];
    return [...ids].map((id) => ItemIdSchema.parse(id)).sort();
  }

  async save(series: Series): Promise<void> {
    const json = JSON.stringify(SeriesSchema.parse(series));
    await this.put({ ...seriesKey(series.id), type: 'series', json });
    if (series.forecast.status === 'expected')
      await this.put({ ...forecastKey(series.id), type: 'series-forecast', json });
    else await this.delete(forecastKey(series.id));
    await Promise.all(
      series.rounds.map((round) =>
        this.put({ ...membershipKey(round.itemId), type: 'series-membership', seriesId: series.id }),
      ),
    );
  }

  async remove(id: SeriesId): Promise<void> {
    await this.delete(seriesKey(id));
    await this.delete(forecastKey(id));
  }

  async listForecasts(): Promise<Series[]> {
    const records = await this.queryPartition(forecastPartition);
    const series = records.map((record) => SeriesSchema.parse(JSON.parse(String(record['json']))));
    const opens = (s: Series): string => (s.forecast.status === 'expected' ? s.forecast.opens.from : '');
    return series.sort((a, b) => opens(a).localeCompare(opens(b)) || a.id.localeCompare(b.id));
  }

  async clearMembership(itemId: ItemId): Promise<void> {
    await this.delete(membershipKey(itemId));
  }

  async putOverride(override: SeriesOverride): Promise<void> {
    const parsed = SeriesOverrideSchema.parse(override);
    await this.put({
      pk: overridePartition,
      sk: parsed.items.join('#'),
      type: 'series-override',
      json: JSON.stringify(parsed),
    });
  }

  async listOverrides(): Promise<SeriesOverride[]> {
    const records = await this.queryPartition(overridePartition);
    return records.map((record) => SeriesOverrideSchema.parse(JSON.parse(String(record['json']))));
  }

  /** Every record of one partition, in sort-key order, page by page. */
  private async queryPartition(pk: string): Promise<Record<string, unknown>[]> {
    const { QueryCommand } = await documentCommands();
    const records: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      records.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return records;
  }
}

const overridePartition = 'SERIESOVERRIDE';
const forecastPartition = 'SERIESFORECAST';
const forecastKey = (id: SeriesId) => ({ pk: forecastPartition, sk: id });
const seriesKey = (id: SeriesId) => ({ pk: `SERIES#${id}`, sk: 'SERIES' });
const membershipKey = (itemId: ItemId) => ({ pk: `SERIESOF#${itemId}`, sk: 'SERIESOF' });
const memberKey = (key: string) => ({
  pk: `SERIESKEY#${createHash('sha256').update(key).digest('hex')}`,
  sk: 'SERIESKEY',
});
