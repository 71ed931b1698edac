import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { documentClientFor } from '../../../../shared/wiring/document-client.js';
import { startDynalite, type RunningDynalite } from '../../../support/dynalite.js';
import { makeDraft } from '../../../support/factories.js';

describe('documentClientFor (the functions’ DynamoDB client, opened on first use)', () => {
  let dynalite: RunningDynalite;
  beforeAll(async () => {
    // As in Lambda: the default credential chain finds them in the environment.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    dynalite = await startDynalite();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await dynalite.stop();
  });

  it('serves a store: the table is created, an item written and read back', async () => {
    const client = documentClientFor({ AWS_REGION: 'ap-northeast-1', DYNAMODB_ENDPOINT: dynalite.endpoint });
    const store = new DynamoDbItemStore({
      client,
      tableName: 'wiring-test',
      clock: new FixedClock('2026-11-28T09:00:00+09:00'),
    });

    await store.ensureTable();
    const [result] = await store.upsert([makeDraft({ title: '令和8年度 地域中核研究拠点の公募' })]);

    expect(result?.outcome).toBe('new');
    expect((await store.get(result?.id ?? ('' as never)))?.title).toBe('令和8年度 地域中核研究拠点の公募');
  });

  it('reports a failure to reach the table on the call that needed it, and works once the table is there', async () => {
    const client = documentClientFor({ AWS_REGION: 'ap-northeast-1', DYNAMODB_ENDPOINT: dynalite.endpoint });
    const store = new DynamoDbItemStore({
      client,
      tableName: 'wiring-missing',
      clock: new FixedClock('2026-11-28T09:00:00+09:00'),
    });

    await expect(store.get('it_000000000000000000000000' as never)).rejects.toThrow(/non-existent table|not found/i);
    await store.ensureTable();
    expect(await store.get('it_000000000000000000000000' as never)).toBeUndefined();
  });
});
