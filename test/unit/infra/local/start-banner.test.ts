import { describe, expect, it } from 'vitest';
import { startBanner, type StartBannerInfo } from '../../../../infra/local/start-banner.js';

const info: StartBannerInfo = {
  apiUrl: 'http://localhost:3000',
  startedInMs: 1234,
  registry: 'sample',
  sourceCount: 20,
  sampleSitesUrl: 'http://localhost:3001',
  dataDir: '.data',
  mail: '.data/outbox',
  indexedItems: 0,
  indexRebuilt: true,
  crawlSkipped: false,
};

describe('startBanner', () => {
  it('prints the portal and the sources page before the API', () => {
    const lines = startBanner(info).split('\n');

    const portal = lines.findIndex((line) => line === '  portal     http://localhost:3000/');
    const sources = lines.findIndex((line) => line.startsWith('  sources    http://localhost:3000/sources.html '));
    const api = lines.findIndex((line) => line.startsWith('  API        http://localhost:3000/v1/search?'));
    expect(portal).toBeGreaterThan(0);
    expect(sources).toBe(portal + 1);
    expect(api).toBeGreaterThan(sources);
  });

  it('says how many sources the registry has and where their JSON is', () => {
    expect(startBanner(info)).toContain('(20 in registry "sample"; JSON: http://localhost:3000/v1/sources)');
  });

  it('warns past the embedded engine limit to switch to OpenSearch, and not on OpenSearch or below it', () => {
    const big = { ...info, indexedItems: 200_001, embeddedMaxItems: 200_000 };
    expect(startBanner(big)).toContain(
      "  WARNING    200001 items is past the embedded engine's measured limit of 200000 (EMBEDDED_MAX_ITEMS)",
    );
    expect(startBanner(big)).toContain('memory grows with it (~3 GB at 1M items); use SEARCH_ENGINE=opensearch');
    expect(startBanner({ ...big, indexedItems: 200_000 })).not.toContain('WARNING');
    expect(startBanner({ ...big, openSearchEndpoint: 'http://127.0.0.1:9200' })).not.toContain('WARNING');
  });

  it('keeps one slash when the origin ends in one', () => {
    expect(startBanner({ ...info, apiUrl: 'http://127.0.0.1:8080/' })).toContain(
      '  portal     http://127.0.0.1:8080/\n',
    );
  });

  it('leaves out the sample line without sample sites and says when the crawl is skipped', () => {
    const { sampleSitesUrl: _omitted, ...live } = info;

    const banner = startBanner({ ...live, crawlSkipped: true });

    expect(banner).not.toContain('  sample ');
    expect(banner).toContain('  crawl      skipped (--no-crawl)');
  });

  it('names the OpenSearch node when the stack indexes into one', () => {
    const banner = startBanner({ ...info, indexedItems: 74, openSearchEndpoint: 'http://127.0.0.1:9200' });

    expect(banner).toContain('  index      74 items (OpenSearch at http://127.0.0.1:9200)');
  });
});
