import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimLeaseMs, type DigestRunReport } from '../../../../functions/alerts/digest.js';
import { reportLines } from '../../../../infra/cli/commands/digest.js';
import { systemClock } from '../../../../shared/clock.js';
import { SubscriptionSchema } from '../../../../shared/domain/subscription.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { DynamoDbSubscriptionStore } from '../../../../shared/store/dynamodb-subscription-store.js';
import { savedSearch } from '../../../support/alerts-harness.js';
import { chiiki } from '../../../support/chiiki-cli.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../../../support/dynalite.js';

const counts: DigestRunReport = {
  subscriptions: 3,
  due: 3,
  sent: 1,
  resent: 0,
  empty: 0,
  raced: 0,
  heldByIntent: 0,
  held: [],
  failed: 0,
  changedItems: 4,
  distinctSearches: 2,
};

describe('chiiki digest summary', () => {
  it('prints one line of counts when nobody is held', () => {
    expect(reportLines(counts)).toEqual([
      'subscriptions 3, due 3, sent 1, resent 0, empty 0, raced 0, held 0, failed 0; 4 changed calls, 2 distinct searches',
    ]);
  });

  it('lists subscribers held behind a young intent, masked, and counts those past the list', () => {
    const held = {
      subscriptionId: 'sub_0123456789abcdef01234567',
      address: '3f2a9c0b1d4e',
      digestId: `dg_${'1'.repeat(32)}`,
      claimedAt: '2025-05-10T09:00:00.000Z',
      resendAfter: '2025-05-10T09:15:00.000Z',
    } as DigestRunReport['held'][number];

    const lines = reportLines({ ...counts, sent: 0, heldByIntent: 3, held: [held] });

    expect(lines).toEqual([
      'subscriptions 3, due 3, sent 0, resent 0, empty 0, raced 0, held 3, failed 0; 4 changed calls, 2 distinct searches',
      '3 held behind a digest claimed by another run (still sending, or crashed: resent after the claim lease):',
      `  sub_0123456789abcdef01234567 address 3f2a9c0b1d4e: dg_${'1'.repeat(32)} claimed 2025-05-10T09:00:00.000Z, resent after 2025-05-10T09:15:00.000Z`,
      '  … and 2 more',
    ]);
  });
});

describe('chiiki digest', () => {
  let dynalite: RunningDynalite;
  let dataDir: string;
  beforeAll(async () => {
    dynalite = await startDynalite();
    dataDir = await mkdtemp(join(tmpdir(), 'cli-digest-'));
  });
  afterAll(async () => {
    await dynalite.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('says which subscriber a crashed run left held and when its digest is resent, never the address', async () => {
    const documents = countingDocumentClient(dynalite.endpoint);
    const tableName = 'cli-digest';
    await new DynamoDbItemStore({ client: documents.client, tableName, clock: systemClock }).ensureTable();
    const claimedAt = new Date(Date.now() - 60_000).toISOString();
    await new DynamoDbSubscriptionStore({ client: documents.client, tableName }).create(
      SubscriptionSchema.parse({
        id: 'sub_00000000000000000000c1a1',
        email: 'held@example.jp',
        emailHash: `c0ffee${'0'.repeat(58)}`,
        status: 'active',
        searches: [savedSearch('半導体')],
        frequency: 'immediate',
        reminderDays: [3],
        createdAt: '2025-05-01T00:00:00.000Z',
        confirmedAt: '2025-05-01T00:00:00.000Z',
        watermark: '2025-05-01T00:00:00.000Z',
        notified: {},
        muted: [],
        pendingDigest: {
          id: `dg_${'a'.repeat(32)}`,
          at: claimedAt,
          until: claimedAt,
          entries: [],
          notified: {},
          claimedAt,
        },
        revision: 1,
      }),
    );
    documents.destroy();

    const run = await chiiki(['digest'], {
      DYNAMODB_ENDPOINT: dynalite.endpoint,
      TABLE_NAME: tableName,
      DATA_DIR: dataDir,
      MAIL_TRANSPORT: 'outbox',
      LOG_LEVEL: 'error',
    });

    expect(run.code, run.stderr).toBe(0);
    const resendAfter = new Date(Date.parse(claimedAt) + claimLeaseMs).toISOString();
    expect(run.stdout.split('\n')).toEqual([
      'subscriptions 1, due 1, sent 0, resent 0, empty 0, raced 0, held 1, failed 0; 0 changed calls, 0 distinct searches',
      '1 held behind a digest claimed by another run (still sending, or crashed: resent after the claim lease):',
      `  sub_00000000000000000000c1a1 address c0ffee000000: dg_${'a'.repeat(32)} claimed ${claimedAt}, resent after ${resendAfter}`,
      '',
    ]);
  }, 60_000);
});
