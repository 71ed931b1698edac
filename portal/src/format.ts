/** Dates and countdowns as the portal shows them (Asia/Tokyo, Japanese). */

const dateTime = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dateOnly = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

/** `2026/12/25 17:00` in Tokyo time; empty for undefined. */
export function formatDateTime(iso: string | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '';
}

/** `2026/12/25` in Tokyo time; empty for undefined. */
export function formatDate(iso: string | undefined): string {
  return iso ? dateOnly.format(new Date(iso)) : '';
}

const hourMs = 3600_000;
const dayMs = 24 * hourMs;

/**
 * The countdown next to a status badge: `締切まであと12日`, `締切まであと5時間`,
 * `受付開始まであと3日`; undefined when there is nothing to count down to.
 */
export function countdown(
  item: { status: string; opensAt?: string; closesAt?: string },
  now: Date = new Date(),
): string | undefined {
  const target = item.status === 'upcoming' ? item.opensAt : item.status === 'open' ? item.closesAt : undefined;
  if (!target) return undefined;
  const left = Date.parse(target) - now.getTime();
  if (left <= 0) return undefined;
  const what = item.status === 'upcoming' ? '受付開始' : '締切';
  if (left < dayMs) return `${what}まであと${Math.max(1, Math.ceil(left / hourMs))}時間`;
  return `${what}まであと${Math.floor(left / dayMs)}日`;
}

/** `3日前`, `5時間前`: how long ago, for the source-health page. */
export function ago(iso: string | undefined, now: Date = new Date()): string {
  if (!iso) return '';
  const past = now.getTime() - Date.parse(iso);
  if (past < hourMs) return `${Math.max(0, Math.floor(past / 60_000))}分前`;
  if (past < dayMs) return `${Math.floor(past / hourMs)}時間前`;
  return `${Math.floor(past / dayMs)}日前`;
}
