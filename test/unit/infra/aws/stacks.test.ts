import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../../../shared/sources/registry.js';
import { functionSpecs, hasEntry, missingEntries, repoRoot } from '../../../../infra/aws/functions.js';
import { createPortalApp, type PortalApp } from '../../../../infra/aws/portal-app.js';
import { crawlScheduleGroups } from '../../../../infra/aws/schedules.js';

/** Synthesizes with the real handler paths but without bundling (one test in bundling.test.ts bundles for real). */
function synth(context: Record<string, unknown> = {}, portalDir = '/nonexistent/portal'): PortalApp {
  const missing = missingEntries(repoRoot, 'required');
  if (missing.length > 0)
    throw new Error(
      `cannot synthesize: handler files missing (infra/aws/functions.ts lists them): ${missing.join(', ')}`,
    );
  const portal = createPortalApp({ context: { 'aws:cdk:bundling-stacks': [], ...context }, portalDir });
  portal.app.synth(); // runs cdk-nag: throws on any unacknowledged finding
  return portal;
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

function policyStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

type LambdaResource = { Properties: { Role: unknown; Environment: { Variables: Record<string, unknown> } } };

/** The Lambda function, with its logical id, whose Powertools service name is `service`. */
function lambdaByService(template: Template, service: string): LambdaResource & { id: string } {
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).find(
    ([, fn]) => (fn as LambdaResource).Properties.Environment?.Variables['POWERTOOLS_SERVICE_NAME'] === service,
  );
  if (!found) throw new Error(`no function of the service ${service}`);
  return { id: found[0], ...(found[1] as LambdaResource) };
}

describe('CDK app, dev stage (no settings)', () => {
  let portal: PortalApp;
  let data: Template;
  let app: Template;

  beforeAll(() => {
    portal = synth();
    data = Template.fromStack(portal.data);
    app = Template.fromStack(portal.service);
  }, 120_000);

  it('synthesizes nag-clean, and every acknowledged finding carries a written reason', () => {
    const reasons = portal.app.node
      .findAll()
      .flatMap((c: IConstruct) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));

    expect(reasons.length).toBeGreaterThan(0);
    for (const [id, reason] of reasons) expect(reason.length, id).toBeGreaterThanOrEqual(20);
  });

  it('keeps stateful and stateless parts in separate stacks without a site stack when the portal folder is absent', () => {
    expect(portal.app.node.children.map((c) => c.node.id).filter((id) => id.startsWith('Chiiki'))).toEqual([
      'Chiiki-dev-Data',
      'Chiiki-dev-App',
    ]);
  });

  it('streams new and old images from an on-demand table with PITR, destroyed with the dev stack', () => {
    data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'changes' })],
      }),
    });
  });

  it('runs the dev search domain on one small node, encrypted, HTTPS with TLS 1.2', () => {
    data.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        InstanceCount: 1,
        InstanceType: 't3.small.search',
        ZoneAwarenessEnabled: false,
      }),
      EncryptionAtRestOptions: { Enabled: true },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-2019-07' },
    });
  });

  it('lets the domain write slow and error logs, with the logs policy in place before the domain', () => {
    const domain = Object.values(data.findResources('AWS::OpenSearchService::Domain'))[0] as {
      DependsOn?: string[];
      Properties: { LogPublishingOptions: Record<string, { Enabled: boolean }> };
    };
    const policyId = Object.keys(data.findResources('AWS::Logs::ResourcePolicy'))[0];

    expect(Object.keys(domain.Properties.LogPublishingOptions).sort()).toEqual([
      'ES_APPLICATION_LOGS',
      'INDEX_SLOW_LOGS',
      'SEARCH_SLOW_LOGS',
    ]);
    expect(domain.DependsOn).toContain(policyId);
  });

  it('admits only the function roles that search, by ARN', () => {
    const domain = Object.values(data.findResources('AWS::OpenSearchService::Domain'))[0] as {
      Properties: { AccessPolicies: { Statement: { Condition: { ArnEquals: Record<string, unknown[]> } }[] } };
    };
    const statements = domain.Properties.AccessPolicies.Statement;
    const roles = JSON.stringify(statements.flatMap((s) => s.Condition.ArnEquals['aws:PrincipalArn']));

    expect(statements).toHaveLength(1);
    for (const name of ['index', 'indexRetry', 'reindex', 'api'])
      expect(roles).toContain(`:role/chiiki-dev-${name}-fn`);
    for (const name of ['crawl', 'digest']) expect(roles).not.toContain(`chiiki-dev-${name}-fn`);
  });

  it('bundles every function for Node 22 on arm64 with explicit memory, timeout, log group and Powertools settings', () => {
    const functions = Object.values(app.findResources('AWS::Lambda::Function')) as {
      Properties: Record<string, unknown> & { Environment: { Variables: Record<string, unknown> } };
    }[];

    // Every function whose handler exists (the optional reindex function is left out while its file is missing).
    expect(functions).toHaveLength(Object.keys(functionSpecs).length - missingEntries(repoRoot, 'all').length);
    for (const { Properties: p } of functions) {
      expect(p).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
      expect(p['MemorySize']).toBeGreaterThan(0);
      expect(p['Timeout']).toBeGreaterThan(0);
      expect(p['LoggingConfig']).toMatchObject({ LogFormat: 'JSON', LogGroup: expect.anything() });
      expect(p.Environment.Variables).toMatchObject({
        POWERTOOLS_METRICS_NAMESPACE: 'ChiikiPortal',
        POWERTOOLS_SERVICE_NAME: expect.any(String),
        NODE_OPTIONS: '--enable-source-maps',
      });
    }
    app.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  it('sets each resource variable together with its permission', () => {
    const functions = Object.values(app.findResources('AWS::Lambda::Function')) as {
      Properties: { Role: { 'Fn::GetAtt': [string, string] }; Environment: { Variables: Record<string, unknown> } };
    }[];
    const policies = Object.values(app.findResources('AWS::IAM::Policy')) as {
      Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } };
    }[];
    const crawlQueue = Object.keys(app.findResources('AWS::SQS::Queue')).find((id) => id.startsWith('CrawlCrawlQueue'));
    const statementsOf = (roleId: string) =>
      policies
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const grants = (statements: Statement[], action: string, resource = '') =>
      statements.some((s) => asList(s.Action).includes(action) && JSON.stringify(s.Resource).includes(resource));

    expect(crawlQueue).toBeDefined();
    for (const { Properties: p } of functions) {
      const env = p.Environment.Variables;
      const statements = statementsOf(p.Role['Fn::GetAtt'][0]);
      expect(statements.length).toBeGreaterThan(0);
      expect('TABLE_NAME' in env).toBe(grants(statements, 'dynamodb:GetItem'));
      expect('OPENSEARCH_ENDPOINT' in env).toBe(grants(statements, 'es:ESHttpGet'));
      expect('CRAWL_QUEUE_URL' in env).toBe(grants(statements, 'sqs:SendMessage', crawlQueue));
      expect(env['MAIL_TRANSPORT'] === 'ses').toBe(grants(statements, 'ses:SendEmail'));
      expect('TOKEN_SECRET_ARN' in env).toBe(grants(statements, 'secretsmanager:GetSecretValue'));
      if ('OPENSEARCH_ENDPOINT' in env)
        expect(env).toMatchObject({ OPENSEARCH_SIGV4: 'true', SEARCH_ENGINE: 'opensearch' });
      expect(env['SOURCE_REGISTRY']).toBe('live');
      if ('MAIL_TRANSPORT' in env) expect(env['PUBLIC_BASE_URL']).toBeDefined();
      // The API and alerts wirings (every function holding the token secret) fail their cold start without it.
      if ('TOKEN_SECRET_ARN' in env) expect(env['PUBLIC_BASE_URL']).toBeDefined();
    }
  });

  it('gives no function a KAKEN application id secret unless one is configured', () => {
    expect(JSON.stringify(app.findResources('AWS::Lambda::Function'))).not.toContain('KAKEN_APP_ID_SECRET_ARN');
  });

  it('grants no wildcard action, and a wildcard resource only where AWS has no resource-level permission', () => {
    const statements = policyStatements(app);

    for (const s of statements) for (const action of asList(s.Action)) expect(action).not.toContain('*');
    const anyResource = statements.filter((s) => asList(s.Resource).includes('*'));
    // X-Ray trace writes (every function traces) have no resource-level permissions either.
    expect(new Set(anyResource.flatMap((s) => asList(s.Action)))).toEqual(
      new Set(['dynamodb:ListStreams', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords']),
    );
  });

  it('gives no function write access to the search domain unless it indexes', () => {
    const writers = policyStatements(app).filter((s) => asList(s.Action).includes('es:ESHttpPut'));

    expect(writers).toHaveLength(hasEntry('reindex') ? 3 : 2); // index, index retry and reindex
  });

  it('feeds the indexer from the stream in batches with bisect, partial failures and a dead-letter queue', () => {
    app.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: Match.anyValue(),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 5,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('parks failed index writes by item id in a delayed retry queue that a function re-reads from the table', () => {
    const indexFn = lambdaByService(app, 'index');
    const retryFn = lambdaByService(app, 'index-retry');
    const queues = app.findResources('AWS::SQS::Queue');
    const retryQueueId = Object.keys(queues).find((id) => id.includes('IndexRetryQueue') && !id.includes('DeadLetter'));
    const retryQueue = queues[retryQueueId ?? ''] as { Properties: Record<string, unknown> };

    expect(retryQueue.Properties).toMatchObject({
      VisibilityTimeout: 360,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringContaining('IndexRetryDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: 12,
      },
      SqsManagedSseEnabled: true,
    });
    expect(indexFn.Properties.Environment.Variables['INDEX_RETRY_QUEUE_URL']).toEqual({ Ref: retryQueueId });
    // Applying changes links program series, which the stream and retry functions write to the table.
    expect(indexFn.Properties.Environment.Variables['TABLE_NAME']).toBeDefined();
    app.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [retryQueueId, 'Arn'] },
      FunctionName: { Ref: retryFn.id },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    const statements = policyStatements(app);
    const send = statements.filter((s) => asList(s.Action).includes('sqs:SendMessage'));
    expect(JSON.stringify(send)).toContain(retryQueueId);
    expect(retryFn.Properties.Environment.Variables).toMatchObject({
      TABLE_NAME: expect.anything(),
      SEARCH_ENGINE: 'opensearch',
    });
  });

  it('crawls one source per invocation with bounded concurrency, partial failures and a dead-letter queue', () => {
    app.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // FIFO, grouped by host (the dispatcher sets MessageGroupId): one crawl per host at a time.
    app.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      VisibilityTimeout: 1800,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 3 },
    });
    expect(Object.values(app.findResources('AWS::SQS::Queue', { Properties: { FifoQueue: true } }))).toHaveLength(2);
  });

  it('gives every asynchronous path a dead-letter queue', () => {
    // Lambda async invocations (scheduler, SNS) of dispatch, digest and SES events.
    const invokeConfigs = Object.values(app.findResources('AWS::Lambda::EventInvokeConfig'));
    expect(invokeConfigs).toHaveLength(3);
    app.allResourcesProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    // Every schedule.
    app.allResourcesProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() }, RetryPolicy: Match.anyValue() }),
    });
    // EventBridge rule -> digest after a crawl cycle.
    app.allResourcesProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() }, RetryPolicy: Match.anyValue() })],
    });
    // SNS -> suppression function.
    app.allResourcesProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    // Every event source mapping of a stream has an on-failure destination (SQS ones use the queue's redrive).
    const streamMappings = Object.values(app.findResources('AWS::Lambda::EventSourceMapping')).filter(
      (m) => 'StartingPosition' in (m as { Properties: object }).Properties,
    );
    expect(streamMappings).toHaveLength(1);
  });

  it('schedules each registry schedule expression with the due source ids', () => {
    const expected = crawlScheduleGroups(loadRegistry('live', { sampleHost: 'sample-sites.invalid' }));
    const schedules = Object.values(app.findResources('AWS::Scheduler::Schedule')) as {
      Properties: { ScheduleExpression: string; Target: { Input: string } };
    }[];
    const crawl = schedules.filter((s) => s.Properties.Target.Input.includes('sourceIds'));

    expect(expected.length).toBeGreaterThan(0);
    expect(crawl.map((s) => [s.Properties.ScheduleExpression, JSON.parse(s.Properties.Target.Input)])).toEqual(
      expected.map((g) => [g.expression, { sourceIds: g.sourceIds }]),
    );
    expect(schedules).toHaveLength(expected.length + 1); // plus the digest
  });

  it('throttles the API stage, logs access as JSON and allows the configured CORS origins', () => {
    app.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
    // CORS is the function's alone (edge-cors.test.ts compares it with the local answers).
    app.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', CorsConfiguration: Match.absent() });
    app.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CORS_ORIGINS: '*' }) },
    });
    app.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
  });

  it('sends bounces and complaints from the SES configuration set to the suppression function', () => {
    app.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
        SnsDestination: { TopicARN: Match.anyValue() },
      }),
    });
    // The identity lives in the data stack, so an app redeploy keeps its DKIM keys.
    data.resourceCountIs('AWS::SES::EmailIdentity', 1);
    app.resourceCountIs('AWS::SES::EmailIdentity', 0);
  });

  it('raises alarms on every dead-letter queue, failing sources, API 5xx and index errors, all to the alarm topic', () => {
    const alarms = (
      Object.values(app.findResources('AWS::CloudWatch::Alarm')) as {
        Properties: { AlarmName: string; AlarmActions?: unknown[]; Metrics?: { Expression?: string }[] };
      }[]
    ).filter((a) => !a.Properties.AlarmName.endsWith('CrawlCycleRunning')); // a trigger, see the digest test
    const names = alarms.map((a) => a.Properties.AlarmName).sort();

    // Function, search-domain and SES alarms: test/unit/infra/aws/alarms.test.ts.
    expect(names).toEqual(
      expect.arrayContaining(
        [
          'AlertsDeadLetters',
          'Api5xx',
          'CrawlDeadLetters',
          'DigestWorkDeadLetters',
          'DispatchDeadLetters',
          'FailingSources',
          'IndexDeadLetters',
          'IndexErrors',
          'IndexLag',
          'IndexRetryDeadLetters',
          'SuspectSources',
        ].map((n) => `chiiki-dev-${n}`),
      ),
    );
    for (const a of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
    const failing = alarms.find((a) => a.Properties.AlarmName.endsWith('FailingSources'));
    expect(JSON.stringify(failing?.Properties.Metrics)).toContain('SUM(SourceFailed) FROM ChiikiPortal');
    app.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    app.resourceCountIs('AWS::SNS::Subscription', 1); // no alarm e-mail configured: only the SES events one
  });

  it('starts the digest when the crawl queue drains after a cycle, and daily on its schedule', () => {
    const trigger = Object.values(app.findResources('AWS::CloudWatch::Alarm')).find((a) =>
      JSON.stringify(a).includes('CrawlCycleRunning'),
    ) as { Properties: Record<string, unknown> } | undefined;

    expect(trigger?.Properties['AlarmActions']).toBeUndefined();
    expect(JSON.stringify(trigger?.Properties['Metrics'])).toContain('visible + inFlight');
    app.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { state: { value: ['OK'] }, previousState: { value: ['ALARM'] } },
        resources: Match.anyValue(),
      },
      Targets: [Match.objectLike({ Input: '{"trigger":"cycle"}', DeadLetterConfig: { Arn: Match.anyValue() } })],
    });
    app.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 23 * * ? *)',
      Target: Match.objectLike({ Input: '{"trigger":"schedule"}' }),
    });
  });

  it("derives per-source crawl metrics and mails sent from the functions' log lines", () => {
    const filters = Object.values(app.findResources('AWS::Logs::MetricFilter')) as {
      Properties: { FilterPattern: string; MetricTransformations: { MetricName: string; MetricNamespace: string }[] };
    }[];
    const byName = Object.fromEntries(
      filters.map((f) => [f.Properties.MetricTransformations[0]?.MetricName, f.Properties]),
    );

    expect(Object.keys(byName).sort()).toEqual([
      'ItemsNew',
      'MailsSent',
      'SourceFailed',
      'SourceStale',
      'SourceSuspect',
    ]);
    expect(byName['SourceSuspect']?.FilterPattern).toContain('$.outcome = "suspect"');
    expect(byName['SourceSuspect']?.FilterPattern).toContain('$.trusted IS TRUE');
    expect(byName['SourceFailed']?.FilterPattern).toContain('$.outcome = "failed"');
    expect(byName['SourceFailed']?.FilterPattern).toContain('$.trusted IS TRUE');
    app.hasResourceProperties('AWS::Logs::MetricFilter', {
      MetricTransformations: [
        Match.objectLike({
          MetricName: 'ItemsNew',
          MetricNamespace: 'ChiikiPortal',
          MetricValue: '$.new',
          Dimensions: [{ Key: 'sourceId', Value: '$.sourceId' }],
        }),
      ],
    });
  });

  it('encrypts and TLS-enforces every queue and topic', () => {
    app.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    app.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    const queuePolicies = Object.values(app.findResources('AWS::SQS::QueuePolicy'));
    expect(queuePolicies.length).toBe(Object.keys(app.findResources('AWS::SQS::Queue')).length);
  });
});

const kakenSecretArn = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:chiiki/prod/kaken-app-id-AbC123';

/** Each function's environment and the actions its role may take on `resource`. */
function functionsWithGrants(app: Template, resource: string): { env: Record<string, unknown>; actions: string[] }[] {
  const policies = Object.values(app.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } };
  }[];
  return (
    Object.values(app.findResources('AWS::Lambda::Function')) as {
      Properties: { Role: { 'Fn::GetAtt': [string, string] }; Environment: { Variables: Record<string, unknown> } };
    }[]
  ).map(({ Properties: p }) => ({
    env: p.Environment.Variables,
    actions: policies
      .filter(
        (policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: p.Role['Fn::GetAtt'][0] }]),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((st) => JSON.stringify(st.Resource).includes(resource))
      .flatMap((st) => asList(st.Action)),
  }));
}

describe('CDK app, prod stage', () => {
  let portal: PortalApp;
  let data: Template;
  let app: Template;

  beforeAll(() => {
    const portalDir = mkdtempSync(join(tmpdir(), 'portal-'));
    writeFileSync(
      join(portalDir, 'index.html'),
      '<!doctype html>\n<head>\n  <!-- shared head -->\n  <title>portal</title>\n</head>\n',
    );
    portal = synth(
      {
        stage: 'prod',
        alarmEmail: 'ops@example.jp',
        crawlQueueFifo: 'false',
        kakenAppIdSecretArn: kakenSecretArn,
        corsOrigins: 'https://portal.example.jp',
        portalUrl: 'https://portal.example.jp',
        apiDomain: JSON.stringify({
          domainName: 'api.example.jp',
          certificateArn: 'arn:aws:acm:ap-northeast-1:123456789012:certificate/abc',
        }),
      },
      portalDir,
    );
    data = Template.fromStack(portal.data);
    app = Template.fromStack(portal.service);
  }, 120_000);

  it('retains and deletion-protects the table, the domain and the secret', () => {
    data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    data.hasResource('AWS::OpenSearchService::Domain', { DeletionPolicy: 'Retain' });
    data.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    expect(portal.data.terminationProtection).toBe(true);
  });

  it('spreads the prod domain over three zones with dedicated masters', () => {
    data.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        InstanceCount: 3,
        DedicatedMasterEnabled: true,
        DedicatedMasterCount: 3,
        ZoneAwarenessEnabled: true,
        ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
      }),
    });
  });

  it('uses the configured origins, the custom domain and the alarm e-mail', () => {
    app.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CORS_ORIGINS: 'https://portal.example.jp' }) },
    });
    app.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'api.example.jp' });
    app.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.jp' });
    const mailing = Object.values(app.findResources('AWS::Lambda::Function')).filter((f) =>
      JSON.stringify(f).includes('"MAIL_TRANSPORT":"ses"'),
    );
    expect(mailing.map((f) => JSON.stringify(f).match(/"PUBLIC_BASE_URL":"([^"]+)"/)?.[1])).toEqual([
      'https://api.example.jp',
      'https://api.example.jp',
    ]);
    // Links to the portal's search and item pages go to the portal's own domain.
    expect(mailing.map((f) => JSON.stringify(f).match(/"PORTAL_URL":"([^"]+)"/)?.[1])).toEqual([
      'https://portal.example.jp',
      'https://portal.example.jp',
    ]);
    app.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('lets only the crawl function read the KAKEN application id secret, and tells it where', () => {
    const withSecret = functionsWithGrants(app, kakenSecretArn).filter((f) => 'KAKEN_APP_ID_SECRET_ARN' in f.env);

    expect(withSecret).toHaveLength(1);
    expect(withSecret[0]?.env['KAKEN_APP_ID_SECRET_ARN']).toBe(kakenSecretArn);
    expect(withSecret[0]?.env['POWERTOOLS_SERVICE_NAME']).toContain('crawl');
    expect(withSecret[0]?.actions).toContain('secretsmanager:GetSecretValue');
    const readers = functionsWithGrants(app, kakenSecretArn).filter((f) =>
      f.actions.includes('secretsmanager:GetSecretValue'),
    );
    expect(readers).toHaveLength(1);
  });

  it('can use a standard crawl queue instead of the FIFO one', () => {
    app.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 1800,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 3 },
    });
    expect(Object.values(app.findResources('AWS::SQS::Queue', { Properties: { FifoQueue: true } }))).toHaveLength(0);
  });

  it('sends a strict CSP and the other security headers from CloudFront on the portal page', () => {
    const site = Template.fromStack(portal.site as NonNullable<PortalApp['site']>);
    const policies = site.findResources('AWS::CloudFront::ResponseHeadersPolicy');
    const [policyId, policy] = Object.entries(policies)[0] ?? [];
    const config = (policy as { Properties: { ResponseHeadersPolicyConfig: Record<string, unknown> } } | undefined)
      ?.Properties.ResponseHeadersPolicyConfig;
    const headers = config?.['SecurityHeadersConfig'] as Record<string, Record<string, unknown>>;
    const csp = JSON.stringify(headers['ContentSecurityPolicy']?.['ContentSecurityPolicy']);

    expect(Object.keys(policies)).toHaveLength(1);
    site.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({ ResponseHeadersPolicyId: { Ref: policyId } }),
      }),
    });
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'self'",
      'connect-src',
      'ApiDistribution', // the API's edge (Chiiki-prod-Edge)
    ])
      expect(csp).toContain(directive);
    expect(csp).not.toContain('connect-src *');
    expect(csp).not.toContain('unsafe-inline');
    expect(headers['ContentSecurityPolicy']?.['Override']).toBe(true);
    expect(headers['StrictTransportSecurity']).toMatchObject({
      AccessControlMaxAgeSec: 63_072_000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(headers['ContentTypeOptions']).toMatchObject({ Override: true });
    expect(headers['FrameOptions']).toMatchObject({ FrameOption: 'DENY', Override: true });
    expect(headers['ReferrerPolicy']).toMatchObject({ ReferrerPolicy: 'same-origin', Override: true });
    expect(JSON.stringify(config?.['CustomHeadersConfig'])).toContain('Permissions-Policy');
  });

  it('adds the portal page stack: a private bucket behind CloudFront with origin access control', () => {
    expect(portal.site).toBeDefined();
    const site = Template.fromStack(portal.site as NonNullable<PortalApp['site']>);
    site.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
    });
    site.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    site.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
      }),
    });
  });
});
