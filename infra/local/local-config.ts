import type { ApiRoute } from '../../functions/api/routes.js';
import type { HttpFetcher } from '../../functions/crawl/fetch/http-fetcher.js';
import type { Clock } from '../../shared/clock.js';
import { loadConfig, type Config } from '../../shared/config.js';
import type { Log } from '../../shared/log.js';

// What the local stack is started with, and the functions' settings it derives from that.

export interface LocalStackOptions {
  /** Everything persistent lives here: `dynalite/`, `search/`, `outbox/`. */
  readonly dataDir: string;
  /** API port; 0 picks a free one. */
  readonly port: number;
  /** `sample` (the bundled sites, served locally), `live` (the real sites) or a registry file path. */
  readonly registry: string;
  readonly clock?: Clock;
  readonly log?: Log;
  /** Interface the API listens on; default 127.0.0.1. */
  readonly host?: string;
  /** Crawl every source right after start (default true). */
  readonly crawlOnStart?: boolean;
  /** Keep crawling on each source's schedule (default true). */
  readonly schedule?: boolean;
  readonly corsOrigins?: string;
  /** Send alert mail over SMTP instead of writing files to `outbox/`. */
  readonly smtpUrl?: string;
  readonly mailFrom?: string;
  readonly tableName?: string;
  /** HMAC secret of subscription links (TOKEN_SECRET). */
  readonly tokenSecret?: string;
  /** Base of links in mails; default the API URL (PUBLIC_BASE_URL). */
  readonly publicBaseUrl?: string;
  /** Where the portal is served (PORTAL_URL); default the API URL, which serves it locally. */
  readonly portalUrl?: string;
  /** User-Agent of the crawler (CRAWL_USER_AGENT). */
  readonly userAgent?: string;
  /**
   * KAKEN application id (KAKEN_APP_ID); default `sampleKakenAppId` for the sample registry, else
   * none. An empty string means none, also for the sample registry.
   */
  readonly kakenAppId?: string;
  /** The crawler's HTTP client; default the project's polite fetcher. */
  readonly fetcher?: HttpFetcher;
  /** Extra routes behind the same HTTP stack (the benchmark's no-op route). */
  readonly extraRoutes?: readonly ApiRoute[];
  /**
   * Port of the sample-site server on a first start (SAMPLE_SITES_PORT, the port `chiiki crawl`
   * uses too, so both give sample items the same ids); default a free port. Later starts reuse the
   * port kept in `dataDir/sample-sites.port`.
   */
  readonly samplePort?: number;
  /**
   * Fails store writes on purpose, as a full or read-only disk would (see `startDynaliteServer`);
   * for tests of the fault path where no small file system can be mounted.
   */
  readonly injectWriteFault?: () => Error | undefined;
  /**
   * The search engine, as in the functions' config (SEARCH_ENGINE, OPENSEARCH_ENDPOINT,
   * OPENSEARCH_INDEX, OPENSEARCH_SIGV4); default the embedded engine on disk under `dataDir/search`.
   */
  readonly searchEngine?: Partial<
    Pick<Config, 'SEARCH_ENGINE' | 'OPENSEARCH_ENDPOINT' | 'OPENSEARCH_INDEX' | 'OPENSEARCH_SIGV4'>
  >;
  /**
   * Fails the index writes of the change-log consumer on purpose while it returns an error, as an
   * unreachable engine would; for tests of the index fault path without a network.
   */
  readonly injectIndexFault?: () => Error | undefined;
  /** How long a crawl waits for the index to catch up before it reports (default 10 s). */
  readonly indexWaitMs?: number;
}

/**
 * The options `npm start` gives the stack from the configuration (main.ts); the same-graph test
 * starts the stack through it, so a setting main.ts passes is one the test compares.
 */
export function localStackOptionsFrom(
  config: Config,
  rest: Pick<LocalStackOptions, 'registry'> & Partial<LocalStackOptions>,
): LocalStackOptions {
  return {
    dataDir: config.DATA_DIR,
    port: config.PORT,
    samplePort: config.SAMPLE_SITES_PORT,
    corsOrigins: config.CORS_ORIGINS,
    smtpUrl: config.MAIL_TRANSPORT === 'outbox' ? undefined : config.SMTP_URL,
    mailFrom: config.MAIL_FROM,
    tableName: config.TABLE_NAME,
    userAgent: config.CRAWL_USER_AGENT,
    ...(config.KAKEN_APP_ID ? { kakenAppId: config.KAKEN_APP_ID } : {}),
    tokenSecret: config.TOKEN_SECRET,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    ...(config.PORTAL_URL ? { portalUrl: config.PORTAL_URL } : {}),
    searchEngine: config,
    ...rest,
  };
}

/**
 * The functions' settings in the local stack: `loadConfig`'s defaults with what the options set,
 * so the builders read the same fields here as in Lambda.
 */
export function localConfig(options: LocalStackOptions, dataDir: string): Config {
  return {
    ...loadConfig({}),
    ...options.searchEngine,
    DATA_DIR: dataDir,
    PORTAL_URL: options.portalUrl,
    ...(options.tableName ? { TABLE_NAME: options.tableName } : {}),
    ...(options.corsOrigins ? { CORS_ORIGINS: options.corsOrigins } : {}),
    ...(options.tokenSecret ? { TOKEN_SECRET: options.tokenSecret } : {}),
    ...(options.mailFrom ? { MAIL_FROM: options.mailFrom } : {}),
    ...(options.userAgent ? { CRAWL_USER_AGENT: options.userAgent } : {}),
  };
}
