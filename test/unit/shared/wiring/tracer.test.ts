/**
 * The handlers' X-Ray tracing, end to end in one Lambda-like process: the real handler modules
 * (wiring included, on dynalite and the embedded search engine), Powertools' Tracer and the X-Ray
 * SDK in their Lambda mode, and a UDP socket standing in for the X-Ray daemon, which receives the
 * subsegment documents the SDK streams. Nothing is mocked; the environment is what Lambda sets.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { readOnlyStore } from '../../functions/api/api-test-deps.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../../../support/dynalite.js';

interface XrayDocument {
  readonly name: string;
  readonly id: string;
  readonly parent_id?: string;
  readonly trace_id: string;
  readonly annotations?: Record<string, unknown>;
  readonly fault?: boolean;
  readonly error?: boolean;
}

const traceRoot = '1-6753e2a0-0a1b2c3d4e5f60718293a4b5';
/** Any Lambda handler (middy's take a third, optional-at-run-time argument). */
type Handler = (...args: never[]) => Promise<unknown>;
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/events/${name}`, import.meta.url), 'utf8'));
const lambdaContext = { functionName: 'chiiki-test', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 };

describe('X-Ray subsegments of the handlers (Lambda mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chiiki-tracer-'));
  const received: XrayDocument[] = [];
  let daemon: Socket;
  let dynalite: RunningDynalite;

  /** Waits until the daemon received a document named `name` (the SDK sends on close). */
  async function documentNamed(name: string): Promise<XrayDocument> {
    for (let waited = 0; waited < 5000; waited += 20) {
      const found = received.find((d) => d.name === name);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no subsegment "${name}"; received: ${received.map((d) => d.name).join(', ')}`);
  }

  /** Invokes a handler as Lambda would: a fresh trace header per invocation. */
  async function invoke(handler: Handler, event: unknown, parent: string): Promise<unknown> {
    vi.stubEnv('_X_AMZN_TRACE_ID', `Root=${traceRoot};Parent=${parent};Sampled=1`);
    return (handler as (...args: unknown[]) => Promise<unknown>)(event, lambdaContext);
  }

  beforeAll(async () => {
    daemon = createSocket('udp4');
    daemon.on('message', (message) => {
      // "<header JSON>\n<document JSON>"
      const body = message.toString('utf8').split('\n').slice(1).join('\n');
      received.push(JSON.parse(body) as XrayDocument);
    });
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    dynalite = await startDynalite();
    const documents = countingDocumentClient(dynalite.endpoint);
    await new DynamoDbItemStore({
      client: documents.client,
      tableName: 'tracer-test',
      clock: new FixedClock('2026-12-07T06:00:00Z'),
    }).ensureTable();
    documents.destroy();

    const env: Record<string, string> = {
      // What the Lambda runtime sets: the X-Ray SDK and the Tracer switch to Lambda mode on these.
      LAMBDA_TASK_ROOT: dataDir,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      _HANDLER: 'index.handler',
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
      AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
      POWERTOOLS_SERVICE_NAME: 'tracer-test',
      // The functions' own configuration, on local services.
      DATA_DIR: dataDir,
      TABLE_NAME: 'tracer-test',
      DYNAMODB_ENDPOINT: dynalite.endpoint,
      SEARCH_ENGINE: 'embedded',
      MAIL_TRANSPORT: 'ses',
      AWS_REGION: 'ap-northeast-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      LOG_LEVEL: 'error',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  }, 60_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    daemon.close();
    await dynalite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('traces a digest shard group as a subsegment of the handler, annotated with its run and shards', async () => {
    const { handler } = await import('../../../../functions/alerts/handler.js');

    const result = await invoke(handler, fixture('sqs-digest-work.json'), '53995c3f42cd8ad8');

    expect(result).toEqual({ batchItemFailures: [] });
    const group = await documentNamed('digest shard group');
    const outer = await documentNamed('## index.handler');
    expect(group.parent_id).toBe(outer.id);
    expect(group.trace_id).toBe(traceRoot);
    expect(group.annotations).toEqual({ runId: 'schedule-2026-12-07T06:00:00.000Z', shards: '3' });
    expect(outer.annotations).toMatchObject({ ColdStart: true, Service: 'tracer-test' });
  });

  it('traces an API request per route, under its handler subsegment', async () => {
    const { handler } = await import('../../../../functions/api/handler.js');
    received.length = 0;

    const response = (await invoke(handler, fixture('apigw-search-get.json'), '63995c3f42cd8ad9')) as {
      statusCode: number;
    };

    expect(response.statusCode).toBe(200);
    const route = await documentNamed('GET /v1/search');
    const outer = await documentNamed('## index.handler');
    expect(route.parent_id).toBe(outer.id);
    expect(route.annotations).toEqual({ route: 'GET /v1/search' });
  });

  it('traces a crawl job per source, and records the failure of a job that cannot run', async () => {
    // The crawl handler's own lines (its wiring reads the registry compiled next to the bundle,
    // which only exists in a bundle), around the same plain function.
    const [{ default: middy }, { sqsJobSpan, traced }, { processCrawlJobs }, { silentLog }] = await Promise.all([
      import('@middy/core'),
      import('../../../../shared/wiring/tracer.js'),
      import('../../../../functions/crawl/run/crawl-jobs.js'),
      import('../../../../shared/log.js'),
    ]);
    const unused = (): never => {
      throw new Error('not used');
    };
    const deps = {
      sources: [],
      fetcherFor: unused,
      store: readOnlyStore(),
      clock: new FixedClock('2026-12-07T06:00:00Z'),
      log: silentLog,
    };
    const handler = middy()
      .use(traced(sqsJobSpan('crawl source', 'sourceId')))
      .handler((event: unknown) => processCrawlJobs(deps, event));
    received.length = 0;
    const job = {
      Records: [
        {
          messageId: 'job-1',
          body: JSON.stringify({ sourceId: 'no-such-source', requestedAt: '2026-12-07T06:00:00.000Z' }),
          eventSource: 'aws:sqs',
        },
      ],
    };

    const result = await invoke(handler, job, '73995c3f42cd8ada');

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'job-1' }] });
    const source = await documentNamed('crawl source');
    expect(source.parent_id).toBe((await documentNamed('## index.handler')).id);
    expect(source.annotations).toEqual({ sourceId: 'no-such-source', jobs: 1 });
  });

  it('marks the work subsegment as failed when the handler throws', async () => {
    const [{ default: middy }, { batchSpan, traced }] = await Promise.all([
      import('@middy/core'),
      import('../../../../shared/wiring/tracer.js'),
    ]);
    const handler = middy()
      .use(traced(batchSpan('index batch')))
      .handler(() => Promise.reject(new Error('search domain unreachable')));
    received.length = 0;

    await expect(invoke(handler, { Records: [{}, {}] }, '93995c3f42cd8adc')).rejects.toThrow(
      'search domain unreachable',
    );

    const span = await documentNamed('index batch');
    expect(span.annotations).toEqual({ records: 2 });
    expect(span.fault || span.error).toBe(true);
  });

  it('traces an index batch with its record count', async () => {
    const { handler } = await import('../../../../functions/indexer/handler.js');
    received.length = 0;
    const batch = fixture('dynamodb-stream-batch.json') as { Records: unknown[] };

    await invoke(handler, batch, '83995c3f42cd8adb');

    const span = await documentNamed('index batch');
    expect(span.parent_id).toBe((await documentNamed('## index.handler')).id);
    expect(span.annotations).toEqual({ records: batch.Records.length });
  });

  it('traces an index retry batch with its message count, and answers with the batch failures', async () => {
    const { handler } = await import('../../../../functions/indexer/retry-handler.js');
    received.length = 0;
    const batch = fixture('sqs-index-retry.json') as { Records: unknown[] };

    const result = (await invoke(handler, batch, 'a3995c3f42cd8add')) as { batchItemFailures: unknown[] };

    const span = await documentNamed('index retry batch');
    expect(span.parent_id).toBe((await documentNamed('## index.handler')).id);
    expect(span.annotations).toEqual({ records: batch.Records.length });
    expect(result.batchItemFailures).toEqual([]);
  });
});
