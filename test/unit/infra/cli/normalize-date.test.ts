import { chiiki } from '../../../support/chiiki-cli.js';
import { describe, expect, it } from 'vitest';

/** Runs the real `chiiki` bin the way a user does. */

describe('chiiki normalize-date', () => {
  it('prints a deadline phrase as a Tokyo instant', async () => {
    const result = await chiiki(['normalize-date', '令和7年5月30日(金)17時必着']);

    expect(result).toEqual({ code: 0, stdout: '2025-05-30T17:00:00+09:00\n', stderr: '' });
  });

  it('prints a plain date as a date and a range as an ISO interval, resolving the year from --ref', async () => {
    const [date, range] = await Promise.all([
      chiiki(['normalize-date', 'R7.5.30']),
      chiiki(['normalize-date', '4月1日（火）～30日', '--ref', '2025-04-10']),
    ]);

    expect(date.stdout).toBe('2025-05-30\n');
    expect(range.stdout).toBe('2025-04-01T00:00:00+09:00/2025-04-30T23:59:59+09:00\n');
  });

  it('explains a date that does not exist on stderr and exits with 2', async () => {
    const result = await chiiki(['normalize-date', '令和7年13月1日']);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('date "令和7年13月1日" has month 13, expected 1-12');
  });

  it('rejects a bad --ref and a missing text with exit code 2', async () => {
    const [badRef, missing] = await Promise.all([
      chiiki(['normalize-date', '5月30日', '--ref', '2025-13-01']),
      chiiki(['normalize-date']),
    ]);

    expect(badRef.code).toBe(2);
    expect(badRef.stderr).toContain('reference date "2025-13-01" is not valid, expected YYYY-MM-DD');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('usage: chiiki normalize-date');
  });
});
