import middy from '@middy/core';
import { dispatchCrawls } from './run/dispatch.js';
import { dispatchDeps, traced } from './wiring.js';

/** Built once per container, at load: a missing CRAWL_QUEUE_URL or a bad registry fails the cold start. */
const deps = dispatchDeps();

/**
 * The dispatch Lambda: EventBridge Scheduler sends `{ sourceIds }` when their schedule fires;
 * one crawl job per enabled source goes to the crawl queue. Wiring only; see dispatch.ts.
 */
export const handler = middy()
  .use(traced())
  .handler((event: unknown) => dispatchCrawls(deps, event));
