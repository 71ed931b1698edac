import { dynaliteForFile } from '../../../support/dynalite.js';
import { dynamoDbSeriesStoreAt, seriesStoreContract } from '../../../support/series-store.contract.js';

const dynalite = dynaliteForFile('series-unit');

seriesStoreContract('DynamoDbSeriesStore on in-process dynalite', async () => {
  return dynamoDbSeriesStoreAt(dynalite.endpoint(), dynalite.nextTable());
});
