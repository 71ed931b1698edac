import type { Clock } from '../../shared/clock.js';
import type { Log } from '../../shared/log.js';

const unitMs = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const dayMs = unitMs.day;

/**
 * When an EventBridge schedule expression fires next after `after`, for the in-process
 * scheduler. `rate(N unit)` adds N units; `cron(m h * * ? *)` / `cron(m h ? * * *)` fires daily at
 * that UTC minute (as EventBridge does); any other cron (weekday or month lists) falls back
 * to once a day, which is close enough on a laptop.
 */
export function nextRunAt(schedule: string, after: Date): Date {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(schedule);
  if (rate) return new Date(after.getTime() + Number(rate[1]) * unitMs[rate[2] as keyof typeof unitMs]);
  const cron = /^cron\((\d{1,2}) (\d{1,2}) (\*|\?) \* (\*|\?) \*\)$/.exec(schedule);
  if (cron) {
    const next = new Date(after);
    next.setUTCHours(Number(cron[2]), Number(cron[1]), 0, 0);
    if (next.getTime() <= after.getTime()) next.setTime(next.getTime() + dayMs);
    return next;
  }
  return new Date(after.getTime() + dayMs);
}

export interface ScheduledJob {
  readonly id: string;
  readonly schedule: string;
}

export interface IntervalScheduler {
  /** Due times of every job, for the start-up banner. */
  nextRuns(): { id: string; at: Date }[];
  /** Stops every timer and waits for a running tick to finish. */
  stop(): Promise<void>;
}

/**
 * Fires `run(jobIds)` when jobs fall due, one tick at a time (a slow crawl delays the next tick
 * rather than overlapping it). Timers are unref'd so they never keep the process alive.
 */
export function startScheduler(options: {
  jobs: readonly ScheduledJob[];
  clock: Clock;
  log: Log;
  run: (jobIds: string[]) => Promise<void>;
  /** Longest sleep between checks; default 60 s. */
  maxSleepMs?: number;
}): IntervalScheduler {
  const due = new Map(options.jobs.map((job) => [job.id, nextRunAt(job.schedule, options.clock.now())]));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const tick = () => {
    const now = options.clock.now();
    const ready = [...due].filter(([, at]) => at.getTime() <= now.getTime()).map(([id]) => id);
    if (ready.length === 0) return arm();
    for (const id of ready) {
      const job = options.jobs.find((j) => j.id === id);
      if (job) due.set(id, nextRunAt(job.schedule, now));
    }
    running = options
      .run(ready)
      .catch((error: unknown) => options.log.error('scheduled run failed', { jobs: ready, error }))
      .finally(arm);
  };
  const arm = () => {
    if (stopped) return;
    const soonest = Math.min(...[...due.values()].map((d) => d.getTime()));
    const waitMs = Math.max(1000, Math.min(options.maxSleepMs ?? 60_000, soonest - options.clock.now().getTime()));
    timer = setTimeout(tick, waitMs);
    timer.unref();
  };
  arm();
  return {
    nextRuns: () => [...due].map(([id, at]) => ({ id, at })),
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
