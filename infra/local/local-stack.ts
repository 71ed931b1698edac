import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { buildApiHandler } from '../../functions/api/handler-builder.js';
import { buildApiDeps, buildSubscriptionDeps, type BuiltApiDeps } from '../../functions/api/deps.js';
import { runDigest, type DigestRunReport } from '../../functions/alerts/digest.js';
import { buildAlertsDeps, type AlertsDeps } from '../../functions/alerts/deps.js';
import type { SubscriptionDeps } from '../../shared/subscriptions/subscriptions.js';
import { subscriptionRoutes } from '../../functions/api/subscription-routes.js';
import { isBehind, type IndexLag } from '../../functions/indexer/change-log.js';
import { reindex } from '../../functions/indexer/reindex.js';
import { SeriesCommandSchema, seriesControl } from '../../functions/indexer/series-override.js';
import { buildIndexDeps, searchDirOf, type IndexDeps } from '../../functions/indexer/deps.js';
import { crawlAll } from '../../functions/crawl/run/crawl-all.js';
import { buildCrawlDeps } from '../../functions/crawl/deps.js';
import type { CrawlJobDeps } from '../../functions/crawl/run/crawl-jobs.js';
import { sampleKakenAppId } from '../../functions/crawl/fetch/kaken-app-id.js';
import { loadRegistry } from '../../shared/sources/registry.js';
import { systemClock } from '../../shared/clock.js';
import type { CrawlRun } from '../../shared/domain/crawl-run.js';
import type { Source } from '../../shared/domain/source.js';
import { silentLog } from '../../shared/log.js';
import type { Mailer } from '../../shared/mail/mailer.js';
import { OutboxMailer } from '../../shared/mail/outbox-mailer.js';
import { SmtpMailer } from '../../shared/mail/smtp-mailer.js';
import type { Config } from '../../shared/config.js';
import { EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import { searchIndexFor } from '../../shared/wiring/search-index.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSubscriptionStore } from '../../shared/store/dynamodb-subscription-store.js';
import { DynamoDbSeriesStore } from '../../shared/store/dynamodb-series-store.js';
import { startDynaliteServer, type DynaliteServer, type StorageFault } from './dynalite-server.js';
import { dynaliteDocumentClient } from './dynalite-client.js';
import { assertWritable, diskErrorCode } from './data-folder.js';
import { localConfig, type LocalStackOptions } from './local-config.js';
import { ensureIndexCurrent, openSearchOnStart, withWriteHooks } from './local-index.js';
import { startSampleSitesOnKeptPort } from './sample-sites-port.js';
import { NotFoundError, StorageUnavailableError } from '../../shared/errors.js';
import type { IndexLagStatus, StorageStatus } from '../../functions/api/health.js';
import { FileChangeLog } from './file-change-log.js';
import { startIndexLogConsumer } from './index-log-consumer.js';
import { acceptRawRequestTargets } from './raw-request-target.js';
import { refuseConnect } from './refuse-connect.js';
import { apiGatewayListener, type LambdaHttpHandler } from './http-to-apigw.js';
import { withPortal } from './portal-server.js';
import type { SampleSiteServer } from './sample-site-server.js';
import { startScheduler, type IntervalScheduler } from './scheduler.js';
import { newControlToken, removeRunningStack, withStackControl, writeRunningStack } from './stack-control.js';
import { parseInput } from '../../shared/parse-input.js';
import * as z from 'zod';

/** Bodies of the control commands (stack-control.ts), as `chiiki` sends them. */
const DigestControlSchema = z.strictObject({ trigger: z.enum(['cycle', 'schedule']).default('cycle') });
const CrawlControlSchema = z.strictObject({ sources: z.array(z.string().min(1).max(200)).max(1000).default([]) });
const ReindexControlSchema = z.strictObject({ batchSize: z.number().int().min(1).max(5000).default(500) });

export { localStackOptionsFrom, type LocalStackOptions } from './local-config.js';

export interface CrawlSummary {
  readonly runs: readonly CrawlRun[];
  readonly totals: {
    readonly new: number;
    readonly updated: number;
    readonly unchanged: number;
    readonly failed: number;
  };
  /** Items in the index once it caught up; absent when it had not caught up within the wait. */
  readonly indexed?: number;
  /** Store changes not yet in the index when the crawl reported (0 pending once it caught up). */
  readonly indexLag: IndexLag;
  readonly durationMs: number;
  /** The alert digests run after the crawl (absent when they failed). */
  readonly digest?: DigestRunReport;
}

export interface LocalStack {
  readonly apiUrl: string;
  readonly port: number;
  readonly dataDir: string;
  readonly outboxDir: string;
  /** The sample-site server's index page (sample registry only). */
  readonly sampleSitesUrl?: string;
  /** The sample-site server itself (tests advance a site's version). */
  readonly sampleSites?: SampleSiteServer;
  readonly sources: readonly Source[];
  readonly store: DynamoDbItemStore;
  /** The search index the API reads (embedded or OpenSearch, see `searchEngine`). */
  readonly search: SearchIndex;
  readonly mailer: Mailer;
  /** What the start-up index check did: nothing, or rebuilt from the store. */
  readonly indexOnStart: { readonly rebuilt: boolean; readonly items: number };
  /** Whether writes to the data folder work now (what `/v1/health` reports). */
  storage(): StorageStatus;
  /** Store changes not yet applied to the index (the change log under `dataDir/index-log/`). */
  indexLag(): IndexLag;
  /** Resolves true once every logged change is in the index, false after `timeoutMs` (default 10 s). */
  waitForIndex(timeoutMs?: number): Promise<boolean>;
  /** The crawl started with the stack (resolved at once with no runs when `crawlOnStart` is false). */
  readonly firstCrawl: Promise<CrawlSummary>;
  /** Crawls the given sources (default all) now, then runs the alert digests. */
  crawl(sourceIds?: readonly string[]): Promise<CrawlSummary>;
  /** The functions' ports as the builders the Lambda wirings use made them here. */
  readonly deps: LocalDeps;
  /** Stops the scheduler, the servers and flushes the index to disk. Safe to call twice. */
  close(): Promise<void>;
}

/** The ports the local stack built for each function (the same builders as the Lambda wirings). */
export interface LocalDeps {
  readonly api: BuiltApiDeps;
  readonly subscriptions: SubscriptionDeps;
  readonly index: IndexDeps;
  readonly alerts: AlertsDeps;
  readonly crawl: CrawlJobDeps;
}

/**
 * Starts the one-process local stack: dynalite on disk, the embedded search index (or OpenSearch,
 * see `searchEngine`), the sample sites, the crawler on an in-process scheduler, the indexer fed by
 * a durable change log the store appends to, mail to files (or SMTP), and the API handler behind a
 * local HTTP server that speaks API Gateway HTTP API events. The same plain functions run here as
 * in Lambda.
 *
 * The index is not in the store's write path: a store write appends the changed ids to the log
 * (`dataDir/index-log/`, fsynced) and returns; a consumer applies the log to the index in batches,
 * re-reading each item from the store, retrying with backoff while the engine fails, and
 * replaying what is left after a restart. So an engine outage delays the index, never a store
 * write, and the index converges to the store once the engine is back.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLog;
  const dataDir = resolve(options.dataDir);
  const outboxDir = join(dataDir, 'outbox');
  for (const folder of [dataDir, join(dataDir, 'dynalite'), join(dataDir, 'search'), outboxDir]) assertWritable(folder);
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        log.warn('local stack component failed to close', { error });
      }
    }
  };

  // The write that failed last, until a write to the same folder succeeds (`/v1/health`: degraded).
  let storageFault: StorageFault | undefined;
  const reportFault = (fault: StorageFault) => {
    if (storageFault?.folder !== fault.folder || storageFault.code !== fault.code)
      log.error('storage write failed; answering 503 until it works again', {
        folder: fault.folder,
        code: fault.code,
        error: fault.message,
      });
    storageFault = fault;
  };
  const clearFault = (folder: string) => {
    if (storageFault?.folder !== folder) return;
    log.info('storage writes work again', { folder });
    storageFault = undefined;
  };
  const storage = (): StorageStatus =>
    storageFault
      ? { ok: false, reason: `writes to ${storageFault.folder} fail (${storageFault.code}: ${storageFault.message})` }
      : { ok: true };

  try {
    const dynaliteDir = join(dataDir, 'dynalite');
    const dynalite: DynaliteServer = await startDynaliteServer({
      dir: dynaliteDir,
      onFault: reportFault,
      onRecovered: () => clearFault(dynaliteDir),
      ...(options.injectWriteFault ? { injectWriteFault: options.injectWriteFault } : {}),
    });
    closers.push(() => dynalite.close());
    const { client, destroy } = dynaliteDocumentClient(dynalite.endpoint, dynaliteDir);
    closers.push(async () => destroy());
    // The functions' settings: the defaults of `loadConfig`, what the options set (the API URL is added once known).
    const baseConfig = localConfig(options, dataDir);
    const tableName = baseConfig.TABLE_NAME;
    const searchDir = searchDirOf(baseConfig);
    const search = searchIndexFor(baseConfig, clock, { dir: searchDir });
    const embedded = search instanceof EmbeddedSearchIndex ? search : undefined;
    if (embedded) {
      await embedded.ensureIndex();
      closers.push(() => embedded.close());
    }
    // The API reads through its own result cache (buildApiDeps); every indexed change clears it.
    const apiRef: { deps?: BuiltApiDeps } = {};
    const injectIndexFault = options.injectIndexFault;
    const indexWriter: SearchIndex = withWriteHooks(search, {
      ...(injectIndexFault ? { before: injectIndexFault } : {}),
      after: () => apiRef.deps?.search.clear(),
    });

    const indexLogDir = join(dataDir, 'index-log');
    const changeLog = new FileChangeLog({ dir: indexLogDir, clock, log });
    const consumerRef: { kick?: () => void } = {};
    const store = new DynamoDbItemStore({
      client,
      tableName,
      clock,
      log,
      // dynalite has no streams: the store logs its changes, and the consumer below indexes them.
      onChange: async (changes) => {
        try {
          await changeLog.append(changes.map((change) => change.id));
        } catch (error) {
          // The store write landed but its change is not logged; a restart's index check finds it (embedded).
          const code = diskErrorCode(error);
          if (code === undefined) throw error;
          reportFault({ folder: indexLogDir, code, message: error instanceof Error ? error.message : String(error) });
          throw new StorageUnavailableError(`cannot write ${indexLogDir} (${code})`, indexLogDir, 30, { cause: error });
        }
        clearFault(indexLogDir);
        consumerRef.kick?.();
      },
    });
    await store.ensureTable();
    const seriesStore = new DynamoDbSeriesStore({ client, tableName });
    const indexDeps = buildIndexDeps({ index: search, store, log, series: { store: seriesStore, clock } });
    if (embedded?.staleFormat !== undefined)
      log.warn('search index snapshot is of an older format; rebuilding it from the store', {
        format: embedded.staleFormat,
      });
    const indexOnStart = embedded
      ? await ensureIndexCurrent(store, embedded, seriesStore)
      : await openSearchOnStart(search, store, seriesStore, changeLog, log);
    const consumer = startIndexLogConsumer({
      changeLog,
      ...indexDeps.apply,
      // Writes go through the view that clears the API's cache (and fails on an injected fault).
      index: indexWriter,
      // OpenSearch may be down at start: create the index before the first batch instead.
      ...(embedded ? {} : { prepare: () => search.ensureIndex() }),
      onApplied: () => clearFault(searchDir),
      onFailed: (error) => {
        const code = diskErrorCode(error);
        if (code !== undefined)
          reportFault({ folder: searchDir, code, message: error instanceof Error ? error.message : String(error) });
      },
    });
    consumerRef.kick = () => consumer.kick();
    consumer.kick();
    // Runs after a crawl in flight finished (closers run in reverse): let the index catch up, briefly.
    closers.push(async () => {
      await consumer.drained(5_000);
      await consumer.stop();
    });
    const indexWaitMs = options.indexWaitMs ?? 10_000;
    const indexLagStatus = (): IndexLagStatus => {
      const lag = consumer.lag();
      return {
        pending: lag.pending,
        oldestAgeSec: lag.oldestAgeSec,
        lastAttemptFailed: lag.lastError !== undefined,
        behind: isBehind(lag),
      };
    };
    /** The index count once the log is drained within `waitMs`; undefined when it is still behind. */
    const indexedAfter = async (waitMs: number): Promise<number | undefined> =>
      (await consumer.drained(waitMs)) ? await search.count() : undefined;

    let sampleSites: SampleSiteServer | undefined;
    if (options.registry === 'sample') {
      sampleSites = await startSampleSitesOnKeptPort(dataDir, options.samplePort ?? 0, clock, log);
      closers.push(() => (sampleSites as SampleSiteServer).close());
    }
    const registry = loadRegistry(options.registry, sampleSites ? { sampleHost: `localhost:${sampleSites.port}` } : {});
    const sources = registry.sources;

    const mailFrom = baseConfig.MAIL_FROM;
    const mailer: Mailer = options.smtpUrl
      ? new SmtpMailer({ url: options.smtpUrl, from: mailFrom })
      : new OutboxMailer({ dir: outboxDir, from: mailFrom });

    const crawler = buildCrawlDeps(baseConfig, {
      sources,
      store,
      clock,
      log,
      kakenAppId: () => options.kakenAppId ?? (options.registry === 'sample' ? sampleKakenAppId : undefined),
      ...(options.fetcher !== undefined ? { fetcher: options.fetcher } : {}),
      // The sample sites script 429s and 503s; a laptop demo should not sit in minute-long backoffs.
      ...(options.registry === 'sample' ? { retry: { retryBaseDelayMs: 50, maxRetryAfterSec: 3 } } : {}),
    });
    closers.push(() => crawler.close());

    // The handler needs the API URL (mail links), which exists once the server listens.
    const api: { handler?: LambdaHttpHandler } = {};
    // Operator commands run beside this stack through these (stack-control.ts); filled in below.
    const controlToken = newControlToken();
    const control: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {};
    // A request without Host is answered like any other (links never come from Host), not with Node's bare 400.
    const server: Server = createServer(
      { requireHostHeader: false },
      withStackControl(
        withPortal(
          apiGatewayListener(
            (event, context) => (api.handler as LambdaHttpHandler)(event, context),
            (error) => log.error('local http adapter failed', { error }),
          ),
        ),
        controlToken,
        control,
      ),
    );
    server.keepAliveTimeout = 5_000;
    acceptRawRequestTargets(server, log);
    refuseConnect(server, log);
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(options.port, options.host ?? '127.0.0.1', () => done());
    });
    closers.push(
      () =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const apiUrl = `http://${options.host && options.host !== '0.0.0.0' ? options.host : 'localhost'}:${port}`;

    const config: Config = { ...baseConfig, PUBLIC_BASE_URL: options.publicBaseUrl ?? apiUrl };
    const subscriptions = new DynamoDbSubscriptionStore({ client, tableName });
    const apiDeps = buildApiDeps(config, {
      // On OpenSearch the API reads through its own client, sized like the API function's (short
      // timeouts, circuit breaker: a hung engine answers 503 at once), while the indexer keeps the patient one.
      search: embedded ?? searchIndexFor(config, clock, { purpose: 'api' }),
      store,
      series: seriesStore,
      clock,
      log,
      sources: () => sources,
      storage,
      indexLag: indexLagStatus,
    });
    apiRef.deps = apiDeps;
    const subscriptionDeps = buildSubscriptionDeps(config, {
      subscriptions,
      mailer,
      tokenSecret: config.TOKEN_SECRET,
      clock,
      log,
      items: store,
    });
    const alertsDeps = buildAlertsDeps(config, {
      subscriptions,
      items: store,
      series: seriesStore,
      mailer,
      tokenSecret: config.TOKEN_SECRET,
      scratchIndex: () => new EmbeddedSearchIndex({ clock }),
      clock,
      log,
    });
    api.handler = buildApiHandler(apiDeps, [
      ...subscriptionRoutes(subscriptionDeps),
      ...(options.extraRoutes ?? []),
    ]) as LambdaHttpHandler;
    const runDigests = (trigger: 'cycle' | 'schedule' = 'cycle') => runDigest(alertsDeps.digest, { trigger });

    let crawling: Promise<unknown> = Promise.resolve();
    const crawl = (sourceIds?: readonly string[]): Promise<CrawlSummary> => {
      const next = crawling.then(async () => {
        const started = Date.now();
        const chosen = sourceIds ? sources.filter((s) => sourceIds.includes(s.id)) : sources;
        const runs = await crawlAll({ ...crawler.deps, sources: chosen });
        const totals = { new: 0, updated: 0, unchanged: 0, failed: 0 };
        for (const run of runs) {
          totals.new += run.counts.new;
          totals.updated += run.counts.updated;
          totals.unchanged += run.counts.unchanged;
          totals.failed += run.counts.failed;
        }
        let digest: DigestRunReport | undefined;
        try {
          digest = await runDigests();
        } catch (error) {
          log.error('alert digests failed', { error });
        }
        const indexed = await indexedAfter(indexWaitMs);
        return {
          runs,
          totals,
          ...(indexed === undefined ? {} : { indexed }),
          indexLag: consumer.lag(),
          durationMs: Date.now() - started,
          digest,
        };
      });
      crawling = next.catch(() => undefined);
      return next;
    };

    const firstCrawl: Promise<CrawlSummary> =
      options.crawlOnStart === false
        ? Promise.resolve({
            runs: [],
            totals: { new: 0, updated: 0, unchanged: 0, failed: 0 },
            indexed: indexOnStart.items,
            indexLag: consumer.lag(),
            durationMs: 0,
          })
        : crawl();
    // Reported to the caller through the promise; keep an unhandled rejection from killing the process.
    firstCrawl.catch((error: unknown) => log.error('first crawl failed', { error }));

    let scheduler: IntervalScheduler | undefined;
    if (options.schedule !== false) {
      scheduler = startScheduler({
        jobs: sources.filter((s) => s.enabled).map((s) => ({ id: s.id, schedule: s.schedule })),
        clock,
        log,
        run: async (ids) => {
          const summary = await crawl(ids);
          log.info('scheduled crawl finished', {
            sources: ids.length,
            ...summary.totals,
            indexed: summary.indexed,
            indexPending: summary.indexLag.pending,
          });
        },
      });
      closers.push(() => (scheduler as IntervalScheduler).stop());
    }
    // Let a crawl in flight finish before the servers go away (it writes to dynalite and the index).
    closers.push(async () => {
      await crawling;
    });

    /** Runs `job` after the crawl (or other job) in flight, as the crawls are serialised. */
    const afterCrawling = <T>(job: () => Promise<T>): Promise<T> => {
      const next = crawling.then(job);
      crawling = next.catch(() => undefined);
      return next;
    };
    control.digest = async (body) => {
      const { trigger } = parseInput(DigestControlSchema, body);
      return afterCrawling(() => runDigests(trigger));
    };
    control.crawl = async (body) => {
      const ids = parseInput(CrawlControlSchema, body).sources;
      const unknown = ids.filter((id) => !sources.some((s) => s.id === id));
      if (unknown.length > 0)
        throw new NotFoundError(
          `no source ${unknown.map((u) => JSON.stringify(u)).join(', ')} in the running stack's registry`,
        );
      const summary = await crawl(ids.length > 0 ? ids : undefined);
      const crawled = sources.filter((s) => summary.runs.some((run) => run.sourceId === s.id));
      return { ...summary, sources: crawled, healths: await store.listSourceHealth() };
    };
    control.reindex = async (body) => {
      const { batchSize } = parseInput(ReindexControlSchema, body);
      return afterCrawling(() => reindex({ ...indexDeps.reindex, batchSize }));
    };
    // `chiiki series split|merge|relink` beside this stack: its documents are re-projected through the indexer's writer.
    const runSeries = seriesControl({ items: store, series: seriesStore, clock, log, index: indexWriter, scan: store });
    control.series = async (body) => runSeries(parseInput(SeriesCommandSchema, body));
    writeRunningStack(dataDir, { pid: process.pid, apiUrl, dynamodbEndpoint: dynalite.endpoint, token: controlToken });
    closers.push(async () => removeRunningStack(dataDir, process.pid));

    let closed = false;
    return {
      apiUrl,
      port,
      dataDir,
      outboxDir,
      sampleSitesUrl: sampleSites?.url,
      sampleSites,
      sources,
      store,
      search,
      mailer,
      indexOnStart,
      storage,
      indexLag: () => consumer.lag(),
      waitForIndex: (timeoutMs = 10_000) => consumer.drained(timeoutMs),
      firstCrawl,
      crawl,
      deps: {
        api: apiDeps,
        subscriptions: subscriptionDeps,
        index: indexDeps,
        alerts: alertsDeps,
        crawl: crawler.deps,
      },
      close: async () => {
        if (closed) return;
        closed = true;
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
