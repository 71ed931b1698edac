import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { metricsNamespace } from '../functions.js';
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
  readonly httpApi: apigw.HttpApi;
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
export const logMetrics = [
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
 * The operator's view: one dashboard (crawl, index, API, mail) and alarms to an SNS topic (mailed
 * to the operator when `alarmEmail` is set): a message in any dead-letter queue, failing sources,
 * API 5xx, index errors and index lag.
 */
export class Observability extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `chiiki-portal ${props.stage} alarms`,
      masterKey: props.topicKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.alarmTopic);
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `chiiki-${props.stage}-${alarmId}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
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
        `messages in the ${name} dead-letter queue: read them, fix, then redrive (README: drain a DLQ)`,
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
      'a verified source extracted something that failed its quality gate, so nothing of it was published (see the source-health page and the run record: the layout may have changed)',
    );

    const api5xx = props.httpApi.metricServerError({ period: fiveMin, statistic: 'Sum' });
    alarm('Api5xx', api5xx, 5, 'the API answered 5 or more server errors in 5 minutes (see the api function logs)');

    const indexErrors = props.indexFunction.fn.metricErrors({ period: fiveMin, statistic: 'Sum' });
    alarm('IndexErrors', indexErrors, 1, 'the index function failed (records are retried, then dead-lettered)');
    const indexLag = props.indexFunction.fn.metric('IteratorAge', {
      period: fiveMin,
      statistic: 'Maximum',
      label: 'index lag (ms)',
    });
    alarm('IndexLag', indexLag, 15 * 60 * 1000, 'search results lag the table by more than 15 minutes');

    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) =>
      new cloudwatch.GraphWidget({ title, left, width, height: 6 });
    const insightsGraph = (title: string, query: string, label: string) =>
      graph(title, [new cloudwatch.MathExpression({ expression: query, period: Duration.hours(1), label })]);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `chiiki-${props.stage}`,
      defaultInterval: Duration.days(7),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# chiiki-portal ${props.stage}\nCrawl → table → index → API; alarms go to the alarm topic. Runbook: README "Deploy and operate on AWS".`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      insightsGraph('Crawl: new items per source', insights('SUM', 'ItemsNew', 'sourceId'), 'new'),
      insightsGraph('Crawl: failed sources', insights('SUM', 'SourceFailed', 'sourceId'), 'failed'),
      insightsGraph('Crawl: stale sources', insights('MAX', 'StaleSources'), 'stale'),
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
    this.dashboard.addWidgets(
      graph(
        'Function errors',
        [props.crawlFunction, props.indexFunction, props.apiFunction, props.digestFunction].map((f) =>
          f.fn.metricErrors({ period: fiveMin, statistic: 'Sum', label: f.key }),
        ),
        12,
      ),
      graph(
        'Function duration p99 (ms)',
        [props.crawlFunction, props.indexFunction, props.apiFunction, props.digestFunction].map((f) =>
          f.fn.metricDuration({ period: fiveMin, statistic: 'p99', label: f.key }),
        ),
        12,
      ),
    );
  }
}
