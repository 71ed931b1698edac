import { FixedClock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSeriesStore } from '../../shared/store/dynamodb-series-store.js';
import { countingDocumentClient } from '../support/dynalite.js';
import { seriesStoreContract } from '../support/series-store.contract.js';

/**
 * The SeriesStore contract on the standalone DynamoDB-compatible server that
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

seriesStoreContract(`DynamoDbSeriesStore on the standalone server at ${endpoint}`, async () => {
  const documents = countingDocumentClient(endpoint);
  tableNumber += 1;
  const tableName = `series-it-${runId}-${tableNumber}`;
  await new DynamoDbItemStore({
    client: documents.client,
    tableName,
    clock: new FixedClock('2025-05-01T00:00:00Z'),
  }).ensureTable();
  const store = new DynamoDbSeriesStore({ client: documents.client, tableName });
  return { store, close: async () => documents.destroy() };
});
