import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { subscriptionRoutes } from '../../../../functions/api/subscription-routes.js';
import {
  corsExposedHeaders,
  corsMaxAgeSec,
  corsRequestHeaders,
  corsOriginsFrom,
} from '../../../../functions/middleware/cors.js';
import { edgeCachedPaths } from '../../../../infra/aws/edge-stack.js';
import { createPortalApp, type PortalApp } from '../../../../infra/aws/portal-app.js';
import { testApi, type TestApi } from '../../functions/api/api-test-deps.js';

/**
 * One CORS truth: API Gateway answers nothing about CORS in AWS (no CorsConfiguration, every
 * method on the $default route to the function), and CloudFront passes the function's headers
 * through, so what a browser sees is what the local stack's handler answers.
 */

const origin = 'https://portal.example.jp';

type Resource = { Type: string; Properties: Record<string, unknown> };

function resourcesOf(template: Template, type: string): Resource[] {
  return Object.values(template.findResources(type)) as Resource[];
}

/** CloudFront path pattern matching (`*` any characters, exact otherwise). */
function patternMatches(pattern: string, path: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return regex.test(path);
}

describe('CORS in AWS and locally (prod stage with the edge)', () => {
  let portal: PortalApp;
  let app: Template;
  let edge: Template;
  let local: TestApi;

  beforeAll(async () => {
    portal = createPortalApp({
      context: { 'aws:cdk:bundling-stacks': [], stage: 'prod', corsOrigins: origin },
      portalDir: '/nonexistent/portal',
    });
    portal.app.synth();
    app = Template.fromStack(portal.service);
    edge = Template.fromStack(portal.edge as NonNullable<PortalApp['edge']>);
    const subscriptions = subscriptionRoutes(() => Promise.reject(new Error('not used by a preflight')));
    local = await testApi({
      corsOrigins: corsOriginsFrom(portal.config.corsOrigins.join(',')),
      extraRoutes: subscriptions,
    });
  }, 120_000);

  it('leaves CORS off in API Gateway and sends every method, OPTIONS included, to the function', () => {
    const [api] = resourcesOf(app, 'AWS::ApiGatewayV2::Api');
    const routes = resourcesOf(app, 'AWS::ApiGatewayV2::Route');

    expect(api?.Properties['CorsConfiguration']).toBeUndefined();
    expect(routes.map((route) => route.Properties['RouteKey'])).toEqual(['$default']);
    const [integrationId] = Object.keys(app.findResources('AWS::ApiGatewayV2::Integration'));
    expect(routes[0]?.Properties['Target']).toEqual({
      'Fn::Join': ['', ['integrations/', { Ref: integrationId }]],
    });
  });

  it('gives the function the configured origins, the same list the local handler is built with', () => {
    const apiFunctions = resourcesOf(app, 'AWS::Lambda::Function').filter((fn) =>
      JSON.stringify(fn.Properties).includes('CORS_ORIGINS'),
    );

    expect(apiFunctions).toHaveLength(1);
    expect(JSON.stringify(apiFunctions[0]?.Properties)).toContain(`"CORS_ORIGINS":"${origin}"`);
    expect(local.deps.corsOrigins).toEqual([origin]);
  });

  it('answers the preflight of a cross-origin PUT on the manage link with the shared methods and max-age', async () => {
    const result = await local.call('/v1/subscriptions/manage?token=x', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    });

    expect(result.statusCode).toBe(204);
    expect(result.headers).toMatchObject({
      'access-control-allow-origin': origin,
      'access-control-allow-methods': 'GET, POST, PUT, OPTIONS',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': String(corsMaxAgeSec),
    });
  });

  it('exposes ETag, Retry-After and X-Export-Truncated on answers, errors included', async () => {
    const search = await local.call('/v1/search?q=x', { headers: { origin } });
    const missing = await local.call('/v1/items/none', { headers: { origin } });

    for (const result of [search, missing])
      expect(String(result.headers?.['access-control-expose-headers']).split(', ')).toEqual([...corsExposedHeaders]);
    expect(corsExposedHeaders).toEqual(expect.arrayContaining(['ETag', 'Retry-After', 'X-Export-Truncated']));
  });

  it('lets every method through CloudFront to the function and adds no headers of its own', () => {
    const [distribution] = resourcesOf(edge, 'AWS::CloudFront::Distribution');
    const config = distribution?.Properties['DistributionConfig'] as {
      DefaultCacheBehavior: Record<string, unknown>;
      CacheBehaviors: Record<string, unknown>[];
    };

    expect(config.DefaultCacheBehavior['AllowedMethods']).toEqual(
      expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE']),
    );
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior['ResponseHeadersPolicyId']).toBeUndefined();
      expect(behavior['AllowedMethods']).toContain('OPTIONS');
      expect(behavior['CachedMethods'] ?? ['GET', 'HEAD']).not.toContain('OPTIONS');
    }
    edge.resourceCountIs('AWS::CloudFront::ResponseHeadersPolicy', 0);
  });

  it('passes the preflight request headers to the function on the cached paths', () => {
    const [policy] = resourcesOf(edge, 'AWS::CloudFront::OriginRequestPolicy');
    const [cache] = resourcesOf(edge, 'AWS::CloudFront::CachePolicy');
    const forwarded = [
      ...((policy?.Properties['OriginRequestPolicyConfig'] as { HeadersConfig: { Headers: string[] } }).HeadersConfig
        .Headers ?? []),
      ...(
        cache?.Properties['CachePolicyConfig'] as {
          ParametersInCacheKeyAndForwardedToOrigin: { HeadersConfig: { Headers: string[] } };
        }
      ).ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig.Headers,
    ];

    expect(forwarded.map((h) => h.toLowerCase()).sort()).toEqual(corsRequestHeaders.map((h) => h.toLowerCase()).sort());
  });

  it('keys the cache on every header the cacheable answers vary on', async () => {
    const [cache] = resourcesOf(edge, 'AWS::CloudFront::CachePolicy');
    const params = (cache?.Properties['CachePolicyConfig'] as Record<string, Record<string, unknown>>)[
      'ParametersInCacheKeyAndForwardedToOrigin'
    ] as {
      EnableAcceptEncodingGzip: boolean;
      EnableAcceptEncodingBrotli: boolean;
      QueryStringsConfig: { QueryStringBehavior: string };
      HeadersConfig: { Headers: string[] };
    };
    const keyed = new Set(params.HeadersConfig.Headers.map((h) => h.toLowerCase()));
    if (params.EnableAcceptEncodingGzip && params.EnableAcceptEncodingBrotli) keyed.add('accept-encoding');
    const samples = ['/v1/search?q=x', '/v1/items/none', '/v1/sources', '/v1/feed.rss?q=x', '/v1/openapi.json'];

    expect(params.QueryStringsConfig.QueryStringBehavior).toBe('all');
    for (const path of samples) {
      expect(
        edgeCachedPaths.some((pattern) => patternMatches(pattern, path.split('?')[0] ?? '')),
        path,
      ).toBe(true);
      const result = await local.call(path, { headers: { origin, 'accept-encoding': 'br, gzip' } });
      const vary = String(result.headers?.['vary'] ?? '')
        .split(',')
        .map((token) => token.trim().toLowerCase())
        .filter(Boolean);
      expect(vary.length, path).toBeGreaterThan(0);
      for (const token of vary) expect(keyed, `${path} varies on ${token}`).toContain(token);
    }
  });

  it('never caches the subscription routes: they fall to the default behaviour, which caches nothing', () => {
    const subscriptionPaths = ['/v1/subscriptions', '/v1/subscriptions/manage', '/v1/subscriptions/confirm'];

    for (const path of subscriptionPaths)
      expect(edgeCachedPaths.some((pattern) => patternMatches(pattern, path))).toBe(false);
    edge.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        // Managed-CachingDisabled on everything not listed as cacheable.
        DefaultCacheBehavior: Match.objectLike({ CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad' }),
      }),
    });
  });

  it('caches only answers whose Cache-Control is public, for at most the edge maximum', async () => {
    const [cache] = resourcesOf(edge, 'AWS::CloudFront::CachePolicy');
    const ttl = cache?.Properties['CachePolicyConfig'] as { DefaultTTL: number; MinTTL: number; MaxTTL: number };
    const search = await local.call('/v1/search?q=x');

    expect(ttl).toMatchObject({ DefaultTTL: 0, MinTTL: 0 });
    expect(search.headers?.['cache-control']).toMatch(/^public, max-age=\d+$/);
    const maxAge = Number(/max-age=(\d+)/.exec(String(search.headers?.['cache-control']))?.[1]);
    expect(maxAge).toBeLessThanOrEqual(ttl.MaxTTL);
  });
});
