import { FixedClock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSubscriptionStore } from '../../shared/store/dynamodb-subscription-store.js';
import { countingDocumentClient } from '../support/dynalite.js';
import { subscriptionStoreContract } from '../support/subscription-store.contract.js';

/**
 * The SubscriptionStore contract on the standalone DynamoDB-compatible server that
 * scripts/services.sh starts, as item-store.test.ts runs the ItemStore contract there.
 * Run with `npm run test:integration`.
 */
const endpoint = loadConfig().DYNAMODB_ENDPOINT;
if (!endpoint) {
  throw new Error(
    'DYNAMODB_ENDPOINT is not set: run this suite with `npm run test:integration` (scripts/services.sh run)',
  );
}

const runId = Date.now().toString(36);
let tableNumber = 0;

subscriptionStoreContract(`DynamoDbSubscriptionStore on the standalone server at ${endpoint}`, async () => {
  const documents = countingDocumentClient(endpoint);
  tableNumber += 1;
  const tableName = `subs-it-${runId}-${tableNumber}`;
  await new DynamoDbItemStore({
    client: documents.client,
    tableName,
    clock: new FixedClock('2025-05-01T00:00:00Z'),
  }).ensureTable();
  const store = new DynamoDbSubscriptionStore({ client: documents.client, tableName, shardCount: 4 });
  return { store, close: async () => documents.destroy() };
});
