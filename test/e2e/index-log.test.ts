import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileChangeLog } from '../../infra/local/file-change-log.js';
import { startLocalStack, type CrawlSummary, type LocalStack } from '../../infra/local/local-stack.js';
import { FixedClock } from '../../shared/clock.js';
import { RecordingLog } from '../../shared/log.js';
import { indexParity } from '../support/index-parity.js';

/**
 * The local stack with its index writes failing (injected, as an unreachable engine would fail
 * them): crawls still record their store writes as they are, health says `degraded` with the lag,
 * item pages answer from the store, and the index converges by content once writes work again,
 * also across a restart. test/integration/index-faults.test.ts does the same against a real
 * OpenSearch node behind a TCP fault proxy.
 */
const clock = new FixedClock('2026-11-28T12:00:00+09:00');
const engineDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9200'), { code: 'ECONNREFUSED' });

interface HealthBody {
  status: string;
  reason?: string;
  index?: { lag: { pending: number; oldestAgeSec: number }; lastAttemptFailed: boolean };
}

/** What a crawl recorded per source, without times: equal for equal store writes. */
const outcomes = (summary: CrawlSummary) =>
  summary.runs
    .map((run) => ({ sourceId: run.sourceId, outcome: run.outcome, counts: run.counts }))
    .sort((a, b) => (a.sourceId < b.sourceId ? -1 : 1));

describe('local stack while the index cannot be written', () => {
  const dirs: string[] = [];
  const stacks: LocalStack[] = [];
  let fault: Error | undefined;
  let faulty: LocalStack;
  let healthy: LocalStack;
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'chiiki-index-log-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (dataDir: string, withFault: boolean) => {
    const stack = await startLocalStack({
      dataDir,
      port: 0,
      registry: 'sample',
      clock,
      schedule: false,
      crawlOnStart: false,
      indexWaitMs: 300,
      log: new RecordingLog(),
      ...(withFault ? { injectIndexFault: () => fault } : {}),
    });
    stacks.push(stack);
    return stack;
  };

  beforeAll(async () => {
    faulty = await start(folder(), true);
    healthy = await start(folder(), false);
  });

  afterAll(async () => {
    for (const stack of stacks) await stack.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('records the same crawl runs as with a working index, reports the lag, and converges by content after', async () => {
    fault = engineDown();

    const down = await faulty.crawl();
    const reference = await healthy.crawl();
    const stored = await faulty.store.countItems();
    const health = (await (await fetch(`${faulty.apiUrl}/v1/health`)).json()) as HealthBody;
    const anyId = (await faulty.store.scanItems(undefined, 1)).items[0]?.id ?? '';
    const itemPage = await fetch(`${faulty.apiUrl}/v1/items/${anyId}`);

    expect(outcomes(down)).toEqual(outcomes(reference));
    expect(down.totals.new).toBe(stored);
    expect(down.indexed).toBeUndefined();
    expect(reference.indexed).toBe(stored);
    expect(down.indexLag).toMatchObject({ pending: stored, lastError: expect.stringContaining('ECONNREFUSED') });
    expect(health.status).toBe('degraded');
    expect(health.reason).toContain(`search index is behind the store: ${stored} changes wait`);
    expect(health.index).toEqual({ lag: { pending: stored, oldestAgeSec: 0 }, lastAttemptFailed: true });
    expect(itemPage.status).toBe(200);
    expect(await faulty.search.count()).toBe(0);

    fault = undefined;
    const returned = Date.now();
    const converged = await faulty.waitForIndex(20_000);
    const convergeMs = Date.now() - returned;
    const parity = await indexParity(faulty.store, faulty.search, faulty.deps.index.reindex.series);
    const after = (await (await fetch(`${faulty.apiUrl}/v1/health`)).json()) as HealthBody;
    console.log(
      `index-log (embedded, injected fault): ${stored} items written while the index failed, ` +
        `${down.indexLag.pending} changes delayed, converged ${convergeMs} ms after writes worked again; ` +
        `store ${parity.stored} = index ${parity.indexed}, ${parity.missing.length} missing, ${parity.stale.length} stale`,
    );

    expect(converged).toBe(true);
    expect(parity).toMatchObject({ stored, indexed: stored, missing: [], stale: [], extra: [] });
    expect(after).toMatchObject({ status: 'ok', index: { lag: { pending: 0 }, lastAttemptFailed: false } });
  });

  it('keeps unapplied changes across a restart and applies them after it', async () => {
    fault = engineDown();
    faulty.sampleSites?.advance('changing');
    const changed = await faulty.crawl(['sample-changing']);
    const dataDir = faulty.dataDir;
    await faulty.close();
    const kept = new FileChangeLog({ dir: join(dataDir, 'index-log'), clock, log: new RecordingLog() }).pending();
    fault = undefined;

    faulty = await start(dataDir, true);
    const converged = await faulty.waitForIndex(20_000);
    const parity = await indexParity(faulty.store, faulty.search, faulty.deps.index.reindex.series);

    expect(changed.totals.updated).toBeGreaterThan(0);
    expect(kept.length).toBe(changed.indexLag.pending);
    expect(kept.length).toBeGreaterThanOrEqual(changed.totals.updated);
    expect(converged).toBe(true);
    expect(parity).toMatchObject({ missing: [], stale: [], extra: [] });
    expect(faulty.indexLag().pending).toBe(0);
  });
});
