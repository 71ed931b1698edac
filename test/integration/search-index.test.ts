import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../shared/clock.js';
import { makeOpenSearchClient } from '../../shared/search/opensearch-client.js';
import { addedFields, indexTemplate } from '../../shared/search/opensearch-mapping.js';
import { OpenSearchSearchIndex } from '../../shared/search/opensearch-search-index.js';
import { searchIndexContract } from '../support/search-index.contract.js';
import {
  contractTimes,
  fixtureId,
  forecastFixtureCorpus,
  generateCorpus,
  searchFixtureCorpus,
} from '../support/search-corpus.js';

const endpoint = process.env.OPENSEARCH_ENDPOINT;
if (!endpoint) {
  throw new Error(
    'OPENSEARCH_ENDPOINT is not set: run the integration suite through `npm run test:integration` ' +
      '(scripts/services.sh run -- ...), which starts OpenSearch and sets it',
  );
}
const client = makeOpenSearchClient({ endpoint, sigv4: false, region: 'ap-northeast-1' });
const runId = randomUUID().slice(0, 8);
let n = 0;

function makeIndex(clock: FixedClock, prefix = `chiiki-test-${runId}-${n++}`): OpenSearchSearchIndex {
  return new OpenSearchSearchIndex({ client, prefix, clock, refresh: true, bulkChunk: 10 });
}

// Fewer random corpora than on the embedded engine: every write there is a refresh on a real node.
searchIndexContract(
  'opensearch',
  async (clock) => {
    const index = makeIndex(clock);
    return { index, close: () => index.dropAll() };
  },
  { propertyRuns: 30 },
);

describe('OpenSearchSearchIndex', () => {
  it('adds the applicant, ceiling and forecast fields to an index made before them', async () => {
    const clock = new FixedClock(contractTimes.middle);
    const index = makeIndex(clock);
    try {
      // The index as an older template made it: a strict mapping without the new fields.
      const older = indexTemplate(index.readAlias, 0) as {
        template: { settings: unknown; mappings: { properties: Record<string, unknown> } };
      };
      const properties = Object.fromEntries(
        Object.entries(older.template.mappings.properties).filter(([name]) => !(name in addedFields)),
      );
      await client.transport.request({
        method: 'PUT',
        path: `/${index.readAlias}-v1`,
        body: {
          settings: older.template.settings,
          mappings: { dynamic: 'strict', properties },
          aliases: { [index.readAlias]: {}, [index.writeAlias]: { is_write_index: true } },
        },
      });
      const corpus = forecastFixtureCorpus();
      const plain = corpus.map(({ applicants: _a, amountCeiling: _c, forecast: _f, ...doc }) => doc);
      await client.transport.request({
        method: 'POST',
        path: '/_bulk',
        querystring: { refresh: 'true' },
        bulkBody: plain.flatMap((doc) => [{ index: { _index: index.writeAlias, _id: doc.id } }, doc]),
      });

      await index.ensureIndex();
      const before = await index.search({ size: 100 });
      await index.upsert(corpus);
      const expected = await index.search({ statuses: ['expected'], applicants: ['university'], amountMin: 1 });

      expect(before.total).toBe(corpus.filter((d) => !d.withdrawn).length);
      expect(before.items.every((hit) => hit.doc.applicants.length === 0)).toBe(true);
      expect(expected.items.map((hit) => hit.doc.id)).toEqual([fixtureId('expected-closed')]);
      expect(expected.items[0]?.doc.forecast?.text).toContain('見込み');
    } finally {
      await index.dropAll();
    }
  });

  it('creates v1 behind a read and a write alias, and ensureIndex is idempotent', async () => {
    const index = makeIndex(new FixedClock(contractTimes.middle));
    try {
      await index.ensureIndex();
      await index.ensureIndex();

      const aliases = (await client.transport.request({ method: 'GET', path: `/${index.readAlias}-v*/_alias` })).body;

      expect(aliases).toEqual({
        [`${index.readAlias}-v1`]: { aliases: { [index.readAlias]: {}, [index.writeAlias]: { is_write_index: true } } },
      });
    } finally {
      await index.dropAll();
    }
  });

  it('reindexes into a new version and swaps both aliases, searchable throughout', async () => {
    const clock = new FixedClock(contractTimes.middle);
    const index = makeIndex(clock);
    try {
      await index.ensureIndex();
      await index.upsert(searchFixtureCorpus());
      const writer = await index.beginReindex();

      await writer.upsert(searchFixtureCorpus().slice(0, 5));
      expect(await index.count()).toBe(searchFixtureCorpus().length);
      expect(await writer.count()).toBe(5);
      await writer.commit();

      expect(await index.count()).toBe(5);
      const aliases = (await client.transport.request({ method: 'GET', path: `/${index.readAlias}-v*/_alias` })).body;
      expect(Object.keys(aliases as object)).toEqual([`${index.readAlias}-v2`]);
      await index.upsert(searchFixtureCorpus().slice(5, 6));
      expect(await index.count()).toBe(6);
    } finally {
      await index.dropAll();
    }
  });

  it('bulk-writes a larger corpus in chunks and counts it exactly', async () => {
    const index = new OpenSearchSearchIndex({
      client,
      prefix: `chiiki-test-${runId}-bulk`,
      clock: new FixedClock(contractTimes.middle),
      refresh: false,
    });
    try {
      await index.ensureIndex();
      const corpus = generateCorpus(2000, 11);

      await index.upsert(corpus);
      await client.transport.request({ method: 'POST', path: `/${index.readAlias}/_refresh` });

      expect(await index.count()).toBe(2000);
      const page = await index.search({ text: '研究開発', size: 5 });
      expect(page.total).toBeGreaterThan(0);
    } finally {
      await index.dropAll();
    }
  });
});
