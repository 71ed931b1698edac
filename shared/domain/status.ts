import type { ItemContent } from './item.js';

/** Application status, derived at query time from opensAt/closesAt and now; never stored. */
export type CallStatus = 'upcoming' | 'open' | 'closed' | 'unknown';

export const callStatuses = ['upcoming', 'open', 'closed', 'unknown'] as const;

/**
 * `upcoming` before opensAt; `closed` after closesAt; `open` in between (an item with only a
 * deadline is open until it); `unknown` when neither date is known.
 */
export function statusAt(item: Pick<ItemContent, 'opensAt' | 'closesAt'>, now: Date): CallStatus {
  const t = now.getTime();
  const opens = item.opensAt ? Date.parse(item.opensAt) : undefined;
  const closes = item.closesAt ? Date.parse(item.closesAt) : undefined;
  if (opens === undefined && closes === undefined) return 'unknown';
  if (opens !== undefined && t < opens) return 'upcoming';
  if (closes !== undefined && t > closes) return 'closed';
  return 'open';
}
