import middy from '@middy/core';
import { traced } from '../../shared/wiring/tracer.js';
import { handleDigestEvent } from './fan-out.js';
import { fanOutDeps } from './wiring.js';

/**
 * The digest Lambda. A trigger (EventBridge Scheduler daily/weekly, the end of a crawl cycle)
 * plans the run and queues one message per shard group; the digest-work queue brings the groups
 * back here, one digest per group, with partial batch failures. A trigger that names `shards`
 * runs those shards at once. Wiring only; see fan-out.ts and digest.ts.
 */
export const handler = middy()
  .use(traced())
  .handler((event: unknown) => handleDigestEvent(fanOutDeps, event));
