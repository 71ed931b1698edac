import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyChanges } from '../../functions/indexer/apply-change.js';
import { checkParity, reindex } from '../../functions/indexer/reindex.js';
import { runReindex } from '../../infra/cli/commands/reindex.js';
import { systemClock } from '../../shared/clock.js';
import { RecordingLog } from '../../shared/log.js';
import { makeOpenSearchClient } from '../../shared/search/opensearch-client.js';
import { OpenSearchSearchIndex } from '../../shared/search/opensearch-search-index.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { chiiki } from '../support/chiiki-cli.js';
import { makeDraft } from '../support/factories.js';
import { generateCorpus, itemFromSearchDoc, seedItems } from '../support/search-corpus.js';
import { integrationEndpoints } from '../support/integration-services.js';

const { osEndpoint, dynamoEndpoint } = integrationEndpoints();

const bin = fileURLToPath(new URL('../../bin/chiiki.js', import.meta.url));

/**
 * Reindex under faults on the real node: writes going on through the store and the live indexer
 * while the rebuild runs, the reindex process killed with SIGKILL part-way, and a rebuild that
 * fails part-way. Each ends with the live index equal to the store by content (no document
 * missing, stale or extra), and no orphan index version left.
 */
describe('reindex under faults (OpenSearch)', () => {
  const runId = randomUUID().slice(0, 8);
  const tableName = `faults-${runId}`;
  const prefix = `chiiki-faults-${runId}`;
  const base = new DynamoDBClient({
    endpoint: dynamoEndpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const client = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  const osClient = makeOpenSearchClient({ endpoint: osEndpoint, sigv4: false, region: 'ap-northeast-1' });
  const index = new OpenSearchSearchIndex({ client: osClient, prefix, clock: systemClock });
  const log = new RecordingLog();
  // The local wiring: every store write hands its changes to the indexer (the stream in AWS).
  const store = new DynamoDbItemStore({
    client,
    tableName,
    clock: systemClock,
    onChange: async (changes) => void (await applyChanges({ index, log }, changes)),
  });
  const seeded = 3000;
  const cliEnv = {
    DYNAMODB_ENDPOINT: dynamoEndpoint,
    TABLE_NAME: tableName,
    SEARCH_ENGINE: 'opensearch',
    OPENSEARCH_ENDPOINT: osEndpoint,
    OPENSEARCH_INDEX: prefix,
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };

  beforeAll(async () => {
    await store.ensureTable();
    await seedItems(client, tableName, generateCorpus(seeded, 31).map(itemFromSearchDoc));
    await index.ensureIndex();
  });

  afterAll(async () => {
    await index.dropAll();
    base.destroy();
  });

  /** Store writes through the live indexer until stopped: changes to a pool of items, and new items. */
  function startWriter(): { stop: () => Promise<number> } {
    let running = true;
    let writes = 0;
    const loop = (async () => {
      while (running) {
        const n = writes++;
        const key = n % 4 === 3 ? `new-${runId}-${n}` : `pool-${n % 60}`;
        const url = `https://www.example.go.jp/faults/${key}.html`;
        await store.upsert([
          makeDraft({
            url,
            canonicalUrl: url,
            title: `地域イノベーション公募 第${n}版`,
            seenAt: new Date().toISOString(),
          }),
        ]);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return writes;
      },
    };
  }

  it('ends equal to the store by content when writes go on during the reindex', async () => {
    const writer = startWriter();
    await new Promise((r) => setTimeout(r, 500));

    const started = performance.now();
    const result = await reindex({ store, index, log, batchSize: 200 });
    const reindexSec = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 500));
    const writes = await writer.stop();
    const parity = await checkParity(store, index, { batchSize: 500 });

    console.log(
      `reindex during writes: ${writes} store writes, store ${result.storeCount} → index ${result.indexCount} in ${reindexSec.toFixed(1)} s; ` +
        `repaired ${JSON.stringify(result.replayed)}; at the end ${JSON.stringify(parity)}`,
    );
    expect(writes).toBeGreaterThan(20);
    expect(parity).toEqual({ missing: 0, stale: 0, extra: 0 });
    expect(await index.count()).toBe(await store.countItems());
    expect(await index.listOrphans()).toEqual([]);
  });

  it('recovers from a reindex killed with SIGKILL: the next one removes the orphan and ends equal by content', async () => {
    const before = await aliasTargets(index.readAlias);
    const child = spawn(process.execPath, [bin, 'reindex', '--engine', 'opensearch', '--batch-size', '25'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...cliEnv },
    });
    let stderr = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('close', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        // Killed once it has written part of the new version, well before the end.
        if (/reindex opensearch: [1-9]\d{2,}\//.test(stderr)) resolve();
      });
      child.on('close', () => reject(new Error(`reindex ended before it could be killed: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const orphans = await index.listOrphans();
    const writer = startWriter();

    const second = await chiiki(['reindex', '--engine', 'opensearch', '--batch-size', '500'], cliEnv);
    const writes = await writer.stop();
    const parity = await checkParity(store, index, { batchSize: 500 });

    console.log(
      `reindex after SIGKILL: orphan ${orphans.join(',')}, ${writes} store writes during the second run; ` +
        `${second.stdout.trim().replace(/\n/g, '; ')}; at the end ${JSON.stringify(parity)}`,
    );
    expect(orphans).toHaveLength(1);
    expect(await aliasTargets(index.readAlias)).not.toEqual(before);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`removed orphan index versions: ${orphans[0]}`);
    expect(parity).toEqual({ missing: 0, stale: 0, extra: 0 });
    expect(await index.listOrphans()).toEqual([]);
    expect((await chiiki(['reindex', '--orphans', '--engine', 'opensearch'], cliEnv)).stdout).toBe(
      'no orphan index versions\n',
    );
  });

  it('reports the cause of a reindex that fails part-way and leaves no orphan', async () => {
    const before = await aliasTargets(index.readAlias);
    let pages = 0;
    const failing = Object.assign(Object.create(store) as DynamoDbItemStore, {
      scanItems: async (cursor?: string, limit?: number) => {
        if (++pages === 3) throw new Error('scan of table faults failed: ProvisionedThroughputExceededException');
        return store.scanItems(cursor, limit);
      },
    });
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    let code: number;
    try {
      code = await runReindex({ store: failing, index, log, batchSize: 200, label: 'opensearch' });
    } finally {
      spy.mockRestore();
      stderr.mockRestore();
    }

    console.log(`failed reindex: exit ${code}, ${errors.join(' ')}`);
    expect(code).toBe(1);
    expect(errors).toEqual([
      'chiiki reindex: failed, the live index is unchanged: scan of table faults failed: ProvisionedThroughputExceededException',
    ]);
    expect(await index.listOrphans()).toEqual([]);
    expect(await aliasTargets(index.nextAlias)).toEqual([]);
    expect(await aliasTargets(index.readAlias)).toEqual(before);
    expect(await checkParity(store, index, { batchSize: 500 })).toEqual({ missing: 0, stale: 0, extra: 0 });
  });

  async function aliasTargets(alias: string): Promise<string[]> {
    const res = await osClient.transport.request({ method: 'GET', path: `/_alias/${alias}` }, { ignore: [404] });
    return res.statusCode === 404 ? [] : Object.keys(res.body as object);
  }
});
