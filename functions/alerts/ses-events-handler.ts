import middy from '@middy/core';
import { applySesEvent } from './ses-events.js';
import { sesEventDeps, traced } from './wiring.js';

/** SES bounce/complaint notifications via SNS: suppress the address (see ses-events.ts). */
export const handler = middy()
  .use(traced())
  .handler(async (event: unknown) => ({
    suppressed: await applySesEvent(sesEventDeps, event),
  }));
