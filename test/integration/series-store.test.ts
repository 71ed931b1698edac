import { integrationEndpoints } from '../support/integration-services.js';
import { dynamoDbSeriesStoreAt, seriesStoreContract } from '../support/series-store.contract.js';

/**
 * The SeriesStore contract on the standalone DynamoDB-compatible server that scripts/services.sh
 * starts, as item-store.test.ts runs the ItemStore contract there. Run with `npm run test:integration`.
 */
const { dynamoEndpoint } = integrationEndpoints();
const runId = Date.now().toString(36);
let tableNumber = 0;

seriesStoreContract(`DynamoDbSeriesStore on the standalone server at ${dynamoEndpoint}`, async () => {
  tableNumber += 1;
  return dynamoDbSeriesStoreAt(dynamoEndpoint, `series-it-${runId}-${tableNumber}`);
});
