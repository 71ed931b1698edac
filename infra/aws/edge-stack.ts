import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { corsRequestHeaders } from '../../functions/middleware/cors.js';
import type { StageConfig } from './config.js';
import { edgeWafRegion, edgeWebAclParameterName } from './edge-waf-stack.js';
import { acknowledge } from './nag.js';

/**
 * The API paths CloudFront may cache (CloudFront path patterns). Their answers are public and say
 * how long they keep (`Cache-Control: public, max-age=…`, functions/api/routes.ts); every other path,
 * the subscription routes above all, passes through uncached.
 */
export const edgeCachedPaths = [
  '/v1/search',
  '/v1/items/*',
  '/v1/series/*',
  '/v1/sources',
  '/v1/feed.*',
  '/v1/export.csv',
  '/v1/openapi.json',
] as const;

/** The longest any cached answer is kept, whatever its Cache-Control says. */
const edgeMaxTtlSec = 3600;

export interface EdgeStackProps extends StackProps {
  readonly config: StageConfig;
  /** The HTTP API behind the edge (its execute-api endpoint is the origin). */
  readonly httpApi: apigw.IHttpApi;
}

/**
 * CloudFront in front of the HTTP API, with the stage's WAF WebACL: per-client limits (WAF
 * rate-based rules per IP) instead of only API Gateway's stage-wide throttle, and the cacheable
 * GETs answered at the edge for as long as the function's Cache-Control allows.
 *
 * The cache key is the path, the whole query string, `Origin` (CORS answers differ per origin:
 * `Vary: Origin`) and the normalised `Accept-Encoding` (`Vary: Accept-Encoding`), which is what the
 * function varies on. Preflights are never cached and get the headers they ask about. Headers,
 * status codes and bodies pass through unchanged, so CORS is the function's alone.
 *
 * The WebACL is `edgeWebAclArn` when set, else the one `Chiiki-<stage>-EdgeWaf` (us-east-1) wrote
 * to SSM, read at deploy time by a custom resource in that region.
 */
export class EdgeStack extends Stack {
  readonly distribution: cloudfront.Distribution;
  readonly cachePolicy: cloudfront.CachePolicy;
  /** `https://<distribution>.cloudfront.net`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const stage = config.stage;
    const webAclArn = config.edgeWebAclArn ?? this.webAclFromParameter(stage);

    const origin = new HttpOrigin(`${props.httpApi.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    this.cachePolicy = new cloudfront.CachePolicy(this, 'ApiCachePolicy', {
      comment: `chiiki-portal ${stage} API: the function's Cache-Control decides`,
      // 0 default and minimum: an answer without Cache-Control (or no-store) is not kept.
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(edgeMaxTtlSec),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Origin'),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingBrotli: true,
      enableAcceptEncodingGzip: true,
    });
    const preflightHeaders = new cloudfront.OriginRequestPolicy(this, 'ApiPreflightHeaders', {
      comment: `chiiki-portal ${stage} API: CORS preflight request headers reach the function`,
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(
        ...corsRequestHeaders.filter((name) => name !== 'Origin'),
      ),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });
    const cached: cloudfront.BehaviorOptions = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      cachePolicy: this.cachePolicy,
      originRequestPolicy: preflightHeaders,
      compress: false, // the function compresses (br or gzip) and says Vary: Accept-Encoding
    };

    this.distribution = new cloudfront.Distribution(this, 'ApiDistribution', {
      comment: `chiiki-portal ${stage} API edge`,
      defaultBehavior: {
        origin,
        // HTTPS only: a redirect would turn a POST into a GET.
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        compress: false,
      },
      additionalBehaviors: Object.fromEntries(edgeCachedPaths.map((path) => [path, cached])),
      webAclId: webAclArn,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'a public search API for Japanese and foreign researchers alike; no geo restriction',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR3',
      "every request that passes the edge is in the API's JSON access log; blocked ones are in WAF's sampled requests and metrics",
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'the default CloudFront certificate (no custom domain on the edge) only allows TLSv1 as minimum; the origin leg is TLS 1.2',
    );

    new CfnOutput(this, 'ApiEdgeUrl', {
      value: this.url,
      description: 'the public API behind CloudFront and WAF; give this to portals and clients',
    });
    new CfnOutput(this, 'ApiEdgeDistributionId', { value: this.distribution.distributionId });
  }

  /** The stage WebACL's ARN from the SSM parameter the us-east-1 WAF stack writes. */
  private webAclFromParameter(stage: string): string {
    const name = edgeWebAclParameterName(stage);
    const call: cr.AwsSdkCall = {
      service: 'SSM',
      action: 'getParameter',
      parameters: { Name: name },
      region: edgeWafRegion,
      physicalResourceId: cr.PhysicalResourceId.of(`${name}@${edgeWafRegion}`),
    };
    const reader = new cr.AwsCustomResource(this, 'WebAclArnReader', {
      onCreate: call,
      onUpdate: call,
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({
        resources: [`arn:${Aws.PARTITION}:ssm:${edgeWafRegion}:${Aws.ACCOUNT_ID}:parameter${name}`],
      }),
      installLatestAwsSdk: false,
    });
    const provider = this.node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    if (!provider)
      throw new Error('edge stack: the AwsCustomResource function was not found to acknowledge its findings');
    acknowledge(
      provider,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'the CDK custom-resource function writes its logs with the basic execution role; its own policy reads one SSM parameter',
    );
    return reader.getResponseField('Parameter.Value');
  }
}
