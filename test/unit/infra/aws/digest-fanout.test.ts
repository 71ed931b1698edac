import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionSpecs, missingEntries, repoRoot } from '../../../../infra/aws/functions.js';
import { createPortalApp } from '../../../../infra/aws/portal-app.js';

type Resource = { Properties: Record<string, unknown> };

/** Logical id of the one resource of `type` whose properties match. */
function idOf(template: Template, type: string, props: Record<string, unknown> = {}): string {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  expect(ids, `${type} ${JSON.stringify(props)}`).toHaveLength(1);
  return ids[0] ?? '';
}

describe('digest fan-out (CDK)', () => {
  let app: Template;
  let digestFn: string;
  let queue: string;
  let deadLetters: string;

  beforeAll(() => {
    expect(missingEntries(repoRoot, 'required')).toEqual([]);
    const portal = createPortalApp({
      context: { 'aws:cdk:bundling-stacks': [] },
      portalDir: '/nonexistent/portal',
    });
    portal.app.synth(); // cdk-nag included
    app = Template.fromStack(portal.service);
    digestFn = idOf(app, 'AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'alerts' }) },
    });
    const queues = app.findResources('AWS::SQS::Queue') as Record<string, Resource>;
    queue = Object.keys(queues).find((id) => id.includes('DigestWorkQueue')) ?? '';
    deadLetters = Object.keys(queues).find((id) => id.includes('DigestWorkDeadLetterQueue')) ?? '';
  }, 120_000);

  it('keeps shard groups on an encrypted queue that dead-letters a group after three failed deliveries', () => {
    expect(queue).not.toBe('');
    expect(deadLetters).not.toBe('');

    app.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: functionSpecs.digest.timeoutSec * 6,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] }, maxReceiveCount: 3 },
    });
    app.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
  });

  it('feeds the digest function one group per invocation, two at once, with partial batch failures', () => {
    app.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: digestFn },
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('tells the digest function where to fan out and lets it send there', () => {
    app.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'alerts', DIGEST_QUEUE_URL: { Ref: queue } }),
      },
    });
    const digestRole = (app.findResources('AWS::Lambda::Function')[digestFn] as Resource).Properties['Role'];
    const sends = Object.values(app.findResources('AWS::IAM::Policy') as Record<string, Resource>).filter(
      (p) =>
        JSON.stringify(p.Properties).includes('"sqs:SendMessage"') &&
        JSON.stringify(p.Properties).includes(JSON.stringify({ 'Fn::GetAtt': [queue, 'Arn'] })),
    );
    expect(sends.map((p) => JSON.stringify(p.Properties['Roles']))).toEqual([
      JSON.stringify([{ Ref: (digestRole as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] }]),
    ]);
  });

  it('alarms on the shard groups that were dead-lettered', () => {
    const alarms = Object.values(
      app.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'chiiki-dev-DigestWorkDeadLetters' } }),
    ) as Resource[];

    expect(alarms).toHaveLength(1);
    expect(JSON.stringify(alarms[0]?.Properties)).toContain(
      JSON.stringify({ 'Fn::GetAtt': [deadLetters, 'QueueName'] }),
    );
    expect(alarms[0]?.Properties['AlarmActions']).toHaveLength(1);
  });

  it('still triggers the digest from its schedule and the end of a crawl cycle, which now only plan the run', () => {
    app.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ Input: JSON.stringify({ trigger: 'schedule' }) }),
    });
    app.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Input: JSON.stringify({ trigger: 'cycle' }) })],
    });
  });
});
