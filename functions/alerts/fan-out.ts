import * as z from 'zod';
import type { Clock } from '../../shared/clock.js';
import { InvalidInputError } from '../../shared/errors.js';
import type { Log } from '../../shared/log.js';
import { parseInput } from '../../shared/parse-input.js';
import type { Tracing } from '../../shared/tracing.js';
import { runDigest, type DigestDeps, type DigestRunReport } from './digest.js';

/**
 * Digest fan-out. A digest delivery over every subscriber can outlast one Lambda invocation (15
 * minutes), so in AWS the scheduled (or end-of-cycle) invocation only plans: it splits the
 * subscription shards into fixed groups and puts one message per group on the digest-work queue.
 * The same function consumes that queue, one group per message, and runs the ordinary digest over
 * the group's shards. A group that throws is a batch item failure: SQS redelivers it and finally
 * dead-letters it.
 *
 * A message delivered twice (SQS is at least once; a failed enqueue is retried whole) is safe: the
 * digest claims each subscriber with a conditional write and an intent before mailing, so the
 * second delivery finds every subscriber either already committed (not due) or claimed by the
 * first (a young intent: skipped), and sends nothing again.
 *
 * Without a queue (`npm start`, the CLI, a manual invocation that names its `shards`) the run
 * happens in-process, as one digest over all (or the named) shards.
 */

/** One shard group of a digest run: the body of a digest-work message. */
export interface DigestWork {
  /** Groups of one run share it (`<trigger>-<ISO time of the plan>`); it ties their log lines together. */
  readonly runId: string;
  readonly trigger: 'cycle' | 'schedule';
  /** Subscription shards to deliver, `0 <= shard < shardCount`. */
  readonly shards: readonly number[];
}

/**
 * The queue of digest shard groups. Adapter: `SqsDigestWorkQueue` (AWS); tests use a recording fake.
 */
export interface DigestWorkQueue {
  /**
   * Enqueues every group, at least once. Resolves when all are accepted; throws naming the groups
   * that were not, after which retrying the whole call is safe (see the note on duplicates above).
   */
  enqueue(work: readonly DigestWork[]): Promise<void>;
}

export interface DigestFanOutDeps {
  readonly digest: DigestDeps;
  readonly tracing: Tracing;
  /** Present in AWS (`DIGEST_QUEUE_URL`): planned runs fan out through it. */
  readonly queue?: DigestWorkQueue;
  readonly clock: Clock;
  readonly log: Log;
}

const shardSchema = z.number().int().min(0).max(255);

/** What EventBridge Scheduler (daily/weekly), the end of a crawl cycle or an operator sends. */
const DigestEventSchema = z.strictObject({
  trigger: z.enum(['cycle', 'schedule']).default('schedule'),
  /** Only these shards, in this invocation (manual runs). */
  shards: z.array(shardSchema).optional(),
  /** Shards per digest-work message when the run fans out. */
  shardsPerGroup: z.number().int().min(1).max(256).default(1),
});

const DigestWorkSchema = z.strictObject({
  runId: z.string().min(1).max(100),
  trigger: z.enum(['cycle', 'schedule']),
  shards: z.array(shardSchema).min(1),
});

const SqsEventSchema = z.object({
  Records: z.array(z.object({ messageId: z.string(), body: z.string(), eventSource: z.literal('aws:sqs') })),
});

/** Splits shards `0 … shardCount-1` into consecutive groups of `shardsPerGroup` (the last may be smaller). */
export function planShardGroups(shardCount: number, shardsPerGroup: number): number[][] {
  const groups: number[][] = [];
  for (let start = 0; start < shardCount; start += shardsPerGroup) {
    groups.push(Array.from({ length: Math.min(shardsPerGroup, shardCount - start) }, (_, i) => start + i));
  }
  return groups;
}

/** What a planning invocation returns: the run it queued. */
export interface DigestFanOutReport {
  readonly runId: string;
  readonly groups: number;
  readonly shards: number;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * The digest function's whole event handling: a batch of digest-work messages (one digest per
 * shard group, partial batch failures), or a trigger that fans out when a queue is wired and runs
 * in-process otherwise (always in-process when the trigger names its `shards`).
 */
export async function handleDigestEvent(
  deps: DigestFanOutDeps,
  event: unknown,
): Promise<BatchResponse | DigestFanOutReport | DigestRunReport> {
  const batch = SqsEventSchema.safeParse(event);
  if (batch.success) return runShardGroups(deps, batch.data.Records);
  const trigger = parseInput(DigestEventSchema, event ?? {});
  if (deps.queue === undefined || trigger.shards !== undefined) {
    return deps.tracing.span('digest run', () =>
      runDigest(deps.digest, {
        trigger: trigger.trigger,
        ...(trigger.shards !== undefined ? { shards: trigger.shards } : {}),
      }),
    );
  }
  return fanOut(deps, deps.queue, trigger.trigger, trigger.shardsPerGroup);
}

/** Plans the run and enqueues one message per shard group. */
async function fanOut(
  deps: Pick<DigestFanOutDeps, 'digest' | 'tracing' | 'clock' | 'log'>,
  queue: DigestWorkQueue,
  trigger: DigestWork['trigger'],
  shardsPerGroup: number,
): Promise<DigestFanOutReport> {
  const shardCount = deps.digest.subscriptions.shardCount;
  const runId = `${trigger}-${deps.clock.now().toISOString()}`;
  const work = planShardGroups(shardCount, shardsPerGroup).map((shards) => ({ runId, trigger, shards }));
  await deps.tracing.span('digest fan-out', () => queue.enqueue(work), { runId, groups: work.length });
  const report = { runId, groups: work.length, shards: shardCount };
  deps.log.info('digest run fanned out', report);
  return report;
}

/** Runs the digest over each message's shard group; a group that throws is a batch item failure. */
async function runShardGroups(
  deps: DigestFanOutDeps,
  records: readonly { messageId: string; body: string }[],
): Promise<BatchResponse> {
  const failures: string[] = [];
  for (const record of records) {
    try {
      const work = parseInput(DigestWorkSchema, parseJson(record.body));
      const shards = work.shards.join(',');
      const report = await deps.tracing.span(
        'digest shard group',
        () => runDigest(deps.digest, { trigger: work.trigger, shards: work.shards }),
        { runId: work.runId, shards },
      );
      deps.log.info('digest shard group finished', { runId: work.runId, shards, ...report });
    } catch (error) {
      deps.log.error('digest shard group failed', { messageId: record.messageId, error });
      failures.push(record.messageId);
    }
  }
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new InvalidInputError([{ path: ['body'], message: 'digest-work message body is not JSON' }], {
      cause: error,
    });
  }
}
