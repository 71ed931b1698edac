import type { ItemContent } from '../../shared/domain/item.js';

const dayMs = 24 * 60 * 60 * 1000;

/** Days of prior registration each registration system asks for (e-Rad: "two weeks or more"). */
const registrationLeadDays: Record<NonNullable<ItemContent['requiresRegistration']>, number> = { 'e-rad': 14 };

export interface EffectiveDeadline {
  /** The instant an applicant must act by. */
  readonly at: string;
  /** Set when `at` is the official deadline minus a registration lead time. */
  readonly registrationLeadDays?: number;
}

/**
 * The deadline an applicant must plan for: for a call that requires e-Rad registration, the
 * official deadline minus the registration lead time (14 days), because registering later
 * leaves no time to apply; otherwise the official deadline. `undefined` without a deadline.
 *
 * @example effectiveDeadline({ closesAt: '2025-05-30T17:00:00+09:00', requiresRegistration: 'e-rad' })
 *   // { at: '2025-05-16T08:00:00.000Z', registrationLeadDays: 14 }
 */
export function effectiveDeadline(
  item: Pick<ItemContent, 'closesAt' | 'requiresRegistration'>,
): EffectiveDeadline | undefined {
  if (item.closesAt === undefined) return undefined;
  if (item.requiresRegistration === undefined) return { at: item.closesAt };
  const lead = registrationLeadDays[item.requiresRegistration];
  return { at: new Date(Date.parse(item.closesAt) - lead * dayMs).toISOString(), registrationLeadDays: lead };
}

/**
 * The subscriber's lead times (days before the effective deadline) that have come due at `now`
 * and were not reminded yet, largest first. None once the effective deadline has passed.
 */
export function dueReminderDays(
  effective: string,
  leadDays: readonly number[],
  alreadyReminded: readonly number[],
  now: Date,
): number[] {
  const end = Date.parse(effective);
  if (now.getTime() >= end) return [];
  return leadDays
    .filter((days) => !alreadyReminded.includes(days) && now.getTime() >= end - days * dayMs)
    .sort((a, b) => b - a);
}
