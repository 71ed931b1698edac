/**
 * Child process for digest crash tests:
 * `node --import tsx digest-crash-child.ts <endpoint> <table> <outboxDir> <step> <nowIso>`
 * runs one digest against the alerts harness's store (same table, 4 shards, same token secret)
 * with the outbox transport, and kills itself with SIGKILL right after the outbox `step`
 * (reserve | write | link) of the first mail: no `finally`, no release of the claim, no commit.
 * Subscribers are taken one at a time, so exactly one is claimed when the process dies.
 */
import { runDigest } from '../../functions/alerts/digest.js';
import { FixedClock } from '../../shared/clock.js';
import { silentLog } from '../../shared/log.js';
import { OutboxMailer } from '../../shared/mail/outbox-mailer.js';
import { EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSubscriptionStore } from '../../shared/store/dynamodb-subscription-store.js';
import { LinkBuilder } from '../../shared/subscriptions/links.js';
import { TokenSigner } from '../../shared/subscriptions/tokens.js';
import { baseUrl, secret } from './alerts-harness.js';
import { countingDocumentClient } from './dynalite.js';

const [endpoint, tableName, dir, step, now] = process.argv.slice(2);
if (!endpoint || !tableName || !dir || !step || !now) {
  throw new Error('usage: digest-crash-child.ts <endpoint> <table> <outboxDir> <step> <nowIso>');
}

const clock = new FixedClock(now);
const { client } = countingDocumentClient(endpoint);
await runDigest(
  {
    subscriptions: new DynamoDbSubscriptionStore({ client, tableName, shardCount: 4 }),
    items: new DynamoDbItemStore({ client, tableName, clock }),
    mailer: new OutboxMailer({
      dir,
      from: 'alerts@portal.example.jp',
      afterStep: (reached) => {
        if (reached === step) process.kill(process.pid, 'SIGKILL');
      },
    }),
    links: new LinkBuilder({ baseUrl, tokens: new TokenSigner(secret) }),
    clock,
    log: silentLog,
    scratchIndex: () => new EmbeddedSearchIndex({ clock }),
    messageDomain: 'portal.example.jp',
  },
  // One subscriber at a time: the kill comes in the first one's send, before any other is claimed.
  { concurrency: 1 },
);
// Reaching here means the step never came: the parent sees exit code 3, not SIGKILL.
process.exit(3);
