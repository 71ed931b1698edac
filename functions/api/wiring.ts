import { loadCompiledRegistry } from '../../shared/sources/registry-data.js';
import { systemClock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import { loadTokenSecret, mailerFor } from '../../shared/wiring/mail.js';
import { documentClientFor } from '../../shared/wiring/document-client.js';
import { searchIndexFor } from '../../shared/wiring/search-index.js';
import type { Log } from '../../shared/log.js';
import { powertoolsLog } from '../../shared/wiring/powertools-log.js';
import type { Source } from '../../shared/domain/source.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSubscriptionStore } from '../../shared/store/dynamodb-subscription-store.js';
import { DynamoDbSeriesStore } from '../../shared/store/dynamodb-series-store.js';
import type { SubscriptionDeps } from '../../shared/subscriptions/subscriptions.js';
import { buildApiDeps, buildSubscriptionDeps, type BuiltApiDeps } from './deps.js';

/**
 * Builds the API's ports once per Lambda container from the environment, with the AWS adapters,
 * through the builders the local stack uses too (deps.ts). A bad variable fails the cold start
 * (loadConfig names every one; PUBLIC_BASE_URL is required in Lambda), not the tenth request.
 */
const config = loadConfig();
const log: Log = powertoolsLog('chiiki-api', config.LOG_LEVEL);
const clock = systemClock;

const client = documentClientFor(config);

// The registry is data shipped with the code; read once, lazily (only /v1/sources needs it).
let sources: readonly Source[] | undefined;

export const deps: BuiltApiDeps = buildApiDeps(config, {
  search: searchIndexFor(config, clock, { purpose: 'api' }),
  store: new DynamoDbItemStore({ client, tableName: config.TABLE_NAME, clock }),
  series: new DynamoDbSeriesStore({ client, tableName: config.TABLE_NAME }),
  clock,
  log,
  sources: () => (sources ??= loadCompiledRegistry(config.SOURCE_REGISTRY).sources),
});

// The subscription routes (functions/api/subscription-routes.ts) share the API's HTTP stack. Their
// ports need the link-signing secret (Secrets Manager in AWS), so they are built on the first
// subscription request rather than at every cold start; a failed build is retried next time.
const mailer = mailerFor(config); // checked now: a wrong MAIL_TRANSPORT fails the cold start
let subscriptionPorts: Promise<SubscriptionDeps> | undefined;
export function subscriptionDeps(): Promise<SubscriptionDeps> {
  subscriptionPorts ??= loadTokenSecret(config)
    .then((tokenSecret) =>
      buildSubscriptionDeps(config, {
        subscriptions: new DynamoDbSubscriptionStore({ client, tableName: config.TABLE_NAME }),
        mailer,
        tokenSecret,
        clock,
        log,
        items: deps.store,
      }),
    )
    .catch((error: unknown) => {
      subscriptionPorts = undefined;
      throw error;
    });
  return subscriptionPorts;
}
