import SwaggerParser from '@apidevtools/swagger-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { buildApiHandler } from '../../../../functions/api/handler-builder.js';
import { openApiDocument } from '../../../../functions/api/openapi.js';
import { apiRoutes } from '../../../../functions/api/routes.js';
import {
  ErrorResponseSchema,
  MutedResponseSchema,
  SubscribeAcceptedResponseSchema,
  SubscriptionViewResponseSchema,
  UnsubscribedResponseSchema,
} from '../../../../functions/api/schemas.js';
import { parseSearchParams } from '../../../../functions/api/search-params.js';
import { subscriptionRoutes } from '../../../../functions/api/subscription-routes.js';
import { toApiGatewayEvent } from '../../../../infra/local/http-to-apigw.js';
import { ApplicantTypeSchema } from '../../../../shared/domain/applicant.js';
import type { ItemId } from '../../../../shared/domain/item.js';
import { SearchUnavailableError } from '../../../../shared/errors.js';
import type { SearchQuery } from '../../../../shared/search/query.js';
import { linkToken, startAlertsHarness, type AlertsHarness } from '../../../support/alerts-harness.js';
import { jsonOf, testApi } from './api-test-deps.js';

interface Operation {
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}
type Paths = Record<string, Record<string, Operation>>;
interface ParamSchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  items?: { enum?: string[] };
}

const subscriptionOperations = {
  '/v1/subscriptions': ['post'],
  '/v1/subscriptions/confirm': ['get', 'post'],
  '/v1/subscriptions/manage': ['get', 'post', 'put'],
  '/v1/subscriptions/unsubscribe': ['get', 'post'],
  '/v1/subscriptions/mute': ['get', 'post'],
} as const;

describe('OpenAPI document', () => {
  it('passes a real OpenAPI 3.1 validator, subscription routes included', async () => {
    const document = openApiDocument('https://api.example.test');

    const validated = (await SwaggerParser.validate(structuredClone(document) as never)) as {
      openapi?: string;
      paths?: Paths;
    };

    expect(validated.openapi).toBe('3.1.0');
    for (const [path, methods] of Object.entries(subscriptionOperations)) {
      expect(Object.keys(validated.paths?.[path] ?? {}).sort(), path).toEqual([...methods].sort());
    }
  });

  it('documents the search parameters as the server parses them: names and codes, integer size', () => {
    const paths = openApiDocument().paths as unknown as Record<
      string,
      { get: { parameters: { name: string; schema: ParamSchema }[] } }
    >;
    const params = new Map(paths['/v1/search']?.get.parameters.map((p) => [p.name, p.schema]));

    expect(params.get('size')).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    expect(params.get('prefecture')?.items?.enum).toEqual(expect.arrayContaining(['20', '長野', '長野県', 'nagano']));
    expect(params.get('region')?.items?.enum).toEqual(expect.arrayContaining(['chubu', '中部', '中部地方']));
    expect(params.get('field')?.items?.enum).toEqual(expect.arrayContaining(['life-science', 'ライフサイエンス']));
    // Every documented form parses on the server to a code items carry.
    const codeOf = {
      prefecture: [(q: SearchQuery) => q.prefectures, /^(0[1-9]|[1-3]\d|4[0-7])$/],
      region: [(q: SearchQuery) => q.regions, /^[a-z]+$/],
      field: [(q: SearchQuery) => q.fields, /^[a-z]+(-[a-z]+)*$/],
    } as const;
    for (const [name, [pick, code]] of Object.entries(codeOf)) {
      const forms = params.get(name)?.items?.enum ?? [];
      expect(forms.length, name).toBeGreaterThanOrEqual(20);
      for (const form of forms) {
        const parsed = pick(parseSearchParams({ rawQueryString: `${name}=${encodeURIComponent(form)}` }));
        expect(parsed?.[0], `${name}=${form}`).toMatch(code);
      }
    }
  });

  it('documents who may apply, the amount range, the expected status and the new sorts as the server parses them', () => {
    const paths = openApiDocument().paths as unknown as Record<
      string,
      { get: { parameters: { name: string; schema: ParamSchema & { enum?: string[] } }[] } }
    >;

    for (const route of ['/v1/search', '/v1/feed.rss', '/v1/feed.atom', '/v1/export.csv']) {
      const params = new Map(paths[route]?.get.parameters.map((p) => [p.name, p.schema]));
      expect(params.get('applicant')?.items?.enum, route).toEqual([...ApplicantTypeSchema.options]);
      expect(params.get('status')?.items?.enum, route).toContain('expected');
      expect(params.get('sort')?.enum, route).toEqual(expect.arrayContaining(['amount', 'expected']));
      for (const name of ['amountMin', 'amountMax'])
        expect(params.get(name), `${route} ${name}`).toMatchObject({
          type: 'integer',
          minimum: 0,
          maximum: Number.MAX_SAFE_INTEGER,
        });
    }
    // Every documented applicant id parses on the server.
    for (const id of ApplicantTypeSchema.options)
      expect(parseSearchParams({ rawQueryString: `applicant=${id}` }).applicants).toEqual([id]);
  });

  it('documents the hit fields, the applicant facet, the item detail fields and the series lookup', () => {
    const document = openApiDocument() as unknown as {
      paths: Paths;
      components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
    };
    const { SearchItem, SearchForecast, Facets, ItemDetail } = document.components.schemas;

    expect(SearchItem?.properties).toMatchObject({
      applicants: { type: 'array', items: { enum: [...ApplicantTypeSchema.options] } },
      amountCeiling: { type: 'integer', minimum: 0 },
      forecast: { $ref: '#/components/schemas/SearchForecast' },
    });
    expect(SearchItem?.required).toContain('applicants');
    expect(SearchItem?.required).not.toContain('amountCeiling');
    expect(SearchForecast?.required?.sort()).toEqual(['opens', 'seriesId', 'text']);
    expect(Object.keys(SearchForecast?.properties ?? {})).toEqual(['seriesId', 'opens', 'closes', 'text']);
    expect(Facets?.required).toContain('applicant');
    expect(Object.keys(ItemDetail?.properties ?? {})).toEqual(
      expect.arrayContaining(['applicants', 'amount', 'series']),
    );
    expect(Object.keys(document.paths['/v1/series/{id}'] ?? {})).toEqual(['get']);
    expect(document.paths['/v1/series/{id}']?.get?.responses['200']?.content?.['application/json']).toEqual({
      schema: { $ref: '#/components/schemas/Series' },
    });
  });

  it('documents the CSV columns, the new ones included', () => {
    const paths = openApiDocument().paths as unknown as Record<string, { get: { description?: string } }>;

    expect(paths['/v1/export.csv']?.get.description).toContain(
      '応募できる者, 上限額（円）, 次回の見込み, 応募できる者コード',
    );
  });

  it('documents every route the API mounts, search and subscriptions alike', async () => {
    const api = await testApi();
    const unusedDeps = {} as never; // building the route table reads no dependency
    // A HEAD route answers like its GET, which the document covers.
    const mounted = [...apiRoutes(api.deps), ...subscriptionRoutes(unusedDeps)].map(
      (route) => `${route.method === 'HEAD' ? 'get' : route.method.toLowerCase()} ${route.path}`,
    );
    const paths = openApiDocument().paths as unknown as Paths;
    const documented = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );

    expect(documented.sort()).toEqual(expect.arrayContaining([...new Set(mounted)].sort()));
  });

  it('documents 503 with Retry-After on exactly the routes that answer 503 while search is unavailable', async () => {
    const api = await testApi({ throwOnSearch: new SearchUnavailableError('circuit open', 5) });
    const getPaths = [...new Set(apiRoutes(api.deps).map((route) => route.path))];
    const paths = openApiDocument().paths as unknown as Paths;

    const answering503: string[] = [];
    for (const path of getPaths) {
      const result = await api.call(path.replace('{id}', 'it_0123456789abcdef'));
      if (result.statusCode === 503) answering503.push(path);
    }
    const documenting503 = getPaths.filter((path) => paths[path]?.get?.responses['503'] !== undefined);

    expect(answering503.sort()).toEqual(['/v1/export.csv', '/v1/feed.atom', '/v1/feed.rss', '/v1/search']);
    expect(documenting503.sort()).toEqual(answering503.sort());
    for (const path of documenting503)
      expect(paths[path]?.get?.responses['503']?.headers).toHaveProperty('Retry-After');
  });

  it('documents the token parameter, the request bodies, 202, 429 with Retry-After, 400 with issues and HTML link pages', () => {
    const paths = openApiDocument().paths as unknown as Paths;
    const subscribe = paths['/v1/subscriptions']?.post;

    expect(Object.keys(subscribe?.responses ?? {})).toEqual(expect.arrayContaining(['202', '400', '429']));
    expect(subscribe?.responses['429']?.headers).toHaveProperty('Retry-After');
    expect(subscribe?.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/SubscribeRequest',
    });
    expect(paths['/v1/subscriptions/manage']?.put?.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/ChangeSubscriptionRequest',
    });
    for (const [path, methods] of Object.entries(subscriptionOperations)) {
      if (path === '/v1/subscriptions') continue;
      for (const method of methods) {
        const operation = paths[path]?.[method];
        expect(operation?.parameters, `${method} ${path}`).toContainEqual(
          expect.objectContaining({ in: 'query', name: 'token', required: true }),
        );
        if (method === 'get' && path !== '/v1/subscriptions/manage') {
          expect(Object.keys(operation?.responses['200']?.content ?? {}), `${method} ${path}`).toEqual(['text/html']);
        } else {
          expect(Object.keys(operation?.responses['400']?.content ?? {}), `${method} ${path}`).toEqual([
            'application/json',
          ]);
        }
      }
    }
  });
});

describe('subscription responses match the documented schemas', () => {
  let h: AlertsHarness;
  let call: (
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<APIGatewayProxyStructuredResultV2>;

  beforeAll(async () => {
    h = await startAlertsHarness('2025-05-10T00:00:00Z');
    const api = await testApi();
    const handler = buildApiHandler(
      api.deps,
      subscriptionRoutes({ ...h.subscriptionDeps, rateLimits: { perAddress: 2, perClient: 100, windowSec: 3600 } }),
    );
    call = async (method, url, body, headers = {}) =>
      (await handler(
        toApiGatewayEvent({
          method,
          url,
          headers: { host: 'api.example.test', 'content-type': 'application/json', ...headers },
          body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
        }) as APIGatewayProxyEventV2,
      )) as APIGatewayProxyStructuredResultV2;
  });
  afterAll(async () => {
    await h.stop();
  });

  const parsed = <T extends z.ZodType>(schema: T, result: APIGatewayProxyStructuredResultV2) =>
    schema.parse(jsonOf(result));

  it('answers subscribe, confirm, manage, mute and unsubscribe with the documented bodies', async () => {
    const email = 'researcher@example.ac.jp';
    const accepted = await call('POST', '/v1/subscriptions', { email, searches: ['q=半導体&status=open'] });
    expect(accepted.statusCode).toBe(202);
    expect(parsed(SubscribeAcceptedResponseSchema, accepted).status).toBe('accepted');

    const confirmMail = h.confirmations.to(email).at(-1);
    if (!confirmMail) throw new Error('no confirmation mail');
    const confirmToken = encodeURIComponent(linkToken(confirmMail, 'confirm'));
    const page = await call('GET', `/v1/subscriptions/confirm?token=${confirmToken}`);
    expect(page.headers?.['content-type']).toContain('text/html');
    const confirmed = await call('POST', `/v1/subscriptions/confirm?token=${confirmToken}`);
    const view = parsed(SubscriptionViewResponseSchema, confirmed);
    expect(view.status).toBe('active');

    const unsubscribeToken = new URL(view.unsubscribeUrl).searchParams.get('token') ?? '';
    const { tokens } = h.subscriptionDeps;
    const { subscriptionId } = tokens.verify(unsubscribeToken, 'unsubscribe', h.clock.now());
    const link = (purpose: 'manage' | 'mute', ref?: string) =>
      encodeURIComponent(tokens.sign({ subscriptionId, purpose, ref }, h.clock.now()));
    const manage = link('manage');
    const shown = await call('GET', `/v1/subscriptions/manage?token=${manage}`);
    expect(parsed(SubscriptionViewResponseSchema, shown).email).toBe(email);
    const changed = await call('PUT', `/v1/subscriptions/manage?token=${manage}`, { frequency: 'weekly' });
    expect(parsed(SubscriptionViewResponseSchema, changed).frequency).toBe('weekly');

    const itemId = 'it_0123456789abcdef01234567' as ItemId;
    const mute = link('mute', itemId);
    expect(parsed(MutedResponseSchema, await call('POST', `/v1/subscriptions/mute?token=${mute}`))).toEqual({
      status: 'muted',
      itemId,
    });

    const unsubscribed = await call(
      'POST',
      `/v1/subscriptions/unsubscribe?token=${encodeURIComponent(unsubscribeToken)}`,
      undefined,
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
    );
    expect(parsed(UnsubscribedResponseSchema, unsubscribed)).toEqual({ status: 'unsubscribed' });
  });

  it('answers a bad token and a bad body with 400 and issues, and a rate limit with 429 and Retry-After', async () => {
    const badToken = parsed(ErrorResponseSchema, await call('POST', '/v1/subscriptions/confirm?token=forged'));
    expect(badToken.issues?.map((issue) => issue.path)).toEqual([['token']]);

    const badBody = await call('POST', '/v1/subscriptions', { email: 'not-an-address', searches: [] });
    expect(badBody.statusCode).toBe(400);
    expect(parsed(ErrorResponseSchema, badBody).issues?.length).toBeGreaterThan(0);

    const request = { email: 'busy@example.jp', searches: ['q=AI'] };
    const answers = [];
    for (let i = 0; i < 2; i++) answers.push(await call('POST', '/v1/subscriptions', request));
    const limited = await call('POST', '/v1/subscriptions', request);
    expect([...answers, limited].map((a) => a.statusCode)).toEqual([202, 202, 429]);
    expect(Number(limited.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(parsed(ErrorResponseSchema, limited).error).toBe('TooManyRequestsError');
  });
});
