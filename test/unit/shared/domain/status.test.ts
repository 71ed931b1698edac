import { describe, expect, it } from 'vitest';
import { statusAt } from '../../../../shared/domain/status.js';

const opensAt = '2025-04-01T00:00:00+09:00';
const closesAt = '2025-05-30T17:00:00+09:00';

describe('statusAt', () => {
  it.each([
    ['2025-03-31T23:59:59+09:00', 'upcoming'],
    ['2025-04-01T00:00:00+09:00', 'open'],
    ['2025-05-30T17:00:00+09:00', 'open'],
    ['2025-05-30T17:00:01+09:00', 'closed'],
  ])('at %s a call open 4/1 until 5/30 17時必着 is %s', (now, status) => {
    expect(statusAt({ opensAt, closesAt }, new Date(now))).toBe(status);
  });

  it('treats a call with only a deadline as open until it', () => {
    expect(statusAt({ closesAt }, new Date('2025-01-01T00:00:00Z'))).toBe('open');
    expect(statusAt({ closesAt }, new Date('2025-06-01T00:00:00Z'))).toBe('closed');
  });

  it('treats a call with only an opening date as open from then on', () => {
    expect(statusAt({ opensAt }, new Date('2025-03-01T00:00:00Z'))).toBe('upcoming');
    expect(statusAt({ opensAt }, new Date('2026-03-01T00:00:00Z'))).toBe('open');
  });

  it('is unknown when neither date is known', () => {
    expect(statusAt({}, new Date('2025-04-10T00:00:00Z'))).toBe('unknown');
  });
});
