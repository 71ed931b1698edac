/**
 * `chiiki digest [--trigger cycle|schedule]`: runs one alert digest delivery against the store
 * (DYNAMODB_ENDPOINT, else the local dynalite under DATA_DIR) with the configured transport
 * (outbox under DATA_DIR/outbox by default, SMTP_URL, or SES), and prints the run's counts and the
 * subscribers held behind a young digest intent (masked).
 * Beside a running `npm start` on the same DATA_DIR (and no DYNAMODB_ENDPOINT) the running stack
 * delivers, with its mailer and links. Exit 0 when no delivery failed, 1 when some did (they are
 * retried by the next run), 2 on bad arguments.
 */
import { resolve } from 'node:path';
import { runDigest } from '../../../functions/alerts/digest.js';
import { buildAlertsDeps } from '../../../functions/alerts/deps.js';
import { loadTokenSecret } from '../../../shared/wiring/mail.js';
import { anyMailerFor } from '../../../shared/wiring/smtp-mail.js';
import { systemClock } from '../../../shared/clock.js';
import { loadConfig } from '../../../shared/config.js';
import { consoleLog } from '../../../shared/log.js';
import { EmbeddedSearchIndex } from '../../../shared/search/embedded-search-index.js';
import { DynamoDbSeriesStore } from '../../../shared/store/dynamodb-series-store.js';
import { DynamoDbSubscriptionStore } from '../../../shared/store/dynamodb-subscription-store.js';
import type { DigestRunReport } from '../../../functions/alerts/digest.js';
import { callRunningStack, findRunningStack } from '../../local/stack-control.js';
import { openItemStore } from '../open-document-client.js';

/**
 * The run's summary: one line of counts, then one line per subscriber held behind a young digest
 * intent (masked address tag, never the address) saying when its digest is resent.
 */
export function reportLines(report: DigestRunReport): string[] {
  const lines = [
    `subscriptions ${report.subscriptions}, due ${report.due}, sent ${report.sent}, resent ${report.resent}, ` +
      `empty ${report.empty}, raced ${report.raced}, held ${report.heldByIntent}, failed ${report.failed}; ` +
      `${report.changedItems} changed calls, ${report.distinctSearches} distinct searches`,
  ];
  if (report.heldByIntent > 0) {
    lines.push(
      `${report.heldByIntent} held behind a digest claimed by another run (still sending, or crashed: resent after the claim lease):`,
    );
    for (const held of report.held) {
      lines.push(
        `  ${held.subscriptionId} address ${held.address}: ${held.digestId} claimed ${held.claimedAt}, resent after ${held.resendAfter}`,
      );
    }
    const unlisted = report.heldByIntent - report.held.length;
    if (unlisted > 0) lines.push(`  … and ${unlisted} more`);
  }
  return lines;
}

export const usage = 'usage: chiiki digest [--trigger cycle|schedule]';

export async function run(args: string[]): Promise<number> {
  let trigger: 'cycle' | 'schedule' = 'schedule';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
    if (arg.startsWith('--trigger') && (value === 'cycle' || value === 'schedule')) trigger = value;
    else {
      console.error(usage);
      return 2;
    }
  }
  const config = loadConfig();
  const running = config.DYNAMODB_ENDPOINT === undefined ? findRunningStack(resolve(config.DATA_DIR)) : undefined;
  if (running) {
    console.error(`npm start is running on ${config.DATA_DIR} (pid ${running.pid}): the digest runs in it`);
    const report = await callRunningStack<DigestRunReport>(running, 'digest', { trigger });
    console.log(reportLines(report).join('\n'));
    return report.failed > 0 ? 1 : 0;
  }
  const log = consoleLog(config.LOG_LEVEL);
  const closers: Array<() => Promise<void>> = [];
  try {
    const { client, store: items } = await openItemStore(config, log, closers);
    const { digest } = buildAlertsDeps(config, {
      subscriptions: new DynamoDbSubscriptionStore({ client, tableName: config.TABLE_NAME }),
      items,
      series: new DynamoDbSeriesStore({ client, tableName: config.TABLE_NAME }),
      mailer: anyMailerFor(config),
      tokenSecret: await loadTokenSecret(config),
      scratchIndex: () => new EmbeddedSearchIndex({ clock: systemClock }),
      clock: systemClock,
      log,
    });
    const report = await runDigest(digest, { trigger });
    console.log(reportLines(report).join('\n'));
    return report.failed > 0 ? 1 : 0;
  } finally {
    for (const close of closers.reverse()) await close();
  }
}
