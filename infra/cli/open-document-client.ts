import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { join, resolve } from 'node:path';
import { systemClock } from '../../shared/clock.js';
import type { Config } from '../../shared/config.js';
import type { Log } from '../../shared/log.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { startDynaliteServer } from '../local/dynalite-server.js';
import { findRunningStack } from '../local/stack-control.js';

/**
 * The DynamoDB client an operator command works on: DYNAMODB_ENDPOINT when set; else, when
 * `npm start` runs on DATA_DIR, its dynalite endpoint (its process holds the folder's lock, see
 * stack-control.ts); else dynalite on disk under DATA_DIR. A loopback endpoint gets dummy
 * credentials, which dynalite accepts. What must be closed is pushed onto `closers`.
 */
async function openDocumentClient(
  config: Pick<Config, 'DYNAMODB_ENDPOINT' | 'DATA_DIR' | 'AWS_REGION'>,
  closers: (() => Promise<void>)[],
): Promise<DynamoDBDocumentClient> {
  let endpoint = config.DYNAMODB_ENDPOINT ?? findRunningStack(resolve(config.DATA_DIR))?.dynamodbEndpoint;
  if (endpoint === undefined) {
    const dynalite = await startDynaliteServer({ dir: join(resolve(config.DATA_DIR), 'dynalite') });
    closers.push(() => dynalite.close());
    endpoint = dynalite.endpoint;
  }
  const local = /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(endpoint);
  const base = new DynamoDBClient({
    endpoint,
    region: config.AWS_REGION,
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  closers.push(async () => base.destroy());
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * `openDocumentClient` and the item store on it, its table created when missing: what every
 * operator command that reads or writes items starts with.
 */
export async function openItemStore(
  config: Pick<Config, 'DYNAMODB_ENDPOINT' | 'DATA_DIR' | 'AWS_REGION' | 'TABLE_NAME'>,
  log: Log,
  closers: (() => Promise<void>)[],
): Promise<{ client: DynamoDBDocumentClient; store: DynamoDbItemStore }> {
  const client = await openDocumentClient(config, closers);
  const store = new DynamoDbItemStore({ client, tableName: config.TABLE_NAME, clock: systemClock, log });
  await store.ensureTable();
  return { client, store };
}
