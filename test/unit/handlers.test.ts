/**
 * A smoke test per Lambda handler module (every `entry` of infra/aws/functions.ts): the real
 * module, wiring included, built from the environment a function gets, on in-process dynalite and
 * the embedded search engine, with SQS and SES mocked at the SDK client. Each is fed a recorded
 * event shape from test/fixtures/events/ and answers what its caller (Lambda's event source, API
 * Gateway, an operator) reads. Handlers another test already loads are named in `loadedElsewhere`,
 * and a test checks that file still imports the handler.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { functionSpecs, repoRoot, type FunctionKey } from '../../infra/aws/functions.js';
import { FixedClock } from '../../shared/clock.js';
import { emailHashOf } from '../../shared/domain/subscription.js';
import { itemIdFor } from '../../shared/domain/item.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSubscriptionStore } from '../../shared/store/dynamodb-subscription-store.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../support/dynalite.js';
import { makeDraft } from '../support/factories.js';
import { makeSubscription } from '../support/subscription-store.contract.js';

vi.mock('../../shared/sources/registry-data.js', async (importOriginal) =>
  (await import('../support/yaml-registry.js')).withYamlRegistry(await importOriginal()),
);

/** Handlers whose module another test loads with its real wiring; this file does not repeat them. */
const loadedElsewhere: Partial<Record<FunctionKey, string>> = {
  crawl: 'test/e2e/crawl-continuation.test.ts',
  indexRetry: 'test/unit/shared/wiring/tracer.test.ts',
  digest: 'test/unit/functions/alerts/handler.test.ts',
};

type Handler = (event: unknown, context: object) => Promise<unknown>;

const tableName = 'handlers-smoke';
const tokenSecret = 'handlers-smoke-secret-0123456789';
const crawlQueueUrl = 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/chiiki-test-crawl.fifo';
const lambdaContext = { functionName: 'chiiki-test', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 };
const sqs = mockClient(SQSClient);
const ses = mockClient(SESv2Client);

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/events/${name}`, import.meta.url), 'utf8'));

/** Loads a function's handler module afresh, as a new Lambda container would (wiring runs at import). */
async function loadHandler(key: FunctionKey): Promise<Handler> {
  vi.resetModules();
  const module = (await import(pathToFileURL(join(repoRoot, functionSpecs[key].entry)).href)) as {
    handler: (...args: unknown[]) => Promise<unknown>;
  };
  return (event, context) => module.handler(event, context);
}

/** Relative module specifiers a test file imports (static and dynamic), resolved to source paths. */
function importedSources(testFile: string): string[] {
  const text = readFileSync(join(repoRoot, testFile), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].map((m) => m[1] ?? '');
  return specifiers.map((s) => resolve(dirname(join(repoRoot, testFile)), s).replace(/\.js$/, '.ts'));
}

describe('Lambda handler modules', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chiiki-handlers-'));
  let dynalite: RunningDynalite;
  let documents: ReturnType<typeof countingDocumentClient>;
  let items: DynamoDbItemStore;
  let subscriptions: DynamoDbSubscriptionStore;

  beforeAll(async () => {
    dynalite = await startDynalite();
    documents = countingDocumentClient(dynalite.endpoint);
    items = new DynamoDbItemStore({
      client: documents.client,
      tableName,
      clock: new FixedClock('2026-11-28T06:00:00Z'),
    });
    await items.ensureTable();
    subscriptions = new DynamoDbSubscriptionStore({ client: documents.client, tableName });
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynalite.endpoint,
      SEARCH_ENGINE: 'embedded',
      MAIL_TRANSPORT: 'ses',
      TOKEN_SECRET: tokenSecret,
      PUBLIC_BASE_URL: 'https://api.chiiki-portal.example.jp',
      SOURCE_REGISTRY: 'sample',
      CRAWL_QUEUE_URL: crawlQueueUrl,
      AWS_REGION: 'ap-northeast-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      LOG_LEVEL: 'error',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  }, 60_000);

  beforeEach(() => {
    sqs.reset();
    ses.reset();
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    sqs.restore();
    ses.restore();
    documents.destroy();
    await dynalite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('are each loaded by a smoke test here or by the test named for them', () => {
    const here = new Set<FunctionKey>(['dispatch', 'index', 'reindex', 'api', 'sesEvents']);
    const keys = Object.keys(functionSpecs) as FunctionKey[];

    const uncovered = keys.filter((key) => !here.has(key) && loadedElsewhere[key] === undefined);
    const stale = Object.entries(loadedElsewhere).filter(
      ([key, file]) => !importedSources(file).includes(join(repoRoot, functionSpecs[key as FunctionKey].entry)),
    );

    expect(uncovered).toEqual([]);
    expect(stale).toEqual([]);
  });

  it('dispatch: enqueues one crawl job per known source of a scheduler invocation and skips the rest', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const handler = await loadHandler('dispatch');

    const result = await handler(fixture('scheduler-crawl-dispatch.json'), lambdaContext);

    expect(result).toEqual({
      enqueued: ['sample-mext-rdf', 'sample-meti-atom'],
      skipped: [{ sourceId: 'sample-retired-feed', reason: 'no such source in the registry' }],
    });
    const sent = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([crawlQueueUrl]);
    expect(sent.map((e) => (JSON.parse(e.MessageBody ?? '{}') as { sourceId: string }).sourceId)).toEqual([
      'sample-mext-rdf',
      'sample-meti-atom',
    ]);
  });

  it('dispatch: fails the invocation on an event that is not a scheduler input, enqueueing nothing', async () => {
    const handler = await loadHandler('dispatch');

    await expect(handler({ sourceIds: 'sample-mext-rdf' }, lambdaContext)).rejects.toThrow(/sourceIds/);

    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('index: indexes a recorded stream batch and reports only the poison record as a batch item failure', async () => {
    const handler = await loadHandler('index');
    const poison = fixture('dynamodb-stream-poison.json') as { Records: { dynamodb: { SequenceNumber: string } }[] };

    const clean = await handler(fixture('dynamodb-stream-batch.json'), lambdaContext);
    const failed = await handler(poison, lambdaContext);

    expect(clean).toEqual({ batchItemFailures: [] });
    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: poison.Records[1]?.dynamodb.SequenceNumber }] });
  });

  it('reindex: rebuilds the index from the table on a direct invocation and reports the counts', async () => {
    await items.upsert([
      makeDraft(),
      makeDraft({
        canonicalUrl: 'https://www.mext.go.jp/a_menu/kagaku/chiiki/koubo/r7-02.html',
        title: '量子技術の公募',
      }),
    ]);
    const handler = await loadHandler('reindex');

    const report = await handler(fixture('lambda-invoke-empty.json'), lambdaContext);

    expect(report).toMatchObject({ storeCount: 2, scanned: 2, indexCount: 2 });
    expect(report).toHaveProperty('parity');
    expect(report).toHaveProperty('durationMs');
  });

  it('api: answers a recorded item request with the item, and an unknown one with a 404 error body', async () => {
    const draft = makeDraft({ canonicalUrl: 'https://www.mext.go.jp/a_menu/kagaku/chiiki/koubo/r7-03.html' });
    await items.upsert([draft]);
    const handler = await loadHandler('api');
    const recorded = fixture('apigw-item-get.json') as {
      rawPath: string;
      pathParameters: { id: string };
      headers: Record<string, string>;
      requestContext: { http: object };
    };
    const id = itemIdFor(draft.canonicalUrl);
    const known = {
      ...recorded,
      rawPath: `/v1/items/${id}`,
      pathParameters: { id },
      requestContext: {
        ...recorded.requestContext,
        http: { ...recorded.requestContext.http, path: `/v1/items/${id}` },
      },
      headers: { ...recorded.headers, 'if-none-match': undefined },
    };

    const found = (await handler(known, lambdaContext)) as { statusCode: number; body: string };
    const missing = (await handler(recorded, lambdaContext)) as { statusCode: number; body: string };

    expect(found.statusCode).toBe(200);
    expect(JSON.parse(found.body)).toMatchObject({ id, title: draft.title });
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: 'NotFoundError', requestId: 'CkWgKhXYtjMEJKg=' });
  });

  it('api: accepts a recorded subscription request and sends its confirmation mail through SES', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: '0106018f-confirm' });
    const handler = await loadHandler('api');

    const response = (await handler(fixture('apigw-subscribe-post.json'), lambdaContext)) as {
      statusCode: number;
      body: string;
    };

    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toMatchObject({ status: 'accepted' });
    const sent = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination?.ToAddresses);
    expect(sent).toEqual([['subscriber@example.jp']]);
    const stored = await subscriptions.findByEmailHash(emailHashOf('subscriber@example.jp', tokenSecret));
    expect(stored?.status).toBe('pending');
  });

  it('api: answers a subscription request without searches with 400 and the offending field', async () => {
    const handler = await loadHandler('api');

    const response = (await handler(fixture('apigw-subscription-post.json'), lambdaContext)) as {
      statusCode: number;
      body: string;
    };

    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('searches');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('sesEvents: suppresses the permanently bounced address of a recorded SNS notification, and not a transient one', async () => {
    const address = 'bounce@simulator.amazonses.com';
    const subscription = makeSubscription(address, { emailHash: emailHashOf(address, tokenSecret) });
    await subscriptions.create(subscription);
    const handler = await loadHandler('sesEvents');

    const transient = await handler(fixture('ses-bounce-transient.json'), lambdaContext);
    const permanent = await handler(fixture('ses-bounce-permanent.json'), lambdaContext);

    expect(transient).toEqual({ suppressed: 0 });
    expect(permanent).toEqual({ suppressed: 1 });
    expect(await subscriptions.isSuppressed(subscription.emailHash)).toBe(true);
    expect((await subscriptions.get(subscription.id))?.status).toBe('suppressed');
  });
});
