import { buildApiHandler } from './build-handler.js';
import { deps } from './wiring.js';

/**
 * The API Lambda (API Gateway HTTP API, payload 2.0): request log, CORS, error mapping and
 * conditional GET around the router (see build-handler.ts); ports come from wiring.ts.
 */
export const handler = buildApiHandler(deps);
