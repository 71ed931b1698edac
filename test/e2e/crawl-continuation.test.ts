import { fileURLToPath } from 'node:url';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { crawlSource } from '../../functions/crawl/run/crawl-source.js';
import { politeFetcherFactory, type FetcherFactory } from '../../functions/crawl/fetch/fetcher-factory.js';
import { jgrantsDetailUrl, jgrantsListUrl } from '../../functions/crawl/extract/jgrants.js';
import { startSampleSiteServer, type SampleSiteServer } from '../../infra/local/sample-site-server.js';
import { systemClock } from '../../shared/clock.js';
import type { Item } from '../../shared/domain/item.js';
import type { JgrantsSource, Source } from '../../shared/domain/source.js';
import { silentLog } from '../../shared/log.js';
import type * as RegistryData from '../../shared/sources/registry-data.js';
import { loadRegistry } from '../../shared/sources/registry.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../support/dynalite.js';

/**
 * The crawl Lambda's time budget end to end, through the real handler module and its wiring:
 * the sample registry against a slow sample-site server (every response 150 ms late), the
 * DynamoDB store on dynalite, and SQS mocked at the edge (the continuation messages the handler
 * sends are fed back to it, as the event source mapping would). Each invocation gets a context
 * whose remaining time runs out shortly after it starts, so every run needs several invocations;
 * the test shows that nothing is lost against a crawl without a deadline, that the run is one
 * record, and that no invocation outlives its budget.
 */

// Functions read the registry compiled to JSON next to their bundle; here the YAML it is compiled
// from is read directly (without importing registry.ts, which itself imports this module).
vi.mock('../../shared/sources/registry-data.js', async (importOriginal) => {
  const original = await importOriginal<typeof RegistryData>();
  const { readFileSync } = await import('node:fs');
  const { parse } = await import('yaml');
  return {
    ...original,
    loadCompiledRegistry: (name: string, options: RegistryData.LoadRegistryOptions = {}) => {
      const path = new URL(`../../shared/sources/registries/${name}.yaml`, import.meta.url);
      const text = original.fillSampleHost(readFileSync(path, 'utf8'), path.pathname, options);
      return original.validateRegistry(parse(text));
    },
  };
});

const root = fileURLToPath(new URL('../../infra/local/sample-sites/', import.meta.url));
const queueUrl = 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/chiiki-test-crawl';
/** The margin the handler keeps (CRAWL_TIME_MARGIN_MS): generous, so a loaded machine still saves in time. */
const marginMs = 3000;
const sqs = mockClient(SQSClient);

let sites: SampleSiteServer;
let dynalite: RunningDynalite;
let handler: (event: unknown, context: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
let sources: Source[];
let store: DynamoDbItemStore;
let reference: DynamoDbItemStore;
let fetchers: FetcherFactory;
const savedEnv = { ...process.env };

beforeAll(async () => {
  sites = await startSampleSiteServer({ root, responseDelayMs: 150 });
  dynalite = await startDynalite();
  Object.assign(process.env, {
    SOURCE_REGISTRY: 'sample',
    SAMPLE_SITES_PORT: String(sites.port),
    DYNAMODB_ENDPOINT: dynalite.endpoint,
    TABLE_NAME: 'chiiki-continuation',
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    CRAWL_QUEUE_URL: queueUrl,
    CRAWL_TIME_MARGIN_MS: String(marginMs),
    CRAWL_MAX_CONTINUATIONS: '40',
    LOG_LEVEL: 'error',
  });
  store = new DynamoDbItemStore({
    client: countingDocumentClient(dynalite.endpoint).client,
    tableName: 'chiiki-continuation',
    clock: systemClock,
    log: silentLog,
  });
  await store.ensureTable();
  reference = new DynamoDbItemStore({
    client: countingDocumentClient(dynalite.endpoint).client,
    tableName: 'chiiki-reference',
    clock: systemClock,
    log: silentLog,
  });
  await reference.ensureTable();
  sources = loadRegistry('sample', { sampleHost: `localhost:${sites.port}` }).sources;
  fetchers = politeFetcherFactory({ userAgent: 'chiiki-test/1.0 (+https://example.invalid)', log: silentLog });
  const crawl = await import('../../functions/crawl/handler.js');
  handler = (event, context) => crawl.handler(event, context as Context);
});

afterAll(async () => {
  sqs.restore();
  await fetchers?.close();
  await sites?.close();
  await dynalite?.stop();
  process.env = savedEnv;
});

interface Drive {
  invocations: number;
  /** The longest an invocation took, against its budget. */
  slowestMs: number;
  /** The continuation messages, as sent. */
  sent: { sourceId: string; continuation?: { runId: string; number: number; cursor: { kind: string } } }[];
}

/** Sends one dispatch message for `sourceId` through the handler, then every continuation it enqueues. */
async function drive(sourceId: string, workMs: number): Promise<Drive> {
  sqs.reset();
  const sent: Drive['sent'] = [];
  const inbox: string[] = [JSON.stringify({ sourceId, requestedAt: new Date().toISOString() })];
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string; MessageBody: string }[] }) => {
    for (const entry of input.Entries) {
      inbox.push(entry.MessageBody);
      sent.push(JSON.parse(entry.MessageBody) as Drive['sent'][number]);
    }
    return { Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })), Failed: [] };
  });
  let invocations = 0;
  let slowestMs = 0;
  while (inbox.length > 0) {
    const body = inbox.shift() as string;
    invocations += 1;
    if (invocations > 40) throw new Error('the continuations did not end');
    const started = Date.now();
    const budgetMs = marginMs + workMs;
    const context = {
      functionName: 'chiiki-test-crawl',
      awsRequestId: `req-${invocations}`,
      getRemainingTimeInMillis: () => budgetMs - (Date.now() - started),
    };

    const response = await handler({ Records: [{ messageId: `m-${invocations}`, body }] }, context);

    expect(response.batchItemFailures).toEqual([]);
    slowestMs = Math.max(slowestMs, Date.now() - started);
  }
  return { invocations, slowestMs, sent };
}

/** A source's items as the store holds them, by id, without the times that differ between runs. */
async function itemsOf(s: DynamoDbItemStore, sourceId: string): Promise<Map<string, Partial<Item>>> {
  const runs = await s.listCrawlRuns(sourceId, 1);
  const firstPage = await s.getUrlState(sources.find((x) => x.id === sourceId)?.url ?? '');
  const ids = new Set<string>(firstPage?.itemIds ?? []);
  for (const state of await statesOfJgrants(s, sourceId)) for (const id of state.itemIds ?? []) ids.add(id);
  const out = new Map<string, Partial<Item>>();
  for (const id of ids) {
    const item = await s.get(id as Item['id']);
    if (!item) continue;
    const { title, url, kind, opensAt, closesAt, summary, bodyText, budget, eligibility, prefectures } = item;
    out.set(id, { title, url, kind, opensAt, closesAt, summary, bodyText, budget, eligibility, prefectures });
  }
  expect(runs.length).toBeGreaterThan(0);
  return out;
}

async function statesOfJgrants(s: DynamoDbItemStore, sourceId: string) {
  const source = sources.find((x) => x.id === sourceId);
  if (!source || source.kind !== 'json' || source.adapter !== 'jgrants') return [];
  const states = await Promise.all(source.params.keywords.map((k) => s.getUrlState(jgrantsListUrl(source, k))));
  return states.flatMap((state) => (state ? [state] : []));
}

/** The same source crawled in one go, with no deadline, into the reference table. */
async function crawlWithoutDeadline(sourceId: string) {
  const source = sources.find((s) => s.id === sourceId) as Source;
  return crawlSource({
    source,
    fetcher: fetchers.fetcherFor(source),
    store: reference,
    clock: systemClock,
    log: silentLog,
  });
}

describe('the crawl handler under a short time budget', () => {
  // `workMs`: what each invocation may spend on new work before it reaches its margin; below one
  // response (150 ms) an invocation reads one page, above it a few.
  it.each([
    ['sample-jgrants', 'the jGrants detail queue', 400],
    ['sample-news-paged', 'a paginated list', 100],
    ['sample-jst-koubo', 'a list with detail pages', 250],
  ])('finishes %s (%s) across continuations with nothing lost and one run record', async (sourceId, _, workMs) => {
    const oneGo = await crawlWithoutDeadline(sourceId);

    const drove = await drive(sourceId, workMs);

    const runs = await store.listCrawlRuns(sourceId, 10);
    expect(runs).toHaveLength(1);
    const run = runs[0];
    expect(drove.invocations).toBeGreaterThanOrEqual(3);
    expect(run?.continuations).toBe(drove.invocations - 1);
    expect(run?.outcome).toBe(oneGo.outcome);
    expect(run?.outcome).toBe('succeeded');
    expect(run?.counts.new).toBe(oneGo.counts.new);
    expect(run?.counts.updated).toBe(0);
    expect(run?.counts.failed).toBe(0);
    expect(run?.quality?.items).toBe(oneGo.quality?.items);
    expect(run?.quality?.passed).toBe(true);
    // Every continuation carried the same run, numbered in order.
    expect(new Set(drove.sent.map((m) => m.continuation?.runId))).toEqual(new Set([run?.runId]));
    expect(drove.sent.map((m) => m.continuation?.number)).toEqual(drove.sent.map((_, i) => i + 1));
    // Nothing lost: the same items, with the same detail-derived fields, as the crawl in one go.
    const expected = await itemsOf(reference, sourceId);
    expect(expected.size).toBe(oneGo.counts.new);
    expect(await itemsOf(store, sourceId)).toEqual(expected);
    // No invocation ran into its deadline.
    expect(drove.slowestMs).toBeLessThan(marginMs + workMs);
  });

  it('keeps the URL states, so the next run of an unchanged source writes no item', async () => {
    const jgrants = sources.find((s) => s.id === 'sample-jgrants') as JgrantsSource;
    for (const keyword of jgrants.params.keywords)
      expect((await store.getUrlState(jgrantsListUrl(jgrants, keyword)))?.bodyHash).toBeDefined();
    for (const id of ['a0W5h00000SAMPLE01', 'a0W5h00000SAMPLE04'])
      expect(await store.getUrlState(jgrantsDetailUrl(jgrants, id))).toBeDefined();

    await drive('sample-news-paged', 100);

    const runs = await store.listCrawlRuns('sample-news-paged', 10);
    expect(runs).toHaveLength(2);
    const latest = runs.find((r) => !r.continuations);
    expect(latest?.counts).toMatchObject({ new: 0, updated: 0, unchanged: 9 });
  });
});
