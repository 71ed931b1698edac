import { afterAll, beforeAll } from 'vitest';
import { startDynalite, type RunningDynalite } from '../../../support/dynalite.js';
import { dynamoDbSeriesStoreAt, seriesStoreContract } from '../../../support/series-store.contract.js';

let dynalite: RunningDynalite;
let tableNumber = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});

seriesStoreContract('DynamoDbSeriesStore on in-process dynalite', async () => {
  tableNumber += 1;
  return dynamoDbSeriesStoreAt(dynalite.endpoint, `series-unit-${tableNumber}`);
});
