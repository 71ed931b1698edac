/**
 * `npm start`: the whole portal in one process, no AWS account, no Java. See local-stack.ts.
 *
 *   npm start                        crawl the bundled sample sites (served locally)
 *   npm start -- --registry live     crawl the real ministry and prefecture sites
 *   PORT=8080 DATA_DIR=/tmp/chiiki npm start
 *   SEARCH_ENGINE=opensearch OPENSEARCH_ENDPOINT=http://127.0.0.1:9200 npm start
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../shared/config.js';
import { consoleLog } from '../../shared/log.js';
import { localStackOptionsFrom, startLocalStack } from './local-stack.js';
import { formatCrawlSummary } from './crawl-summary.js';
import { startBanner } from './start-banner.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      registry: { type: 'string' },
      'no-crawl': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm start -- [--registry sample|live|<file.yaml>] [--no-crawl]\nenv: PORT, DATA_DIR, SEARCH_ENGINE, OPENSEARCH_ENDPOINT, SMTP_URL, CORS_ORIGINS, LOG_LEVEL',
    );
    return;
  }
  const config = loadConfig();
  const log = consoleLog(config.LOG_LEVEL);
  const registry = values.registry ?? config.SOURCE_REGISTRY;
  const started = Date.now();
  const stack = await startLocalStack(
    localStackOptionsFrom(config, { registry, log, crawlOnStart: !values['no-crawl'] }),
  );

  console.log(
    startBanner({
      apiUrl: stack.apiUrl,
      startedInMs: Date.now() - started,
      registry,
      sourceCount: stack.sources.length,
      ...(stack.sampleSitesUrl ? { sampleSitesUrl: stack.sampleSitesUrl } : {}),
      dataDir: stack.dataDir,
      mail: config.SMTP_URL && config.MAIL_TRANSPORT !== 'outbox' ? config.SMTP_URL : stack.outboxDir,
      indexedItems: stack.indexOnStart.items,
      indexRebuilt: stack.indexOnStart.rebuilt,
      embeddedMaxItems: config.EMBEDDED_MAX_ITEMS,
      ...(config.SEARCH_ENGINE === 'opensearch' && config.OPENSEARCH_ENDPOINT
        ? { openSearchEndpoint: new URL(config.OPENSEARCH_ENDPOINT).origin }
        : {}),
      crawlSkipped: values['no-crawl'],
    }),
  );
  stack.firstCrawl.then(
    (summary) => console.log(formatCrawlSummary(summary)),
    (error: unknown) => console.error(`crawl failed: ${error instanceof Error ? error.message : String(error)}`),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping (waiting for a crawl in progress, flushing the index) ...`);
    stack.close().then(
      () => {
        console.log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
