import middy from '@middy/core';
import httpRouterHandler, { type Route } from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { compression } from '../middleware/compression.js';
import { conditionalGet } from '../middleware/conditional-get.js';
import { cors } from '../middleware/cors.js';
import { httpErrors } from '../middleware/http-errors.js';
import type { MiddlewareObj } from '@middy/core';
import { requestIdOf, type HttpEvent, type HttpResult } from '../middleware/http-event.js';
import { requestLog } from '../middleware/request-log.js';
import { noTracing, type Tracing } from '../../shared/tracing.js';
import { strictParameters } from './query-string.js';
import { apiRoutes, routeNotFound, type ApiDeps, type ApiRoute } from './routes.js';

export type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context?: object,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Tracing of the API: the Lambda tracer's middleware (outermost) and a span per matched route. */
export interface ApiTracing {
  readonly tracing: Tracing;
  readonly middleware?: MiddlewareObj<HttpEvent, HttpResult>;
}

/**
 * The API as one middy handler: request log, CORS, error mapping, a strict query-string check
 * (every route's parameters), gzip and conditional GET around the router. Lambda (handler.ts) and the local stack build it the same way; `extraRoutes` mounts
 * other route sets (subscriptions, benchmarks' no-op). Each route runs in a span named
 * `<METHOD> <path template>` (`GET /v1/items/:id`); tracing is off unless `trace` turns it on.
 */
export function buildApiHandler(
  deps: ApiDeps,
  extraRoutes: readonly ApiRoute[] = [],
  trace: ApiTracing = { tracing: noTracing },
): ApiHandler {
  const all = [...apiRoutes(deps), ...extraRoutes];
  const routes = all.map((route) => tracedRoute(trace.tracing, route)) as unknown as Route<
    APIGatewayProxyEventV2,
    APIGatewayProxyStructuredResultV2
  >[];
  const outer = middy<HttpEvent, HttpResult>();
  const handler = (trace.middleware ? outer.use(trace.middleware) : outer)
    .use(requestLog(deps.log))
    .use(requestIdHeader())
    .use(cors({ origins: deps.corsOrigins, routes: all }))
    .use(httpErrors(deps.log))
    .use(strictParameters())
    .use(compression())
    .use(conditionalGet())
    .handler(httpRouterHandler({ routes, notFoundResponse: routeNotFound }) as never);
  return handler as unknown as ApiHandler;
}

/**
 * `X-Request-Id` on every response, errors included (its onError runs after httpErrors' builds the
 * body), so even a HEAD's bodiless 4xx can be quoted; API Gateway adds its own `apigw-requestid`.
 */
function requestIdHeader(): MiddlewareObj<HttpEvent, HttpResult> {
  const stamp = (request: { event: HttpEvent; response: HttpResult | null | undefined; context: object }) => {
    if (!request.response) return;
    request.response.headers = {
      ...request.response.headers,
      'x-request-id': requestIdOf(request.event, request.context),
    };
  };
  return { name: 'requestIdHeader', after: stamp, onError: stamp };
}

/**
 * The route with its handler run inside a span named after its method and path template, with
 * parameters as `:name` (`GET /v1/items/:id`): X-Ray names allow no braces.
 */
function tracedRoute(tracing: Tracing, route: ApiRoute): ApiRoute {
  const name = `${route.method} ${route.path.replace(/\{([^}]+)\}/gu, ':$1')}`;
  return { ...route, handler: (event) => tracing.span(name, () => route.handler(event), { route: name }) };
}
