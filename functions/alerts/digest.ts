import { createHash } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import { materialFields, type Item, type ItemId } from '../../shared/domain/item.js';
import type {
  DigestIntent,
  Notified,
  SavedSearch,
  Subscription,
  SubscriptionId,
} from '../../shared/domain/subscription.js';
import { ConflictError } from '../../shared/errors.js';
import type { Log } from '../../shared/log.js';
import type { Mailer } from '../../shared/mail/mailer.js';
import { renderDigest, type ChangedField, type DigestEntry } from '../../shared/mail/render.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import { toSearchDoc } from '../../shared/search/search-index.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import type { SubscriptionStore } from '../../shared/store/subscription-store.js';
import type { LinkBuilder } from '../../shared/subscriptions/links.js';
import { describeSearchQuery } from '../../shared/subscriptions/search-summary.js';
import { dueReminderDays, effectiveDeadline } from './reminders.js';
import { digestKinds, digestKindsOf, ScratchMatches } from './scratch-matches.js';
import {
  expireForecastRecords,
  ForecastCandidates,
  forecastLines,
  resolveStartedForecasts,
  type DigestSeriesStore,
} from './forecast-lines.js';
import { addressTag } from '../../shared/subscriptions/subscriptions.js';

/**
 * The digest job: ONE mail per subscriber per delivery, across all their saved searches, with
 * new calls since their watermark, material changes to calls they were told about (what changed,
 * from what to what), deadline reminders at their lead times, and once per forecast the programs
 * whose next round is expected soon (forecast-lines.ts). Muted items never appear.
 *
 * Matching. Saved searches are the `/v1/search` query model, so they run through a `SearchIndex`
 * for identical semantics (bigram phrase matching, facets, derived status). Rather than asking the
 * full index 3 × subscribers questions, the job loads the calls that are new or materially changed
 * since the oldest watermark (`ItemStore.listChangedSince`: one Query on the `changes` index),
 * puts them into a small in-memory scratch index, and runs each DISTINCT saved search once against
 * it. Cost grows with the changes per cycle and the number of distinct searches, not with the size
 * of the corpus, and the production OpenSearch domain sees no digest traffic at all.
 *
 * Exactly once, per subscriber, with conditional writes on the subscription's `revision`:
 * 1. claim: store a digest intent (`pendingDigest`) with its id (subscription id + window start +
 *    revision), the entries to render and the bookkeeping to commit. A concurrent run loses
 *    this write and skips the subscriber.
 * 2. send: the mail's Message-ID is `<digestId@domain>`.
 * 3. commit: advance the watermark to the window end, merge what was told, drop the intent.
 * A run that finds an intent left by a failed send, or older than the claim lease (a crash),
 * sends that very digest again — same id, same content — and commits it, and builds nothing new
 * for the subscriber in that run; a younger intent belongs to a run still going (or one that crashed
 * after claiming: then the mail waits up to the lease) and is skipped, counted and listed in the
 * run's report as `heldByIntent` / `held`. So an
 * item is never skipped (the watermark only moves past items in a committed digest) and never
 * sent twice (what was told is recorded in the same write that moves the watermark). The only
 * window for a duplicate is a crash after the transport accepted the mail and before the commit:
 * the outbox ignores the repeated Message-ID; an SMTP receiver may collapse it by Message-ID but
 * need not; SES has no idempotency key and sets its own Message-ID, so there a duplicate in that
 * window (milliseconds) is possible — losing the item instead would be worse.
 */

/** The item store calls the digest uses. */
export type DigestItemStore = Pick<ItemStore, 'listChangedSince' | 'get'>;

export interface DigestDeps {
  readonly subscriptions: SubscriptionStore;
  readonly items: DigestItemStore;
  readonly mailer: Mailer;
  readonly links: LinkBuilder;
  readonly clock: Clock;
  readonly log: Log;
  /** A new, empty, in-memory index (the embedded engine) to match changed items against saved searches. */
  readonly scratchIndex: () => SearchIndex;
  /** Domain of the digest Message-IDs. */
  readonly messageDomain: string;
  /**
   * Program series, for the forecast lines and the note on a forecast round that came
   * (forecast-lines.ts). Every place the alerts run passes it (deps.ts); without it a digest has
   * neither (the call-matching benchmarks).
   */
  readonly series?: DigestSeriesStore;
}

export interface DigestRunOptions {
  /** `cycle`: after a crawl cycle; `schedule`: the daily/weekly timer. Both deliver whatever is due. */
  readonly trigger?: 'cycle' | 'schedule';
  /** Subscribers processed at once. */
  readonly concurrency?: number;
  /** Only these shards (default: all); lets AWS fan shards out to several invocations. */
  readonly shards?: readonly number[];
}

export interface DigestRunReport {
  readonly subscriptions: number;
  readonly due: number;
  /** Digests built, claimed and sent in this run. */
  readonly sent: number;
  /** Digests from an earlier, interrupted run sent again and committed. */
  readonly resent: number;
  /** Due subscribers with nothing to tell (watermark advanced without mail). */
  readonly empty: number;
  /** Subscribers whose claim another run made first (a conditional write lost to it). */
  readonly raced: number;
  /**
   * Due subscribers skipped because they hold a digest intent younger than `claimLeaseMs`: its run
   * is still sending, or crashed after claiming, and then the intent is resent once the lease ends.
   */
  readonly heldByIntent: number;
  /** Up to `maxHeldListed` of them, addresses masked as the logs mask them. */
  readonly held: readonly HeldSubscriber[];
  readonly failed: number;
  /** Calls loaded as new or changed. */
  readonly changedItems: number;
  /** Distinct saved searches run against them. */
  readonly distinctSearches: number;
}

/** A subscriber skipped behind a young digest intent, as a run reports it. */
export interface HeldSubscriber {
  readonly subscriptionId: SubscriptionId;
  /** `addressTag` of the address hash: the logs' mask, never the address. */
  readonly address: string;
  readonly digestId: string;
  readonly claimedAt: string;
  /** When the claim lease ends and a run resends the intent. */
  readonly resendAfter: string;
}

/** How many held subscribers a report lists by id (the count is always complete). */
const maxHeldListed = 50;

const hourMs = 60 * 60 * 1000;
/**
 * How long a claim belongs to the run that made it (the digest Lambda's longest run). A run that
 * finds a younger intent leaves it alone — its owner may be sending right now; an older one was
 * left by a crashed run and is resent. A run whose send fails releases its claim at once.
 */
export const claimLeaseMs = 15 * 60 * 1000;
/**
 * Re-read this much before the watermark: an item written late by a crawl that started before the
 * last digest still gets in; `notified` keeps it from being told twice.
 */
const watermarkOverlapMs = hourMs;
const minIntervalMs = { immediate: 0, daily: 23 * hourMs, weekly: 7 * 24 * hourMs - hourMs } as const;
/** An idle subscriber's watermark is still moved this often, so its window stays short. */
const idleWatermarkMs = 24 * hourMs;
const maxNotified = 2000;
/**
 * New and changed calls one mail lists at most. Past it the digest stops at the first call left
 * out and the watermark moves only that far, so the rest comes in the next digest: nothing is
 * skipped, and nobody receives a mail of several hundred calls.
 */
const maxEntriesPerDigest = 100;

/** When the item was created or last changed materially (what the `changes` index sorts by). */
function changedAtOf(item: Item): number {
  let at = Date.parse(item.createdAt);
  for (const record of item.history) if (record.material) at = Math.max(at, Date.parse(record.at));
  return at;
}

/**
 * Digest id: subscriber + window start + the record revision it was claimed at. Unique per claim
 * (the revision only grows), and fixed in the intent, so a resend reuses it.
 */
function digestIdOf(id: SubscriptionId, windowStart: string, revision: number): string {
  return `dg_${createHash('sha256').update(`${id}|${windowStart}|${revision}`).digest('hex').slice(0, 32)}`;
}

/** Material fields that changed after `sinceVersion`, each from its first `before` to its last `after`. */
function materialChangesSince(item: Item, sinceVersion: number): ChangedField[] {
  const merged = new Map<string, { before: unknown; after: unknown }>();
  const records = item.history
    .filter((r) => r.version > sinceVersion && r.material)
    .sort((a, b) => a.version - b.version);
  for (const record of records) {
    for (const change of record.changes) {
      if (!(materialFields as readonly string[]).includes(change.field)) continue;
      const seen = merged.get(change.field);
      merged.set(change.field, { before: seen ? seen.before : change.before, after: change.after });
    }
  }
  return [...merged]
    .filter(([, c]) => JSON.stringify(c.before) !== JSON.stringify(c.after))
    .map(([field, c]) => ({ field, before: c.before, after: c.after }));
}

/** Changed calls loaded once per run and the matches of each distinct saved search among them. */
class ChangedCalls {
  private loadedFrom: number | undefined;
  private readonly byId = new Map<ItemId, Item>();
  private scratch: ScratchMatches;

  constructor(private readonly deps: DigestDeps) {
    this.scratch = this.newScratch();
  }

  private newScratch(): ScratchMatches {
    return new ScratchMatches(this.deps.scratchIndex, () => [...this.byId.values()].map((item) => toSearchDoc(item)));
  }

  get size(): number {
    return this.byId.size;
  }

  get distinctSearches(): number {
    return this.scratch.distinctSearches;
  }

  /** Makes sure every call changed at or after `since` is loaded. */
  async ensureFrom(since: number): Promise<void> {
    if (this.loadedFrom !== undefined && since >= this.loadedFrom) return;
    const from = new Date(since).toISOString();
    for (const kind of digestKinds) {
      let cursor: string | undefined;
      do {
        const page = await this.deps.items.listChangedSince(kind, from, cursor, 500);
        for (const item of page.items) this.byId.set(item.id, item);
        cursor = page.cursor;
      } while (cursor);
    }
    this.loadedFrom = since;
    this.scratch = this.newScratch();
  }

  get(id: ItemId): Item | undefined {
    return this.byId.get(id);
  }

  /** Ids of the loaded calls the saved search matches (every page). */
  match(search: SavedSearch): Promise<Set<ItemId>> {
    return this.scratch.match({ ...search.query, kinds: digestKindsOf(search) });
  }
}

/** What a subscriber's digest would hold, and the bookkeeping to commit with it. */
export interface BuiltDigest {
  readonly entries: DigestEntry[];
  /** The subscriber's whole `notified` map after this digest. */
  readonly notified: Record<string, Notified>;
  /** True when `notified` differs from the stored one. */
  readonly notifiedChanged: boolean;
  /** Set when `maxEntriesPerDigest` cut the digest short: the watermark must not move past this. */
  readonly until?: string;
}

/** Whether `closesAt` is a deadline (a call's), not the end of a theme's project period. */
function hasDeadline(item: Item): boolean {
  return item.kind !== 'theme';
}

/** Builds one subscriber's digest at `now` (no writes). */
async function buildDigest(
  deps: Pick<DigestDeps, 'items' | 'links'>,
  calls: Pick<ChangedCalls, 'get' | 'match'> & { ensureFrom(since: number): Promise<void> },
  forecasts: ForecastCandidates | undefined,
  subscription: Subscription,
  now: Date,
): Promise<BuiltDigest> {
  const since = Date.parse(subscription.watermark ?? now.toISOString()) - watermarkOverlapMs;
  await calls.ensureFrom(since);
  // Calls that reached the portal before the subscription was confirmed are not "new" to it.
  const startedAt = subscription.confirmedAt ? Date.parse(subscription.confirmedAt) : since;
  const muted = new Set(subscription.muted);
  const notified: Record<string, Notified> = { ...subscription.notified };
  let notifiedChanged = false;
  const entries: DigestEntry[] = [];

  // Which loaded calls each saved search matched, with the searches' labels.
  const matched = new Map<ItemId, string[]>();
  for (const search of subscription.searches) {
    for (const id of await calls.match(search)) {
      const labels = matched.get(id) ?? [];
      labels.push(describeSearchQuery(search.query));
      matched.set(id, labels);
    }
  }

  const entryOf = (item: Item, reason: DigestEntry['reason'], extra: Partial<DigestEntry> = {}): DigestEntry => {
    const dated = hasDeadline(item);
    const effective = dated ? effectiveDeadline(item) : undefined;
    return {
      reason,
      itemId: item.id,
      title: item.title,
      publisher: item.publisher,
      sourceUrl: item.url,
      recordUrl: deps.links.record(item.id),
      muteUrl: deps.links.mute(subscription.id, item.id, now),
      ...(dated && item.opensAt ? { opensAt: item.opensAt } : {}),
      ...(dated && item.closesAt ? { closesAt: item.closesAt } : {}),
      ...(item.requiresRegistration ? { requiresRegistration: item.requiresRegistration } : {}),
      ...(effective?.registrationLeadDays !== undefined
        ? { effectiveDeadline: effective.at, registrationLeadDays: effective.registrationLeadDays }
        : {}),
      ...extra,
    };
  };
  // Lead times already passed when the subscriber first hears of a deadline count as reminded.
  const remindedNow = (item: Item): number[] => {
    const effective = hasDeadline(item) ? effectiveDeadline(item) : undefined;
    return effective ? dueReminderDays(effective.at, subscription.reminderDays, [], now) : [];
  };

  const order = [...matched.keys()]
    .map((id) => calls.get(id))
    .filter((item): item is Item => item !== undefined)
    .sort((a, b) => changedAtOf(a) - changedAtOf(b) || a.id.localeCompare(b.id));
  let until: string | undefined;
  for (const item of order) {
    if (muted.has(item.id) || changedAtOf(item) < since) continue;
    if (entries.length >= maxEntriesPerDigest) {
      until = new Date(changedAtOf(item)).toISOString();
      break;
    }
    const told = notified[item.id];
    if (told === undefined) {
      // New to this subscriber only if new to the portal in the window and still open (a theme: still under way).
      if (Date.parse(item.createdAt) < Math.max(since, startedAt)) continue;
      if (item.closesAt && Date.parse(item.closesAt) < now.getTime()) continue;
      entries.push(entryOf(item, 'new', { matchedSearches: matched.get(item.id) }));
      notified[item.id] = {
        version: item.version,
        ...(hasDeadline(item) && item.closesAt ? { closesAt: item.closesAt } : {}),
        ...(item.requiresRegistration ? { registration: true } : {}),
        remindedDays: remindedNow(item),
      };
      notifiedChanged = true;
      continue;
    }
    if (item.version <= told.version) continue;
    // A theme's moved period is not a moved deadline; its other material changes (budget) still count.
    const changes = materialChangesSince(item, told.version).filter(
      (c) => hasDeadline(item) || (c.field !== 'opensAt' && c.field !== 'closesAt'),
    );
    const deadline = hasDeadline(item) ? item.closesAt : undefined;
    const deadlineMoved = told.closesAt !== deadline;
    notified[item.id] = {
      version: item.version,
      ...(deadline ? { closesAt: deadline } : {}),
      ...(item.requiresRegistration ? { registration: true } : {}),
      remindedDays: deadlineMoved ? remindedNow(item) : told.remindedDays,
    };
    notifiedChanged = true;
    if (changes.length > 0) entries.push(entryOf(item, 'changed', { changes, matchedSearches: matched.get(item.id) }));
  }

  if (forecasts) {
    // A new call that is the round a told forecast announced says so; then the programs expected soon.
    if (await resolveStartedForecasts(forecasts, entries, notified)) notifiedChanged = true;
    const told = await forecastLines(forecasts, deps.links, subscription, notified, now);
    entries.push(...told.entries);
    if (told.changed) notifiedChanged = true;
  }

  // Reminders for calls the subscriber was told about, counted from the effective deadline.
  for (const [id, told] of Object.entries(notified)) {
    if (told.closesAt === undefined || muted.has(id as ItemId)) continue;
    const effective = effectiveDeadline({
      closesAt: told.closesAt,
      requiresRegistration: told.registration ? 'e-rad' : undefined,
    });
    if (!effective) continue;
    const due = dueReminderDays(effective.at, subscription.reminderDays, told.remindedDays, now);
    if (due.length === 0) continue;
    const item = calls.get(id as ItemId) ?? (await deps.items.get(id as ItemId));
    notified[id] = { ...told, remindedDays: [...told.remindedDays, ...due] };
    notifiedChanged = true;
    if (item === undefined || item.withdrawnAt !== undefined) continue;
    entries.push(entryOf(item, 'reminder', { reminderDays: Math.min(...due) }));
  }

  // Forget calls closed more than a day ago; cap the map.
  for (const [id, told] of Object.entries(notified)) {
    if (told.closesAt && Date.parse(told.closesAt) < now.getTime() - 24 * hourMs) {
      delete notified[id];
      notifiedChanged = true;
    }
  }
  if (expireForecastRecords(notified, now)) notifiedChanged = true;
  const ids = Object.keys(notified);
  if (ids.length > maxNotified) {
    for (const id of ids.slice(0, ids.length - maxNotified)) delete notified[id];
    notifiedChanged = true;
  }
  return { entries, notified, notifiedChanged, ...(until ? { until } : {}) };
}

function isDue(subscription: Subscription, now: Date): boolean {
  if (subscription.status !== 'active' || subscription.watermark === undefined) return false;
  const last = Date.parse(subscription.lastDigestAt ?? subscription.confirmedAt ?? subscription.watermark);
  return now.getTime() - last >= minIntervalMs[subscription.frequency];
}

type Outcome = 'sent' | 'resent' | 'empty' | 'raced' | 'held' | 'failed' | 'skipped';

/** Runs one digest delivery over every (or the given) shard. */
export async function runDigest(deps: DigestDeps, options: DigestRunOptions = {}): Promise<DigestRunReport> {
  const now = deps.clock.now();
  const calls = new ChangedCalls(deps);
  const forecasts = deps.series ? new ForecastCandidates({ ...deps, series: deps.series }, now) : undefined;
  const counts: Record<Outcome, number> = { sent: 0, resent: 0, empty: 0, raced: 0, held: 0, failed: 0, skipped: 0 };
  const held: HeldSubscriber[] = [];
  const onHeld = (subscriber: HeldSubscriber) => {
    if (held.length < maxHeldListed) held.push(subscriber);
  };
  let subscriptions = 0;
  let due = 0;
  const shards = options.shards ?? Array.from({ length: deps.subscriptions.shardCount }, (_, i) => i);
  const concurrency = options.concurrency ?? 8;

  const work: Subscription[] = [];
  const drain = async () => {
    const batch = work.splice(0, work.length);
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const subscription = batch[next++] as Subscription;
        counts[await deliver(deps, calls, forecasts, subscription, now, onHeld)] += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
  };

  for (const shard of shards) {
    let cursor: string | undefined;
    do {
      const page = await deps.subscriptions.listShard(shard, cursor, 200);
      for (const subscription of page.items) {
        subscriptions += 1;
        if (subscription.pendingDigest !== undefined || isDue(subscription, now)) {
          due += 1;
          work.push(subscription);
        }
      }
      cursor = page.cursor;
      await drain();
    } while (cursor);
  }
  const report: DigestRunReport = {
    subscriptions,
    due,
    sent: counts.sent,
    resent: counts.resent,
    empty: counts.empty,
    raced: counts.raced,
    heldByIntent: counts.held,
    held: [...held].sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId)),
    failed: counts.failed,
    changedItems: calls.size,
    distinctSearches: calls.distinctSearches,
  };
  deps.log.info('digest run finished', { trigger: options.trigger ?? 'cycle', ...report });
  return report;
}

/** Claim → send → commit for one subscriber; never throws (a failure leaves the claim for the next run). */
async function deliver(
  deps: DigestDeps,
  calls: ChangedCalls,
  forecasts: ForecastCandidates | undefined,
  listed: Subscription,
  now: Date,
  onHeld: (subscriber: HeldSubscriber) => void,
): Promise<Outcome> {
  try {
    const current = await deps.subscriptions.get(listed.id);
    if (current === undefined) return 'skipped';
    if (current.pendingDigest !== undefined) {
      const claimedAt = Date.parse(current.pendingDigest.claimedAt);
      if (now.getTime() - claimedAt < claimLeaseMs) {
        onHeld({
          subscriptionId: current.id,
          address: addressTag(current.emailHash),
          digestId: current.pendingDigest.id,
          claimedAt: current.pendingDigest.claimedAt,
          resendAfter: new Date(claimedAt + claimLeaseMs).toISOString(),
        });
        return 'held';
      }
      return await resend(deps, current, current.pendingDigest);
    }
    if (!isDue(current, now)) return 'skipped';
    if (await deps.subscriptions.isSuppressed(current.emailHash)) {
      await deps.subscriptions.save({ ...current, status: 'suppressed' });
      return 'skipped';
    }
    const built = await buildDigest(deps, calls, forecasts, current, now);
    const until = built.until ?? now.toISOString();
    if (built.entries.length === 0) {
      const stale = now.getTime() - Date.parse(current.watermark ?? until) >= idleWatermarkMs;
      if (built.notifiedChanged || stale || current.frequency !== 'immediate') {
        await deps.subscriptions.save({
          ...current,
          notified: built.notified,
          watermark: until,
          lastDigestAt: now.toISOString(),
        });
      }
      return 'empty';
    }
    const intent: DigestIntent = {
      id: digestIdOf(current.id, current.watermark ?? until, current.revision),
      at: now.toISOString(),
      until,
      entries: built.entries,
      notified: built.notified,
      claimedAt: now.toISOString(),
    };
    let claimed: Subscription;
    try {
      claimed = await deps.subscriptions.save({ ...current, pendingDigest: intent });
    } catch (error) {
      if (error instanceof ConflictError) return 'raced';
      throw error;
    }
    try {
      await send(deps, claimed, intent);
    } catch (error) {
      // Release the claim so the next run resends this digest without waiting for the lease.
      await deps.subscriptions
        .save({ ...claimed, pendingDigest: { ...intent, claimedAt: new Date(0).toISOString() } })
        .catch(() => undefined);
      throw error;
    }
    await commit(deps, claimed, intent);
    return 'sent';
  } catch (error) {
    deps.log.error('digest delivery failed', {
      subscriptionId: listed.id,
      address: addressTag(listed.emailHash),
      error,
    });
    return 'failed';
  }
}

async function resend(deps: DigestDeps, current: Subscription, intent: DigestIntent): Promise<Outcome> {
  if (current.status !== 'active' || (await deps.subscriptions.isSuppressed(current.emailHash))) {
    // Unsubscribed or suppressed since the claim: drop the digest, send nothing.
    const { pendingDigest: _dropped, ...rest } = current;
    await deps.subscriptions.save(rest);
    return 'skipped';
  }
  await send(deps, current, intent);
  await commit(deps, current, intent);
  deps.log.info('interrupted digest resent', { subscriptionId: current.id, digestId: intent.id });
  return 'resent';
}

async function send(deps: DigestDeps, subscription: Subscription, intent: DigestIntent): Promise<void> {
  await deps.mailer.send(
    renderDigest({
      to: subscription.email,
      entries: intent.entries,
      links: deps.links.subscriber(subscription.id, new Date(intent.at)),
      at: intent.at,
      digestId: intent.id,
      messageDomain: deps.messageDomain,
    }),
  );
}

/** Moves the watermark and records what was told, in one conditional write; retries if the record moved meanwhile. */
async function commit(deps: DigestDeps, claimed: Subscription, intent: DigestIntent): Promise<void> {
  let current = claimed;
  for (let attempt = 0; ; attempt++) {
    if (current.pendingDigest?.id !== intent.id) return;
    const { pendingDigest: _done, ...rest } = current;
    const notified = { ...intent.notified };
    // A mute that arrived after the claim wins over the claim's bookkeeping.
    for (const id of current.muted) delete notified[id];
    try {
      await deps.subscriptions.save({
        ...rest,
        notified,
        watermark: intent.until,
        lastDigestId: intent.id,
        lastDigestAt: intent.at,
      });
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 4) throw error;
      const fresh = await deps.subscriptions.get(claimed.id);
      if (fresh === undefined) return;
      current = fresh;
    }
  }
}
