import { afterAll, beforeAll } from 'vitest';
import type { FetchRequest, FetchResult, HttpFetcher } from '../../functions/crawl/fetch/http-fetcher.js';
import type { Clock } from '../../shared/clock.js';
import type { JgrantsSource, Source } from '../../shared/domain/source.js';
import { PermanentFetchError } from '../../shared/errors.js';
import { silentLog } from '../../shared/log.js';
import { parseRegistry } from '../../shared/sources/registry.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import {
  countingDocumentClient,
  startDynalite,
  type CountingDocumentClient,
  type RunningDynalite,
} from './dynalite.js';

/**
 * What a crawl test needs around the crawler: a fetcher that serves scripted pages, an item store
 * on dynalite (a new table per test), and sources written as registry YAML.
 */

/** A 200 answer with `text` as its UTF-8 body. */
export function okPage(url: string, text: string, etag?: string): FetchResult {
  return {
    status: 'ok',
    url,
    finalUrl: url,
    httpStatus: 200,
    charset: 'utf-8',
    charsetSource: 'header',
    text,
    body: Buffer.from(text),
    ...(etag ? { etag } : {}),
  };
}

/** A page a `ScriptedFetcher` serves: its body, and its ETag when the server sends one. */
export interface ScriptedPage {
  readonly body: string;
  readonly etag?: string;
}

/** Serves scripted bodies (or throws scripted errors), 404 for anything else; answers 304 when the request's ETag matches. */
export class ScriptedFetcher implements HttpFetcher {
  readonly requests: FetchRequest[] = [];
  readonly pages = new Map<string, ScriptedPage | Error>();

  constructor(pages: Record<string, ScriptedPage | Error> = {}) {
    for (const [url, page] of Object.entries(pages)) this.pages.set(url, page);
  }

  async fetch(request: FetchRequest): Promise<FetchResult> {
    this.requests.push(request);
    const page = this.pages.get(request.url);
    if (!page) throw new PermanentFetchError(`HTTP 404 for ${request.url}`, request.url, 404);
    if (page instanceof Error) throw page;
    if (page.etag && request.etag === page.etag)
      return { status: 'not-modified', url: request.url, finalUrl: request.url };
    return okPage(request.url, page.body, page.etag);
  }

  /** How many requests asked for `url`. */
  hits(url: string): number {
    return this.requests.filter((r) => r.url === url).length;
  }
}

/** An RSS 2.0 feed of `[link, title, RFC 822 date]` items. */
export function rssFeed(items: readonly (readonly [string, string, string?])[]): string {
  const entries = items
    .map(
      ([link, title, date]) =>
        `<item><title>${title}</title><link>${link}</link><pubDate>${date ?? 'Fri, 20 Nov 2026 10:00:00 +0900'}</pubDate></item>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>${entries}</channel></rss>`;
}

/** The sources of a registry whose `sources:` list is `yaml` (indented by two spaces). */
export function sourcesOf(yaml: string): Source[] {
  return parseRegistry(`registry: t\nsources:\n${yaml}`, 't').sources;
}

/**
 * The sources of the crawl tests: a feed, an html list paged by its 次へ link, a table of calls with
 * detail pages, and a jGrants API with two keywords.
 */
export const crawlTestSources = (() => {
  const all = sourcesOf(`
  - id: koubo-feed
    name: 公募
    publisher: 振興財団
    kind: feed
    url: https://koubo.example/feed.xml
  - id: paged
    name: 一覧
    publisher: 振興財団
    kind: html-list
    url: https://koubo.example/list.html
    list: { item: li, link: a, date: span, nextPage: a.next }
  - id: koubo-table
    name: 公募一覧
    publisher: 振興財団
    kind: html-list
    url: https://koubo.example/koubo/index.html
    defaultKind: call
    list: { item: 'table tbody tr', title: td a, link: td a, period: td.period }
    detail: { content: '#content' }
  - id: jg
    name: jGrants
    publisher: デジタル庁 Jグランツ
    kind: json
    adapter: jgrants
    url: https://api.jgrants.example/exp/v1/public
    defaultKind: call
    params:
      keywords: [クラスター, 研究開発]
      detailPath: /subsidies-id/{id}.json
      itemUrl: https://jgrants.example/subsidy/{id}
`);
  const [feed, paged, table, jgrants] = all as [Source, Source, Source, JgrantsSource];
  return { all, feed, paged, table, jgrants };
})();

export interface CrawlStore {
  /** The client of every table, counting writes. */
  readonly db: CountingDocumentClient;
  /** An item store on a new, empty table. */
  freshStore(clock: Clock): Promise<DynamoDbItemStore>;
}

/** Starts dynalite before the file's tests and stops it after them; `freshStore` gives each test its own table. */
export function useCrawlStore(prefix: string): CrawlStore {
  let dynalite: RunningDynalite | undefined;
  let db: CountingDocumentClient | undefined;
  let tables = 0;
  beforeAll(async () => {
    dynalite = await startDynalite();
    db = countingDocumentClient(dynalite.endpoint);
  });
  afterAll(async () => {
    db?.destroy();
    await dynalite?.stop();
  });
  const started = (): CountingDocumentClient => {
    if (!db) throw new TypeError('the crawl store is used before its beforeAll ran');
    return db;
  };
  return {
    get db() {
      return started();
    },
    async freshStore(clock) {
      tables += 1;
      const store = new DynamoDbItemStore({
        client: started().client,
        tableName: `${prefix}-${tables}`,
        clock,
        log: silentLog,
      });
      await store.ensureTable();
      return store;
    },
  };
}
