import { traced, tracing } from '../../shared/wiring/tracer.js';
import { buildApiHandler } from './handler-builder.js';
import { subscriptionRoutes } from './subscription-routes.js';
import { deps, subscriptionDeps } from './wiring.js';

/**
 * The API Lambda (API Gateway HTTP API, payload 2.0): request log, CORS, error mapping and
 * conditional GET around the router (see handler-builder.ts), with the subscription routes mounted
 * beside the search routes; ports come from wiring.ts. X-Ray traces each request and route.
 */
export const handler = buildApiHandler(deps, subscriptionRoutes(subscriptionDeps), {
  tracing,
  middleware: traced(),
});
