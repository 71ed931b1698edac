import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.js';
import { documentCommands, tableCommands, type DocumentClient } from '../store/dynamodb-sdk.js';

/**
 * The DynamoDB document client every store adapter takes: the region from config, the endpoint
 * override for dynalite and test servers, and undefined attributes dropped (optional item fields).
 * The SDK modules load on the first `send`, not at module load, so a function's cold start pays
 * for them only when it touches the table (an API container that only searches never does).
 */
export function documentClientFor(config: Pick<Config, 'AWS_REGION' | 'DYNAMODB_ENDPOINT'>): DocumentClient {
  let client: Promise<DynamoDBDocumentClient> | undefined;
  const open = async (): Promise<DynamoDBDocumentClient> => {
    const [{ DynamoDBClient }, { DynamoDBDocumentClient }] = await Promise.all([tableCommands(), documentCommands()]);
    return DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: config.AWS_REGION,
        ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
      }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
  };
  const send = async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
    client ??= open().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return (await client).send(command);
  };
  // `send` is overloaded (promise and callback forms); the stores use the promise form only.
  return { send: send as DocumentClient['send'] };
}
