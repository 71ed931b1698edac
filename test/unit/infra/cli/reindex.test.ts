import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chiiki } from '../../../support/chiiki-cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynaliteServer } from '../../../../infra/local/dynalite-server.js';
import { systemClock } from '../../../../shared/clock.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { generateCorpus, itemFromSearchDoc, seedItems } from '../../../support/search-corpus.js';

describe('chiiki reindex', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chiiki-reindex-cli-'));
    const dynalite = await startDynaliteServer({ dir: join(dataDir, 'dynalite') });
    const base = new DynamoDBClient({
      endpoint: dynalite.endpoint,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const client = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
    await new DynamoDbItemStore({ client, tableName: 'chiiki-items', clock: systemClock }).ensureTable();
    await seedItems(client, 'chiiki-items', generateCorpus(300, 8).map(itemFromSearchDoc));
    base.destroy();
    await dynalite.close();
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rebuilds the local embedded index from the local store and prints matching counts', async () => {
    const result = await chiiki(['reindex', '--engine', 'embedded', '--batch-size', '100'], {
      DATA_DIR: dataDir,
      DYNAMODB_ENDPOINT: '',
      SEARCH_ENGINE: '',
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^store 300 = index 300, \d+ docs\/s \(\d+\.\d s\)\nby content: 0 missing, 0 stale, 0 extra \(repaired from the store: 0 missing, 0 stale, 0 extra\)\n$/,
    );
    expect(result.stderr).toContain('reindex embedded: 300/300 (100%)');
    expect(await new EmbeddedSearchIndex({ dir: join(dataDir, 'search'), clock: systemClock }).count()).toBe(300);
  });

  it('lists and removes an orphan index version left beside the live one', async () => {
    const env = { DATA_DIR: dataDir, DYNAMODB_ENDPOINT: '', SEARCH_ENGINE: '' };
    mkdirSync(join(dataDir, 'search', 'v7'));

    const listed = await chiiki(['reindex', '--orphans', '--engine', 'embedded'], env);
    const removed = await chiiki(['reindex', '--remove-orphans', '--engine', 'embedded'], env);
    const after = await chiiki(['reindex', '--orphans', '--engine', 'embedded'], env);

    expect(listed).toMatchObject({ code: 0, stdout: 'v7\n' });
    expect(removed).toMatchObject({ code: 0, stdout: 'removed v7\n' });
    expect(after).toMatchObject({ code: 0, stdout: 'no orphan index versions\n' });
    expect(existsSync(join(dataDir, 'search', 'v7'))).toBe(false);
  });

  it('documents --orphans and --remove-orphans in its help', async () => {
    const result = await chiiki(['reindex', '--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('chiiki reindex --orphans');
    expect(result.stdout).toContain('chiiki reindex --remove-orphans');
  });

  it('exits 2 with the usage on a bad option', async () => {
    const result = await chiiki(['reindex', '--engine', 'lucene'], {
      DATA_DIR: dataDir,
      DYNAMODB_ENDPOINT: '',
      SEARCH_ENGINE: '',
    });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--engine must be embedded or opensearch');
  });
});
