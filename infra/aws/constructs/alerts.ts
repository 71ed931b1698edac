import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionSpecs, type FunctionKey } from '../functions.js';
import type { ItemsTable } from './items-table.js';
import type { Mail } from './mail.js';
import { ProjectFunction } from './project-function.js';
import { consumedQueue, deadLetterQueue } from './queues.js';
import type { TokenSecret } from './token-secret.js';

export interface AlertsProps {
  readonly stage: string;
  readonly table: ItemsTable;
  readonly mail: Mail;
  readonly tokenSecret: TokenSecret;
  /** When digests go out (UTC), after the crawl cycle. */
  readonly digestSchedule: string;
  readonly publicBaseUrl?: string;
  /** Where the portal pages are served (`PORTAL_URL`). @default the links' base URL */
  readonly portalUrl?: string;
  readonly logRetentionDays: number;
  /**
   * Digest shard groups delivered at once (SQS event source maxConcurrency, AWS minimum 2); bounds
   * the SES send rate and the table's write load of a fanned-out run.
   * @default 2
   */
  readonly digestConcurrency?: number;
}

/**
 * Alerts: the digest function matches saved searches against new items (in a scratch in-memory
 * index, so it needs no search domain access) and mails digests. It runs
 * after every crawl cycle (`{"trigger":"cycle"}`, see `runAfterCrawlCycles`) and on its daily
 * schedule (`{"trigger":"schedule"}`). Such a trigger only plans the run: it puts one message per
 * subscription shard group on the digest-work queue, which the same function consumes (one group
 * per invocation, partial batch failures), so no run meets the 15-minute limit. SES bounce and
 * complaint events reach the suppression function through SNS. Failed deliveries of the three
 * triggers go to a dead-letter queue; shard groups that fail three times to their own.
 */
export class Alerts extends Construct {
  readonly digestFunction: ProjectFunction;
  readonly sesEventsFunction: ProjectFunction;
  readonly deadLetterQueue: sqs.Queue;
  /** Digest shard groups of a fanned-out run (`DIGEST_QUEUE_URL`). */
  readonly digestWorkQueue: sqs.Queue;
  /** Shard groups that failed three deliveries. */
  readonly digestWorkDeadLetterQueue: sqs.Queue;
  readonly digestSchedule: scheduler.Schedule;
  private readonly stage: string;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    this.stage = props.stage;
    const common = { stage: props.stage, logRetentionDays: props.logRetentionDays };
    const baseUrl = {
      ...(props.publicBaseUrl ? { PUBLIC_BASE_URL: props.publicBaseUrl } : {}),
      ...(props.portalUrl ? { PORTAL_URL: props.portalUrl } : {}),
    };
    this.deadLetterQueue = deadLetterQueue(this, 'AlertsDeadLetterQueue');

    /**
     * A function of the alerts: it reads and writes the table, holds the token secret (the digest
     * signs its links with it; the SES events handler stores suppressed addresses as keyed hashes,
     * HMAC with it), and its failed asynchronous invocations go to the dead-letter queue. Both share
     * the alerts wiring, which needs the links' base at cold start.
     */
    const alertsFunction = (functionId: string, key: FunctionKey, options: { sendsMail: boolean }) => {
      const fn = new ProjectFunction(this, functionId, { ...common, key, environment: baseUrl });
      props.table.bindTable(fn, 'readWrite');
      if (options.sendsMail) props.mail.bindMailer(fn);
      props.tokenSecret.bindTokenSecret(fn);
      fn.sendAsyncFailuresTo(this.deadLetterQueue);
      return fn;
    };

    this.digestFunction = alertsFunction('DigestFunction', 'digest', { sendsMail: true });

    this.digestWorkDeadLetterQueue = deadLetterQueue(this, 'DigestWorkDeadLetterQueue');
    this.digestWorkQueue = consumedQueue(this, 'DigestWorkQueue', {
      consumerTimeoutSec: functionSpecs.digest.timeoutSec,
      deadLetters: this.digestWorkDeadLetterQueue,
      maxReceiveCount: 3,
    });
    this.digestWorkQueue.grantSendMessages(this.digestFunction.role);
    this.digestFunction.addEnvironment('DIGEST_QUEUE_URL', this.digestWorkQueue.queueUrl);
    this.digestFunction.fn.addEventSource(
      new SqsEventSource(this.digestWorkQueue, {
        batchSize: 1,
        maxConcurrency: props.digestConcurrency ?? 2,
        reportBatchItemFailures: true,
      }),
    );

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'lets EventBridge Scheduler invoke the digest function',
    });
    this.digestFunction.acknowledgeInvokeWildcard(schedulerRole);
    this.digestSchedule = new scheduler.Schedule(this, 'DigestSchedule', {
      schedule: scheduler.ScheduleExpression.expression(props.digestSchedule),
      description: 'saved-search digest mails after the crawl cycle',
      target: new LambdaInvoke(this.digestFunction.fn, {
        role: schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({ trigger: 'schedule' }),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
      }),
    });

    this.sesEventsFunction = alertsFunction('SesEventsFunction', 'sesEvents', { sendsMail: false });
    props.mail.eventsTopic.addSubscription(
      new LambdaSubscription(this.sesEventsFunction.fn, { deadLetterQueue: this.deadLetterQueue }),
    );
  }

  /**
   * Starts the digest when a crawl cycle is over: an alarm is in ALARM while the crawl queue holds
   * jobs (visible or in flight) and returns to OK when it drains; that transition, through an
   * EventBridge rule, invokes the digest with `{"trigger":"cycle"}` (a few minutes after the last
   * job, SQS metrics being per minute). The alarm notifies nobody: it is a trigger, not a fault.
   */
  runAfterCrawlCycles(crawlQueue: sqs.IQueue): events.Rule {
    const perMinute = { period: Duration.minutes(1), statistic: 'Maximum' };
    const cycleRunning = new cloudwatch.Alarm(this, 'CrawlCycleRunning', {
      alarmName: `chiiki-${this.stage}-CrawlCycleRunning`,
      alarmDescription: 'not a fault: ALARM while crawl jobs are queued or running; the return to OK starts the digest',
      metric: new cloudwatch.MathExpression({
        expression: 'visible + inFlight',
        usingMetrics: {
          visible: crawlQueue.metricApproximateNumberOfMessagesVisible(perMinute),
          inFlight: crawlQueue.metricApproximateNumberOfMessagesNotVisible(perMinute),
        },
        period: Duration.minutes(1),
        label: 'crawl jobs queued or running',
      }),
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return new events.Rule(this, 'AfterCrawlCycle', {
      description: 'digest after each crawl cycle (crawl queue drained)',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: [cycleRunning.alarmArn],
        detail: { state: { value: ['OK'] }, previousState: { value: ['ALARM'] } },
      },
      targets: [
        new LambdaFunction(this.digestFunction.fn, {
          event: events.RuleTargetInput.fromObject({ trigger: 'cycle' }),
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 3,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
  }
}
