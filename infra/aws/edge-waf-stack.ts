import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { StageConfig } from './config.js';

/** The region of every WebACL CloudFront uses (scope CLOUDFRONT). */
export const edgeWafRegion = 'us-east-1';

/** Requests one client IP may send to `/v1/subscriptions…` in any 5 minutes (each may send a mail). */
export const subscriptionRateLimitPer5Min = 100;

/** The SSM parameter (in `edgeWafRegion`) holding the stage's WebACL ARN, read by the edge stack. */
export function edgeWebAclParameterName(stage: string): string {
  return `/chiiki-portal/${stage}/edge/web-acl-arn`;
}

export interface EdgeWafStackProps extends StackProps {
  readonly config: StageConfig;
}

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

/** WAF's answer past a rate limit: 429 with Retry-After, like the API's own limits. */
const tooManyRequests: wafv2.CfnWebACL.RuleActionProperty = {
  block: {
    customResponse: {
      responseCode: 429,
      responseHeaders: [{ name: 'retry-after', value: '300' }],
    },
  },
};

/**
 * The WAF WebACL in front of the API's CloudFront distribution. CloudFront takes WebACLs only from
 * us-east-1, so this small stack is pinned there while the rest of the app deploys to any region;
 * it writes the ARN to an SSM parameter that the edge stack reads across regions at deploy time.
 *
 * Rules, in order: a per-IP rate limit on subscription requests, a per-IP rate limit on
 * everything (`edgeRateLimit`), then AWS's IP reputation list and known-bad-inputs rule groups.
 */
export class EdgeWafStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeWafStackProps) {
    super(scope, id, { ...props, env: { account: props.env?.account, region: edgeWafRegion } });
    const stage = props.config.stage;
    this.webAcl = new wafv2.CfnWebACL(this, 'ApiWebAcl', {
      name: `chiiki-${stage}-api-edge`,
      description: `chiiki-portal ${stage}: per-IP rate limits in front of the API`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`chiiki-${stage}-api-edge`),
      rules: [
        {
          name: 'SubscriptionRatePerIp',
          priority: 0,
          action: tooManyRequests,
          statement: {
            rateBasedStatement: {
              limit: subscriptionRateLimitPer5Min,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'STARTS_WITH',
                  searchString: '/v1/subscriptions',
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          visibilityConfig: visibility(`chiiki-${stage}-subscription-rate`),
        },
        {
          name: 'RatePerIp',
          priority: 1,
          action: tooManyRequests,
          statement: {
            rateBasedStatement: {
              limit: props.config.edgeRateLimit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
            },
          },
          visibilityConfig: visibility(`chiiki-${stage}-rate`),
        },
        ...['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesKnownBadInputsRuleSet'].map((name, i) => ({
          name,
          priority: 2 + i,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: visibility(`chiiki-${stage}-${name}`),
        })),
      ],
    });

    new ssm.StringParameter(this, 'WebAclArnParameter', {
      parameterName: edgeWebAclParameterName(stage),
      stringValue: this.webAcl.attrArn,
      description: `WAF WebACL of the chiiki-portal ${stage} API edge (read by Chiiki-${stage}-Edge)`,
    });
    new CfnOutput(this, 'WebAclArn', {
      value: this.webAcl.attrArn,
      description: 'the API edge WebACL; -c edgeWebAclArn=<this> attaches it without this stack',
    });
  }
}
