import { createHmac } from 'node:crypto';
import { TooManyRequestsError } from '../errors.js';
import type { SubscriptionStore } from '../store/subscription-store.js';

/** Sliding-window limits on subscription requests. */
export interface RateLimits {
  /** Requests per canonical address (see `canonicalAddress`) in any `windowSec` (confirmation mails to one inbox). */
  readonly perAddress: number;
  /** Requests per client (source IP) in any `windowSec`. */
  readonly perClient: number;
  readonly windowSec: number;
}

const defaultRateLimits: RateLimits = { perAddress: 3, perClient: 20, windowSec: 3600 };

/** The one answer past either limit: it never says which, so it reveals nothing about an address. */
const rateLimitMessage = 'too many subscription requests; try again later';

/**
 * The inbox an address reaches, for counting requests: lower-cased, with a plus-tag removed from
 * the local part, so `A@x.jp` and `a+1@x.jp` share the allowance of `a@x.jp`.
 *
 * @example canonicalAddress('Taro.Yamada+alerts@Example.JP') === 'taro.yamada@example.jp'
 */
export function canonicalAddress(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0) return lower;
  const local = lower.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus > 0 ? local.slice(0, plus) : local}@${lower.slice(at + 1)}`;
}

/** The address's rate-limit key: a keyed hash of its canonical form, so no key holds an address. */
export function addressRateKey(email: string, secret: string): string {
  return createHmac('sha256', secret)
    .update(`rate:${canonicalAddress(email)}`)
    .digest('hex');
}

/**
 * The client's rate-limit key from its source IP: an IPv4 address as it is, an IPv6 address by its
 * /64 prefix (one subscriber line holds a whole /64, so its addresses are one client).
 *
 * @example clientRateKey('2001:db8:1:2:aaaa::1') === '2001:db8:1:2::/64'
 */
export function clientRateKey(sourceIp: string): string {
  const ip = sourceIp.trim().toLowerCase();
  if (!ip.includes(':') || ip.startsWith('::ffff:')) return ip.replace(/^::ffff:/, '');
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  const prefix = groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '') || '0');
  return `${prefix.join(':')}::/64`;
}

/**
 * Counts the request against the client's and the address's sliding windows; throws
 * `TooManyRequestsError` (429 with Retry-After, one message for both) when either is used up. The
 * client is checked first, so one client cannot spend an address's allowance with refused requests.
 */
export async function enforceRateLimits(
  store: SubscriptionStore,
  limits: RateLimits = defaultRateLimits,
  keys: { clientId: string; addressKey: string },
  now: Date,
): Promise<void> {
  const client = await store.hitRateLimit(`subscribe:client:${keys.clientId}`, limits.perClient, limits.windowSec, now);
  if (!client.allowed) throw new TooManyRequestsError(rateLimitMessage, client.retryAfterSec);
  const address = await store.hitRateLimit(
    `subscribe:address:${keys.addressKey}`,
    limits.perAddress,
    limits.windowSec,
    now,
  );
  if (!address.allowed) throw new TooManyRequestsError(rateLimitMessage, address.retryAfterSec);
}
