import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ServiceUnavailableError } from '../../../../shared/errors.js';
import { FixedClock } from '../../../../shared/clock.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../../../support/dynalite.js';

const queueUrl = 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/chiiki-dev-digest-work';
const sqs = mockClient(SQSClient);
const recordedEvent = (): unknown =>
  JSON.parse(readFileSync(new URL('../../../fixtures/events/sqs-digest-work.json', import.meta.url), 'utf8'));

/** The real digest handler (wiring and all) on dynalite, with SQS mocked at the client. */
describe('digest handler', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chiiki-digest-handler-'));
  let dynalite: RunningDynalite;
  let handler: (event: unknown, context: object) => Promise<unknown>;

  beforeAll(async () => {
    dynalite = await startDynalite();
    const documents = countingDocumentClient(dynalite.endpoint);
    await new DynamoDbItemStore({
      client: documents.client,
      tableName: 'digest-handler',
      clock: new FixedClock('2026-12-07T06:00:00Z'),
    }).ensureTable();
    documents.destroy();
    vi.stubEnv('DATA_DIR', dataDir);
    vi.stubEnv('TABLE_NAME', 'digest-handler');
    vi.stubEnv('DYNAMODB_ENDPOINT', dynalite.endpoint);
    vi.stubEnv('AWS_REGION', 'ap-northeast-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    vi.stubEnv('MAIL_TRANSPORT', 'ses');
    vi.stubEnv('DIGEST_QUEUE_URL', queueUrl);
    vi.stubEnv('LOG_LEVEL', 'error');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'ERROR');
    const module = await import('../../../../functions/alerts/handler.js');
    handler = (event, context) => (module.handler as (...args: unknown[]) => Promise<unknown>)(event, context);
  }, 60_000);

  beforeEach(() => sqs.reset());

  afterAll(async () => {
    vi.unstubAllEnvs();
    await dynalite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('turns the schedule trigger into one SQS message per shard, in batches of ten', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

    const report = (await handler({ trigger: 'schedule' }, {})) as { runId: string; groups: number };

    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(report.groups).toBe(16);
    expect(calls.map((c) => [c.QueueUrl, c.Entries?.length])).toEqual([
      [queueUrl, 10],
      [queueUrl, 6],
    ]);
    const bodies = calls.flatMap((c) => c.Entries ?? []).map((e) => JSON.parse(e.MessageBody ?? '{}') as unknown);
    expect(bodies).toEqual(
      Array.from({ length: 16 }, (_, shard) => ({ runId: report.runId, trigger: 'schedule', shards: [shard] })),
    );
    expect(report.runId).toMatch(/^schedule-\d{4}-\d\d-\d\dT/);
  });

  it('fails the invocation, for the scheduler to retry, when SQS refuses a group', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [], Failed: [{ Id: '2', Code: 'InternalError', SenderFault: false, Message: 'retry' }] });

    const error: unknown = await handler({ trigger: 'cycle' }, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).message).toContain(
      'digest shard groups not enqueued: [2] (InternalError: retry)',
    );
  });

  it('runs the shard group of a recorded digest-work message and reports no failure', async () => {
    const result = await handler(recordedEvent(), {});

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('runs a manual invocation that names its shards at once, without the queue', async () => {
    const report = await handler({ trigger: 'schedule', shards: [0, 15] }, {});

    expect(report).toMatchObject({ subscriptions: 0, due: 0, sent: 0, failed: 0 });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});
