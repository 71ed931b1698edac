import { describe, expect, it } from 'vitest';
import { addressRateKey, canonicalAddress, clientRateKey } from '../../../../shared/subscriptions/rate-limit.js';

describe('canonicalAddress', () => {
  it.each([
    ['a@x.jp', 'a@x.jp'],
    ['A@X.JP', 'a@x.jp'],
    ['a+1@x.jp', 'a@x.jp'],
    ['A+News+2@x.jp', 'a@x.jp'],
    ['Taro.Yamada+alerts@Example.JP', 'taro.yamada@example.jp'],
    ['+only@x.jp', '+only@x.jp'],
  ])('reads %s as %s', (email, expected) => {
    expect(canonicalAddress(email)).toBe(expected);
  });
});

describe('addressRateKey', () => {
  it('gives tagged and differently cased forms of one inbox one key, and other inboxes others', () => {
    const key = (email: string) => addressRateKey(email, 'rate-key-secret-0123');

    expect(key('a+1@x.jp')).toBe(key('a@x.jp'));
    expect(key('A@x.jp')).toBe(key('a@x.jp'));
    expect(key('b@x.jp')).not.toBe(key('a@x.jp'));
    expect(key('a@x.jp')).not.toContain('x.jp');
  });
});

describe('clientRateKey', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('keys %s as %s', (ip, expected) => {
    expect(clientRateKey(ip)).toBe(expected);
  });
});
