import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, DockerImage, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { renderPortalPage } from '../../portal/page.js';
import type { StageConfig } from './config.js';
import { repoRoot } from './functions.js';
import { acknowledge } from './nag.js';

export interface SiteStackProps extends StackProps {
  readonly config: StageConfig;
  /** The portal's source folder (index.html, sources.html, src/, build.ts). */
  readonly portalDir: string;
  /**
   * The origin the page calls the API at (the edge distribution, the custom domain or the
   * execute-api host; may be a deploy-time value). It goes into the pages' `<meta name="chiiki-api">`
   * and the CSP's `connect-src`.
   */
  readonly apiOrigin: string;
}

/** The portal's HTML pages; uploaded with the API origin filled in and `no-cache`. */
export const portalPages = ['index.html', 'sources.html'] as const;

/** The meta tag a page reads the API origin from (portal/src/api.ts). */
const apiMeta = '<meta name="chiiki-api" content="">';

/** A portal page with the API origin in its `<meta name="chiiki-api">` (which must be there, empty). */
export function pageWithApiOrigin(html: string, apiOrigin: string): string {
  if (!html.includes(apiMeta)) throw new Error(`portal page has no ${apiMeta} to fill in`);
  return html.replace(apiMeta, `<meta name="chiiki-api" content="${apiOrigin}">`);
}

/**
 * The Content-Security-Policy of the deployed portal: the local one (infra/local/portal-server.ts)
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

/**
 * The static portal page on a private S3 bucket behind CloudFront (origin access control, HTTPS
 * only). Synthesis builds it (portal/build.ts: type-check, then esbuild) as a bundled
 * asset, and `cdk deploy` uploads it with two BucketDeployments: the scripts, stylesheet and icon
 * (`max-age=300`), then the pages with the API origin filled in (`no-cache`), which also
 * invalidates the distribution. CloudFront adds the security headers to every answer: a strict
 * CSP (`portalContentSecurityPolicy` with the API origin), HSTS, nosniff, DENY framing, a
 * same-origin referrer policy and a closed Permissions-Policy.
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
          contentSecurityPolicy: portalContentSecurityPolicy([props.apiOrigin]),
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

    this.deployPortal(props);

    new CfnOutput(this, 'PortalUrl', { value: `https://${this.distribution.distributionDomainName}` });
    new CfnOutput(this, 'PortalBucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'PortalDistributionId', { value: this.distribution.distributionId });
  }

  /** Uploads the built portal: static files first, then the pages (with the API origin), then invalidates. */
  private deployPortal(props: SiteStackProps): void {
    const { portalDir } = props;
    const files = new s3deploy.BucketDeployment(this, 'PortalFiles', {
      sources: [
        s3deploy.Source.asset(portalDir, {
          exclude: ['dist', 'node_modules'],
          bundling: {
            // Never pulled: the local build below always runs or throws.
            image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
            local: { tryBundle: (outputDir) => buildPortalInto(portalDir, outputDir) },
          },
        }),
      ],
      destinationBucket: this.bucket,
      exclude: ['*.html'],
      cacheControl: [s3deploy.CacheControl.fromString('public, max-age=300')],
      memoryLimit: 256,
    });
    const pages = new s3deploy.BucketDeployment(this, 'PortalPages', {
      sources: portalPages
        .filter((page) => existsSync(join(portalDir, page)))
        .map((page) =>
          s3deploy.Source.data(page, pageWithApiOrigin(renderPortalPage(portalDir, page), props.apiOrigin)),
        ),
      destinationBucket: this.bucket,
      exclude: ['*'],
      include: ['*.html'],
      contentType: 'text/html; charset=utf-8',
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
    });
    pages.node.addDependency(files);
    // BucketDeployment's one shared function (its id is CDK's, keyed by the memory size).
    const handler = this.node.tryFindChild('Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiB');
    if (!handler)
      throw new Error('site stack: the BucketDeployment function was not found to acknowledge its findings');
    const bucketId = this.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    const findings: [string, string][] = [
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'the CDK BucketDeployment function writes its logs with the basic execution role; its own policy is scoped to the buckets below',
      ],
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map(
        (action): [string, string] => [
          `AwsSolutions-IAM5[Action::${action}]`,
          "CDK's grantRead/grantReadWrite action groups for copying the built portal from the asset bucket and pruning old files in the portal bucket",
        ],
      ),
      [
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
        'the deployment writes and prunes every object of the portal bucket, which holds only the built portal',
      ],
      [
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        "read access to the CDK bootstrap asset bucket, where cdk deploy puts the portal's zip",
      ],
      [
        'AwsSolutions-IAM5[Resource::*]',
        'cloudfront:CreateInvalidation and GetInvalidation, granted by BucketDeployment on *, to refresh the portal after an upload',
      ],
      [
        'AwsSolutions-L1',
        "the runtime of CDK's BucketDeployment function is chosen by aws-cdk-lib and moves with its upgrades",
      ],
    ];
    for (const [id, reason] of findings) acknowledge(handler, id, reason);
  }
}

/**
 * Builds the portal from its own folder into `outputDir` with its build script (type-check, then
 * esbuild), leaving the pages out: the site stack uploads those with the API origin filled in.
 */
function buildPortalInto(portalDir: string, outputDir: string): boolean {
  execFileSync(
    process.execPath,
    [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(portalDir, 'build.ts'), '--out', outputDir],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  for (const page of portalPages) rmSync(join(outputDir, page), { force: true });
  return true;
}
