import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { StageConfig } from './config.js';
import { Alerts } from './constructs/alerts.js';
import { Api } from './constructs/api.js';
import { Crawl } from './constructs/crawl.js';
import { Indexer } from './constructs/indexer.js';
import { Mail } from './constructs/mail.js';
import { Observability } from './constructs/observability.js';
import { ProjectFunction } from './constructs/project-function.js';
import type { DataStack } from './data-stack.js';
import type { CrawlScheduleGroup } from './schedules.js';

export interface AppStackProps extends StackProps {
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly schedules: readonly CrawlScheduleGroup[];
}

/**
 * The stateless part: crawl, index, API, alerts and observability, each a construct. One stack,
 * because the parts reference each other (the API and the digest share the mail setup, the
 * dashboard reads every queue and function) and can all be redeployed or destroyed together
 * without losing data, which lives in the data stack.
 */
export class AppStack extends Stack {
  /** The search API; the edge and site stacks put CloudFront and the portal in front of it. */
  readonly api: Api;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const logRetentionDays = config.logRetentionDays;
    const stage = config.stage;

    // One customer-managed key for the two SNS topics: SES and CloudWatch cannot publish to
    // topics encrypted with the AWS-managed SNS key.
    const topicKey = new kms.Key(this, 'TopicKey', {
      description: 'chiiki-portal SNS topics (alarms, SES events)',
      enableKeyRotation: true,
    });
    for (const service of ['cloudwatch.amazonaws.com', 'ses.amazonaws.com']) {
      topicKey.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      );
    }

    const crawl = new Crawl(this, 'Crawl', {
      stage,
      table: data.table,
      sourceRegistry: config.sourceRegistry,
      schedules: props.schedules,
      concurrency: config.crawlConcurrency,
      fifo: config.crawlQueueFifo,
      ...(config.crawlTimeMarginSec === undefined ? {} : { timeMarginSec: config.crawlTimeMarginSec }),
      ...(config.crawlMaxContinuations === undefined ? {} : { maxContinuations: config.crawlMaxContinuations }),
      logRetentionDays,
      ...(config.kakenAppIdSecretArn ? { kakenAppIdSecretArn: config.kakenAppIdSecretArn } : {}),
    });
    const indexer = new Indexer(this, 'Index', { stage, table: data.table, search: data.search, logRetentionDays });
    const mail = new Mail(this, 'Mail', {
      stage,
      mailFrom: config.mailFrom,
      identityName: data.mailIdentity.identityName,
      topicKey,
    });
    this.api = new Api(this, 'Api', {
      stage,
      table: data.table,
      search: data.search,
      mail,
      tokenSecret: data.tokenSecret,
      corsOrigins: config.corsOrigins,
      throttle: config.apiThrottle,
      customDomain: config.apiDomain,
      publicBaseUrl: config.publicBaseUrl,
      portalUrl: config.portalUrl,
      logRetentionDays,
    });
    const alerts = new Alerts(this, 'Alerts', {
      stage,
      table: data.table,
      mail,
      tokenSecret: data.tokenSecret,
      digestSchedule: config.digestSchedule,
      publicBaseUrl: this.api.baseUrl,
      portalUrl: config.portalUrl,
      logRetentionDays,
    });
    alerts.runAfterCrawlCycles(crawl.queue);
    const observability = new Observability(this, 'Observability', {
      stage,
      alarmEmail: config.alarmEmail,
      topicKey,
      deadLetterQueues: {
        Crawl: crawl.deadLetterQueue,
        Dispatch: crawl.dispatchFailures,
        Index: indexer.deadLetterQueue,
        IndexRetry: indexer.retryDeadLetterQueue,
        Alerts: alerts.deadLetterQueue,
        DigestWork: alerts.digestWorkDeadLetterQueue,
      },
      crawlQueue: crawl.queue,
      crawlFunction: crawl.crawlFunction,
      indexFunction: indexer.indexFunction,
      apiFunction: this.api.apiFunction,
      digestFunction: alerts.digestFunction,
      functions: this.node.findAll().filter((c): c is ProjectFunction => c instanceof ProjectFunction),
      httpApi: this.api.httpApi,
      searchDomain: { domainName: data.search.domainName, size: config.domainSize },
    });
    if (config.crawlUserAgent) crawl.crawlFunction.addEnvironment('CRAWL_USER_AGENT', config.crawlUserAgent);

    // Every function reads the same registry (the API lists its sources, the digest names them).
    for (const fn of this.node.findAll().filter((c): c is ProjectFunction => c instanceof ProjectFunction))
      fn.addEnvironment('SOURCE_REGISTRY', config.sourceRegistry);

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'base URL of the search API' });
    if (indexer.reindexFunction)
      new CfnOutput(this, 'ReindexFunctionName', {
        value: indexer.reindexFunction.fn.functionName,
        description: 'aws lambda invoke --function-name <this> --payload {} out.json',
      });
    new CfnOutput(this, 'CrawlDeadLetterQueueUrl', { value: crawl.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: observability.alarmTopic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: observability.dashboard.dashboardName });
    new CfnOutput(this, 'SesIdentity', {
      value: mail.identityName,
      description:
        'the SES identity mail is sent from (data stack, or existing); its DKIM records are outputs of the data stack',
    });
  }
}
