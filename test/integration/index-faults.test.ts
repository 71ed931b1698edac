import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../../shared/clock.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBehind } from '../../functions/indexer/change-log.js';
import { startLocalStack, type CrawlSummary, type LocalStack } from '../../infra/local/local-stack.js';
import type { ItemDraft } from '../../shared/domain/item.js';
import { RecordingLog } from '../../shared/log.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { findRunningStack } from '../../infra/local/stack-control.js';
import { makeDraft } from '../support/factories.js';
import { indexParity, type IndexParity } from '../support/index-parity.js';
import { startFaultProxy, type FaultProxy } from '../support/tcp-fault-proxy.js';

const osEndpoint = process.env.OPENSEARCH_ENDPOINT;
if (!osEndpoint) {
  throw new Error(
    'OPENSEARCH_ENDPOINT must be set: run the integration suite through `npm run test:integration` ' +
      '(scripts/services.sh run -- ...), which starts OpenSearch and sets it',
  );
}

/**
 * Index faults against a real OpenSearch node: the local stack runs on OpenSearch through a TCP
 * fault proxy (test/support/tcp-fault-proxy.ts), which refuses connections like a stopped node
 * or accepts and never answers like a node stopped with SIGSTOP. Crawls and other store writes go
 * on meanwhile; every case ends with the index equal to the store by content (every item's whole
 * search document compared by digest), and prints what it measured.
 */
describe('local stack on OpenSearch while the engine is stopped or hung', () => {
  const runId = randomUUID().slice(0, 8);
  const prefix = `chiiki-faults-${runId}`;
  const log = new RecordingLog();
  let dataDir: string;
  let proxy: FaultProxy;
  let stack: LocalStack;
  let written = 0;

  let revision = 0;
  const draftFor = (n: number, title: string) =>
    makeDraft({
      canonicalUrl: `https://www.example.go.jp/koubo/faults/${n}.html`,
      url: `https://www.example.go.jp/koubo/faults/${n}.html`,
      title,
    });
  /** Upserts in tens, like a crawl page; counts the writes that changed the store. */
  const upsertAll = async (drafts: readonly ItemDraft[]): Promise<number> => {
    let changed = 0;
    for (let start = 0; start < drafts.length; start += 10)
      changed += (await stack.store.upsert(drafts.slice(start, start + 10))).filter(
        (r) => r.outcome !== 'unchanged',
      ).length;
    return changed;
  };
  /** `count` new generated calls besides the crawl. */
  const writeDrafts = async (count: number): Promise<number> => {
    const drafts = Array.from({ length: count }, (_, i) =>
      draftFor(written + i, `障害試験用の公募 第${written + i}号`),
    );
    written += count;
    return upsertAll(drafts);
  };
  /** New titles for the first `count` generated calls: updates whose old version is indexed. */
  const reviseDrafts = async (count: number): Promise<number> => {
    revision++;
    return upsertAll(
      Array.from({ length: Math.min(count, written) }, (_, n) =>
        draftFor(n, `障害試験用の公募 第${n}号 改訂${revision}`),
      ),
    );
  };
  const refresh = () => fetch(`${osEndpoint}/${prefix}/_refresh`, { method: 'POST' });
  /** Waits for the change log to drain, then compares by content; the time is from `since`. */
  const converge = async (since: number): Promise<{ ms: number; parity: IndexParity }> => {
    const drained = await stack.waitForIndex(60_000);
    const ms = Date.now() - since;
    expect(drained, 'the change log drained within 60 s').toBe(true);
    await refresh();
    return { ms, parity: await indexParity(stack.store, stack.search, stack.deps.index.reindex.series) };
  };
  const healthOf = async () =>
    (await (await fetch(`${stack.apiUrl}/v1/health`, { signal: AbortSignal.timeout(10_000) })).json()) as {
      status: string;
      reason?: string;
      index?: { lag: { pending: number; oldestAgeSec: number }; lastAttemptFailed: boolean };
    };
  const notFailedByIndex = (summary: CrawlSummary) =>
    summary.runs
      .flatMap((run) => run.errors.map((e) => e.message))
      .filter((m) => /opensearch|ECONNREFUSED|search index|bulk/i.test(m));

  const restart = async () => {
    stack = await startLocalStack({
      dataDir,
      port: 0,
      registry: 'sample',
      schedule: false,
      crawlOnStart: false,
      log,
      searchEngine: { SEARCH_ENGINE: 'opensearch', OPENSEARCH_ENDPOINT: proxy.url, OPENSEARCH_INDEX: prefix },
    });
  };

  beforeAll(async () => {
    proxy = await startFaultProxy(new URL(osEndpoint));
    dataDir = mkdtempSync(join(tmpdir(), 'chiiki-index-faults-'));
    stack = await startLocalStack({
      dataDir,
      port: 0,
      registry: 'sample',
      schedule: false,
      crawlOnStart: false,
      indexWaitMs: 5_000,
      log,
      searchEngine: { SEARCH_ENGINE: 'opensearch', OPENSEARCH_ENDPOINT: proxy.url, OPENSEARCH_INDEX: prefix },
    });
  });

  afterAll(async () => {
    await proxy?.mode('forward').catch(() => undefined);
    await stack?.close();
    await fetch(`${osEndpoint}/${prefix}-v*?expand_wildcards=all`, { method: 'DELETE' }).catch(() => undefined);
    await fetch(`${osEndpoint}/_index_template/${prefix}`, { method: 'DELETE' }).catch(() => undefined);
    await proxy?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs on OpenSearch: a crawl with the engine up is searchable when it reports', async () => {
    const drafts = await writeDrafts(100);
    const summary = await stack.crawl();
    await refresh();
    const parity = await indexParity(stack.store, stack.search, stack.deps.index.reindex.series);

    expect(summary.indexed).toBe(await stack.store.countItems());
    expect(parity).toMatchObject({ missing: [], stale: [], extra: [] });
    expect(drafts).toBe(100);
    expect(parity.indexed).toBeGreaterThan(150);
  });

  it('keeps crawling while the engine is stopped, reports degraded with the lag, and converges when it returns', async () => {
    const before = await stack.store.countItems();
    await proxy.mode('refuse');
    const stoppedAt = Date.now();
    stack.sampleSites?.advance('changing');

    const [summary, drafts, revised] = await Promise.all([
      stack.crawl(),
      writeDrafts(200),
      reviseDrafts(50).then(async (n) => n + (await reviseDrafts(30))),
    ]);
    // The API's health also counts documents, which needs the engine; the lag it reports is this one.
    const lag = stack.indexLag();
    const stored = await stack.store.countItems();
    const delayed = stack.indexLag().pending;
    const itemId = (await stack.store.scanItems(undefined, 1)).items[0]?.id ?? '';
    const itemPage = await fetch(`${stack.apiUrl}/v1/items/${itemId}`);
    const downMs = Date.now() - stoppedAt;
    await proxy.mode('forward');
    const returnedAt = Date.now();
    const { ms, parity } = await converge(returnedAt);
    console.log(
      `index-faults refuse: ${drafts + revised + summary.totals.new + summary.totals.updated} item writes while the engine was stopped ` +
        `(${drafts} new, ${revised} updates, ${summary.totals.updated} crawled updates) over ${downMs} ms, ${delayed} changes delayed, ` +
        `converged ${ms} ms after the engine returned; store ${parity.stored} = index ${parity.indexed}, ` +
        `${parity.missing.length} missing, ${parity.stale.length} stale`,
    );

    expect(summary.totals.updated).toBeGreaterThan(0);
    expect(notFailedByIndex(summary)).toEqual([]);
    expect(stored).toBe(before + drafts + summary.totals.new);
    expect(summary.indexed).toBeUndefined();
    expect(revised).toBe(80);
    expect(delayed).toBeGreaterThanOrEqual(drafts + revised + summary.totals.updated);
    expect(lag.lastError, 'the last attempt to reach the engine failed').toBeDefined();
    expect(isBehind(lag)).toBe(true);
    expect(itemPage.status).toBe(200);
    expect(parity).toMatchObject({ stored, indexed: stored, missing: [], stale: [], extra: [] });
    expect(await healthOf()).toMatchObject({
      status: 'ok',
      index: { lag: { pending: 0, oldestAgeSec: 0 }, lastAttemptFailed: false },
    });
  });

  it('finishes the store writes of a crawl while the engine hangs, then converges', async () => {
    const before = await stack.store.countItems();
    await proxy.mode('hang');
    const hungAt = Date.now();

    const searchWhileHung = async () => {
      const started = Date.now();
      const res = await fetch(`${stack.apiUrl}/v1/search?q=公募`, { signal: AbortSignal.timeout(20_000) });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: Date.now() - started };
    };
    const [summary, drafts, revised, searches] = await Promise.all([
      stack.crawl(),
      writeDrafts(100),
      reviseDrafts(60),
      (async () => [
        await searchWhileHung(),
        await searchWhileHung(),
        await searchWhileHung(),
        await searchWhileHung(),
      ])(),
    ]);
    const writesMs = Date.now() - hungAt;
    const stored = await stack.store.countItems();
    const delayed = stack.indexLag().pending;
    await proxy.mode('forward');
    const returnedAt = Date.now();
    const { ms, parity } = await converge(returnedAt);
    console.log(
      `index-faults hang: ${drafts + revised + summary.totals.new + summary.totals.updated} item writes (${drafts} new, ${revised} updates) ` +
        `in ${writesMs} ms while the engine hung, ` +
        `${delayed} changes delayed, converged ${ms} ms after the engine answered again; ` +
        `store ${parity.stored} = index ${parity.indexed}, ${parity.missing.length} missing, ${parity.stale.length} stale; ` +
        `API searches meanwhile ${searches.map((s) => `${s.status} in ${s.ms} ms`).join(', ')}`,
    );

    expect(searches.map((s) => s.status)).toEqual([503, 503, 503, 503]);
    expect(searches.every((s) => s.retryAfter !== null && s.ms < 5_000)).toBe(true);
    expect(revised).toBe(60);
    expect(notFailedByIndex(summary)).toEqual([]);
    expect(stored).toBe(before + drafts + summary.totals.new);
    expect(summary.indexed).toBeUndefined();
    expect(delayed).toBeGreaterThanOrEqual(drafts + revised + summary.totals.updated);
    expect(writesMs).toBeLessThan(30_000);
    expect(parity).toMatchObject({ stored, indexed: stored, missing: [], stale: [], extra: [] });
  });

  it('replays changes left in the log after a restart with the engine down', async () => {
    await proxy.mode('refuse');
    const drafts = await writeDrafts(50);
    const pendingAtStop = stack.indexLag().pending;
    await stack.close();
    await proxy.mode('forward');
    const restartedAt = Date.now();

    await restart();
    const { ms, parity } = await converge(restartedAt);
    console.log(
      `index-faults restart: ${drafts} items written with the engine stopped, ${pendingAtStop} changes kept in the log ` +
        `over a restart, converged ${ms} ms after the restart; store ${parity.stored} = index ${parity.indexed}, ` +
        `${parity.missing.length} missing, ${parity.stale.length} stale`,
    );

    expect(pendingAtStop).toBe(drafts);
    expect(parity).toMatchObject({ missing: [], stale: [], extra: [] });
    expect(parity.indexed).toBe(parity.stored);
  });

  it('repairs at start what reached the store but never the log (a crash between the two)', async () => {
    const running = findRunningStack(dataDir);
    if (!running) throw new Error('the running stack did not record itself');
    const base = new DynamoDBClient({
      endpoint: running.dynamodbEndpoint,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    // The same table, without the stack's change hook: these writes are in the store only.
    const unlogged = new DynamoDbItemStore({
      client: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
      tableName: 'chiiki-items',
      clock: systemClock,
    });
    const written = await unlogged.upsert([
      ...Array.from({ length: 30 }, (_, n) => draftFor(10_000 + n, `記録漏れの公募 第${n}号`)),
      ...Array.from({ length: 20 }, (_, n) => draftFor(n, `障害試験用の公募 第${n}号 記録漏れの改訂`)),
    ]);
    base.destroy();
    await refresh();
    const before = await indexParity(stack.store, stack.search, stack.deps.index.reindex.series);
    await stack.close();
    const restartedAt = Date.now();

    await restart();
    const { ms, parity } = await converge(restartedAt);
    console.log(
      `index-faults unlogged: ${written.length} store writes with no log entry (${before.missing.length} missing, ` +
        `${before.stale.length} stale before the restart), converged ${ms} ms after the restart; ` +
        `store ${parity.stored} = index ${parity.indexed}, ${parity.missing.length} missing, ${parity.stale.length} stale`,
    );

    expect(before.missing).toHaveLength(30);
    expect(before.stale).toHaveLength(20);
    expect(parity).toMatchObject({ missing: [], stale: [], extra: [] });
    expect(parity.indexed).toBe(parity.stored);
  });
});
