import type * as ClientDynamoDb from '@aws-sdk/client-dynamodb';
import type * as LibDynamoDb from '@aws-sdk/lib-dynamodb';

/**
 * The AWS SDK's DynamoDB modules, imported on first use rather than at module load. A Lambda
 * container of the API that only ever searches (OpenSearch) then never loads them: loading
 * `client-dynamodb` and `lib-dynamodb` costs more than the rest of the API's cold start
 * (`npm run bench -- bundles`). The stores build their commands through these.
 */
/** What the stores use of a `DynamoDBDocumentClient`: `send`. */
export type DocumentClient = Pick<LibDynamoDb.DynamoDBDocumentClient, 'send'>;

let lib: Promise<typeof LibDynamoDb> | undefined;
let client: Promise<typeof ClientDynamoDb> | undefined;

/** `@aws-sdk/lib-dynamodb` (document commands: Get, Put, Update, Query, ...). */
export function documentCommands(): Promise<typeof LibDynamoDb> {
  return (lib ??= import('@aws-sdk/lib-dynamodb'));
}

/** `@aws-sdk/client-dynamodb` (table commands: CreateTable, DescribeTable). */
export function tableCommands(): Promise<typeof ClientDynamoDb> {
  return (client ??= import('@aws-sdk/client-dynamodb'));
}
