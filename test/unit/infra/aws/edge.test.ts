import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveStageConfig } from '../../../../infra/aws/config.js';
import { edgeWebAclParameterName, subscriptionRateLimitPer5Min } from '../../../../infra/aws/edge-waf-stack.js';
import { createPortalApp, type PortalApp } from '../../../../infra/aws/portal-app.js';

/** Synthesizes without bundling and with cdk-nag on, so a finding without a written reason fails here. */
function synth(context: Record<string, unknown>): PortalApp {
  const portal = createPortalApp({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    portalDir: '/nonexistent/portal',
  });
  portal.app.synth();
  return portal;
}

const existingAcl =
  'arn:aws:wafv2:us-east-1:123456789012:global/webacl/shared-edge/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

type Rule = {
  Name: string;
  Priority: number;
  Action?: { Block?: { CustomResponse?: { ResponseCode: number; ResponseHeaders?: { Name: string }[] } } };
  Statement: {
    RateBasedStatement?: {
      Limit: number;
      AggregateKeyType: string;
      EvaluationWindowSec: number;
      ScopeDownStatement?: unknown;
    };
    ManagedRuleGroupStatement?: { Name: string };
  };
};

describe('API edge, prod stage (WebACL made by the app)', () => {
  let portal: PortalApp;
  let waf: Template;
  let edge: Template;

  beforeAll(() => {
    portal = synth({ stage: 'prod', edgeRateLimit: '1200' });
    waf = Template.fromStack(portal.edgeWaf as NonNullable<PortalApp['edgeWaf']>);
    edge = Template.fromStack(portal.edge as NonNullable<PortalApp['edge']>);
  }, 120_000);

  it('pins the WebACL stack to us-east-1 and deploys it before the edge', () => {
    expect(portal.edgeWaf?.region).toBe('us-east-1');
    expect(portal.edge?.dependencies.map((stack) => stack.stackName)).toContain('Chiiki-prod-EdgeWaf');
    expect(portal.app.node.children.map((c) => c.node.id).filter((id) => id.startsWith('Chiiki-prod-Edge'))).toEqual([
      'Chiiki-prod-EdgeWaf',
      'Chiiki-prod-Edge',
    ]);
  });

  it('limits each client IP, tighter on subscriptions, with 429 and Retry-After', () => {
    const [acl] = Object.values(waf.findResources('AWS::WAFv2::WebACL')) as {
      Properties: { Scope: string; DefaultAction: unknown; Rules: Rule[] };
    }[];
    const rules = acl?.Properties.Rules ?? [];
    const all = rules.find((rule) => rule.Name === 'RatePerIp');
    const subscriptions = rules.find((rule) => rule.Name === 'SubscriptionRatePerIp');

    expect(acl?.Properties.Scope).toBe('CLOUDFRONT');
    expect(acl?.Properties.DefaultAction).toEqual({ Allow: {} });
    expect(all?.Statement.RateBasedStatement).toEqual({
      Limit: 1200,
      AggregateKeyType: 'IP',
      EvaluationWindowSec: 300,
    });
    expect(subscriptions?.Statement.RateBasedStatement).toMatchObject({
      Limit: subscriptionRateLimitPer5Min,
      AggregateKeyType: 'IP',
    });
    expect(JSON.stringify(subscriptions?.Statement.RateBasedStatement?.ScopeDownStatement)).toContain(
      '"SearchString":"/v1/subscriptions"',
    );
    expect(subscriptions?.Priority).toBeLessThan(all?.Priority ?? 0);
    for (const rule of [all, subscriptions]) {
      expect(rule?.Action?.Block?.CustomResponse?.ResponseCode).toBe(429);
      expect(rule?.Action?.Block?.CustomResponse?.ResponseHeaders?.map((h) => h.Name)).toEqual(['retry-after']);
    }
    expect(rules.map((rule) => rule.Statement.ManagedRuleGroupStatement?.Name).filter(Boolean)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
  });

  it('publishes the WebACL ARN in SSM, and the edge reads it from us-east-1 with a one-parameter policy', () => {
    const name = edgeWebAclParameterName('prod');
    waf.hasResourceProperties('AWS::SSM::Parameter', {
      Name: name,
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiWebAcl'), 'Arn'] },
    });
    const [reader] = Object.values(edge.findResources('Custom::AWS')) as { Properties: { Create: string } }[];
    const create = JSON.parse(reader?.Properties.Create ?? '{}') as unknown;
    expect(create).toMatchObject({
      service: 'SSM',
      action: 'getParameter',
      parameters: { Name: name },
      region: 'us-east-1',
    });
    const policies = Object.values(edge.findResources('AWS::IAM::Policy')).map((p) => JSON.stringify(p));
    expect(policies).toHaveLength(1);
    expect(policies[0]).toContain('ssm:GetParameter');
    expect(policies[0]).toContain(`:ssm:us-east-1:`);
    expect(policies[0]).toContain(`:parameter${name}`);
  });

  it('puts CloudFront with that WebACL in front of the execute-api host, HTTPS only, TLS 1.2 to the origin', () => {
    edge.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebAclArnReader'), 'Parameter.Value'] },
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'https-only' }),
        Origins: [
          Match.objectLike({
            DomainName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['.execute-api.'])] }),
            CustomOriginConfig: Match.objectLike({
              OriginProtocolPolicy: 'https-only',
              OriginSSLProtocols: ['TLSv1.2'],
            }),
          }),
        ],
      }),
    });
  });

  it('caches search, items, series, sources, feeds, the export and the OpenAPI document, and nothing else', () => {
    const [distribution] = Object.values(edge.findResources('AWS::CloudFront::Distribution')) as {
      Properties: { DistributionConfig: { CacheBehaviors: { PathPattern: string; CachePolicyId: unknown }[] } };
    }[];
    const behaviors = distribution?.Properties.DistributionConfig.CacheBehaviors ?? [];
    const [cachePolicyId] = Object.keys(edge.findResources('AWS::CloudFront::CachePolicy'));

    expect(behaviors.map((b) => b.PathPattern).sort()).toEqual(
      [
        '/v1/export.csv',
        '/v1/feed.*',
        '/v1/items/*',
        '/v1/openapi.json',
        '/v1/search',
        '/v1/series/*',
        '/v1/sources',
      ].sort(),
    );
    for (const behavior of behaviors) expect(behavior.CachePolicyId).toEqual({ Ref: cachePolicyId });
  });

  it('gives the edge URL as an output', () => {
    edge.hasOutput('ApiEdgeUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.anyValue(), 'DomainName'] }]] },
    });
  });
});

describe('API edge with an existing WebACL', () => {
  it('attaches the ARN as given and makes no WebACL stack or reader', () => {
    const portal = synth({ stage: 'prod', edgeWebAclArn: existingAcl });
    const edge = Template.fromStack(portal.edge as NonNullable<PortalApp['edge']>);

    expect(portal.edgeWaf).toBeUndefined();
    edge.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: existingAcl }),
    });
    edge.resourceCountIs('Custom::AWS', 0);
  }, 120_000);
});

describe('API edge settings', () => {
  it('is off in dev and on elsewhere unless set', () => {
    expect(resolveStageConfig(() => undefined).edge).toBe(false);
    expect(resolveStageConfig((key) => (key === 'stage' ? 'prod' : undefined)).edge).toBe(true);
    expect(resolveStageConfig((key) => ({ stage: 'prod', edge: 'false' })[key]).edge).toBe(false);
  });

  it('refuses a WebACL ARN outside us-east-1 or of regional scope, naming the key', () => {
    for (const arn of [existingAcl.replace('us-east-1', 'ap-northeast-1'), existingAcl.replace('global/', 'regional/')])
      expect(() => resolveStageConfig((key) => ({ edgeWebAclArn: arn })[key])).toThrow(
        /edgeWebAclArn: expected the ARN of a WAF WebACL with scope CLOUDFRONT/,
      );
  });
});
