import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { buildApiHandler } from '../../../../functions/api/handler-builder.js';
import { toApiGatewayEvent } from '../../../../infra/local/http-to-apigw.js';
import { RecordingTracing } from '../../../../shared/tracing.js';
import { testApi } from './api-test-deps.js';

describe('buildApiHandler tracing', () => {
  it('runs each matched route in a span named by its method and path template, and no span for an unknown path', async () => {
    const { deps } = await testApi();
    const tracing = new RecordingTracing();
    const handler = buildApiHandler(deps, [], { tracing });
    const call = async (url: string) =>
      (await handler(
        toApiGatewayEvent({ method: 'GET', url, headers: { host: 'api.example.test' } }),
      )) as APIGatewayProxyStructuredResultV2;

    const statuses = [
      (await call('/v1/health')).statusCode,
      (await call('/v1/items/not-an-id')).statusCode,
      (await call('/v1/no-such-route')).statusCode,
    ];

    expect(statuses).toEqual([200, 400, 404]);
    expect(tracing.spans).toEqual([
      { name: 'GET /v1/health', annotations: { route: 'GET /v1/health' }, parents: [], failed: false },
      { name: 'GET /v1/items/:id', annotations: { route: 'GET /v1/items/:id' }, parents: [], failed: true },
    ]);
  });
});
