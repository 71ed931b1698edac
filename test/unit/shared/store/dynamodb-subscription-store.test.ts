import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { DynamoDbSubscriptionStore } from '../../../../shared/store/dynamodb-subscription-store.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../../../support/dynalite.js';
import { makeSubscription, subscriptionStoreContract } from '../../../support/subscription-store.contract.js';

let dynalite: RunningDynalite;
let tableNumber = 0;
/** Few shards, so a contract listing spans several pages per shard. */
const shardCount = 4;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});

/** A store on a fresh table of the items table's design, with `shardCount` shards. */
async function makeStore() {
  const documents = countingDocumentClient(dynalite.endpoint);
  tableNumber += 1;
  const tableName = `subs-unit-${tableNumber}`;
  await new DynamoDbItemStore({
    client: documents.client,
    tableName,
    clock: new FixedClock('2025-05-01T00:00:00Z'),
  }).ensureTable();
  return {
    documents,
    tableName,
    store: new DynamoDbSubscriptionStore({ client: documents.client, tableName, shardCount }),
  };
}

subscriptionStoreContract('DynamoDbSubscriptionStore on in-process dynalite', async () => {
  const { documents, store } = await makeStore();
  return { store, close: async () => documents.destroy() };
});

describe('DynamoDbSubscriptionStore', () => {
  it('takes over an address lookup whose subscription is missing (a crash between the two writes)', async () => {
    const { documents, store, tableName } = await makeStore();
    const crashed = makeSubscription('crash@example.jp');
    await store.create(crashed);
    // Leaves the lookup alone, as a create that stopped after its first write does.
    await documents.client.send(
      new DeleteCommand({
        TableName: tableName,
        Key: { pk: subscriptionPk(crashed.id, shardCount), sk: `SUB#${crashed.id}` },
      }),
    );
    const retried = makeSubscription('crash@example.jp');

    await store.create(retried);

    expect(await store.findByEmailHash(retried.emailHash)).toEqual(retried);
    documents.destroy();
  });

  it('removes a subscription and its address lookup on delete', async () => {
    const { documents, store } = await makeStore();
    const subscription = makeSubscription('delete@example.jp');
    await store.create(subscription);

    await store.delete(subscription);

    expect(await store.get(subscription.id)).toBeUndefined();
    expect(await store.findByEmailHash(subscription.emailHash)).toBeUndefined();
    await store.create(makeSubscription('delete@example.jp'));
    documents.destroy();
  });
});

/** The partition key of a subscription record (see dynamodb-subscription-store.ts). */
function subscriptionPk(id: string, shardCount: number): string {
  return `SUBS#${String(parseInt(id.slice(4, 8), 16) % shardCount).padStart(2, '0')}`;
}
