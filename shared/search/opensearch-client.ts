import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';

export interface OpenSearchClientOptions {
  readonly endpoint: string;
  /** Sign requests with SigV4 (Amazon OpenSearch Service); plain HTTP otherwise (the local node). */
  readonly sigv4: boolean;
  readonly region: string;
  readonly requestTimeoutMs?: number;
}

/** Builds the OpenSearch client: SigV4-signed with the default AWS credential chain in AWS, plain locally. */
export function makeOpenSearchClient(options: OpenSearchClientOptions): Client {
  const common = { node: options.endpoint, requestTimeout: options.requestTimeoutMs ?? 30_000, maxRetries: 2 };
  if (!options.sigv4) return new Client(common);
  return new Client({
    ...common,
    ...AwsSigv4Signer({ region: options.region, service: 'es', getCredentials: defaultProvider() }),
  });
}
