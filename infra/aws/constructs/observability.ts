import { Annotations, ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DomainSize } from '../config.js';
import { functionSpecs, metricsNamespace } from '../functions.js';
import type { ProjectFunction } from './project-function.js';

export interface ObservabilityProps {
  readonly stage: string;
  readonly alarmEmail?: string;
  readonly topicKey: kms.IKey;
  /** Dead-letter queues by a short name shown on the dashboard and in alarm names. */
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  readonly crawlQueue: sqs.IQueue;
  readonly crawlFunction: ProjectFunction;
  readonly indexFunction: ProjectFunction;
  readonly apiFunction: ProjectFunction;
  readonly digestFunction: ProjectFunction;
  /** Every function of the stack: each gets throttle and near-timeout alarms and dashboard lines. */
  readonly functions: readonly ProjectFunction[];
  readonly httpApi: apigw.HttpApi;
  /** The search domain's name (`AWS/ES` metrics) and size (free-storage threshold). */
  readonly searchDomain: { readonly domainName: string; readonly size: DomainSize };
}

/** Where each alarm's runbook entry lives; alarm descriptions end with this plus `#<anchor>`. */
const runbookPath = 'docs/runbook.md';

/** Runbook anchor (heading slug in docs/runbook.md) of each kind of alarm. */
const runbookAnchors = {
  deadLetters: 'dead-letters',
  failingSources: 'failingsources',
  suspectSources: 'suspectsources',
  api5xx: 'api5xx',
  indexErrors: 'indexerrors',
  indexLag: 'indexlag',
  throttles: 'function-throttles',
  nearTimeout: 'function-near-timeout',
  slowP99: 'function-slow-p99',
  searchRed: 'searchclusterred',
  searchYellow: 'searchclusteryellow',
  searchStorage: 'searchfreestorage',
  searchJvm: 'searchjvmpressure',
  sesBounce: 'sesbouncerate',
  sesComplaint: 'sescomplaintrate',
} as const;

/** p99 duration (ms) above which a latency-sensitive function alarms (three 5-minute periods in a row). */
const p99AlarmMs: Partial<Record<string, number>> = { api: 3000, index: 30_000 };

/** SES reviews an account from a 5 % bounce or 0.1 % complaint rate: alarm before that. */
const sesRateThresholds = { bounce: 0.04, complaint: 0.0008 } as const;

/** PascalCase alarm-id stem of a function key (`sesEvents` -> `SesEvents`). */
function pascal(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/**
 * Metrics Insights query over the portal's own EMF metrics, whatever dimensions the functions add
 * (`service`, `sourceId`), e.g. `insights('SUM', 'SourceFailed', 'sourceId')`.
 */
function insights(stat: 'SUM' | 'MAX', metric: string, groupBy?: string): string {
  return `SELECT ${stat}(${metric}) FROM ${metricsNamespace}${groupBy ? ` GROUP BY ${groupBy}` : ''}`;
}

/**
 * Metrics the dashboard and alarms read, derived from the functions' structured log lines by
 * CloudWatch Logs metric filters (so no function has to emit them): per source, new items and
 * failed runs and quality-gate failures of trusted sources from the crawler's `crawl finished`
 * line; digests sent from `digest run finished`.
 */
const logMetrics = [
  {
    id: 'ItemsNewMetric',
    fn: 'crawl',
    metricName: 'ItemsNew',
    pattern: '{ $.message = "crawl finished" }',
    value: '$.new',
    dimensions: { sourceId: '$.sourceId' },
  },
  // Only sources verified by a saved page, a sample or an earlier passing run page the operator;
  // an unverified source that fails waits on the health page under 要確認.
  {
    id: 'SourceFailedMetric',
    fn: 'crawl',
    metricName: 'SourceFailed',
    pattern: '{ ($.message = "crawl finished") && ($.outcome = "failed") && ($.trusted IS TRUE) }',
    value: '1',
    dimensions: { sourceId: '$.sourceId' },
  },
  {
    id: 'SourceSuspectMetric',
    fn: 'crawl',
    metricName: 'SourceSuspect',
    pattern: '{ ($.message = "crawl finished") && ($.outcome = "suspect") && ($.trusted IS TRUE) }',
    value: '1',
    dimensions: { sourceId: '$.sourceId' },
  },
  // A source whose runs succeed but whose newest item is older than its cadence: a frozen feed.
  {
    id: 'SourceStaleMetric',
    fn: 'crawl',
    metricName: 'SourceStale',
    pattern: '{ ($.message = "crawl finished") && ($.stale IS TRUE) }',
    value: '1',
    dimensions: { sourceId: '$.sourceId' },
  },
  {
    id: 'MailsSentMetric',
    fn: 'digest',
    metricName: 'MailsSent',
    pattern: '{ $.message = "digest run finished" }',
    value: '$.sent',
    dimensions: undefined,
  },
] as const;

/**
 * The operator's view: one dashboard (crawl, index, API, mail, functions, search domain) and
 * alarms to an SNS topic, mailed to the operator when `alarmEmail` is set. Alarms: a message in
 * any dead-letter queue, failing and suspect sources, API 5xx, index errors and lag, throttles and
 * near-timeouts of every function, slow p99 of the API and the indexer, search cluster red or
 * yellow, low free storage and JVM pressure, SES bounce and complaint rates. Every alarm's
 * description ends with its runbook entry (`docs/runbook.md#...`).
 */
export class Observability extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `chiiki-portal ${props.stage} alarms`,
      masterKey: props.topicKey,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one: without this statement the topic holds only the
    // insecure-transport Deny and CloudWatch's publications are refused. Only alarms of this
    // stage in this account and region may publish.
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `chiiki-${props.stage}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    else
      Annotations.of(this).addWarningV2(
        'chiiki:alarms-unsubscribed',
        'no alarmEmail set: alarms reach no one until someone subscribes to the AlarmTopicArn output (-c alarmEmail=ops@example.jp)',
      );
    const action = new SnsAction(this.alarmTopic);
    const alarm = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      description: string,
      anchor: string,
      options: { below?: boolean; periods?: number } = {},
    ) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `chiiki-${props.stage}-${alarmId}`,
        alarmDescription: `${description} (runbook: ${runbookPath}#${anchor})`,
        metric,
        threshold,
        evaluationPeriods: options.periods ?? 1,
        comparisonOperator: options.below
          ? cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD
          : cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    for (const m of logMetrics) {
      const source = m.fn === 'crawl' ? props.crawlFunction : props.digestFunction;
      new logs.MetricFilter(this, m.id, {
        logGroup: source.logGroup,
        filterPattern: logs.FilterPattern.literal(m.pattern),
        metricNamespace: metricsNamespace,
        metricName: m.metricName,
        metricValue: m.value,
        ...(m.dimensions ? { dimensions: { ...m.dimensions } } : {}),
      });
    }

    const fiveMin = Duration.minutes(5);
    const dlqDepth = Object.entries(props.deadLetterQueues).map(([name, queue]) => {
      const metric = queue.metricApproximateNumberOfMessagesVisible({
        period: fiveMin,
        statistic: 'Maximum',
        label: name,
      });
      alarm(
        `${name}DeadLetters`,
        metric,
        1,
        `messages in the ${name} dead-letter queue: read them, fix, then redrive`,
        runbookAnchors.deadLetters,
      );
      return metric;
    });

    const sourceFailed = new cloudwatch.MathExpression({
      expression: insights('SUM', 'SourceFailed'),
      period: Duration.hours(1),
      label: 'failed source crawls',
    });
    alarm(
      'FailingSources',
      sourceFailed,
      1,
      'a source failed to crawl in the last hour (see the crawl-run records and the dashboard)',
      runbookAnchors.failingSources,
    );

    const sourceSuspect = new cloudwatch.MathExpression({
      expression: insights('SUM', 'SourceSuspect'),
      period: Duration.hours(1),
      label: 'quality-gate failures of verified sources',
    });
    alarm(
      'SuspectSources',
      sourceSuspect,
      1,
      'a verified source extracted something that failed its quality gate, so nothing of it was published (the layout may have changed)',
      runbookAnchors.suspectSources,
    );

    const api5xx = props.httpApi.metricServerError({ period: fiveMin, statistic: 'Sum' });
    alarm(
      'Api5xx',
      api5xx,
      5,
      'the API answered 5 or more server errors in 5 minutes (see the api function logs)',
      runbookAnchors.api5xx,
    );

    const indexErrors = props.indexFunction.fn.metricErrors({ period: fiveMin, statistic: 'Sum' });
    alarm(
      'IndexErrors',
      indexErrors,
      1,
      'the index function failed (records are retried, then dead-lettered)',
      runbookAnchors.indexErrors,
    );
    const indexLag = props.indexFunction.fn.metric('IteratorAge', {
      period: fiveMin,
      statistic: 'Maximum',
      label: 'index lag (ms)',
    });
    alarm(
      'IndexLag',
      indexLag,
      15 * 60 * 1000,
      'search results lag the table by more than 15 minutes',
      runbookAnchors.indexLag,
    );

    // Every function: throttles (account or reserved concurrency exhausted) and an invocation
    // that ran to within 10 % of its timeout (it timed out, or nearly did).
    for (const f of props.functions) {
      const name = pascal(f.key);
      const timeoutMs = functionSpecs[f.key].timeoutSec * 1000;
      alarm(
        `${name}Throttles`,
        f.fn.metricThrottles({ period: fiveMin, statistic: 'Sum' }),
        1,
        `the ${f.key} function was throttled`,
        runbookAnchors.throttles,
      );
      alarm(
        `${name}NearTimeout`,
        f.fn.metricDuration({ period: fiveMin, statistic: 'Maximum' }),
        Math.round(timeoutMs * 0.9),
        `an invocation of the ${f.key} function ran 90 % or more of its ${timeoutMs / 1000} s timeout (it timed out or nearly did)`,
        runbookAnchors.nearTimeout,
      );
      const p99Ms = p99AlarmMs[f.key];
      if (p99Ms !== undefined)
        alarm(
          `${name}SlowP99`,
          f.fn.metricDuration({ period: fiveMin, statistic: 'p99' }),
          p99Ms,
          `the ${f.key} function's p99 duration stayed at ${p99Ms} ms or more for 15 minutes`,
          runbookAnchors.slowP99,
          { periods: 3 },
        );
    }

    // The search domain (AWS/ES metrics, by domain name and account; the domain lives in the data stack).
    const searchMetric = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ES',
        metricName,
        dimensionsMap: { DomainName: props.searchDomain.domainName, ClientId: Aws.ACCOUNT_ID },
        period: fiveMin,
        statistic,
        label,
      });
    const clusterRed = searchMetric('ClusterStatus.red', 'Maximum', 'red');
    const clusterYellow = searchMetric('ClusterStatus.yellow', 'Maximum', 'yellow');
    const freeStorage = searchMetric('FreeStorageSpace', 'Minimum', 'free storage (MB, least node)');
    const jvmPressure = searchMetric('JVMMemoryPressure', 'Maximum', 'JVM memory pressure (%)');
    alarm(
      'SearchClusterRed',
      clusterRed,
      1,
      'at least one primary shard of the search domain is unassigned: searches miss items and indexing fails',
      runbookAnchors.searchRed,
    );
    alarm(
      'SearchClusterYellow',
      clusterYellow,
      1,
      'replica shards of the search domain stayed unassigned for 15 minutes: one more node loss loses data',
      runbookAnchors.searchYellow,
      { periods: 3 },
    );
    // FreeStorageSpace is in MB per node: alarm at a quarter of one node's volume.
    alarm(
      'SearchFreeStorage',
      freeStorage,
      Math.round(props.searchDomain.size.volumeSizeGb * 1024 * 0.25),
      `a search node has 25 % or less of its ${props.searchDomain.size.volumeSizeGb} GB volume free (writes are blocked near 0)`,
      runbookAnchors.searchStorage,
      { below: true },
    );
    alarm(
      'SearchJvmPressure',
      jvmPressure,
      92,
      'JVM memory pressure of a search node stayed at 92 % or more for 15 minutes (risk of out-of-memory and red status)',
      runbookAnchors.searchJvm,
      { periods: 3 },
    );

    // Account-level SES reputation (what SES reviews and pauses sending on).
    const sesRate = (metricName: string, label: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        period: Duration.hours(1),
        statistic: 'Maximum',
        label,
      });
    const bounceRate = sesRate('Reputation.BounceRate', 'bounce rate');
    const complaintRate = sesRate('Reputation.ComplaintRate', 'complaint rate');
    alarm(
      'SesBounceRate',
      bounceRate,
      sesRateThresholds.bounce,
      'the SES bounce rate reached 4 % (SES reviews the account at 5 %, may pause sending at 10 %)',
      runbookAnchors.sesBounce,
    );
    alarm(
      'SesComplaintRate',
      complaintRate,
      sesRateThresholds.complaint,
      'the SES complaint rate reached 0.08 % (SES reviews the account at 0.1 %, may pause sending at 0.5 %)',
      runbookAnchors.sesComplaint,
    );

    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) =>
      new cloudwatch.GraphWidget({ title, left, width, height: 6 });
    const insightsGraph = (title: string, query: string, label: string) =>
      graph(title, [new cloudwatch.MathExpression({ expression: query, period: Duration.hours(1), label })]);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // Dashboards are global: the region keeps two regions of one stage apart.
      dashboardName: `chiiki-${props.stage}-${Aws.REGION}`,
      defaultInterval: Duration.days(7),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# chiiki-portal ${props.stage}\nCrawl → table → index → API; alarms go to the alarm topic. Runbook: ${runbookPath} (one entry per alarm).`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      insightsGraph('Crawl: new items per source', insights('SUM', 'ItemsNew', 'sourceId'), 'new'),
      insightsGraph('Crawl: failed sources', insights('SUM', 'SourceFailed', 'sourceId'), 'failed'),
      insightsGraph('Crawl: stale sources', insights('MAX', 'SourceStale', 'sourceId'), 'stale'),
    );
    this.dashboard.addWidgets(
      graph('Crawl queue', [
        props.crawlQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMin, statistic: 'Maximum' }),
        props.crawlQueue.metricApproximateAgeOfOldestMessage({ period: fiveMin, statistic: 'Maximum' }),
      ]),
      graph('Index lag (iterator age, ms) and errors', [indexLag, indexErrors]),
      graph('Dead-letter queues (messages)', dlqDepth),
    );
    this.dashboard.addWidgets(
      graph('API latency (ms)', [
        props.httpApi.metricLatency({ period: fiveMin, statistic: 'p50', label: 'p50' }),
        props.httpApi.metricLatency({ period: fiveMin, statistic: 'p99', label: 'p99' }),
      ]),
      graph('API requests and errors', [
        props.httpApi.metricCount({ period: fiveMin, statistic: 'Sum', label: 'requests' }),
        props.httpApi.metricClientError({ period: fiveMin, statistic: 'Sum', label: '4xx' }),
        api5xx,
      ]),
      graph('Mails', [
        new cloudwatch.MathExpression({
          expression: insights('SUM', 'MailsSent'),
          period: Duration.hours(1),
          label: 'digests sent',
        }),
        new cloudwatch.Metric({
          namespace: 'AWS/SES',
          metricName: 'Bounce',
          period: Duration.hours(1),
          statistic: 'Sum',
        }),
        new cloudwatch.Metric({
          namespace: 'AWS/SES',
          metricName: 'Complaint',
          period: Duration.hours(1),
          statistic: 'Sum',
        }),
      ]),
    );
    const perFunction = (
      title: string,
      pick: (f: ProjectFunction) => cloudwatch.IMetric,
      width = 8,
    ): cloudwatch.GraphWidget => graph(title, props.functions.map(pick), width);
    this.dashboard.addWidgets(
      perFunction('Function errors', (f) => f.fn.metricErrors({ period: fiveMin, statistic: 'Sum', label: f.key })),
      perFunction('Function throttles', (f) =>
        f.fn.metricThrottles({ period: fiveMin, statistic: 'Sum', label: f.key }),
      ),
      perFunction('Function duration p99 (ms)', (f) =>
        f.fn.metricDuration({ period: fiveMin, statistic: 'p99', label: f.key }),
      ),
    );
    this.dashboard.addWidgets(
      graph('Search cluster status', [clusterRed, clusterYellow]),
      graph('Search free storage (MB) and JVM pressure (%)', [freeStorage, jvmPressure]),
      graph('SES reputation (rate)', [bounceRate, complaintRate]),
    );
  }
}
