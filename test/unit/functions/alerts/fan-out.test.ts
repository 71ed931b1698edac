import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  handleDigestEvent,
  planShardGroups,
  type DigestFanOutDeps,
  type DigestWork,
  type DigestWorkQueue,
} from '../../../../functions/alerts/fan-out.js';
import { RecordingTracing } from '../../../../shared/tracing.js';
import { savedSearch, startAlertsHarness, type AlertsHarness } from '../../../support/alerts-harness.js';
import { makeDraft } from '../../../support/factories.js';

const hour = 60 * 60 * 1000;

const semiconductor = makeDraft({
  canonicalUrl: 'https://www.mext.go.jp/koubo/semi-fan-1.html',
  url: 'https://www.mext.go.jp/koubo/semi-fan-1.html',
  title: '次世代半導体研究開発プログラムの公募',
  opensAt: '2025-05-01T00:00:00+09:00',
  closesAt: '2025-06-30T17:00:00+09:00',
  requiresRegistration: undefined,
});

/** A queue that keeps what was enqueued; `failOnce` makes the next call throw. */
class RecordingQueue implements DigestWorkQueue {
  readonly sent: DigestWork[] = [];
  failOnce = false;
  async enqueue(work: readonly DigestWork[]): Promise<void> {
    if (this.failOnce) {
      this.failOnce = false;
      throw new Error('digest shard groups not enqueued: [0] (Throttled: slow down)');
    }
    this.sent.push(...work);
  }
}

/** The SQS batch the digest-work queue delivers for these groups (one record each). */
function sqsBatch(work: readonly DigestWork[], ids: readonly string[] = work.map((_, i) => `m-${i}`)) {
  return {
    Records: work.map((w, i) => ({
      messageId: ids[i] ?? `m-${i}`,
      receiptHandle: `rh-${i}`,
      body: JSON.stringify(w),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      md5OfBody: 'x',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:ap-northeast-1:123456789012:digest-work',
      awsRegion: 'ap-northeast-1',
    })),
  };
}

describe('planShardGroups', () => {
  it.each([
    [16, 1, 16, [0]],
    [16, 4, 4, [0, 1, 2, 3]],
    [16, 5, 4, [0, 1, 2, 3, 4]],
    [4, 16, 1, [0, 1, 2, 3]],
  ])('splits %i shards by %i into %i groups, the first %j', (shardCount, perGroup, groups, first) => {
    const planned = planShardGroups(shardCount, perGroup);

    expect(planned).toHaveLength(groups);
    expect(planned[0]).toEqual(first);
    expect(planned.flat()).toEqual(Array.from({ length: shardCount }, (_, i) => i));
  });
});

describe('handleDigestEvent (fan-out)', () => {
  let h: AlertsHarness;
  let queue: RecordingQueue;
  let tracing: RecordingTracing;
  let deps: DigestFanOutDeps;

  beforeEach(async () => {
    h = await startAlertsHarness('2025-05-10T00:00:00Z');
    queue = new RecordingQueue();
    tracing = new RecordingTracing();
    deps = { digest: h.digestDeps, tracing, queue, clock: h.clock, log: h.log };
  });
  afterEach(async () => {
    await h.stop();
  });

  /** Subscribers in every shard of the harness (4), and a new call they all match. */
  async function subscribersWithNews(count = 12): Promise<string[]> {
    const addresses: string[] = [];
    for (let n = 0; n < count; n++)
      addresses.push(await h.subscribeConfirmed(`f${n}@example.jp`, [savedSearch('半導体')]));
    h.clock.advanceMs(2 * hour);
    await h.crawl([semiconductor]);
    h.clock.advanceMs(10 * 60 * 1000);
    return addresses;
  }

  async function planned(): Promise<DigestWork[]> {
    await handleDigestEvent(deps, { trigger: 'schedule' });
    return queue.sent.splice(0);
  }

  it('plans a scheduled run as one message per shard and mails nobody while planning', async () => {
    await subscribersWithNews();

    const report = await handleDigestEvent(deps, { trigger: 'schedule' });

    expect(report).toEqual({ runId: 'schedule-2025-05-10T02:10:00.000Z', groups: 4, shards: 4 });
    expect(queue.sent).toEqual(
      [0, 1, 2, 3].map((shard) => ({
        runId: 'schedule-2025-05-10T02:10:00.000Z',
        trigger: 'schedule',
        shards: [shard],
      })),
    );
    expect(h.digests.sent).toHaveLength(0);
    expect(tracing.spans).toEqual([
      {
        name: 'digest fan-out',
        annotations: { runId: 'schedule-2025-05-10T02:10:00.000Z', groups: 4 },
        parents: [],
        failed: false,
      },
    ]);
  });

  it('groups shards as the trigger asks', async () => {
    await handleDigestEvent(deps, { trigger: 'cycle', shardsPerGroup: 3 });

    expect(queue.sent.map((w) => [w.trigger, w.shards])).toEqual([
      ['cycle', [0, 1, 2]],
      ['cycle', [3]],
    ]);
  });

  it('delivers every subscriber once across the shard groups, logging a report per group in its own span', async () => {
    const addresses = await subscribersWithNews();
    const work = await planned();

    const result = await handleDigestEvent(deps, sqsBatch(work));

    expect(result).toEqual({ batchItemFailures: [] });
    for (const address of addresses) expect(h.digests.to(address), address).toHaveLength(1);
    const reports = h.log.entries.filter((e) => e.message === 'digest shard group finished');
    expect(reports.map((r) => (r.data as Record<string, unknown>)['shards'])).toEqual(['0', '1', '2', '3']);
    const sent = reports.map((r) => (r.data as Record<string, unknown>)['sent'] as number);
    expect(sent.reduce((a, b) => a + b, 0)).toBe(addresses.length);
    expect(sent.filter((n) => n > 0).length).toBeGreaterThan(1); // the subscribers really are spread over shards
    expect(tracing.spans.filter((s) => s.name === 'digest shard group').map((s) => s.annotations)).toEqual(
      work.map((w) => ({ runId: w.runId, shards: w.shards.join(',') })),
    );
  });

  it('sends nothing again when a shard message is delivered a second time', async () => {
    const addresses = await subscribersWithNews();
    const work = await planned();
    await handleDigestEvent(deps, sqsBatch(work));
    h.clock.advanceMs(60 * 1000);

    const again = await handleDigestEvent(deps, sqsBatch(work, ['m-0-again', 'm-1-again', 'm-2-again', 'm-3-again']));

    expect(again).toEqual({ batchItemFailures: [] });
    for (const address of addresses) expect(h.digests.to(address), address).toHaveLength(1);
  });

  it('sends each digest once when the same shard message is delivered twice at the same time', async () => {
    const addresses = await subscribersWithNews();
    const work = await planned();

    const [first, second] = await Promise.all([
      handleDigestEvent(deps, sqsBatch(work)),
      handleDigestEvent(deps, sqsBatch(work)),
    ]);

    expect([first, second]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    for (const address of addresses) expect(h.digests.to(address), address).toHaveLength(1);
    const reports = h.log.entries
      .filter((e) => e.message === 'digest shard group finished')
      .map((e) => e.data as Record<string, number>);
    expect(reports.reduce((n, r) => n + (r['sent'] ?? 0), 0)).toBe(addresses.length);
  });

  it('resends, once, what a failed delivery left claimed when the group is redelivered', async () => {
    const addresses = await subscribersWithNews(6);
    const work = await planned();
    h.digests.failAfter = 2;
    await handleDigestEvent(deps, sqsBatch(work));
    const delivered = h.digests.sent.length;
    h.digests.failAfter = undefined;

    await handleDigestEvent(deps, sqsBatch(work));
    await handleDigestEvent(deps, sqsBatch(work));

    expect(delivered).toBe(2);
    for (const address of addresses) expect(h.digests.to(address), address).toHaveLength(1);
  });

  it('fails only the message that is not a shard group, and runs the others', async () => {
    const addresses = await subscribersWithNews(4);
    const work = await planned();
    const batch = sqsBatch(work);
    const bad = { ...batch.Records[0], messageId: 'bad', body: '{"shards":"all"}' };
    const notJson = { ...batch.Records[0], messageId: 'not-json', body: 'shards=1' };

    const result = await handleDigestEvent(deps, { Records: [bad, ...batch.Records, notJson] });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }, { itemIdentifier: 'not-json' }] });
    for (const address of addresses) expect(h.digests.to(address), address).toHaveLength(1);
    expect(h.log.entries.filter((e) => e.message === 'digest shard group failed')).toHaveLength(2);
  });

  it('fails the message of a group whose digest throws, so SQS retries it', async () => {
    const work = await planned();
    const broken: DigestFanOutDeps = {
      ...deps,
      digest: {
        ...h.digestDeps,
        subscriptions: Object.assign(Object.create(h.subscriptions) as typeof h.subscriptions, {
          listShard: () => Promise.reject(new Error('table unavailable')),
        }),
      },
    };

    const result = await handleDigestEvent(broken, sqsBatch(work.slice(0, 1)));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
    expect(tracing.spans.at(-1)).toMatchObject({ name: 'digest shard group', failed: true });
  });

  it('surfaces a failed enqueue, and a retried plan only repeats groups that are safe to repeat', async () => {
    const addresses = await subscribersWithNews(4);
    queue.failOnce = true;

    await expect(handleDigestEvent(deps, { trigger: 'schedule' })).rejects.toThrow('digest shard groups not enqueued');
    const retried = await planned();
    await handleDigestEvent(deps, sqsBatch([...retried, ...retried]));

    for (const address of addresses) expect(h.digests.to(address), address).toHaveLength(1);
  });

  it('runs in-process over the named shards, or over all of them without a queue', async () => {
    const addresses = await subscribersWithNews(8);

    const some = await handleDigestEvent(deps, { trigger: 'schedule', shards: [0, 1] });
    const rest = await handleDigestEvent({ ...deps, queue: undefined }, {});

    expect(queue.sent).toHaveLength(0);
    expect(tracing.names).toEqual(['digest run', 'digest run']);
    expect((some as { sent: number }).sent + (rest as { sent: number }).sent).toBe(addresses.length);
    for (const address of addresses) expect(h.digests.to(address), address).toHaveLength(1);
  });

  it('rejects a trigger with unknown fields, naming them', async () => {
    await expect(handleDigestEvent(deps, { trigger: 'schedule', shard: 1 })).rejects.toThrow(/shard/);
  });
});
