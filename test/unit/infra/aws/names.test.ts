import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PortalApp } from '../../../../infra/aws/portal-app.js';
import { synthPortal } from '../../../support/synth-portal.js';

/** Properties that give a resource a physical name, by resource type. */
const nameProperties: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::OpenSearchService::Domain': 'DomainName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::Logs::ResourcePolicy': 'PolicyName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::SES::ConfigurationSet': 'Name',
  'AWS::Scheduler::ScheduleGroup': 'Name',
  'AWS::ApiGatewayV2::Api': 'Name',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Logs::LogGroup': 'LogGroupName',
};

/** Names that are global to an account (IAM roles, dashboards) must also carry the region. */
const globalNames = new Set(['AWS::IAM::Role', 'AWS::CloudWatch::Dashboard']);

/** Every fixed physical name of the app, as `type name` (tokens rendered as JSON). */
function physicalNames(portal: PortalApp): { type: string; name: string }[] {
  return [portal.data, portal.service].flatMap((stack) =>
    Object.values(
      Template.fromStack(stack).toJSON()['Resources'] as Record<
        string,
        { Type: string; Properties?: Record<string, unknown> }
      >,
    ).flatMap((resource) => {
      const property = nameProperties[resource.Type];
      const value = property ? resource.Properties?.[property] : undefined;
      return value === undefined ? [] : [{ type: resource.Type, name: JSON.stringify(value) }];
    }),
  );
}

describe('physical names', () => {
  let dev: PortalApp;
  let prod: PortalApp;

  beforeAll(() => {
    dev = synthPortal();
    prod = synthPortal({
      stage: 'prod',
      crawlUserAgent: 'chiiki-portal-crawler/1.0 (+https://portal.example.jp/about)',
    });
  }, 180_000);

  it('carry the stage, so two stages never collide', () => {
    const devNames = physicalNames(dev);
    const prodNames = physicalNames(prod);

    expect(devNames.length).toBeGreaterThan(10);
    for (const { type, name } of devNames) expect(name, type).toContain('dev');
    for (const { type, name } of prodNames) expect(name, type).toContain('prod');
    const shared = devNames.map((n) => n.name).filter((name) => prodNames.some((p) => p.name === name));
    expect(shared).toEqual([]);
  });

  it('carry the region where the name is global to the account (roles, dashboards)', () => {
    const global = physicalNames(prod).filter((n) => globalNames.has(n.type));

    expect(global.map((n) => n.type)).toContain('AWS::IAM::Role');
    expect(global.map((n) => n.type)).toContain('AWS::CloudWatch::Dashboard');
    for (const { type, name } of global) expect(name, type).toContain('"Ref":"AWS::Region"');
  });
});

describe('crawler User-Agent', () => {
  const crawlEnv = (portal: PortalApp) => {
    const fn = Object.values(Template.fromStack(portal.service).findResources('AWS::Lambda::Function')).find((f) =>
      JSON.stringify(f).includes('"POWERTOOLS_SERVICE_NAME":"crawl"'),
    ) as { Properties: { Environment: { Variables: Record<string, string> } } };
    return fn.Properties.Environment.Variables;
  };

  it('reaches the crawl function from crawlUserAgent, and is left to the function default when unset', () => {
    const prod = synthPortal({
      stage: 'prod',
      crawlUserAgent: 'chiiki-portal-crawler/1.0 (+https://portal.example.jp/about)',
    });

    expect(crawlEnv(prod)['CRAWL_USER_AGENT']).toBe('chiiki-portal-crawler/1.0 (+https://portal.example.jp/about)');
    expect(crawlEnv(synthPortal())['CRAWL_USER_AGENT']).toBeUndefined();
  }, 180_000);

  it('must name a contact', () => {
    expect(() => synthPortal({ crawlUserAgent: 'my-crawler/1.0' })).toThrow(
      /crawlUserAgent: expected a User-Agent with a contact URL or e-mail address/,
    );
  });
});
