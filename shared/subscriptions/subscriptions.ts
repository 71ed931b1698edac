import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { ItemIdSchema, type ItemId } from '../domain/item.js';
import {
  emailHashOf,
  maxSavedSearches,
  newSubscriptionId,
  type Frequency,
  type SavedSearch,
  type Subscription,
  type SubscriptionId,
} from '../domain/subscription.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import type { Log } from '../log.js';
import type { Mailer } from '../mail/mailer.js';
import { renderConfirmation } from '../mail/render.js';
import type { ItemStore } from '../store/item-store.js';
import type { SubscriptionStore } from '../store/subscription-store.js';
import type { LinkBuilder } from './links.js';
import { addressRateKey, enforceRateLimits, type RateLimits } from './rate-limit.js';
import { describeSearchQuery, summariseSearch } from './search-summary.js';
import type { TokenSigner } from './tokens.js';

/** What the subscription functions need; built once by wiring (or the local stack, or a test). */
export interface SubscriptionDeps {
  readonly subscriptions: SubscriptionStore;
  readonly mailer: Mailer;
  readonly tokens: TokenSigner;
  readonly links: LinkBuilder;
  readonly clock: Clock;
  readonly log: Log;
  /** Keys the address hash (the token secret). */
  readonly hashSecret: string;
  readonly rateLimits?: RateLimits;
  /** Titles of calls for the link pages (mute, muted list); without it they show item ids. */
  readonly items?: Pick<ItemStore, 'get'>;
}

export interface SubscribeRequest {
  readonly email: string;
  readonly searches: readonly SavedSearch[];
  readonly frequency: Frequency;
  readonly reminderDays: readonly number[];
}

/** What the manage link shows: never the whole record (no digest bookkeeping). */
export interface SubscriptionView {
  readonly status: Subscription['status'];
  readonly email: string;
  readonly frequency: Frequency;
  readonly reminderDays: readonly number[];
  readonly searches: readonly { readonly params: string; readonly label: string }[];
  readonly muted: readonly ItemId[];
  readonly unsubscribeUrl: string;
}

/** First 12 hex chars of the address hash: the only trace of an address a log line may carry. */
export const addressTag = (emailHash: string) => emailHash.slice(0, 12);

/**
 * `POST /v1/subscriptions`: records the request as pending and mails a confirmation link.
 * Returns nothing, whatever the address's state (new, pending, active, unsubscribed, suppressed),
 * so the response cannot reveal whether an address is subscribed. Nothing but the confirmation
 * mail goes out before the address confirms; an already active subscriber's searches change only
 * when they confirm too. Throws `TooManyRequestsError` past the rate limits.
 */
export async function subscribe(deps: SubscriptionDeps, request: SubscribeRequest, clientId: string): Promise<void> {
  const now = deps.clock.now();
  const emailHash = emailHashOf(request.email, deps.hashSecret);
  const addressKey = addressRateKey(request.email, deps.hashSecret);
  await enforceRateLimits(deps.subscriptions, deps.rateLimits, { clientId, addressKey }, now);
  if (await deps.subscriptions.isSuppressed(emailHash)) {
    deps.log.info('subscription request for suppressed address ignored', { address: addressTag(emailHash) });
    return;
  }
  const pending = {
    nonce: randomBytes(8).toString('hex'),
    searches: [...request.searches],
    frequency: request.frequency,
    reminderDays: [...request.reminderDays],
    requestedAt: now.toISOString(),
  };
  let subscription: Subscription | undefined;
  for (let attempt = 0; attempt < 3 && subscription === undefined; attempt++) {
    const existing = await deps.subscriptions.findByEmailHash(emailHash);
    try {
      if (existing === undefined) {
        const created: Subscription = {
          id: newSubscriptionId(),
          email: request.email,
          emailHash,
          status: 'pending',
          searches: [],
          frequency: request.frequency,
          reminderDays: [...request.reminderDays],
          pending,
          createdAt: now.toISOString(),
          notified: {},
          muted: [],
          revision: 0,
        };
        await deps.subscriptions.create(created);
        subscription = created;
      } else if (existing.status === 'suppressed') {
        return;
      } else {
        subscription = await deps.subscriptions.save({ ...existing, pending });
      }
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  if (subscription === undefined) throw new ConflictError('subscription request raced with another; try again');
  const expiresAt = new Date(now.getTime() + 7 * 24 * 3600 * 1000).toISOString();
  await deps.mailer.send(
    renderConfirmation({
      to: request.email,
      confirmUrl: deps.links.confirm(subscription.id, pending.nonce, now),
      searches: pending.searches.map((s) => summariseSearch(s.query)),
      expiresAt,
    }),
  );
  deps.log.info('confirmation mail sent', { address: addressTag(emailHash), subscriptionId: subscription.id });
}

/** Reads, changes and conditionally writes a subscription, re-reading on a lost race. */
async function update(
  deps: Pick<SubscriptionDeps, 'subscriptions'>,
  id: SubscriptionId,
  change: (current: Subscription) => Subscription | undefined,
): Promise<Subscription> {
  for (let attempt = 0; ; attempt++) {
    const current = await deps.subscriptions.get(id);
    if (current === undefined) throw new NotFoundError('no such subscription; it may have been removed');
    const next = change(current);
    if (next === undefined) return current;
    try {
      return await deps.subscriptions.save(next);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 4) throw error;
    }
  }
}

function mergeSearches(current: readonly SavedSearch[], added: readonly SavedSearch[]): SavedSearch[] {
  const out = [...current];
  for (const search of added) if (!out.some((s) => s.params === search.params)) out.push(search);
  if (out.length > maxSavedSearches) {
    throw new InvalidInputError([
      {
        path: ['searches'],
        message: `a subscription holds at most ${maxSavedSearches} saved searches; remove some first`,
      },
    ]);
  }
  return out;
}

function toView(deps: Pick<SubscriptionDeps, 'links' | 'clock'>, subscription: Subscription): SubscriptionView {
  return {
    status: subscription.status,
    email: subscription.email,
    frequency: subscription.frequency,
    reminderDays: subscription.reminderDays,
    // Described from the query, so searches saved with older wording read like the rest.
    searches: subscription.searches.map(({ params, query }) => ({ params, label: describeSearchQuery(query) })),
    muted: subscription.muted,
    unsubscribeUrl: deps.links.subscriber(subscription.id, deps.clock.now()).unsubscribeUrl,
  };
}

/**
 * Confirmation link: applies the pending request (adds its searches, takes its frequency and
 * reminders) and activates the subscription. Digests start from now: nothing published before
 * the confirmation is mailed. Confirming the same link twice changes nothing.
 */
export async function confirm(deps: SubscriptionDeps, token: unknown): Promise<SubscriptionView> {
  const now = deps.clock.now();
  const claims = deps.tokens.verify(token, 'confirm', now);
  const updated = await update(deps, claims.subscriptionId, (current) => {
    if (current.status === 'suppressed') return undefined;
    if (current.pending === undefined || current.pending.nonce !== claims.ref) {
      if (current.status === 'active') return undefined;
      throw new InvalidInputError([
        { path: ['token'], message: 'the link is invalid or has expired; subscribe again' },
      ]);
    }
    const wasActive = current.status === 'active';
    const { pending: _applied, ...rest } = current;
    return {
      ...rest,
      status: 'active',
      searches: mergeSearches(wasActive ? current.searches : [], current.pending.searches),
      frequency: current.pending.frequency,
      reminderDays: current.pending.reminderDays,
      confirmedAt: wasActive ? current.confirmedAt : now.toISOString(),
      watermark: wasActive && current.watermark ? current.watermark : now.toISOString(),
      ...(wasActive ? {} : { notified: {}, unsubscribedAt: undefined }),
    };
  });
  deps.log.info('subscription confirmed', { subscriptionId: updated.id, address: addressTag(updated.emailHash) });
  return toView(deps, updated);
}

/** Manage link (GET): the subscriber's saved searches and settings. */
export async function showSubscription(deps: SubscriptionDeps, token: unknown): Promise<SubscriptionView> {
  const claims = deps.tokens.verify(token, 'manage', deps.clock.now());
  const subscription = await deps.subscriptions.get(claims.subscriptionId);
  if (subscription === undefined) throw new NotFoundError('no such subscription; it may have been removed');
  return toView(deps, subscription);
}

export interface SubscriptionChanges {
  readonly searches?: readonly SavedSearch[];
  readonly frequency?: Frequency;
  readonly reminderDays?: readonly number[];
  /** Items to show again. */
  readonly unmute?: readonly ItemId[];
}

/** Manage link (POST/PUT): replaces the searches, frequency or reminders the request names. */
export async function changeSubscription(
  deps: SubscriptionDeps,
  token: unknown,
  changes: SubscriptionChanges,
): Promise<SubscriptionView> {
  const claims = deps.tokens.verify(token, 'manage', deps.clock.now());
  const updated = await update(deps, claims.subscriptionId, (current) => {
    if (current.status !== 'active') {
      throw new ConflictError(`the subscription is ${current.status}; subscribe again to change it`);
    }
    return {
      ...current,
      ...(changes.searches ? { searches: mergeSearches([], changes.searches) } : {}),
      ...(changes.frequency ? { frequency: changes.frequency } : {}),
      ...(changes.reminderDays ? { reminderDays: [...changes.reminderDays] } : {}),
      ...(changes.unmute ? { muted: current.muted.filter((id) => !changes.unmute?.includes(id)) } : {}),
    };
  });
  deps.log.info('subscription changed', { subscriptionId: updated.id });
  return toView(deps, updated);
}

/**
 * One-click unsubscribe (RFC 8058 POST) and the visible link's button: no further mail of any
 * kind. Idempotent. Subscribing again needs a new confirmation.
 */
export async function unsubscribe(deps: SubscriptionDeps, token: unknown): Promise<void> {
  const now = deps.clock.now();
  const claims = deps.tokens.verify(token, 'unsubscribe', now);
  const updated = await update(deps, claims.subscriptionId, (current) => {
    if (current.status === 'unsubscribed' || current.status === 'suppressed') return undefined;
    const { pending: _dropped, ...rest } = current;
    return { ...rest, status: 'unsubscribed', unsubscribedAt: now.toISOString() };
  });
  deps.log.info('unsubscribed', { subscriptionId: updated.id });
}

/** "Mute this call": the item never appears in this subscriber's mail again. Idempotent. */
export async function mute(deps: SubscriptionDeps, token: unknown): Promise<{ muted: ItemId }> {
  const claims = deps.tokens.verify(token, 'mute', deps.clock.now());
  const itemId = ItemIdSchema.safeParse(claims.ref);
  if (!itemId.success)
    throw new InvalidInputError([{ path: ['token'], message: 'the link is invalid or has expired' }]);
  await update(deps, claims.subscriptionId, (current) => {
    if (current.muted.includes(itemId.data)) return undefined;
    const notified = { ...current.notified };
    delete notified[itemId.data];
    // Oldest mutes go first past 1,000 entries; by then those calls have long closed.
    return { ...current, muted: [...current.muted, itemId.data].slice(-1000), notified };
  });
  return { muted: itemId.data };
}
