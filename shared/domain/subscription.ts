import { createHmac, randomBytes } from 'node:crypto';
import * as z from 'zod';
import { IsoInstantSchema, ItemIdSchema } from './item.js';
import { SearchQuerySchema } from './search-query.js';

/**
 * Alert subscriptions: one address, several saved searches, one digest mail per delivery.
 * An address receives nothing but the confirmation mail until it confirms (double opt-in).
 */

/** `sub_` + 24 hex chars, random. */
export const SubscriptionIdSchema = z
  .string()
  .regex(/^sub_[0-9a-f]{24}$/, 'expected a subscription id such as sub_0123456789abcdef01234567')
  .brand<'SubscriptionId'>();
export type SubscriptionId = z.infer<typeof SubscriptionIdSchema>;

export function newSubscriptionId(): SubscriptionId {
  return `sub_${randomBytes(12).toString('hex')}` as SubscriptionId;
}

/** `immediate`: after every crawl cycle; `daily` and `weekly`: at most one digest per day / week. */
export const FrequencySchema = z.enum(['immediate', 'daily', 'weekly']);
export type Frequency = z.infer<typeof FrequencySchema>;

/** Days before the (effective) deadline at which a reminder goes out, e.g. `[14, 3]`. */
export const ReminderDaysSchema = z
  .array(z.number().int().min(1).max(60))
  .max(5)
  .transform((days) => [...new Set(days)].sort((a, b) => b - a));

export const defaultReminderDays = [14, 3];

/** The address as we compare and store it: trimmed, domain lower-cased. */
export const EmailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .transform((email) => {
    const at = email.lastIndexOf('@');
    return `${email.slice(0, at)}@${email.slice(at + 1).toLowerCase()}`;
  });

/**
 * A saved search: the same parameters as `/v1/search`, kept both as the canonical query string
 * (what the manage page shows and edits) and as the parsed query model the digest runs.
 * `size`, `cursor` and `sort` do not matter to a digest and are dropped.
 */
export const SavedSearchSchema = z.strictObject({
  /** Canonical `/v1/search` query string, e.g. `q=半導体&status=open`. */
  params: z.string().max(2000),
  /** Human label for mails, e.g. `半導体 / 公募中 / 東京都`. */
  label: z.string().max(300),
  query: SearchQuerySchema.omit({ size: true, cursor: true, sort: true }),
});
export type SavedSearch = z.infer<typeof SavedSearchSchema>;

export const maxSavedSearches = 10;

/**
 * What the subscriber was told about one item: the version they saw, its deadline then, and the
 * reminder lead times already sent for that deadline (reset when the deadline moves).
 */
export const NotifiedSchema = z.strictObject({
  version: z.number().int().positive(),
  closesAt: IsoInstantSchema.optional(),
  registration: z.boolean().optional(),
  remindedDays: z.array(z.number().int()),
});
export type Notified = z.infer<typeof NotifiedSchema>;

/** A Tokyo-day window of a forecast, `YYYY-MM-DD` both ends. */
const DayWindowSchema = z.strictObject({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});

/** One item of a digest as stored in a digest intent (rendered again on a resend). */
const DigestEntrySchema = z.strictObject({
  /** `forecast`: a program's next round is expected (見込み); the entry's item is its newest round. */
  reason: z.enum(['new', 'changed', 'reminder', 'forecast']),
  itemId: z.string(),
  title: z.string(),
  publisher: z.string(),
  sourceUrl: z.string(),
  recordUrl: z.string(),
  muteUrl: z.string(),
  opensAt: IsoInstantSchema.optional(),
  closesAt: IsoInstantSchema.optional(),
  requiresRegistration: z.string().optional(),
  effectiveDeadline: IsoInstantSchema.optional(),
  registrationLeadDays: z.number().int().optional(),
  changes: z
    .array(z.strictObject({ field: z.string(), before: z.unknown(), after: z.unknown() }))
    .readonly()
    .optional(),
  reminderDays: z.number().int().optional(),
  matchedSearches: z.array(z.string()).readonly().optional(),
  /** For `forecast`: the series' expected windows and the 「見込み」 sentence with its basis. */
  forecast: z
    .strictObject({
      seriesId: z.string(),
      opens: DayWindowSchema,
      closes: DayWindowSchema.optional(),
      text: z.string(),
    })
    .optional(),
  /** For `new`: the program's name when the call is the round of a forecast the subscriber was told. */
  forecastStarted: z.string().optional(),
});

/**
 * A digest claimed but not yet committed. Written (conditionally) before the mail is sent; a
 * rerun that finds it sends exactly this digest again (same id, same Message-ID, same content)
 * instead of building a new one, then commits it.
 */
export const DigestIntentSchema = z.strictObject({
  /** Deterministic: subscription id + the window's start (the watermark it was built from). */
  id: z.string().regex(/^dg_[0-9a-f]{32}$/),
  /** The digest's time; countdowns in the mail count from it. */
  at: IsoInstantSchema,
  /** The watermark after commit. */
  until: IsoInstantSchema,
  entries: z.array(DigestEntrySchema),
  /** `notified` entries to merge on commit. */
  notified: z.record(z.string(), NotifiedSchema),
  claimedAt: IsoInstantSchema,
});
export type DigestIntent = z.infer<typeof DigestIntentSchema>;

/** Searches, frequency and reminders that wait for the address to confirm. */
const PendingChangeSchema = z.strictObject({
  /** Random; bound into the confirmation token so an older link cannot confirm a newer request. */
  nonce: z.string().regex(/^[0-9a-f]{16}$/),
  searches: z.array(SavedSearchSchema).min(1).max(maxSavedSearches),
  frequency: FrequencySchema,
  reminderDays: z.array(z.number().int()),
  requestedAt: IsoInstantSchema,
});

export const SubscriptionStatusSchema = z.enum(['pending', 'active', 'unsubscribed', 'suppressed']);

export const SubscriptionSchema = z.strictObject({
  id: SubscriptionIdSchema,
  email: z.string(),
  /** `emailHashOf(email)`: the lookup key and the only form of the address that may be logged (prefix). */
  emailHash: z.string().regex(/^[0-9a-f]{64}$/),
  status: SubscriptionStatusSchema,
  searches: z.array(SavedSearchSchema).max(maxSavedSearches),
  frequency: FrequencySchema,
  reminderDays: z.array(z.number().int()),
  pending: PendingChangeSchema.optional(),
  createdAt: IsoInstantSchema,
  confirmedAt: IsoInstantSchema.optional(),
  unsubscribedAt: IsoInstantSchema.optional(),
  /** Items changed at or after this instant are not yet digested. Set on confirmation. */
  watermark: IsoInstantSchema.optional(),
  lastDigestId: z.string().optional(),
  lastDigestAt: IsoInstantSchema.optional(),
  /**
   * Items the subscriber has been told about, by item id; and forecasts told, one record per
   * series and expected window under `forecast:<seriesId>:<from>:<to>` (functions/alerts/forecast-lines.ts).
   */
  notified: z.record(z.string(), NotifiedSchema),
  /** "Mute this call": these items never appear again. */
  muted: z.array(ItemIdSchema),
  pendingDigest: DigestIntentSchema.optional(),
  /** Incremented by every write; each write is conditional on the value read (optimistic locking). */
  revision: z.number().int().nonnegative(),
});
export type Subscription = z.infer<typeof SubscriptionSchema>;

/** Keyed hash of an address (HMAC-SHA256 with the token secret, so it is no dictionary key for outsiders). */
export function emailHashOf(email: string, secret: string): string {
  return createHmac('sha256', secret).update(`email:${email.toLowerCase()}`).digest('hex');
}
