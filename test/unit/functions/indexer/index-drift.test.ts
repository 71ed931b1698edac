import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findIndexDrift, searchDocDigest } from '../../../../functions/indexer/index-drift.js';
import { FixedClock } from '../../../../shared/clock.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { toSearchDoc } from '../../../../shared/search/search-index.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../../../support/dynalite.js';
import { generateCorpus, itemFromSearchDoc, seedItems } from '../../../support/search-corpus.js';

describe('findIndexDrift', () => {
  const clock = new FixedClock('2025-05-01T00:00:00+09:00');
  const corpus = generateCorpus(120, 7);
  let dynalite: RunningDynalite;
  let store: DynamoDbItemStore;

  beforeAll(async () => {
    dynalite = await startDynalite();
    const { client } = countingDocumentClient(dynalite.endpoint);
    store = new DynamoDbItemStore({ client, tableName: 'drift-test', clock });
    await store.ensureTable();
    await seedItems(client, 'drift-test', corpus.map(itemFromSearchDoc));
  });

  afterAll(async () => {
    await dynalite?.stop();
  });

  it('finds nothing when the index holds every stored item as stored', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    await index.upsert(corpus.map((doc) => toSearchDoc(itemFromSearchDoc(doc))));

    const drift = await findIndexDrift({ store, index }, 50);

    expect(drift).toEqual({ stored: 120, indexed: 120, missing: [], stale: [], extra: [] });
  });

  it('names the missing, the stale (one changed field) and the extra documents separately', async () => {
    const docs = corpus.map((doc) => toSearchDoc(itemFromSearchDoc(doc)));
    const [gone1, gone2, changed, ...kept] = docs;
    if (!gone1 || !gone2 || !changed) throw new Error('corpus too small');
    const [other] = generateCorpus(1, 99);
    if (!other) throw new Error('corpus too small');
    const extra = toSearchDoc(itemFromSearchDoc(other));
    const index = new EmbeddedSearchIndex({ clock });
    await index.upsert([...kept, { ...changed, title: `${changed.title}（改訂前）` }, extra]);

    const drift = await findIndexDrift({ store, index }, 50);

    expect(drift.stored).toBe(120);
    expect(drift.indexed).toBe(119);
    expect([...drift.missing].sort()).toEqual([gone1.id, gone2.id].sort());
    expect(drift.stale).toEqual([changed.id]);
    expect(drift.extra).toEqual([extra.id]);
  });

  it('digests a document by its values, not by the order of its keys or its undefined fields', () => {
    const [first] = corpus;
    if (!first) throw new Error('corpus too small');
    const doc = toSearchDoc(itemFromSearchDoc(first));
    const reordered = Object.fromEntries(Object.entries(doc).reverse()) as typeof doc;

    expect(searchDocDigest(reordered)).toBe(searchDocDigest(doc));
    expect(searchDocDigest({ ...doc, summary: undefined, title: doc.title })).toBe(
      searchDocDigest(Object.fromEntries(Object.entries(doc).filter(([k]) => k !== 'summary')) as typeof doc),
    );
    expect(searchDocDigest({ ...doc, title: `${doc.title}。` })).not.toBe(searchDocDigest(doc));
  });
});
