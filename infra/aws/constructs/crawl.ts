import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionSpecs } from '../functions.js';
import type { CrawlScheduleGroup } from '../schedules.js';
import type { ItemsTable } from './items-table.js';
import { ProjectFunction } from './project-function.js';
import { deadLetterQueue } from './queues.js';

export interface CrawlProps {
  readonly stage: string;
  readonly table: ItemsTable;
  /** The registry the functions crawl (`SOURCE_REGISTRY`; the app stack sets it on every function too). */
  readonly sourceRegistry: 'sample' | 'live';
  /** Schedules built from that registry (`crawlScheduleGroups`). */
  readonly schedules: readonly CrawlScheduleGroup[];
  /** Crawl functions at once; SQS event source maxConcurrency (AWS minimum 2). */
  readonly concurrency: number;
  /**
   * A FIFO crawl queue: the dispatcher sends each job with `MessageGroupId` = the source's host, and
   * SQS hands out one job per group at a time, so two sources on one host never run at once.
   * A standard queue relies on the crawler's per-host pacing inside one invocation only.
   * @default false
   */
  readonly fifo?: boolean;
  readonly logRetentionDays: number;
  /**
   * Complete ARN of the secret holding the KAKEN application id. The crawl function may read it
   * and finds it in KAKEN_APP_ID_SECRET_ARN.
   * @default - no secret: KAKEN sources fail their runs, saying what to set
   */
  readonly kakenAppIdSecretArn?: string;
  /**
   * The crawl's time budget: below this much remaining invocation time a crawl takes no new work,
   * saves what it has and continues in a new message on its own queue (CRAWL_TIME_MARGIN_MS).
   * It must cover the longest single fetch (the crawler's 30 s total timeout) plus a politeness
   * delay, and leave time for work: at most half the function timeout.
   * @default 60 (seconds)
   */
  readonly timeMarginSec?: number;
  /**
   * Continuations one crawl run may take before it finishes without the work it has no time for
   * (CRAWL_MAX_CONTINUATIONS), so a run can never loop on the queue.
   * @default 10
   */
  readonly maxContinuations?: number;
}

/** Default of `CrawlProps.timeMarginSec`. */
const defaultCrawlTimeMarginSec = 60;
/** Default of `CrawlProps.maxContinuations`. */
const defaultCrawlMaxContinuations = 10;

/**
 * Crawling: EventBridge Scheduler schedules (one per schedule expression of the registry) invoke
 * the dispatch function with the due source ids; it enqueues one message per source; the crawl
 * function takes one message (one source) per invocation, at most `concurrency` at once.
 * A source is therefore crawled by one invocation at a time and its pages fetched one after the
 * other (politeness delays live in the crawler). Every hop has a dead-letter queue.
 * A crawl that nears the function timeout saves its work and sends its continuation to the same
 * queue (the function may send to it); on a FIFO queue the continuation waits until the message
 * that sent it is done, as it shares its host's message group.
 */
export class Crawl extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** Failed scheduler deliveries and failed asynchronous dispatch invocations. */
  readonly dispatchFailures: sqs.Queue;
  readonly crawlFunction: ProjectFunction;
  readonly dispatchFunction: ProjectFunction;
  readonly schedules: scheduler.Schedule[] = [];

  constructor(scope: Construct, id: string, props: CrawlProps) {
    super(scope, id);
    const timeMarginSec = props.timeMarginSec ?? defaultCrawlTimeMarginSec;
    const maxContinuations = props.maxContinuations ?? defaultCrawlMaxContinuations;
    const timeoutSec = functionSpecs.crawl.timeoutSec;
    if (!Number.isInteger(timeMarginSec) || timeMarginSec < 1 || timeMarginSec > timeoutSec / 2)
      throw new Error(
        `crawl timeMarginSec is ${timeMarginSec}, expected a whole number of seconds from 1 to ${timeoutSec / 2} (half the crawl function's ${timeoutSec} s timeout)`,
      );
    if (!Number.isInteger(maxContinuations) || maxContinuations < 0 || maxContinuations > 100)
      throw new Error(`crawl maxContinuations is ${maxContinuations}, expected a whole number from 0 to 100`);
    const common = { stage: props.stage, logRetentionDays: props.logRetentionDays };
    const registryEnv = { SOURCE_REGISTRY: props.sourceRegistry };

    this.deadLetterQueue = deadLetterQueue(this, 'CrawlDeadLetterQueue', { fifo: props.fifo });
    this.queue = new sqs.Queue(this, 'CrawlQueue', {
      // Content-based deduplication: the same source dispatched twice within 5 minutes is crawled once.
      ...(props.fifo ? { fifo: true, contentBasedDeduplication: true } : {}),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance for Lambda consumers: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(functionSpecs.crawl.timeoutSec * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 3 },
    });

    this.crawlFunction = new ProjectFunction(this, 'CrawlFunction', {
      ...common,
      key: 'crawl',
      environment: {
        ...registryEnv,
        CRAWL_TIME_MARGIN_MS: String(timeMarginSec * 1000),
        CRAWL_MAX_CONTINUATIONS: String(maxContinuations),
      },
    });
    props.table.bindTable(this.crawlFunction, 'readWrite');
    // A crawl that runs out of time puts its continuation on its own queue.
    this.bindCrawlQueue(this.crawlFunction);
    if (props.kakenAppIdSecretArn) {
      const kakenAppId = secretsmanager.Secret.fromSecretCompleteArn(
        this,
        'KakenAppIdSecret',
        props.kakenAppIdSecretArn,
      );
      kakenAppId.grantRead(this.crawlFunction.role);
      this.crawlFunction.addEnvironment('KAKEN_APP_ID_SECRET_ARN', kakenAppId.secretArn);
    }
    this.crawlFunction.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 1,
        maxConcurrency: props.concurrency,
        reportBatchItemFailures: true,
      }),
    );

    this.dispatchFailures = deadLetterQueue(this, 'DispatchDeadLetterQueue');
    this.dispatchFunction = new ProjectFunction(this, 'DispatchFunction', {
      ...common,
      key: 'dispatch',
      environment: registryEnv,
    });
    this.bindCrawlQueue(this.dispatchFunction);
    this.dispatchFunction.sendAsyncFailuresTo(this.dispatchFailures);

    if (props.schedules.length > 0) {
      const schedulerRole = new iam.Role(this, 'SchedulerRole', {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
        description: 'lets EventBridge Scheduler invoke the crawl dispatch function',
      });
      this.dispatchFunction.acknowledgeInvokeWildcard(schedulerRole);
      const group = new scheduler.ScheduleGroup(this, 'ScheduleGroup', {
        scheduleGroupName: `chiiki-${props.stage}-crawl`,
      });
      for (const entry of props.schedules) {
        this.schedules.push(
          new scheduler.Schedule(this, entry.id, {
            scheduleGroup: group,
            schedule: scheduler.ScheduleExpression.expression(entry.expression),
            description: `crawl ${entry.sourceIds.length} source(s): ${entry.sourceIds.join(', ')}`.slice(0, 512),
            target: new LambdaInvoke(this.dispatchFunction.fn, {
              role: schedulerRole,
              input: scheduler.ScheduleTargetInput.fromObject({ sourceIds: entry.sourceIds }),
              deadLetterQueue: this.dispatchFailures,
              retryAttempts: 3,
              maxEventAge: Duration.hours(6),
            }),
          }),
        );
      }
    }
  }

  /** Lets `fn` enqueue crawl jobs and tells it where (`CRAWL_QUEUE_URL`). */
  bindCrawlQueue(fn: ProjectFunction): void {
    this.queue.grantSendMessages(fn.role);
    fn.addEnvironment('CRAWL_QUEUE_URL', this.queue.queueUrl);
  }
}
