import type { Clock } from '../../shared/clock.js';
import { publicBaseUrlOf, type Config } from '../../shared/config.js';
import type { Source } from '../../shared/domain/source.js';
import type { Log } from '../../shared/log.js';
import type { Mailer } from '../../shared/mail/mailer.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import { assessSourceHealth } from '../../shared/sources/source-health.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import type { SubscriptionStore } from '../../shared/store/subscription-store.js';
import { linksFor } from '../../shared/subscriptions/links.js';
import type { SubscriptionDeps } from '../../shared/subscriptions/subscriptions.js';
import { TokenSigner } from '../../shared/subscriptions/tokens.js';
import { corsOriginsFrom } from '../middleware/cors.js';
import type { SeriesReader } from './get-item.js';
import type { IndexLagStatus, StorageStatus } from './health.js';
import type { ApiDeps } from './routes.js';
import { CachedSearchIndex } from './search-cache.js';

/** The settings the API's ports are built from. */
export type ApiConfig = Pick<
  Config,
  'CORS_ORIGINS' | 'PUBLIC_BASE_URL' | 'PORTAL_URL' | 'PORT' | 'AWS_LAMBDA_FUNCTION_NAME'
>;

/** What differs by place (Lambda or the local stack): the adapters behind the API's ports. */
export interface ApiAdapters {
  /** The engine searches read (the API's OpenSearch client, or the embedded index). */
  readonly search: SearchIndex;
  readonly store: ItemStore;
  /** Program series (the items table in AWS and locally). */
  readonly series?: SeriesReader;
  readonly clock: Clock;
  readonly log: Log;
  /** The registry's sources, read when first asked. */
  readonly sources: () => readonly Source[];
  /** Whether storage writes work now (the local stack watches its data folder). */
  readonly storage?: () => StorageStatus;
  /** How far the index is behind the store (the local stack's change log). */
  readonly indexLag?: () => IndexLagStatus;
}

/** The API's search micro-cache: popular searches repeat, 5 s spares the engine (see search-cache.ts). */
const apiSearchCache = { ttlMs: 5_000, maxEntries: 500 } as const;

/** The API's ports with the search cache the builder put in front of the engine. */
export type BuiltApiDeps = ApiDeps & { readonly search: CachedSearchIndex };

/**
 * The API's ports from its settings and the adapters of the place it runs: the Lambda wiring and
 * the local stack both build them here, so a setting read by one is read by the other.
 */
export function buildApiDeps(config: ApiConfig, adapters: ApiAdapters): BuiltApiDeps {
  const { clock } = adapters;
  return {
    search: new CachedSearchIndex(adapters.search, { clock, ...apiSearchCache }),
    store: adapters.store,
    ...(adapters.series ? { series: adapters.series } : {}),
    clock,
    log: adapters.log,
    sources: adapters.sources,
    sourceFlags: (source, health, now) => assessSourceHealth(source, health, now),
    corsOrigins: corsOriginsFrom(config.CORS_ORIGINS),
    // Every absolute link the API writes starts here, never at the request's Host.
    publicBaseUrl: publicBaseUrlOf(config),
    ...(config.PORTAL_URL ? { portalUrl: config.PORTAL_URL } : {}),
    ...(adapters.storage ? { storage: adapters.storage } : {}),
    ...(adapters.indexLag ? { indexLag: adapters.indexLag } : {}),
  };
}

/** What differs by place behind the subscription routes. */
export interface SubscriptionAdapters {
  readonly subscriptions: SubscriptionStore;
  readonly mailer: Mailer;
  /** The HMAC secret of subscription links (TOKEN_SECRET, or Secrets Manager in AWS). */
  readonly tokenSecret: string;
  readonly clock: Clock;
  readonly log: Log;
  /** Titles of calls for the link pages. */
  readonly items: Pick<ItemStore, 'get'>;
}

/** The subscription routes' ports from the API's settings and the adapters of the place it runs. */
export function buildSubscriptionDeps(config: ApiConfig, adapters: SubscriptionAdapters): SubscriptionDeps {
  const tokens = new TokenSigner(adapters.tokenSecret);
  return {
    subscriptions: adapters.subscriptions,
    mailer: adapters.mailer,
    tokens,
    links: linksFor(config, tokens),
    clock: adapters.clock,
    log: adapters.log,
    hashSecret: adapters.tokenSecret,
    items: adapters.items,
  };
}
