import { FixedClock } from '../../shared/clock.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSeriesStore } from '../../shared/store/dynamodb-series-store.js';
import { countingDocumentClient } from '../support/dynalite.js';
import { integrationEndpoints } from '../support/integration-services.js';
import { seriesStoreContract } from '../support/series-store.contract.js';

/**
 * The SeriesStore contract on the standalone DynamoDB-compatible server that scripts/services.sh
 * starts, as item-store.test.ts runs the ItemStore contract there. Run with `npm run test:integration`.
 */
const { dynamoEndpoint } = integrationEndpoints();
const runId = Date.now().toString(36);
let tableNumber = 0;

seriesStoreContract(`DynamoDbSeriesStore on the standalone server at ${dynamoEndpoint}`, async () => {
  const documents = countingDocumentClient(dynamoEndpoint);
  tableNumber += 1;
  const tableName = `series-it-${runId}-${tableNumber}`;
  await new DynamoDbItemStore({
    client: documents.client,
    tableName,
    clock: new FixedClock('2026-12-01T00:00:00Z'),
  }).ensureTable();
  return {
    store: new DynamoDbSeriesStore({ client: documents.client, tableName }),
    close: async () => documents.destroy(),
  };
});
