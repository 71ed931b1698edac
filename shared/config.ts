import * as z from 'zod';
import { ConfigError } from './errors.js';

/**
 * The only place that reads `process.env`. Each setting is one zod schema with a default where
 * a default is safe, so `npm start` runs with nothing set. `loadConfig()` names every invalid
 * variable at once. The configuration table of docs/local.md is generated from `configFields`.
 */

const optionalUrl = z.url().optional();
/** A whole number from `min` to `max`, `fallback` when the variable is not set. */
const wholeNumber = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const boolFromEnv = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/** Every variable, its schema and what it does. */
export const configFields = {
  STAGE: {
    schema: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,15}$/)
      .default('dev'),
    doc: 'deployment stage name',
  },
  AWS_REGION: { schema: z.string().default('ap-northeast-1'), doc: 'AWS region of the table, domain and SES' },
  TABLE_NAME: { schema: z.string().min(3).default('chiiki-items'), doc: 'DynamoDB single table' },
  DYNAMODB_ENDPOINT: { schema: optionalUrl, doc: 'DynamoDB endpoint override (dynalite or a test server)' },
  SEARCH_ENGINE: {
    schema: z.enum(['embedded', 'opensearch']).default('embedded'),
    doc: 'search engine of the functions and of `npm start`: embedded (in process) or opensearch',
  },
  OPENSEARCH_ENDPOINT: { schema: optionalUrl, doc: 'OpenSearch URL; required when SEARCH_ENGINE=opensearch' },
  OPENSEARCH_SIGV4: { schema: boolFromEnv.default(false), doc: 'sign OpenSearch requests with SigV4 (AWS)' },
  OPENSEARCH_REPLICAS: {
    schema: wholeNumber(0, 5, 0),
    doc: 'replicas per index shard, applied when an index is created (first run, reindex); 0 on a one-node domain',
  },
  OPENSEARCH_INDEX: {
    schema: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/)
      .default('chiiki-items'),
    doc: 'index alias prefix',
  },
  OPENSEARCH_TIMEOUT_MS: {
    schema: wholeNumber(100, 29_000, 3000),
    doc: "the API's budget for one OpenSearch request, retries included (ms); past it, search routes answer 503",
  },
  OPENSEARCH_INDEXER_TIMEOUT_MS: {
    schema: wholeNumber(100, 900_000, 30_000),
    doc: 'indexer and reindex: timeout of one OpenSearch attempt (ms; up to 3 attempts)',
  },
  OPENSEARCH_BREAKER_FAILURES: {
    schema: wholeNumber(1, 100, 3),
    doc: 'API: consecutive unreachable OpenSearch requests after which searches fail fast (503)',
  },
  OPENSEARCH_BREAKER_COOLDOWN_SEC: {
    schema: wholeNumber(1, 3600, 10),
    doc: 'API: how long searches fail fast before one request probes OpenSearch again (s), and the Retry-After of those 503s',
  },
  DATA_DIR: { schema: z.string().default('.data'), doc: 'local data folder (dynalite, embedded index, outbox)' },
  EMBEDDED_MAX_ITEMS: {
    schema: wholeNumber(1, Number.MAX_SAFE_INTEGER, 200_000),
    doc: 'items the embedded engine is measured to hold in under 1 GB of memory (docs/benchmarks.md, Search and 1M items); past it `npm start` warns at start that memory grows (~3 GB at 1M) and to use SEARCH_ENGINE=opensearch',
  },
  PORT: { schema: wholeNumber(0, 65535, 3000), doc: 'local HTTP port' },
  PUBLIC_BASE_URL: {
    schema: optionalUrl,
    doc: "the API's public address: base of links in mails, feeds and the OpenAPI document (never the request's Host); required in Lambda, defaults to http://localhost:PORT elsewhere",
  },
  PORTAL_URL: {
    schema: optionalUrl,
    doc: "the portal's address, for links to its search and item pages (mails, feeds); defaults to PUBLIC_BASE_URL",
  },
  SOURCE_REGISTRY: { schema: z.enum(['sample', 'live']).default('sample'), doc: 'which source registry to crawl' },
  SAMPLE_SITES_PORT: {
    schema: wholeNumber(0, 65535, 4010),
    doc: 'port of the local sample-site server; fixed, because sample item URLs (and so their ids) include it',
  },
  CRAWL_USER_AGENT: {
    schema: z.string().min(5).default('chiiki-portal-crawler/0.1 (+https://github.com/chiiki-portal/chiiki-portal)'),
    doc: 'User-Agent sent to every site; names the portal and a contact URL',
  },
  CRAWL_QUEUE_URL: { schema: optionalUrl, doc: 'SQS queue of crawl jobs (AWS)' },
  DIGEST_QUEUE_URL: {
    schema: optionalUrl,
    doc: 'SQS queue of digest shard groups (AWS); when set, a scheduled digest fans out through it instead of running in one invocation',
  },
  INDEX_RETRY_QUEUE_URL: {
    schema: optionalUrl,
    doc: 'SQS queue of item ids whose index write failed, re-read from the table and applied later (AWS)',
  },
  CRAWL_TIME_MARGIN_MS: {
    schema: wholeNumber(0, 900_000, 60_000),
    doc: 'a crawl invocation takes no new work once less than this much of its Lambda time is left, saves, and continues in a new message',
  },
  CRAWL_MAX_CONTINUATIONS: {
    schema: wholeNumber(0, 100, 10),
    doc: 'continuations one crawl run may take; the last one records the run as partial',
  },
  MAIL_TRANSPORT: {
    schema: z.enum(['outbox', 'smtp', 'ses']).optional(),
    doc: 'mail transport; default smtp when SMTP_URL is set, else outbox (outbox and smtp are for the local stack and CLI; functions in AWS use ses)',
  },
  SMTP_URL: { schema: optionalUrl, doc: 'SMTP server URL, e.g. smtp://localhost:2525' },
  MAIL_FROM: {
    schema: z.string().min(3).default('地域科学技術ポータル <alerts@chiiki-portal.localhost>'),
    doc: 'sender of alert mails',
  },
  SES_CONFIGURATION_SET: { schema: z.string().optional(), doc: 'SES configuration set (bounce and complaint events)' },
  TOKEN_SECRET: {
    schema: z.string().min(16).default('local-development-secret-change-me'),
    doc: 'HMAC secret for subscription links (in AWS read from Secrets Manager via TOKEN_SECRET_ARN)',
  },
  TOKEN_SECRET_ARN: { schema: z.string().optional(), doc: 'Secrets Manager ARN holding the token secret (AWS)' },
  KAKEN_APP_ID: {
    schema: z.string().min(1).optional(),
    doc: 'CiNii application id for the KAKEN API (kaken sources fail without it; the sample registry uses a fixed local id)',
  },
  KAKEN_APP_ID_SECRET_ARN: {
    schema: z.string().optional(),
    doc: 'Secrets Manager ARN holding the KAKEN application id (AWS; wins over KAKEN_APP_ID)',
  },
  AWS_ACCESS_KEY_ID: {
    schema: z.string().optional(),
    doc: 'set by the Lambda runtime (with the two below): signs OpenSearch requests; unset, the AWS default credential chain does',
  },
  AWS_SECRET_ACCESS_KEY: { schema: z.string().optional(), doc: 'secret of AWS_ACCESS_KEY_ID' },
  AWS_SESSION_TOKEN: { schema: z.string().optional(), doc: 'session token of AWS_ACCESS_KEY_ID' },
  AWS_LAMBDA_FUNCTION_NAME: {
    schema: z.string().optional(),
    doc: 'set by the Lambda runtime; when set, settings with no safe default (PUBLIC_BASE_URL) are required',
  },
  CORS_ORIGINS: { schema: z.string().default('*'), doc: 'comma-separated allowed CORS origins' },
  LOG_LEVEL: { schema: z.enum(['debug', 'info', 'warn', 'error']).default('info'), doc: 'log level' },
} as const;

type Fields = typeof configFields;
export type Config = { readonly [K in keyof Fields]: z.output<Fields[K]['schema']> };

/** Reads and validates every variable; throws one `ConfigError` naming all bad ones. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, field] of Object.entries(configFields)) {
    const raw = env[name] === '' ? undefined : env[name];
    const result = (field.schema as z.ZodType).safeParse(raw);
    if (result.success) out[name] = result.data;
    else problems.push(`${name}=${JSON.stringify(raw)}: ${result.error.issues.map((i) => i.message).join(', ')}`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return out as Config;
}

/**
 * The API's public address (PUBLIC_BASE_URL) without a trailing slash. Outside Lambda it defaults
 * to `http://localhost:PORT`; in Lambda (AWS_LAMBDA_FUNCTION_NAME set) a missing value throws a
 * `ConfigError`, so the cold start fails instead of links being built from a client's Host header.
 */
export function publicBaseUrlOf(config: Pick<Config, 'PUBLIC_BASE_URL' | 'PORT' | 'AWS_LAMBDA_FUNCTION_NAME'>): string {
  if (config.PUBLIC_BASE_URL) return config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  if (config.AWS_LAMBDA_FUNCTION_NAME)
    throw new ConfigError(
      `invalid configuration: PUBLIC_BASE_URL is required in Lambda (function ${config.AWS_LAMBDA_FUNCTION_NAME}); expected the API's https URL`,
    );
  return `http://localhost:${config.PORT}`;
}
