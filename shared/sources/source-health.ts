import type { SourceHealth } from '../domain/crawl-run.js';
import type { Source } from '../domain/source.js';

/** Consecutive failed runs after which a source is `failing`. */
export const failingAfterRuns = 3;

const dayMs = 24 * 60 * 60 * 1000;

/** How a source is doing, for `chiiki crawl`'s summary and the API's /v1/sources. */
export interface SourceHealthAssessment {
  /** No new item for longer than the source's expected cadence (a frozen feed). */
  readonly stale: boolean;
  /** `failingAfterRuns` or more failed runs in a row. */
  readonly failing: boolean;
  readonly status: 'ok' | 'stale' | 'failing' | 'never-run' | 'disabled';
  /** Why, in words an operator can act on; absent when `ok`. */
  readonly reason?: string;
}

/**
 * Whether the newest item is older than the expected cadence. A real METI feed froze for two
 * months without anyone noticing: its runs kept succeeding, only the dates told.
 *
 * @example isStale('2026-06-19T05:00:00Z', 14, new Date('2026-08-20T00:00:00Z')) === true
 */
export function isStale(newestItemAt: string | undefined, expectedCadenceDays: number, now: Date): boolean {
  if (!newestItemAt) return false;
  return now.getTime() - Date.parse(newestItemAt) > expectedCadenceDays * dayMs;
}

/**
 * Stale and failing flags of one source from its recorded health. Pure: the same inputs give the
 * same answer, so the API and the CLI agree. Failing wins over stale.
 */
export function assessSourceHealth(
  source: Pick<Source, 'expectedCadenceDays' | 'enabled'>,
  health: Pick<SourceHealth, 'newestItemAt' | 'consecutiveFailures' | 'lastError' | 'lastRunAt'> | undefined,
  now: Date,
  options: { failingAfter?: number } = {},
): SourceHealthAssessment {
  const failingAfter = options.failingAfter ?? failingAfterRuns;
  if (!source.enabled) return { stale: false, failing: false, status: 'disabled', reason: 'source is disabled' };
  if (!health) return { stale: false, failing: false, status: 'never-run' };
  const stale = isStale(health.newestItemAt, source.expectedCadenceDays, now);
  const failing = health.consecutiveFailures >= failingAfter;
  if (failing)
    return {
      stale,
      failing,
      status: 'failing',
      reason: `${health.consecutiveFailures} failed runs in a row${health.lastError ? `: ${health.lastError}` : ''}`,
    };
  if (stale && health.newestItemAt) {
    const days = Math.floor((now.getTime() - Date.parse(health.newestItemAt)) / dayMs);
    return {
      stale,
      failing,
      status: 'stale',
      reason: `newest item is from ${health.newestItemAt.slice(0, 10)}, ${days} days ago; expected one every ${source.expectedCadenceDays} days`,
    };
  }
  return { stale, failing, status: 'ok' };
}

/**
 * The command that proposes a definition for a page, quoted for a POSIX shell, as an operator
 * with network access types it in a checkout of the project (the health page's 要確認 list).
 *
 * @example suggestCommand('https://www.env.go.jp/press/') === "npx chiiki source suggest --fetch 'https://www.env.go.jp/press/'"
 */
export function suggestCommand(url: string): string {
  return `npx chiiki source suggest --fetch '${url.replaceAll("'", "'\\''")}'`;
}
