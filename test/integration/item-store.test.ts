import { loadConfig } from '../../shared/config.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { countingDocumentClient } from '../support/dynalite.js';
import { itemStoreContract } from '../support/item-store.contract.js';

/**
 * The ItemStore contract on the standalone DynamoDB-compatible server that scripts/services.sh
 * starts (dynalite as its own process on a LevelDB folder; DynamoDB Local is not used because of
 * its licence). Run with `npm run test:integration`.
 */
const endpoint = loadConfig().DYNAMODB_ENDPOINT;
if (!endpoint) {
  throw new Error(
    'DYNAMODB_ENDPOINT is not set: run this suite with `npm run test:integration` (scripts/services.sh run)',
  );
}

const runId = Date.now().toString(36);
let tableNumber = 0;

itemStoreContract(`DynamoDbItemStore on the standalone server at ${endpoint}`, async (clock) => {
  const counting = countingDocumentClient(endpoint);
  tableNumber += 1;
  const store = new DynamoDbItemStore({
    client: counting.client,
    tableName: `items-it-${runId}-${tableNumber}`,
    clock,
  });
  await store.ensureTable();
  return { store, writes: counting.writes, close: async () => counting.destroy() };
});
