import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import { loadConfig } from '../../../../shared/config.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { OpenSearchSearchIndex } from '../../../../shared/search/opensearch-search-index.js';
import { environmentCredentials, searchIndexFor } from '../../../../shared/wiring/search-index.js';

const clock = new FixedClock('2026-11-28T09:00:00+09:00');

describe('search index wiring', () => {
  it('builds the engine config names, and refuses OpenSearch without an endpoint', () => {
    expect(searchIndexFor(loadConfig({}), clock)).toBeInstanceOf(EmbeddedSearchIndex);
    expect(
      searchIndexFor(
        loadConfig({ SEARCH_ENGINE: 'opensearch', OPENSEARCH_ENDPOINT: 'https://search.example:443' }),
        clock,
      ),
    ).toBeInstanceOf(OpenSearchSearchIndex);
    expect(() => searchIndexFor(loadConfig({ SEARCH_ENGINE: 'opensearch' }), clock)).toThrow(
      /OPENSEARCH_ENDPOINT is required/,
    );
  });

  it('signs with the credentials the Lambda runtime puts in the environment, session token included', async () => {
    const provider = environmentCredentials(
      loadConfig({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' }),
    );
    expect(await provider?.()).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
    expect(environmentCredentials(loadConfig({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE' }))).toBeUndefined();
  });
});
