import { LinkBuilder } from '../../shared/subscriptions/links.js';
import { runDigest, type DigestDeps, type DigestRunReport } from '../../functions/alerts/digest.js';
import { confirm, subscribe, type SubscriptionDeps } from '../../shared/subscriptions/subscriptions.js';
import { TokenSigner } from '../../shared/subscriptions/tokens.js';
import { FixedClock } from '../../shared/clock.js';
import type { ItemDraft } from '../../shared/domain/item.js';
import type { Frequency, SavedSearch } from '../../shared/domain/subscription.js';
import { RecordingLog } from '../../shared/log.js';
import type { MailMessage, Mailer, SentMail } from '../../shared/mail/mailer.js';
import { EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSubscriptionStore } from '../../shared/store/dynamodb-subscription-store.js';
import {
  countingDocumentClient,
  startDynalite,
  type CountingDocumentClient,
  type RunningDynalite,
} from './dynalite.js';

/** A mailer that keeps every message; `failAfter` makes it throw once that many were sent. */
export class RecordingMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  failAfter: number | undefined;
  async send(message: MailMessage): Promise<SentMail> {
    if (this.failAfter !== undefined && this.sent.length >= this.failAfter) throw new Error('smtp connection lost');
    this.sent.push(message);
    return { messageId: message.messageId ?? `<${this.sent.length}@test>` };
  }
  to(address: string): MailMessage[] {
    return this.sent.filter((m) => m.to === address);
  }
}

export const secret = 'alerts-test-secret-0123456789';
export const baseUrl = 'https://portal.example.jp';

/** A saved search for `q` (the shape the API's subscription route builds). */
export function savedSearch(text: string): SavedSearch {
  return { params: `q=${encodeURIComponent(text)}`, label: text, query: { text } };
}

/**
 * The alerts stack on dynalite: item store, subscription store, embedded scratch index, a
 * recording mailer for confirmations and one for digests, all on one fixed clock.
 */
export interface AlertsHarness {
  /** The dynalite endpoint and table, for a child process that works on the same store. */
  readonly endpoint: string;
  readonly tableName: string;
  readonly clock: FixedClock;
  readonly items: DynamoDbItemStore;
  readonly subscriptions: DynamoDbSubscriptionStore;
  readonly confirmations: RecordingMailer;
  readonly digests: RecordingMailer;
  readonly log: RecordingLog;
  readonly subscriptionDeps: SubscriptionDeps;
  readonly digestDeps: DigestDeps;
  /** Subscribes and confirms through the same functions the API calls; returns the address. */
  subscribeConfirmed(
    email: string,
    searches: SavedSearch[],
    options?: { frequency?: Frequency; reminderDays?: number[] },
  ): Promise<string>;
  crawl(drafts: ItemDraft[]): Promise<void>;
  digest(overrides?: Partial<DigestDeps>): Promise<DigestRunReport>;
  stop(): Promise<void>;
}

export async function startAlertsHarness(start = '2025-05-01T00:00:00Z'): Promise<AlertsHarness> {
  const dynalite: RunningDynalite = await startDynalite();
  const documents: CountingDocumentClient = countingDocumentClient(dynalite.endpoint);
  const clock = new FixedClock(start);
  const tableName = 'alerts';
  const items = new DynamoDbItemStore({ client: documents.client, tableName, clock });
  await items.ensureTable();
  const subscriptions = new DynamoDbSubscriptionStore({ client: documents.client, tableName, shardCount: 4 });
  const tokens = new TokenSigner(secret);
  const links = new LinkBuilder({ baseUrl, tokens });
  const log = new RecordingLog();
  const confirmations = new RecordingMailer();
  const digests = new RecordingMailer();
  const subscriptionDeps: SubscriptionDeps = {
    subscriptions,
    mailer: confirmations,
    tokens,
    links,
    clock,
    log,
    hashSecret: secret,
    rateLimits: { perAddress: 100, perClient: 1000, windowSec: 3600 },
  };
  const digestDeps: DigestDeps = {
    subscriptions,
    items,
    mailer: digests,
    links,
    clock,
    log,
    scratchIndex: () => new EmbeddedSearchIndex({ clock }),
    messageDomain: 'portal.example.jp',
  };
  return {
    endpoint: dynalite.endpoint,
    tableName,
    clock,
    items,
    subscriptions,
    confirmations,
    digests,
    log,
    subscriptionDeps,
    digestDeps,
    async subscribeConfirmed(email, searches, options = {}) {
      await subscribe(
        subscriptionDeps,
        { email, searches, frequency: options.frequency ?? 'immediate', reminderDays: options.reminderDays ?? [14, 3] },
        '198.51.100.7',
      );
      const mail = confirmations.to(email).at(-1);
      const token = mail ? /confirm\?token=([^\s]+)/.exec(mail.text)?.[1] : undefined;
      if (!token) throw new Error('no confirmation mail');
      await confirm(subscriptionDeps, decodeURIComponent(token));
      return email;
    },
    async crawl(drafts) {
      await items.upsert(drafts.map((d) => ({ ...d, seenAt: clock.now().toISOString() })));
    },
    digest: (overrides = {}) => runDigest({ ...digestDeps, ...overrides }),
    async stop() {
      documents.destroy();
      await dynalite.stop();
    },
  };
}

/** The token of a link in a mail's text part, e.g. `linkToken(mail, 'unsubscribe')`. */
export function linkToken(mail: MailMessage, path: 'manage' | 'unsubscribe' | 'mute' | 'confirm'): string {
  const token = new RegExp(`/v1/subscriptions/${path}\\?token=([^\\s"&]+)`).exec(mail.text)?.[1];
  if (!token) throw new Error(`no ${path} link in mail`);
  return decodeURIComponent(token);
}
