import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import { itemIdFor } from '../../../../shared/domain/item.js';
import type { ItemChange } from '../../../../shared/store/item-store.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { countingDocumentClient, dynaliteForFile } from '../../../support/dynalite.js';
import { makeDraft } from '../../../support/factories.js';
import { itemStoreContract } from '../../../support/item-store.contract.js';

const dynalite = dynaliteForFile('items-unit');

async function makeStore(clock: FixedClock, onChange?: (changes: ItemChange[]) => Promise<void>) {
  const counting = countingDocumentClient(dynalite.endpoint());
  const store = new DynamoDbItemStore({
    client: counting.client,
    tableName: dynalite.nextTable(),
    clock,
    onChange,
  });
  await store.ensureTable();
  return { store, counting };
}

itemStoreContract('DynamoDbItemStore on in-process dynalite', async (clock) => {
  const { store, counting } = await makeStore(clock);
  return { store, writes: counting.writes, close: async () => counting.destroy() };
});

describe('DynamoDbItemStore onChange (stands in for the DynamoDB stream locally)', () => {
  it('hands every written item, with its previous version, to onChange once per call', async () => {
    const calls: ItemChange[][] = [];
    const { store, counting } = await makeStore(new FixedClock('2025-04-02T00:00:00Z'), async (changes) => {
      calls.push(changes);
    });
    const draft = makeDraft();
    const id = itemIdFor(draft.canonicalUrl);

    await store.upsert([draft]);
    await store.upsert([draft]);
    await store.upsert([{ ...draft, closesAt: '2025-06-13T17:00:00+09:00' }]);
    await store.markWithdrawn(id, draft.sourceId, '2025-07-01T00:00:00Z');

    expect(calls).toHaveLength(3);
    expect(calls[0]).toEqual([{ id, newItem: expect.objectContaining({ version: 1 }), oldItem: undefined }]);
    expect(calls[1]?.[0]?.oldItem?.closesAt).toBe(draft.closesAt);
    expect(calls[1]?.[0]?.newItem?.closesAt).toBe('2025-06-13T17:00:00+09:00');
    expect(calls[2]?.[0]?.newItem?.withdrawnAt).toBe('2025-07-01T00:00:00Z');
    counting.destroy();
  });
});
