import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.js';

/**
 * Proves the OpenSearch node from scripts/services.sh has the analysis-common module and
 * answers the project's search semantics: CJK text split into bigrams, a query word matching
 * only where its characters stand together (match_phrase over bigrams).
 */
const endpoint = loadConfig().OPENSEARCH_ENDPOINT;
if (!endpoint) {
  throw new Error(
    'OPENSEARCH_ENDPOINT is not set: run this suite with `npm run test:integration` (scripts/services.sh run)',
  );
}

const client = new Client({ node: endpoint });
const index = `smoke-${Date.now().toString(36)}`;

const docs = {
  together: '地域における産学官連携の推進について',
  apart: '産学連携と大学官舎の整備計画',
  width: 'ＩｏＴ推進ラボ（ｶﾅ表記）の募集',
};

async function hits(query: Record<string, unknown>): Promise<string[]> {
  const response = await client.search({ index, body: { query } });
  return response.body.hits.hits.map((hit) => String(hit._id)).sort();
}

describe('OpenSearch smoke test (real node)', () => {
  beforeAll(async () => {
    await client.indices.create({
      index,
      body: {
        settings: {
          number_of_shards: 1,
          number_of_replicas: 0,
          analysis: {
            analyzer: {
              ja_bigram: { type: 'custom', tokenizer: 'standard', filter: ['cjk_width', 'lowercase', 'cjk_bigram'] },
            },
          },
        },
        mappings: { properties: { title: { type: 'text', analyzer: 'ja_bigram' } } },
      },
    });
    for (const [id, title] of Object.entries(docs)) {
      await client.index({ index, id, body: { title } });
    }
    await client.indices.refresh({ index });
  });

  afterAll(async () => {
    await client.indices.delete({ index }).catch(() => undefined);
    await client.close();
  });

  it('splits Japanese text into character bigrams', async () => {
    const response = await client.indices.analyze({ index, body: { analyzer: 'ja_bigram', text: '産学官連携' } });

    expect(response.body.tokens?.map((t) => t.token)).toEqual(['産学', '学官', '官連', '連携']);
  });

  it('matches 産学官 only where the three characters stand together', async () => {
    expect(await hits({ match_phrase: { title: '産学官' } })).toEqual(['together']);
  });

  it('would also match the text holding 産学 and 学官 apart without the phrase rule', async () => {
    expect(await hits({ match: { title: { query: '産学官', operator: 'and' } } })).toEqual(['apart', 'together']);
  });

  it('folds full-width Latin and half-width katakana before matching', async () => {
    expect(await hits({ match_phrase: { title: 'iot' } })).toEqual(['width']);
    expect(await hits({ match_phrase: { title: 'カナ' } })).toEqual(['width']);
  });
});
