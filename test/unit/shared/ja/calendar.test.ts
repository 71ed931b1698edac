import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/errors.js';
import { referenceDay, resolveYear, tokyoInstant } from '../../../../shared/ja/calendar.js';

describe('resolveYear', () => {
  it.each([
    [5, 30, '2025-06-02', 'listing', 2025],
    [6, 5, '2025-06-02', 'listing', 2025],
    [6, 20, '2025-06-02', 'listing', 2024],
    [12, 28, '2026-01-05', 'listing', 2025],
    [5, 30, '2025-06-02', 'deadline', 2025],
    [5, 30, '2025-07-15', 'deadline', 2026],
    [1, 15, '2025-11-20', 'deadline', 2026],
    [2, 29, '2025-03-01', 'deadline', 2025 + 3],
  ] as const)('puts %i月%i日 seen on %s (%s) in %i', (month, day, ref, policy, expected) => {
    expect(resolveYear(month, day, { ref, policy })).toBe(expected);
  });

  it('reads the reference instant as a Tokyo day', () => {
    expect(referenceDay(new Date('2025-12-31T15:30:00Z'))).toEqual({ year: 2026, month: 1, day: 1 });
  });

  it.each([['2025-13-01'], ['yesterday'], ['2025/05/30']])('rejects the reference %s', (ref) => {
    expect(() => referenceDay(ref)).toThrow(InvalidInputError);
    expect(() => referenceDay(ref)).toThrow(
      `reference date "${ref}" is not valid, expected YYYY-MM-DD or an ISO instant`,
    );
  });
});

describe('tokyoInstant', () => {
  it('writes the Tokyo wall clock with +09:00', () => {
    expect(tokyoInstant({ year: 2025, month: 5, day: 30 }, { hour: 17, minute: 0, second: 0 })).toBe(
      '2025-05-30T17:00:00+09:00',
    );
  });
});
