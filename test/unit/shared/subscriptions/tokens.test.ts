import { describe, expect, it } from 'vitest';
import type { SubscriptionId } from '../../../../shared/domain/subscription.js';
import { ConfigError, InvalidInputError } from '../../../../shared/errors.js';
import { isCanonicalBase64url, TokenSigner } from '../../../../shared/subscriptions/tokens.js';

const id = 'sub_0123456789abcdef01234567' as SubscriptionId;
const now = new Date('2025-05-01T00:00:00Z');
const signer = new TokenSigner('a-test-secret-of-enough-length');

describe('TokenSigner', () => {
  it('refuses a secret shorter than 16 characters as a configuration error', () => {
    expect(() => new TokenSigner('fifteen-chars!!')).toThrow(ConfigError);
    expect(() => new TokenSigner('sixteen-chars!!!')).not.toThrow();
  });

  it('accepts its own token for the same purpose and returns the claims', () => {
    const token = signer.sign({ subscriptionId: id, purpose: 'mute', ref: 'it_0123456789abcdef01234567' }, now);

    const claims = signer.verify(token, 'mute', now);

    expect(claims.subscriptionId).toBe(id);
    expect(claims.ref).toBe('it_0123456789abcdef01234567');
  });

  it('rejects a token used for another purpose', () => {
    const token = signer.sign({ subscriptionId: id, purpose: 'manage' }, now);

    expect(() => signer.verify(token, 'unsubscribe', now)).toThrow(InvalidInputError);
  });

  it('rejects a token with a changed payload or signed with another secret', () => {
    const token = signer.sign({ subscriptionId: id, purpose: 'unsubscribe' }, now);
    const [payload, signature] = token.split('.');
    const otherPayload = Buffer.from('sub_ffffffffffffffffffffffff|unsubscribe|9999999999|').toString('base64url');

    expect(() => signer.verify(`${otherPayload}.${signature}`, 'unsubscribe', now)).toThrow(InvalidInputError);
    expect(() => new TokenSigner('another-secret-of-enough-length').verify(token, 'unsubscribe', now)).toThrow(
      InvalidInputError,
    );
    expect(() => signer.verify(`${payload}.`, 'unsubscribe', now)).toThrow(InvalidInputError);
    expect(() => signer.verify(undefined, 'unsubscribe', now)).toThrow(InvalidInputError);
  });

  it('rejects a token whose last character differs from ours only in unused bits', () => {
    const token = signer.sign({ subscriptionId: id, purpose: 'unsubscribe' }, now);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 32 signature bytes take 43 characters; the last one carries 4 bits and 2 unused ones.
    const last = alphabet.indexOf(token.slice(-1));
    const twin = `${token.slice(0, -1)}${alphabet[last ^ 1] ?? ''}`;

    expect(Buffer.from(twin.split('.')[1] ?? '', 'base64url')).toEqual(
      Buffer.from(token.split('.')[1] ?? '', 'base64url'),
    );
    expect(signer.verify(token, 'unsubscribe', now).purpose).toBe('unsubscribe');
    expect(() => signer.verify(twin, 'unsubscribe', now)).toThrow(InvalidInputError);
  });

  it('rejects a payload or signature with padding or characters outside base64url', () => {
    const token = signer.sign({ subscriptionId: id, purpose: 'manage' }, now);
    const [payload = '', signature = ''] = token.split('.');

    expect(() => signer.verify(`${payload}.${signature}=`, 'manage', now)).toThrow(InvalidInputError);
    expect(() => signer.verify(`${payload}.${signature.slice(0, 10)} ${signature.slice(10)}`, 'manage', now)).toThrow(
      InvalidInputError,
    );
    expect(() => signer.verify(`${payload}=.${signature}`, 'manage', now)).toThrow(InvalidInputError);
  });

  it.each([
    ['AQ', true],
    ['AR', false],
    ['AQ==', false],
    ['A+/B', false],
    ['', false],
  ])('reads %s as canonical base64url: %s', (text, expected) => {
    expect(isCanonicalBase64url(text)).toBe(expected);
  });

  it('rejects a confirmation token after seven days', () => {
    const token = signer.sign({ subscriptionId: id, purpose: 'confirm', ref: '0123456789abcdef' }, now);

    expect(signer.verify(token, 'confirm', new Date('2025-05-07T23:00:00Z')).purpose).toBe('confirm');
    expect(() => signer.verify(token, 'confirm', new Date('2025-05-08T00:00:01Z'))).toThrow(/invalid or has expired/);
  });
});
