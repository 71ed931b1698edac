import { loadCompiledRegistry } from '../../shared/sources/registry-data.js';
import { assessSourceHealth } from '../../shared/sources/source-health.js';
import { systemClock } from '../../shared/clock.js';
import { loadConfig, publicBaseUrlOf } from '../../shared/config.js';
import { loadTokenSecret, mailerFor } from '../../shared/wiring/mail.js';
import { documentClientFor } from '../../shared/wiring/document-client.js';
import { searchIndexFor } from '../../shared/wiring/search-index.js';
import type { Log } from '../../shared/log.js';
import { powertoolsLog } from '../../shared/wiring/powertools-log.js';
import type { Source } from '../../shared/domain/source.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSubscriptionStore } from '../../shared/store/dynamodb-subscription-store.js';
import { LinkBuilder } from '../../shared/subscriptions/links.js';
import type { SubscriptionDeps } from '../../shared/subscriptions/subscriptions.js';
import { TokenSigner } from '../../shared/subscriptions/tokens.js';
import { corsOriginsFrom } from '../middleware/cors.js';
import type { ApiDeps } from './routes.js';
import { CachedSearchIndex } from './search-cache.js';

/**
 * Builds the API's ports once per Lambda container from the environment. A bad variable fails
 * the cold start (loadConfig names every one), not the tenth request.
 */
const config = loadConfig();
// Required in Lambda: every absolute link the API writes starts here, never at the request's Host.
const publicBaseUrl = publicBaseUrlOf(config);
const log: Log = powertoolsLog('chiiki-api', config.LOG_LEVEL);
const clock = systemClock;

const client = documentClientFor(config);

// The registry is data shipped with the code; read once, lazily (only /v1/sources needs it).
let sources: readonly Source[] | undefined;

export const deps: ApiDeps = {
  // Popular searches repeat; a 5 s micro-cache spares the engine (see search-cache.ts).
  search: new CachedSearchIndex(searchIndexFor(config, clock, { purpose: 'api' }), {
    clock,
    ttlMs: 5_000,
    maxEntries: 500,
  }),
  store: new DynamoDbItemStore({ client, tableName: config.TABLE_NAME, clock }),
  clock,
  log,
  sources: () => (sources ??= loadCompiledRegistry(config.SOURCE_REGISTRY).sources),
  sourceFlags: (source, health, now) => assessSourceHealth(source, health, now),
  corsOrigins: corsOriginsFrom(config.CORS_ORIGINS),
  publicBaseUrl,
  ...(config.PORTAL_URL ? { portalUrl: config.PORTAL_URL } : {}),
};

// The subscription routes (functions/api/subscription-routes.ts) share the API's HTTP stack. Their
// ports need the link-signing secret (Secrets Manager in AWS), so they are built on the first
// subscription request rather than at every cold start; a failed build is retried next time.
const mailer = mailerFor(config); // checked now: a wrong MAIL_TRANSPORT fails the cold start
let subscriptionPorts: Promise<SubscriptionDeps> | undefined;
export function subscriptionDeps(): Promise<SubscriptionDeps> {
  subscriptionPorts ??= buildSubscriptionDeps().catch((error: unknown) => {
    subscriptionPorts = undefined;
    throw error;
  });
  return subscriptionPorts;
}

async function buildSubscriptionDeps(): Promise<SubscriptionDeps> {
  const tokenSecret = await loadTokenSecret(config);
  const tokens = new TokenSigner(tokenSecret);
  return {
    subscriptions: new DynamoDbSubscriptionStore({ client, tableName: config.TABLE_NAME }),
    mailer,
    tokens,
    links: new LinkBuilder({
      baseUrl: publicBaseUrl,
      ...(config.PORTAL_URL ? { portalUrl: config.PORTAL_URL } : {}),
      tokens,
    }),
    clock,
    log,
    hashSecret: tokenSecret,
    items: deps.store,
  };
}
