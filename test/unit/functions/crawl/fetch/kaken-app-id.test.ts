import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { crawlSource } from '../../../../../functions/crawl/run/crawl-source.js';
import { kakenSearchUrl } from '../../../../../functions/crawl/extract/kaken.js';
import type { FetchRequest, FetchResult, HttpFetcher } from '../../../../../functions/crawl/fetch/http-fetcher.js';
import {
  KakenAppId,
  KakenAppIdFetcher,
  kakenAppIdMissingMessage,
  redactingLog,
  withKakenAppId,
  withoutAppIdParam,
} from '../../../../../functions/crawl/fetch/kaken-app-id.js';
import { FixedClock } from '../../../../../shared/clock.js';
import { itemIdFor } from '../../../../../shared/domain/item.js';
import type { KakenSource, Source } from '../../../../../shared/domain/source.js';
import { ConfigError, PermanentFetchError, RetryLaterError } from '../../../../../shared/errors.js';
import { RecordingLog, silentLog } from '../../../../../shared/log.js';
import type { ItemStore } from '../../../../../shared/store/item-store.js';
import { okPage, sourcesOf, useCrawlStore } from '../../../../support/crawl-harness.js';

const appId = 'Secret-App-Id-42';

const sources = sourcesOf(`
  - id: kaken-themes
    name: KAKEN
    publisher: 国立情報学研究所 KAKEN
    kind: json
    adapter: kaken
    url: https://kaken.nii.ac.jp/opensearch/
    params: { keywords: [地域], pageSize: 20 }
    politeness: { minDelayMs: 0, maxPages: 5 }
  - id: plain-feed
    name: feed
    publisher: 振興財団
    kind: feed
    url: https://koubo.example/feed.xml
`);
const kaken = sources[0] as KakenSource;
const feed = sources[1] as Source;

const sampleBody = (name: string) =>
  readFileSync(
    new URL(`../../../../../infra/local/sample-sites/kaken-api/opensearch/${name}`, import.meta.url),
    'utf8',
  );

/** Answers the two sample pages by `st`, but only when asked with the application id. */
class KakenLikeFetcher implements HttpFetcher {
  readonly requests: FetchRequest[] = [];
  failWith: Error | undefined;

  async fetch(request: FetchRequest): Promise<FetchResult> {
    this.requests.push(request);
    if (this.failWith) throw this.failWith;
    const url = new URL(request.url);
    if (url.searchParams.get('appid') !== appId)
      throw new PermanentFetchError(`HTTP 403 for ${request.url}`, request.url, 403);
    return okPage(request.url, sampleBody(url.searchParams.get('st') === '21' ? 'index.page-21.xml' : 'index.xml'));
  }
}

describe('KakenAppIdFetcher', () => {
  it('asks with the application id and answers with the URL it was given', async () => {
    const inner = new KakenLikeFetcher();
    const fetcher = new KakenAppIdFetcher(inner, new KakenAppId(() => appId));
    const url = kakenSearchUrl(kaken, 1);

    const result = await fetcher.fetch({ url });

    expect(new URL(inner.requests[0]?.url ?? '').searchParams.get('appid')).toBe(appId);
    expect(result).toMatchObject({ status: 'ok', url, finalUrl: url });
  });

  it('fails with the configuration message when no id is configured, before any request', async () => {
    const inner = new KakenLikeFetcher();
    const fetcher = new KakenAppIdFetcher(inner, new KakenAppId(() => undefined));

    await expect(fetcher.fetch({ url: kakenSearchUrl(kaken) })).rejects.toThrow(ConfigError);
    await expect(fetcher.fetch({ url: kakenSearchUrl(kaken) })).rejects.toThrow(kakenAppIdMissingMessage);
    expect(inner.requests).toHaveLength(0);
  });

  it('says so when the secret cannot be read, and tries again next time', async () => {
    let calls = 0;
    const id = new KakenAppId(() => {
      calls += 1;
      if (calls === 1) throw new Error('AccessDeniedException');
      return appId;
    });

    await expect(id.get()).rejects.toThrow(/KAKEN needs an application id.*\(loading it failed\)/);
    expect(await id.get()).toBe(appId);
  });

  it('keeps the id out of errors: message, stack and URL, with the class and status kept', async () => {
    const inner = new KakenLikeFetcher();
    const fetcher = new KakenAppIdFetcher(inner, new KakenAppId(() => appId));
    inner.failWith = new RetryLaterError(`HTTP 503 after 3 tries for ${kakenSearchUrl(kaken)}&appid=${appId}`, 30, {
      status: 503,
    });

    const error = await fetcher.fetch({ url: kakenSearchUrl(kaken) }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).status).toBe(503);
    expect((error as Error).message).toContain('appid=***');
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain(appId);
  });

  it('strips the id from a redirected final URL', async () => {
    const redirected: HttpFetcher = {
      fetch: async (request) => ({
        status: 'not-modified',
        url: request.url,
        finalUrl: `https://kaken.nii.ac.jp/opensearch/moved?appid=${appId}&st=1`,
      }),
    };
    const fetcher = new KakenAppIdFetcher(redirected, new KakenAppId(() => appId));

    const result = await fetcher.fetch({ url: kakenSearchUrl(kaken) });

    expect(result.finalUrl).toBe('https://kaken.nii.ac.jp/opensearch/moved?st=1');
  });
});

describe('withKakenAppId', () => {
  it('wraps KAKEN sources only, once per fetcher', () => {
    const inner = new KakenLikeFetcher();
    const fetcherFor = withKakenAppId(() => inner, new KakenAppId(() => appId));

    expect(fetcherFor(feed)).toBe(inner);
    expect(fetcherFor(kaken)).toBeInstanceOf(KakenAppIdFetcher);
    expect(fetcherFor(kaken)).toBe(fetcherFor(kaken));
  });
});

describe('redactingLog', () => {
  it("replaces the id, plain or URL-encoded, in every field, an error's stack and cause included", async () => {
    const id = new KakenAppId(() => 'a b/c');
    await id.get();
    const recorded = new RecordingLog();

    redactingLog(recorded, id).debug('fetch retry', { url: `https://x/?appid=${encodeURIComponent('a b/c')}`, n: 1 });
    redactingLog(recorded, id).error('failed', new Error('bad id a b/c', { cause: new Error('id a b/c refused') }));

    expect(recorded.entries.map((e) => e.data)).toEqual([
      { url: 'https://x/?appid=***', n: 1 },
      {
        error: expect.objectContaining({
          name: 'Error',
          message: 'bad id ***',
          stack: expect.stringMatching(/^Error: bad id \*\*\*\n\s+at /),
          cause: expect.objectContaining({ message: 'id *** refused' }),
        }),
      },
    ]);
    expect(JSON.stringify(recorded.entries)).not.toContain('a b/c');
  });
});

describe('withoutAppIdParam', () => {
  it('removes only the appid parameter', () => {
    expect(withoutAppIdParam('https://k.example/o/?kw=a&appid=z&st=1')).toBe('https://k.example/o/?kw=a&st=1');
    expect(withoutAppIdParam('not a url')).toBe('not a url');
  });
});

describe('crawl of a KAKEN source', () => {
  const crawlStore = useCrawlStore('kaken-unit');
  let store: ItemStore;
  const clock = new FixedClock('2026-12-01T00:00:00Z');

  beforeEach(async () => {
    store = await crawlStore.freshStore(clock);
  });

  const crawl = (id: KakenAppId, inner = new KakenLikeFetcher(), log = silentLog) =>
    crawlSource({ source: kaken, fetcher: withKakenAppId(() => inner, id)(kaken), store, clock, log });

  it('stores both pages as themes and keeps the id out of URL state and items', async () => {
    const inner = new KakenLikeFetcher();

    const run = await crawl(new KakenAppId(() => appId), inner);

    expect(run).toMatchObject({ outcome: 'succeeded', counts: { fetched: 2, new: 24, failed: 0 } });
    expect(inner.requests.map((r) => new URL(r.url).searchParams.get('st'))).toEqual(['1', '21']);
    const firstPage = await store.getUrlState(kakenSearchUrl(kaken, 1));
    expect(firstPage?.itemIds).toHaveLength(24);
    expect(await store.getUrlState(`${kakenSearchUrl(kaken, 1)}&appid=${appId}`)).toBeUndefined();
    const theme = await store.get(itemIdFor('https://kaken.nii.ac.jp/grant/KAKENHI-PROJECT-24K00103/'));
    expect(theme).toMatchObject({ kind: 'theme', prefectures: ['20'], fields: ['life-science', 'ict'] });
    expect(JSON.stringify(theme)).not.toContain(appId);
  });

  it('reads nothing again when the first page is unchanged', async () => {
    const id = new KakenAppId(() => appId);
    await crawl(id);

    const second = await crawl(id);

    expect(second.counts).toMatchObject({ new: 0, updated: 0, unchanged: 24 });
  });

  it('fails the run with the configuration message when no id is configured', async () => {
    const log = new RecordingLog();

    const run = await crawl(new KakenAppId(() => undefined), new KakenLikeFetcher(), log);

    expect(run.outcome).toBe('failed');
    expect(run.errors).toEqual([
      { url: kakenSearchUrl(kaken, 1), kind: 'ConfigError', message: kakenAppIdMissingMessage },
    ]);
    expect((await store.listSourceHealth())[0]).toMatchObject({ sourceId: 'kaken-themes', lastOutcome: 'failed' });
  });

  it('records a refused request without the id', async () => {
    const inner = new KakenLikeFetcher();
    inner.failWith = new PermanentFetchError(
      `HTTP 403 for ${kakenSearchUrl(kaken)}&appid=${appId}`,
      `${kakenSearchUrl(kaken)}&appid=${appId}`,
      403,
    );
    const log = new RecordingLog();

    const run = await crawl(new KakenAppId(() => appId), inner, log);

    expect(run.outcome).toBe('failed');
    expect(run.errors[0]).toMatchObject({ kind: 'PermanentFetchError', status: 403 });
    expect(JSON.stringify(run)).not.toContain(appId);
    expect(JSON.stringify(log.entries)).not.toContain(appId);
  });
});
