/**
 * The endpoints of the real services the integration suite runs against, as `npm run
 * test:integration` (scripts/services.sh run -- ...) sets them; throws at import time without
 * them, so a suite run outside the runner fails with the way to run it.
 */
export function integrationEndpoints(): { readonly osEndpoint: string; readonly dynamoEndpoint: string } {
  const osEndpoint = process.env.OPENSEARCH_ENDPOINT;
  const dynamoEndpoint = process.env.DYNAMODB_ENDPOINT;
  if (!osEndpoint || !dynamoEndpoint) {
    throw new Error(
      'OPENSEARCH_ENDPOINT and DYNAMODB_ENDPOINT must be set: run the integration suite through ' +
        '`npm run test:integration` (scripts/services.sh run -- ...), which starts both and sets them',
    );
  }
  return { osEndpoint, dynamoEndpoint };
}
