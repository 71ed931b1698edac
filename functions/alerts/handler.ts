import middy from '@middy/core';
import * as z from 'zod';
import { parseInput } from '../../shared/parse-input.js';
import { runDigest } from './digest.js';
import { digestDeps } from './wiring.js';

/** What EventBridge Scheduler (daily/weekly) or the end of a crawl cycle sends. */
const DigestEventSchema = z.object({
  trigger: z.enum(['cycle', 'schedule']).default('schedule'),
  shards: z.array(z.number().int().min(0).max(255)).optional(),
});

/** The digest Lambda: one delivery over all (or the given) subscription shards. */
export const handler = middy().handler(async (event: unknown) =>
  runDigest(digestDeps, parseInput(DigestEventSchema, event ?? {})),
);
