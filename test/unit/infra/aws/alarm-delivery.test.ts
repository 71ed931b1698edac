import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextKeys, resolveStageConfig, unknownContextKeys } from '../../../../infra/aws/config.js';
import type { PortalApp } from '../../../../infra/aws/portal-app.js';
import { synthPortal } from '../../../support/synth-portal.js';

type Statement = {
  Effect: string;
  Principal?: { Service?: string | string[] };
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The statements of the topic policy that covers the alarm topic. */
function alarmTopicStatements(template: Template): Statement[] {
  const topicId = Object.keys(template.findResources('AWS::SNS::Topic')).find((id) => id.includes('AlarmTopic'));
  expect(topicId).toBeDefined();
  const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy')).find((p) =>
    JSON.stringify(p).includes(`"Ref":"${topicId}"`),
  ) as { Properties: { PolicyDocument: { Statement: Statement[] } } } | undefined;
  return policy?.Properties.PolicyDocument.Statement ?? [];
}

const allowsService = (statements: Statement[], service: string, action: string) =>
  statements.filter(
    (s) => s.Effect === 'Allow' && asList(s.Principal?.Service).includes(service) && asList(s.Action).includes(action),
  );

describe('alarm delivery', () => {
  let portal: PortalApp;
  let app: Template;

  beforeAll(() => {
    portal = synthPortal();
    app = Template.fromStack(portal.service);
  }, 120_000);

  it('lets CloudWatch alarms of this stage and account publish to the alarm topic, and still denies insecure transport', () => {
    const statements = alarmTopicStatements(app);
    const cloudwatch = allowsService(statements, 'cloudwatch.amazonaws.com', 'sns:Publish');

    expect(cloudwatch).toHaveLength(1);
    expect(cloudwatch[0]?.Condition?.['StringEquals']).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(JSON.stringify(cloudwatch[0]?.Condition?.['ArnLike']?.['aws:SourceArn'])).toContain(':alarm:chiiki-dev-*');
    expect(
      statements.some(
        (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('"aws:SecureTransport":"false"'),
      ),
    ).toBe(true);
  });

  it('finds no CloudWatch publish statement in a Deny-only topic policy (an encrypted topic with enforceSSL alone)', () => {
    const stack = new Stack(new App(), 'DenyOnly');
    new sns.Topic(stack, 'AlarmTopic', { enforceSSL: true });
    const statements = alarmTopicStatements(Template.fromStack(stack));

    expect(statements.map((s) => s.Effect)).toEqual(['Deny']);
    expect(allowsService(statements, 'cloudwatch.amazonaws.com', 'sns:Publish')).toHaveLength(0);
  });

  it("lets CloudWatch use the topic's KMS key, for this account only", () => {
    const key = Object.values(app.findResources('AWS::KMS::Key'))[0] as {
      Properties: { KeyPolicy: { Statement: Statement[] } };
    };
    const cloudwatch = allowsService(key.Properties.KeyPolicy.Statement, 'cloudwatch.amazonaws.com', 'kms:Decrypt');

    expect(cloudwatch).toHaveLength(1);
    expect(asList(cloudwatch[0]?.Action)).toContain('kms:GenerateDataKey*');
    expect(cloudwatch[0]?.Condition?.['StringEquals']).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
  });

  it('warns at synthesis that alarms reach no one without alarmEmail', () => {
    Annotations.fromStack(portal.service).hasWarning(
      '*',
      Match.stringLikeRegexp('no alarmEmail set: alarms reach no one'),
    );
  });

  it('subscribes alarmEmail to the alarm topic, without the warning', () => {
    const withEmail = synthPortal({ alarmEmail: 'ops@example.jp' });
    const template = Template.fromStack(withEmail.service);

    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.jp' });
    Annotations.fromStack(withEmail.service).hasNoWarning('*', Match.stringLikeRegexp('alarms reach no one'));
  }, 120_000);
});

describe('context keys', () => {
  it('rejects a misspelt key, naming the valid ones', () => {
    expect(() => synthPortal({ alarmEmial: 'ops@example.jp' })).toThrow(
      /unknown context key "alarmEmial", expected one of: stage, domainSize, mailFrom, alarmEmail,/,
    );
  });

  it("accepts CDK's own keys: feature flags, aws:cdk:*, lookups, cli-telemetry, acknowledged issues", () => {
    const cdkKeys = [
      '@aws-cdk/core:defaultCrossStackReferences',
      '@aws-cdk/aws-lambda:recognizeLayerVersion',
      'aws:cdk:bundling-stacks',
      'aws:cdk:enable-path-metadata',
      'aws-cdk:enableDiffNoFail',
      'availability-zones:account=123456789012:region=ap-northeast-1',
      'cli-telemetry',
      'acknowledged-issue-numbers',
      'configFile',
    ];

    expect(unknownContextKeys([...cdkKeys, ...contextKeys])).toEqual([]);
    expect(unknownContextKeys([...cdkKeys, 'stagee', 'alarm-email'])).toEqual(['stagee', 'alarm-email']);
  });

  it('rejects an alarm address that is not one', () => {
    expect(() => resolveStageConfig((k) => (k === 'alarmEmail' ? 'ops-at-example.jp' : undefined))).toThrow(
      /alarmEmail/,
    );
  });
});
