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
}

/**
 * Crawling: EventBridge Scheduler schedules (one per schedule expression of the registry) invoke
 * the dispatch function with the due source ids; it enqueues one message per source; the crawl
 * function takes one message (one source) per invocation, at most `concurrency` at once.
 * A source is therefore crawled by one invocation at a time and its pages fetched one after the
 * other (politeness delays live in the crawler). Every hop has a dead-letter queue.
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
      environment: registryEnv,
    });
    props.table.bindTable(this.crawlFunction, 'readWrite');
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
