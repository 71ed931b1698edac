import middy from '@middy/core';
import { reindex, type ReindexResult } from './reindex.js';
import { reindexDeps, traced } from './wiring.js';

/**
 * The manual reindex Lambda (`aws lambda invoke ... ReindexFunction`): rebuilds the index from the
 * table into a fresh version and swaps the aliases; returns the counts and rate. Wiring only.
 */
export const handler = middy()
  .use(traced())
  .handler((): Promise<ReindexResult> => reindex({ ...reindexDeps, batchSize: 500 }));
