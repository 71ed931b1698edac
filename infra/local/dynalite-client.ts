import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StorageUnavailableError } from '../../shared/errors.js';
import { storageFaultErrorType } from './dynalite-server.js';

/**
 * The document client of the local stack's dynalite at `endpoint` (data under `dir`). dynalite
 * answers a failed disk write with a 503 of its own type: callers see a `StorageUnavailableError`
 * naming the folder. `destroy` closes the client's sockets.
 */
export function dynaliteDocumentClient(
  endpoint: string,
  dir: string,
): { readonly client: DynamoDBDocumentClient; destroy(): void } {
  const baseClient = new DynamoDBClient({
    endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  baseClient.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof Error && error.name === storageFaultErrorType)
          throw new StorageUnavailableError(error.message, dir, 30, { cause: error });
        throw error;
      }
    },
    { step: 'initialize', name: 'storageFaults' },
  );
  return {
    client: DynamoDBDocumentClient.from(baseClient, { marshallOptions: { removeUndefinedValues: true } }),
    destroy: () => baseClient.destroy(),
  };
}
