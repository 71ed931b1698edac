import { createHmac, timingSafeEqual } from 'node:crypto';
import { SubscriptionIdSchema, type SubscriptionId } from '../domain/subscription.js';
import { ConfigError, InvalidInputError } from '../errors.js';

/**
 * Signed, expiring link tokens: `<payload>.<signature>`, both base64url. The payload is
 * `<subscriptionId>|<purpose>|<expires epoch s>|<ref>` (ref: the item id of a mute link, the
 * pending request's nonce of a confirmation link, else empty); the signature is HMAC-SHA256 of
 * the payload with the token secret, compared in constant time. A token proves that whoever holds
 * it received our mail; it is the only credential the subscription links need.
 */
export type TokenPurpose = 'confirm' | 'manage' | 'unsubscribe' | 'mute';

export interface TokenClaims {
  readonly subscriptionId: SubscriptionId;
  readonly purpose: TokenPurpose;
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly ref: string;
}

/** How long each kind of link works. Unsubscribe and mute links must outlive old mails in an inbox. */
const tokenLifetimeSec: Record<TokenPurpose, number> = {
  confirm: 7 * 24 * 3600,
  manage: 60 * 24 * 3600,
  unsubscribe: 365 * 24 * 3600,
  mute: 365 * 24 * 3600,
};

const purposes = new Set<string>(['confirm', 'manage', 'unsubscribe', 'mute']);

/**
 * True when `text` is exactly what base64url encoding of its decoded bytes gives: no padding, no
 * character outside the alphabet, and zero unused bits in the last character. A token has one
 * spelling, so a link that differs from ours in any character is not ours.
 */
export function isCanonicalBase64url(text: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(text) && Buffer.from(text, 'base64url').toString('base64url') === text;
}

export class TokenSigner {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new ConfigError('token secret must have at least 16 characters');
  }

  private signature(payload: string): Buffer {
    return createHmac('sha256', this.secret).update(payload).digest();
  }

  sign(claims: { subscriptionId: SubscriptionId; purpose: TokenPurpose; ref?: string }, now: Date): string {
    const expiresAt = Math.floor(now.getTime() / 1000) + tokenLifetimeSec[claims.purpose];
    const payload = Buffer.from(`${claims.subscriptionId}|${claims.purpose}|${expiresAt}|${claims.ref ?? ''}`).toString(
      'base64url',
    );
    return `${payload}.${this.signature(payload).toString('base64url')}`;
  }

  /**
   * True only for a genuine token for `purpose` whose time has passed, so a page can say "expired"
   * rather than "invalid". Reveals nothing a holder of the genuine link does not already know.
   */
  hasExpired(token: unknown, purpose: TokenPurpose, now: Date): boolean {
    try {
      this.verify(token, purpose, new Date(0));
    } catch {
      return false;
    }
    try {
      this.verify(token, purpose, now);
      return false;
    } catch {
      return true;
    }
  }

  /**
   * The claims of a valid token for `purpose`; throws `InvalidInputError` (path `token`) when the
   * token is malformed (including any spelling but the canonical base64url one), forged, for another
   * purpose or expired. The message never says which.
   */
  verify(token: unknown, purpose: TokenPurpose, now: Date): TokenClaims {
    // One message for every reason: a caller learns nothing about which check failed.
    const invalid = (_reason: 'malformed' | 'signature' | 'purpose' | 'expired') =>
      new InvalidInputError([
        { path: ['token'], message: 'the link is invalid or has expired; expected a link from our latest mail' },
      ]);
    if (typeof token !== 'string' || token.length > 400) throw invalid('malformed');
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) throw invalid('malformed');
    if (!isCanonicalBase64url(payload) || !isCanonicalBase64url(signature)) throw invalid('malformed');
    const expected = this.signature(payload);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('signature');
    const [id, tokenPurpose, expires, ref] = Buffer.from(payload, 'base64url').toString('utf8').split('|');
    const subscriptionId = SubscriptionIdSchema.safeParse(id);
    if (!subscriptionId.success || !tokenPurpose || !purposes.has(tokenPurpose) || ref === undefined)
      throw invalid('malformed');
    if (tokenPurpose !== purpose) throw invalid('purpose');
    const expiresAt = Number(expires);
    if (!Number.isInteger(expiresAt) || expiresAt * 1000 < now.getTime()) throw invalid('expired');
    return { subscriptionId: subscriptionId.data, purpose, expiresAt, ref };
  }
}
