import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
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
 * The static portal page (built by infra/local/portal/build.ts into its dist/ folder) on a private
 * S3 bucket behind CloudFront (origin access control, HTTPS only). Files are uploaded by the operator
 * (`aws s3 sync`, see the README), so synthesis needs no build of the page.
 */
export class SiteStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

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

    this.distribution = new cloudfront.Distribution(this, 'PortalDistribution', {
      comment: `chiiki-portal ${props.config.stage} portal page`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
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
