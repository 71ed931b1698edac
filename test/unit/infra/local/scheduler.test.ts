import { describe, expect, it } from 'vitest';
import { nextRunAt, startScheduler } from '../../../../infra/local/scheduler.js';
import { FixedClock } from '../../../../shared/clock.js';
import { silentLog } from '../../../../shared/log.js';

describe('nextRunAt', () => {
  it.each([
    ['rate(1 hour)', '2026-01-01T10:15:00Z', '2026-01-01T11:15:00Z'],
    ['rate(30 minutes)', '2026-01-01T10:15:00Z', '2026-01-01T10:45:00Z'],
    ['rate(2 days)', '2026-01-01T10:15:00Z', '2026-01-03T10:15:00Z'],
    ['cron(0 18 * * ? *)', '2026-01-01T10:15:00Z', '2026-01-01T18:00:00Z'],
    ['cron(0 18 * * ? *)', '2026-01-01T18:00:00Z', '2026-01-02T18:00:00Z'],
    ['cron(30 3 ? * * *)', '2026-01-01T10:15:00Z', '2026-01-02T03:30:00Z'],
    ['cron(0 9 ? * MON-FRI *)', '2026-01-01T10:15:00Z', '2026-01-02T10:15:00Z'],
  ])('%s after %s is %s', (schedule, after, expected) => {
    expect(nextRunAt(schedule, new Date(after)).toISOString()).toBe(new Date(expected).toISOString());
  });
});

describe('startScheduler', () => {
  it('runs nothing before a job is due and stops cleanly', async () => {
    const runs: string[][] = [];
    const scheduler = startScheduler({
      jobs: [{ id: 'a', schedule: 'rate(1 day)' }],
      clock: new FixedClock('2026-01-01T00:00:00Z'),
      log: silentLog,
      run: async (ids) => {
        runs.push(ids);
      },
    });

    const next = scheduler.nextRuns();
    await scheduler.stop();

    expect(next).toEqual([{ id: 'a', at: new Date('2026-01-02T00:00:00Z') }]);
    expect(runs).toEqual([]);
  });
});
