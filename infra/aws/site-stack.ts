import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { StageConfig } from './config.js';
import { acknowledge } from './nag.js';

export interface SiteStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * The Content-Security-Policy of the deployed portal: the local one (infra/local/portal/serve.ts)
 * with `connect-src` narrowed from `*` to the page's own origin and the API's origins, plus
 * `object-src 'none'` and `upgrade-insecure-requests`.
 */
export function portalContentSecurityPolicy(apiOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...apiOrigins].join(' ')}`,
    "object-src 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    'upgrade-insecure-requests',
  ].join('; ');
}

/** Origins the portal page calls: the API's default execute-api host in this region and its custom domain. */
function apiOriginsOf(config: StageConfig): string[] {
  return [
    `https://*.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`,
    ...(config.apiDomain ? [`https://${config.apiDomain.domainName}`] : []),
  ];
}

/**
 * The static portal page (built by infra/local/portal/build.ts into its dist/ folder) on a private
 * S3 bucket behind CloudFront (origin access control, HTTPS only). Files are uploaded by the operator
 * (`aws s3 sync`, see the README), so synthesis needs no build of the page. CloudFront adds the
 * security headers to every answer: a strict CSP (`portalContentSecurityPolicy`), HSTS, nosniff,
 * DENY framing, a same-origin referrer policy and a closed Permissions-Policy.
 */
export class SiteStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly securityHeaders: cloudfront.ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: SiteStackProps) {
    super(scope, id, props);
    this.bucket = new s3.Bucket(this, 'PortalBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'public static files served only through CloudFront; requests are visible in CloudFront metrics, and nothing private is stored',
    );

    this.securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'PortalSecurityHeaders', {
      comment: `chiiki-portal ${props.config.stage} portal page security headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: portalContentSecurityPolicy(apiOriginsOf(props.config)),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override: true },
        // The legacy XSS auditor is off in current browsers and could be abused where it is not.
        xssProtection: { protection: false, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: 'Permissions-Policy',
            value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
            override: true,
          },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
      removeHeaders: ['Server'],
    });

    this.distribution = new cloudfront.Distribution(this, 'PortalDistribution', {
      comment: `chiiki-portal ${props.config.stage} portal page`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.securityHeaders,
      },
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
    });
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'the portal is public information for everyone; no geo restriction',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'static public page with no forms or origin compute; WAF (about 6 USD/month) adds no protection here',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR3',
      'static public page; standard logs need an ACL-enabled log bucket and hold only public page views',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'default CloudFront certificate (no custom domain) only offers TLSv1; with a custom domain TLS 1.2 applies',
    );

    new CfnOutput(this, 'PortalUrl', { value: `https://${this.distribution.distributionDomainName}` });
    new CfnOutput(this, 'PortalBucketName', {
      value: this.bucket.bucketName,
      description: 'aws s3 sync infra/local/portal/dist/ s3://<this>/ --delete (after build.ts --api-base <ApiUrl>)',
    });
    new CfnOutput(this, 'PortalDistributionId', {
      value: this.distribution.distributionId,
      description: "aws cloudfront create-invalidation --distribution-id <this> --paths '/*'",
    });
  }
}
