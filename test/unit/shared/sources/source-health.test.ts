import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { assessSourceHealth, isStale, suggestCommand } from '../../../../shared/sources/source-health.js';

const now = new Date('2026-08-20T00:00:00Z');

describe('assessSourceHealth', () => {
  it('flags a feed whose newest item is older than its cadence stale (the frozen METI feed)', () => {
    const health = assessSourceHealth(
      { expectedCadenceDays: 3, enabled: true },
      { newestItemAt: '2026-06-19T05:00:00Z', consecutiveFailures: 0 },
      now,
    );

    expect(health).toEqual({
      stale: true,
      failing: false,
      status: 'stale',
      reason: 'newest item is from 2026-06-19, 61 days ago; expected one every 3 days',
    });
  });

  it('flags a source failing after 3 failed runs in a row, with the last error', () => {
    const health = assessSourceHealth(
      { expectedCadenceDays: 3, enabled: true },
      { newestItemAt: '2026-08-19T00:00:00Z', consecutiveFailures: 3, lastError: 'HTTP 403 bot wall' },
      now,
    );

    expect(health).toMatchObject({
      failing: true,
      status: 'failing',
      reason: '3 failed runs in a row: HTTP 403 bot wall',
    });
  });

  it('is ok within the cadence, never-run without health, disabled when off', () => {
    expect(
      assessSourceHealth(
        { expectedCadenceDays: 3, enabled: true },
        { newestItemAt: '2026-08-18T00:00:00Z', consecutiveFailures: 2 },
        now,
      ).status,
    ).toBe('ok');
    expect(assessSourceHealth({ expectedCadenceDays: 3, enabled: true }, undefined, now).status).toBe('never-run');
    expect(assessSourceHealth({ expectedCadenceDays: 3, enabled: false }, undefined, now).status).toBe('disabled');
  });

  it('does not call a source without dated items stale', () => {
    expect(isStale(undefined, 3, now)).toBe(false);
  });
});

describe('suggestCommand', () => {
  it('quotes the URL for a POSIX shell, so the printed command runs as typed', () => {
    const url = "https://www.pref.example.lg.jp/news/list.php?c=1&o=it's";

    const command = suggestCommand(url);
    const echoed = execFileSync('sh', ['-c', command.replace('npx chiiki source suggest --fetch', 'printf %s')], {
      encoding: 'utf8',
    });

    expect(command.startsWith("npx chiiki source suggest --fetch '")).toBe(true);
    expect(echoed).toBe(url);
  });
});
