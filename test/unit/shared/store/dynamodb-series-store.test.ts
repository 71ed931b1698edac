import { afterAll, beforeAll } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { DynamoDbSeriesStore } from '../../../../shared/store/dynamodb-series-store.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../../../support/dynalite.js';
import { seriesStoreContract } from '../../../support/series-store.contract.js';

let dynalite: RunningDynalite;
let tableNumber = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});

seriesStoreContract('DynamoDbSeriesStore on in-process dynalite', async () => {
  const documents = countingDocumentClient(dynalite.endpoint);
  tableNumber += 1;
  const tableName = `series-unit-${tableNumber}`;
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
