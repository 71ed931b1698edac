import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runReindex } from '../../infra/cli/commands/reindex.js';
import { reindex } from '../../functions/indexer/reindex.js';
import { FixedClock } from '../../shared/clock.js';
import { RecordingLog } from '../../shared/log.js';
import { makeOpenSearchClient } from '../../shared/search/opensearch-client.js';
import { OpenSearchSearchIndex } from '../../shared/search/opensearch-search-index.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { generateCorpus, itemFromSearchDoc, seedItems } from '../support/search-corpus.js';
import { integrationEndpoints } from '../support/integration-services.js';

const { osEndpoint, dynamoEndpoint } = integrationEndpoints();

describe('reindex from the store into OpenSearch', () => {
  const clock = new FixedClock('2025-05-01T00:00:00+09:00');
  const runId = randomUUID().slice(0, 8);
  const tableName = `reindex-${runId}`;
  const corpus = generateCorpus(3000, 21);
  const base = new DynamoDBClient({
    endpoint: dynamoEndpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const client = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  const store = new DynamoDbItemStore({ client, tableName, clock });
  const osClient = makeOpenSearchClient({ endpoint: osEndpoint, sigv4: false, region: 'ap-northeast-1' });
  const index = new OpenSearchSearchIndex({ client: osClient, prefix: `chiiki-reindex-${runId}`, clock });

  beforeAll(async () => {
    await store.ensureTable();
    await seedItems(client, tableName, corpus.map(itemFromSearchDoc));
    await index.ensureIndex();
    // A stale document that is no longer in the store: the rebuild must not carry it over.
    await index.upsert(generateCorpus(1, 777));
  });

  afterAll(async () => {
    await index.dropAll();
    base.destroy();
  });

  it('builds a fresh version with exactly the store items and swaps the aliases', async () => {
    const result = await reindex({ store, index, log: new RecordingLog(), batchSize: 400 });

    expect(result).toMatchObject({ storeCount: 3000, scanned: 3000, indexCount: 3000 });
    const aliases = (await osClient.transport.request({ method: 'GET', path: `/${index.readAlias}-v*/_alias` })).body;
    expect(Object.keys(aliases as object)).toEqual([`${index.readAlias}-v2`]);
    const sample = corpus[1234];
    const page = await index.search({ text: sample?.title, includeWithdrawn: true, size: 100 });
    expect(page.items.map((h) => h.doc.id)).toContain(sample?.id);
  });

  it('prints store N = index N with the rate and exits 0 (chiiki reindex)', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await runReindex({ store, index, log: new RecordingLog(), batchSize: 500, label: 'opensearch' });

      expect(code).toBe(0);
      expect(lines[0]).toMatch(/^store 3000 = index 3000, \d+ docs\/s/);
      expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^reindex opensearch: 3000\/3000 \(100%\)/));
    } finally {
      spy.mockRestore();
      stderr.mockRestore();
    }
  });
});
