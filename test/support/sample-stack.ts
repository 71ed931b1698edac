import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../infra/local/local-stack.js';
import { FixedClock } from '../../shared/clock.js';

/** A local stack on a temporary folder and a free port, the sample sites crawled once. */
export interface CrawledSampleStack {
  readonly stack: LocalStack;
  readonly dataDir: string;
  /** The API's port, for raw-socket clients. */
  readonly port: number;
  /** Stops the stack and removes its folder. */
  close(): Promise<void>;
}

/**
 * Starts the whole local stack on the sample registry at the suites' fixed clock
 * (2026-11-28 12:00 Tokyo), without schedules, and waits for the first crawl.
 */
export async function startCrawledSampleStack(
  folderPrefix: string,
  options: Partial<LocalStackOptions> = {},
): Promise<CrawledSampleStack> {
  const dataDir = mkdtempSync(join(tmpdir(), folderPrefix));
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    registry: 'sample',
    clock: new FixedClock('2026-11-28T12:00:00+09:00'),
    schedule: false,
    ...options,
  });
  await stack.firstCrawl;
  return {
    stack,
    dataDir,
    port: Number(new URL(stack.apiUrl).port),
    async close() {
      await stack.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
