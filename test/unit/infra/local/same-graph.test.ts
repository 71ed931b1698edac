/**
 * The local stack and the Lambda wirings build each function's ports through the same builders.
 * This suite builds both from one configuration and compares the graphs: the keys of each deps
 * object, the class behind each port, and every value read from the configuration. Ports that
 * differ by place on purpose (log, mailer) and the local-only health probes are named below.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localStackOptionsFrom, startLocalStack, type LocalStack } from '../../../../infra/local/local-stack.js';
import { loadConfig } from '../../../../shared/config.js';
import { LinkBuilder } from '../../../../shared/subscriptions/links.js';

// Functions read the registry JSON their bundling compiles; from source, the same data from its YAML.
vi.mock('../../../../shared/sources/registry-data.js', async (importOriginal) =>
  (await import('../../../support/yaml-registry.js')).withYamlRegistry(await importOriginal()),
);

/** Ports that are a different adapter in each place by design. */
const byPlace = new Set(['log', 'mailer']);

/** Keys, class names of ports and configuration-derived values of a deps object, recursively. */
function shapeOf(value: unknown, key = ''): unknown {
  if (byPlace.has(key)) return 'by place';
  if (typeof value === 'function') return 'function';
  if (Array.isArray(value)) return value.map((v) => shapeOf(v));
  if (value instanceof LinkBuilder) return { LinkBuilder: value.portal };
  if (value !== null && typeof value === 'object') {
    const name = value.constructor.name;
    if (name !== 'Object') return name;
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shapeOf(v, k)]),
    );
  }
  return value;
}

function without(shape: unknown, ...keys: string[]): unknown {
  return Object.fromEntries(Object.entries(shape as Record<string, unknown>).filter(([k]) => !keys.includes(k)));
}

describe('the local stack and the Lambda wirings', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chiiki-same-graph-'));
  // The Lambda side opens its own embedded index: a folder of its own, beside the running stack's.
  const lambdaDataDir = mkdtempSync(join(tmpdir(), 'chiiki-same-graph-lambda-'));
  const env = {
    DATA_DIR: dataDir,
    PUBLIC_BASE_URL: 'https://api.example.jp',
    PORTAL_URL: 'https://portal.example.jp',
    CORS_ORIGINS: 'https://portal.example.jp,https://other.example.jp',
    TOKEN_SECRET: 'same-graph-secret-0123456789',
    TABLE_NAME: 'chiiki-same-graph',
    MAIL_FROM: 'Alerts <alerts@mail.example.jp>',
    CRAWL_TIME_MARGIN_MS: '45000',
    CRAWL_MAX_CONTINUATIONS: '7',
  };
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack(
      localStackOptionsFrom(loadConfig(env), {
        registry: 'sample',
        port: 0,
        samplePort: 0,
        crawlOnStart: false,
        schedule: false,
      }),
    );
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    vi.stubEnv('DATA_DIR', lambdaDataDir);
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'chiiki-same-graph');
    vi.stubEnv('MAIL_TRANSPORT', 'ses');
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    vi.resetModules();
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(lambdaDataDir, { recursive: true, force: true });
  });

  it('build the same API ports, the local stack adding only its health probes', async () => {
    const lambda = await import('../../../../functions/api/wiring.js');

    const local = shapeOf(stack.deps.api) as Record<string, unknown>;
    expect(local.storage).toBe('function');
    expect(local.indexLag).toBe('function');
    expect(without(local, 'storage', 'indexLag')).toEqual(shapeOf(lambda.deps));
    expect(shapeOf(lambda.deps)).toMatchObject({
      search: 'CachedSearchIndex',
      store: 'DynamoDbItemStore',
      publicBaseUrl: 'https://api.example.jp',
      portalUrl: 'https://portal.example.jp',
      corsOrigins: ['https://portal.example.jp', 'https://other.example.jp'],
    });
  });

  it('build the same subscription ports', async () => {
    const lambda = await import('../../../../functions/api/wiring.js');

    expect(shapeOf(stack.deps.subscriptions)).toEqual(shapeOf(await lambda.subscriptionDeps()));
    expect(shapeOf(stack.deps.subscriptions)).toMatchObject({
      subscriptions: 'DynamoDbSubscriptionStore',
      links: { LinkBuilder: 'https://portal.example.jp' },
      hashSecret: 'same-graph-secret-0123456789',
    });
  });

  it('build the same indexer ports for the retry and reindex jobs', async () => {
    const lambda = await import('../../../../functions/indexer/wiring.js');

    expect(shapeOf(stack.deps.index.apply)).toEqual(shapeOf(lambda.retryDeps));
    expect(shapeOf(stack.deps.index.reindex)).toEqual(shapeOf(lambda.reindexDeps));
    expect(shapeOf(lambda.reindexDeps)).toMatchObject({ store: 'DynamoDbItemStore', index: 'EmbeddedSearchIndex' });
    expect(lambda.deps.index).toBe(lambda.retryDeps.index);
  });

  it('build the same digest and SES event ports', async () => {
    const lambda = await import('../../../../functions/alerts/wiring.js');

    expect(shapeOf(stack.deps.alerts.digest)).toEqual(shapeOf(lambda.fanOutDeps.digest));
    expect(shapeOf(stack.deps.alerts.sesEvents)).toEqual(shapeOf(lambda.sesEventDeps));
    expect(shapeOf(lambda.fanOutDeps.digest)).toMatchObject({
      items: 'DynamoDbItemStore',
      links: { LinkBuilder: 'https://portal.example.jp' },
      messageDomain: 'mail.example.jp',
    });
  });

  it('build the same crawl ports, the local stack crawling without a continuation queue', async () => {
    const lambda = { deps: (await import('../../../../functions/crawl/wiring.js')).crawlDeps() };

    // The registry differs by place (the sample sites' port); the rest of the graph does not.
    expect(without(shapeOf(stack.deps.crawl), 'sources')).toEqual(without(shapeOf(lambda.deps), 'sources'));
    expect(shapeOf(lambda.deps)).toMatchObject({
      store: 'DynamoDbItemStore',
      timeMarginMs: 45_000,
      maxContinuations: 7,
    });
    expect(stack.deps.crawl.sources.map((s) => s.id)).toEqual(lambda.deps.sources.map((s) => s.id));
  });
});
