import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPortalApp, type PortalApp } from '../../../../infra/aws/portal-app.js';
import { pageWithApiOrigin, portalContentSecurityPolicy } from '../../../../infra/aws/site-stack.js';

/** The portal deployed by the Site stack: built during synthesis, uploaded by BucketDeployment, pointed at the API. */

type Deployment = { Properties: Record<string, unknown>; DependsOn?: string[] };

function deployments(template: Template): Record<string, Deployment> {
  return template.findResources('Custom::CDKBucketDeployment') as Record<string, Deployment>;
}

function siteOf(portal: PortalApp): Template {
  return Template.fromStack(portal.site as NonNullable<PortalApp['site']>);
}

function cspOf(site: Template): string {
  const [policy] = Object.values(site.findResources('AWS::CloudFront::ResponseHeadersPolicy')) as {
    Properties: { ResponseHeadersPolicyConfig: { SecurityHeadersConfig: { ContentSecurityPolicy: unknown } } };
  }[];
  return JSON.stringify(policy?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy);
}

describe('portal deployment, prod stage (API behind the edge)', () => {
  let portal: PortalApp;
  let site: Template;

  beforeAll(() => {
    // The real portal folder; bundling skipped (the build itself is tested below).
    portal = createPortalApp({ context: { 'aws:cdk:bundling-stacks': [], stage: 'prod' } });
    portal.app.synth();
    site = siteOf(portal);
  }, 120_000);

  it('uploads the built files, then the pages, and invalidates the distribution after the pages', () => {
    const all = Object.entries(deployments(site));
    const files = all.find(([id]) => id.startsWith('PortalFiles'));
    const pages = all.find(([id]) => id.startsWith('PortalPages'));
    const [distributionId] = Object.keys(site.findResources('AWS::CloudFront::Distribution'));

    expect(all).toHaveLength(2);
    expect(files?.[1].Properties).toMatchObject({
      Exclude: ['*.html'],
      SystemMetadata: { 'cache-control': 'public, max-age=300' },
      Prune: true,
    });
    expect(files?.[1].Properties['DistributionId']).toBeUndefined();
    expect(pages?.[1].Properties).toMatchObject({
      Exclude: ['*'],
      Include: ['*.html'],
      SystemMetadata: { 'cache-control': 'no-cache', 'content-type': 'text/html; charset=utf-8' },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/*'],
    });
    expect(pages?.[1].DependsOn ?? []).toEqual(expect.arrayContaining([expect.stringMatching(/^PortalFiles/)]));
    expect((pages?.[1].Properties['SourceObjectKeys'] as unknown[]).length).toBe(2); // index.html, sources.html
  });

  it("fills the edge's URL into the pages at deploy time and allows it in connect-src", () => {
    const pages = Object.entries(deployments(site)).find(([id]) => id.startsWith('PortalPages'))?.[1];
    const markers = JSON.stringify(pages?.Properties['SourceMarkers']);

    // Deploy-time values: each page's marker is the edge distribution's domain name.
    expect(markers).toMatch(/"Fn::ImportValue":"Chiiki-prod-Edge:ExportsOutputFnGetAttApiDistribution\w*DomainName/);
    const csp = cspOf(site);
    expect(csp).toContain('connect-src');
    expect(csp).toContain('ApiDistribution');
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|connect-src \*/);
  });

  it('acknowledges only the named findings of the deployment function, each with its reason', () => {
    const handler = portal.site?.node.findAll().find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    const ids = (handler?.node.metadata ?? [])
      .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
      .flatMap((m) => Object.keys(m.data as Record<string, string>))
      .map((id) => id.replace(/^annotation::/i, ''));

    expect(ids.filter((id) => id.startsWith('AwsSolutions-IAM5')).every((id) => /\[.+\]$/.test(id))).toBe(true);
    expect(ids).toContain('AwsSolutions-IAM5[Resource::*]');
  });
});

describe('portal deployment, dev stage (no edge)', () => {
  it('points the pages and connect-src at the execute-api host', () => {
    const portal = createPortalApp({ context: { 'aws:cdk:bundling-stacks': [] } });
    portal.app.synth();
    const site = siteOf(portal);
    const pages = Object.entries(deployments(site)).find(([id]) => id.startsWith('PortalPages'))?.[1];

    expect(portal.edge).toBeUndefined();
    const markers = JSON.stringify(pages?.Properties['SourceMarkers']);
    expect(markers).toMatch(/"Fn::ImportValue":"Chiiki-dev-App:ExportsOutputRefApiHttpApi/);
    expect(markers).toContain('{"Ref":"AWS::URLSuffix"}');
    expect(cspOf(site)).toContain('.execute-api.');
  }, 120_000);

  it('builds the portal during synthesis: bundled scripts, stylesheet and icon, the pages left to the second upload', () => {
    const portal = createPortalApp({ context: { 'aws:cdk:bundling-stacks': ['Chiiki-dev-Site'] }, nag: false });
    const assembly = portal.app.synth();
    const staged = readdirSync(assembly.directory)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => join(assembly.directory, name))
      .filter((dir) => existsSync(join(dir, 'assets', 'main.js')));

    expect(staged).toHaveLength(1);
    const dir = staged[0] ?? '';
    expect(readdirSync(join(dir, 'assets')).sort()).toEqual(['main.js', 'sources.js', 'styles.css']);
    expect(existsSync(join(dir, 'favicon.svg'))).toBe(true);
    expect(readdirSync(dir).filter((name) => name.endsWith('.html'))).toEqual([]);
  }, 180_000);
});

describe('pageWithApiOrigin', () => {
  it('fills the empty chiiki-api meta tag', () => {
    const page = '<head><meta name="chiiki-api" content=""></head>';

    expect(pageWithApiOrigin(page, 'https://d1.cloudfront.net')).toBe(
      '<head><meta name="chiiki-api" content="https://d1.cloudfront.net"></head>',
    );
  });

  it('refuses a page without the tag, which could never find the API', () => {
    expect(() => pageWithApiOrigin('<head></head>', 'https://d1.cloudfront.net')).toThrow(/no <meta name="chiiki-api"/);
  });
});

describe('portalContentSecurityPolicy', () => {
  it("allows scripts, styles and images from the page's origin only and connections to the API origins", () => {
    const csp = portalContentSecurityPolicy(['https://api.example.jp']);

    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self' https://api.example.jp;");
    expect(csp).not.toContain('unsafe');
  });
});
