import * as z from 'zod';
import type { Clock } from '../../shared/clock.js';
import { emailHashOf } from '../../shared/domain/subscription.js';
import { ConflictError } from '../../shared/errors.js';
import type { Log } from '../../shared/log.js';
import { parseInput } from '../../shared/parse-input.js';
import type { SubscriptionStore } from '../../shared/store/subscription-store.js';
import { addressTag } from '../../shared/subscriptions/subscriptions.js';

/**
 * SES bounce and complaint notifications, as SNS delivers them to a Lambda. Both SES formats are
 * read: configuration-set event publishing (`eventType`) and identity notifications
 * (`notificationType`). Only the fields we act on are parsed; the rest passes through.
 */
const RecipientSchema = z.object({ emailAddress: z.string().min(3) });

export const SesNotificationSchema = z.object({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  mail: z.object({ messageId: z.string(), timestamp: z.string() }),
  bounce: z
    .object({
      bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
      bounceSubType: z.string().optional(),
      bouncedRecipients: z.array(RecipientSchema).min(1),
      timestamp: z.string(),
    })
    .optional(),
  complaint: z
    .object({
      complainedRecipients: z.array(RecipientSchema).min(1),
      complaintFeedbackType: z.string().optional(),
      timestamp: z.string(),
    })
    .optional(),
});
export type SesNotification = z.infer<typeof SesNotificationSchema>;

/** The Lambda event SNS sends (only what we read). */
const SnsEventSchema = z.object({
  Records: z.array(
    z.object({
      EventSource: z.literal('aws:sns'),
      Sns: z.object({ MessageId: z.string(), Type: z.literal('Notification'), Message: z.string() }),
    }),
  ),
});

export interface SesEventDeps {
  readonly subscriptions: SubscriptionStore;
  readonly hashSecret: string;
  readonly clock: Clock;
  readonly log: Log;
}

/**
 * Suppresses every address that bounced permanently or complained: the address gets no mail of
 * any kind again (confirmation mails included) and its subscription, if any, is marked
 * `suppressed`. Transient and undetermined bounces are only logged (SES retries those itself).
 * Returns how many addresses were suppressed. Idempotent: SNS may deliver a notification twice.
 */
async function applySesNotification(deps: SesEventDeps, notification: SesNotification): Promise<number> {
  const type = notification.eventType ?? notification.notificationType;
  let addresses: string[] = [];
  let reason: 'bounce' | 'complaint';
  if (type === 'Bounce' && notification.bounce) {
    if (notification.bounce.bounceType !== 'Permanent') {
      deps.log.info('transient bounce ignored', { bounceType: notification.bounce.bounceType });
      return 0;
    }
    addresses = notification.bounce.bouncedRecipients.map((r) => r.emailAddress);
    reason = 'bounce';
  } else if (type === 'Complaint' && notification.complaint) {
    addresses = notification.complaint.complainedRecipients.map((r) => r.emailAddress);
    reason = 'complaint';
  } else {
    deps.log.debug('ses notification ignored', { type });
    return 0;
  }
  const at = deps.clock.now().toISOString();
  for (const address of addresses) {
    const emailHash = emailHashOf(address.trim(), deps.hashSecret);
    await deps.subscriptions.suppress(emailHash, reason, at);
    for (let attempt = 0; attempt < 5; attempt++) {
      const subscription = await deps.subscriptions.findByEmailHash(emailHash);
      if (subscription === undefined || subscription.status === 'suppressed') break;
      try {
        const { pending: _dropped, ...rest } = subscription;
        await deps.subscriptions.save({ ...rest, status: 'suppressed' });
        break;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    deps.log.info('address suppressed', { reason, address: addressTag(emailHash) });
  }
  return addresses.length;
}

/** Parses an SNS event and applies each SES notification in it. */
export async function applySesEvent(deps: SesEventDeps, event: unknown): Promise<number> {
  const parsed = parseInput(SnsEventSchema, event);
  let suppressed = 0;
  for (const [index, record] of parsed.Records.entries()) {
    const message = parseInput(SesNotificationSchema, JSON.parse(record.Sns.Message), [
      'Records',
      index,
      'Sns',
      'Message',
    ]);
    suppressed += await applySesNotification(deps, message);
  }
  return suppressed;
}
