import {
  contentHashOf,
  contentOf,
  diffContent,
  itemIdFor,
  type ChangeRecord,
  type Item,
  type ItemContent,
  type ItemDraft,
  type ItemId,
  type Provenance,
} from './item.js';

/**
 * Item identity and merge: when a crawled draft is the same call as a stored item, and what the
 * stored item becomes after seeing it. Plain functions over values; the store adapter reads what
 * they need, calls them, and persists their decisions with its own conditional writes and retries.
 *
 * Identity: a draft's id is derived from its canonical URL. A draft whose URL is new joins an
 * existing item through an alias (a permanent pointer from its id) or, within
 * `titleMergeWindowMs`, through the publisher + title key, but only when another source holds
 * the item: the same source listing a second page under the same title is a different item.
 *
 * Content ownership: the first non-withdrawn source in `provenance` owns the content. Drafts from
 * other sources add their provenance entry but never overwrite content, so two sources that
 * extract slightly different text do not flip the item back and forth on every crawl.
 */

/** How long a title key merges a draft with a new URL into an existing item. */
export const titleMergeWindowMs = 30 * 24 * 60 * 60 * 1000;
/** Change records kept per item, newest first. */
export const historyLimit = 20;
/** Longest string kept as a before/after value in a history entry. */
export const historySnapshotChars = 300;

/** A stored item and the time of its last material change (`createdAt` until the first one). */
export interface StoredItem {
  readonly item: Item;
  readonly changedAt: string;
}

/** A publisher + title key's claim: the item it points at and when that item was first seen. */
export interface TitleClaim {
  readonly itemId: string;
  readonly firstSeenAt: string;
}

/** The stored item a draft was matched to, and whether the match came through the title key. */
export interface ItemMatch {
  readonly stored: StoredItem;
  readonly viaTitle: boolean;
}

/**
 * What to persist after seeing a draft:
 * - `new`: no stored item matched; write `item` (it must not exist yet).
 * - `unchanged`: nothing to write (same content, or content from a source that does not own it,
 *   from a source already in the provenance).
 * - `updated`: write `item` over `previous` (version `previous.version`). `change` is the history
 *   entry when the content changed (`material` says whether an applicant cares); `sourceJoined`
 *   when the draft's source was added to the provenance or listed the item again after a
 *   withdrawal; `alias` is the draft's own id when it matched by title, to be kept as a pointer.
 */
export type UpsertDecision =
  | { readonly outcome: 'new'; readonly item: Item; readonly changedAt: string }
  | { readonly outcome: 'unchanged'; readonly item: Item }
  | {
      readonly outcome: 'updated';
      readonly item: Item;
      readonly previous: Item;
      readonly changedAt: string;
      readonly sourceJoined: boolean;
      readonly change?: ChangeRecord;
      readonly alias?: ItemId;
    };

/** Whether two sightings (ISO instants) are close enough for a title key to merge them. */
export function withinTitleWindow(firstSeenAt: string, seenAt: string): boolean {
  return Math.abs(Date.parse(seenAt) - Date.parse(firstSeenAt)) <= titleMergeWindowMs;
}

/**
 * Whether a draft merges into `target`, the item a fresh title claim points at: only when the
 * draft's source is not already in its provenance (generic titles such as 「公募のお知らせ」 on
 * one source are different items).
 */
export function mergesByTitle(claim: TitleClaim, draft: ItemDraft, target: Item): boolean {
  return (
    withinTitleWindow(claim.firstSeenAt, draft.seenAt) && !target.provenance.some((p) => p.sourceId === draft.sourceId)
  );
}

/** Whether a new item `id` should take the title key: unless a fresh claim of another item exists. */
export function claimsTitle(existing: TitleClaim | undefined, draft: ItemDraft, id: ItemId): boolean {
  if (existing?.itemId === id) return false;
  return !(existing && withinTitleWindow(existing.firstSeenAt, draft.seenAt));
}

/**
 * Decides what seeing `draft` does to the item it matched (or to none), at time `now`.
 *
 * @example
 * decideUpsert(draft, undefined, now).outcome; // 'new'
 * decideUpsert(draft, { stored, viaTitle: false }, now).outcome; // 'unchanged' on a re-crawl
 */
export function decideUpsert(draft: ItemDraft, match: ItemMatch | undefined, now: string): UpsertDecision {
  if (!match) {
    const item = newItem(draft, now);
    return { outcome: 'new', item, changedAt: item.createdAt };
  }
  const merged = mergeDraft(match.stored, draft, now);
  if (!merged) return { outcome: 'unchanged', item: match.stored.item };
  const draftId = itemIdFor(draft.canonicalUrl);
  return {
    outcome: 'updated',
    previous: match.stored.item,
    ...merged,
    ...(match.viaTitle ? { alias: draftId } : {}),
  };
}

/** The first version of an item from its first draft. */
export function newItem(draft: ItemDraft, now: string): Item {
  return {
    ...contentOf(draft),
    id: itemIdFor(draft.canonicalUrl),
    provenance: [{ sourceId: draft.sourceId, url: draft.url, firstSeenAt: draft.seenAt, lastSeenAt: draft.seenAt }],
    contentHash: contentHashOf(contentOf(draft)),
    version: 1,
    createdAt: now,
    updatedAt: now,
    history: [],
  };
}

/** The next version of `stored` after seeing `draft`, or `undefined` when nothing changes. */
function mergeDraft(
  stored: StoredItem,
  draft: ItemDraft,
  now: string,
): { item: Item; changedAt: string; sourceJoined: boolean; change?: ChangeRecord } | undefined {
  const previous = stored.item;
  const contentHash = contentHashOf(contentOf(draft));
  let provenance: Provenance[] = previous.provenance.map((p) => ({ ...p }));
  let provenanceChanged = false;
  let sourceJoined = false;
  const index = provenance.findIndex((p) => p.sourceId === draft.sourceId);
  if (index < 0) {
    provenance.push({ sourceId: draft.sourceId, url: draft.url, firstSeenAt: draft.seenAt, lastSeenAt: draft.seenAt });
    provenanceChanged = true;
    sourceJoined = true;
  } else if (provenance[index]?.withdrawnAt) {
    // Listed again after being withdrawn.
    provenance = provenance.map((p, i) => (i === index ? withoutWithdrawn({ ...p, lastSeenAt: draft.seenAt }) : p));
    provenanceChanged = true;
    sourceJoined = true;
  }

  const owner = provenance.find((p) => !p.withdrawnAt)?.sourceId ?? provenance[0]?.sourceId;
  const contentChanged = owner === draft.sourceId && contentHash !== previous.contentHash;
  if (!provenanceChanged && !contentChanged) return undefined;

  const version = previous.version + 1;
  let content = contentOf(previous);
  let history = previous.history;
  let changedAt = stored.changedAt;
  let change: ChangeRecord | undefined;
  if (contentChanged) {
    const next = contentOf(draft);
    const diff = diffContent(content, next);
    change = { version, at: now, material: diff.material, changes: diff.changes.map(boundChange) };
    history = [change, ...history].slice(0, historyLimit);
    content = next;
    if (diff.material) changedAt = now;
    // Writing anyway: refresh this source's entry for free.
    provenance = provenance.map((p) =>
      p.sourceId === draft.sourceId ? { ...p, url: draft.url, lastSeenAt: draft.seenAt } : p,
    );
  }
  const item: Item = {
    ...content,
    id: previous.id,
    provenance,
    contentHash: contentChanged ? contentHash : previous.contentHash,
    version,
    createdAt: previous.createdAt,
    updatedAt: now,
    ...(provenance.every((p) => p.withdrawnAt) && previous.withdrawnAt ? { withdrawnAt: previous.withdrawnAt } : {}),
    history,
  };
  return { item, changedAt, sourceJoined, ...(change ? { change } : {}) };
}

/**
 * The next version of `item` once `sourceId` no longer lists it (at `at`), or `undefined` when
 * that changes nothing (the source never carried it, or already withdrew it). The item itself
 * is withdrawn when every source has withdrawn it.
 */
export function withdrawSource(item: Item, sourceId: string, at: string, now: string): Item | undefined {
  const entry = item.provenance.find((p) => p.sourceId === sourceId);
  if (!entry || entry.withdrawnAt) return undefined;
  const provenance = item.provenance.map((p) => (p.sourceId === sourceId ? { ...p, withdrawnAt: at } : p));
  return {
    ...item,
    provenance,
    version: item.version + 1,
    updatedAt: now,
    withdrawnAt: provenance.every((p) => p.withdrawnAt) ? at : undefined,
  };
}

/** Detail-derived fields a listing draft lacks; the stored item keeps them while its detail page is unchanged. */
const detailFields: readonly (keyof ItemContent)[] = [
  'summary',
  'bodyText',
  'opensAt',
  'closesAt',
  'budget',
  'eligibility',
  'applicants',
  'amount',
  'requiresRegistration',
];

/**
 * Detail-derived fields the draft lacks are taken from the stored item (its detail page did not
 * change). Without a detail read this run (`detailRead: false`), a date the list shows on the
 * Tokyo day the stored detail time falls on keeps that time, and the stored applicants and amount
 * stand. Prefectures, regions and fields are
 * the union of both; a stored `call` stays a call for its own source.
 */
export function carryForward(draft: ItemDraft, stored: Item | undefined, options: { detailRead: boolean }): ItemDraft {
  if (!stored) return draft;
  const previous = contentOf(stored);
  const out: Record<string, unknown> = { ...draft };
  for (const key of detailFields) if (out[key] === undefined && previous[key] !== undefined) out[key] = previous[key];
  // Applicants and amount read with the detail page beat a reading of the list entry alone (jGrants'
  // list fields without the description) while that page was not read again.
  for (const key of ['applicants', 'amount'] as const)
    if (!options.detailRead && previous[key] !== undefined) out[key] = previous[key];
  // A list shows a date where the detail page gave a time (締切 17:00 is listed as its day, read as
  // 23:59:59): on the same Tokyo day the stored, detail-read time stands, so an unchanged detail is
  // no moved deadline. A different day means the list moved the date: it wins.
  for (const key of ['opensAt', 'closesAt'] as const) {
    if (options.detailRead) break;
    const listed = draft[key];
    const known = previous[key];
    if (listed && known && listed !== known && tokyoDay(listed) === tokyoDay(known)) out[key] = known;
  }
  out['prefectures'] = [...new Set([...draft.prefectures, ...previous.prefectures])].sort();
  out['regions'] = [...new Set([...draft.regions, ...previous.regions])].sort();
  out['fields'] = [...new Set([...draft.fields, ...previous.fields])].sort();
  if (
    draft.kind !== previous.kind &&
    previous.kind === 'call' &&
    stored.provenance.some((p) => p.sourceId === draft.sourceId)
  )
    out['kind'] = previous.kind;
  return out as ItemDraft;
}

/** The fields a list entry shows of a call (jGrants' list: title, period, budget). */
export interface ListedFields {
  readonly title: string;
  readonly opensAt?: string;
  readonly closesAt?: string;
  readonly budgetYen?: number;
}

/** Whether the fields a list shows differ from the stored item (then its detail is worth re-reading). */
export function listFieldsChanged(stored: Item, listed: ListedFields): boolean {
  return (
    stored.title !== listed.title.trim() ||
    (stored.opensAt ?? null) !== (listed.opensAt ?? null) ||
    (stored.closesAt ?? null) !== (listed.closesAt ?? null) ||
    (stored.budget?.amountYen ?? null) !== (listed.budgetYen ?? null)
  );
}

/** The Tokyo calendar day (YYYY-MM-DD) of an ISO instant. */
function tokyoDay(iso: string): string {
  return new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(0, 10);
}

function withoutWithdrawn(p: Provenance): Provenance {
  const { withdrawnAt: _withdrawnAt, ...rest } = p;
  return rest;
}

/** Keeps history entries small: long strings (body text, eligibility) are cut to a snapshot. */
function boundChange(change: ChangeRecord['changes'][number]): ChangeRecord['changes'][number] {
  const cut = (value: unknown) =>
    typeof value === 'string' && value.length > historySnapshotChars
      ? `${value.slice(0, historySnapshotChars)}…`
      : value;
  return { field: change.field, before: cut(change.before), after: cut(change.after) };
}
