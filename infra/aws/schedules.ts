import { createHash } from 'node:crypto';
import type { Registry } from '../../shared/domain/source.js';

/** Most source ids in one schedule's input (Scheduler inputs are capped at 8 KB). */
export const maxSourcesPerSchedule = 100;

/** One EventBridge Scheduler schedule: an expression and the sources it dispatches. */
export interface CrawlScheduleGroup {
  /** Stable construct id: hash of the expression plus the chunk number. */
  readonly id: string;
  /** EventBridge Scheduler expression in UTC, from the registry (`cron(0 18 * * ? *)`). */
  readonly expression: string;
  readonly sourceIds: readonly string[];
}

/**
 * Groups the enabled sources of a registry by schedule expression: one schedule per expression
 * (split in chunks of `maxSourcesPerSchedule`), so hundreds of nightly sources cost a handful of
 * schedules. Ids are sorted, so the synthesized template does not change with registry order.
 */
export function crawlScheduleGroups(registry: Pick<Registry, 'sources'>): CrawlScheduleGroup[] {
  const byExpression = new Map<string, string[]>();
  for (const source of registry.sources) {
    if (!source.enabled) continue;
    const ids = byExpression.get(source.schedule) ?? [];
    ids.push(source.id);
    byExpression.set(source.schedule, ids);
  }
  const groups: CrawlScheduleGroup[] = [];
  for (const expression of [...byExpression.keys()].sort()) {
    const ids = (byExpression.get(expression) ?? []).sort();
    const hash = createHash('sha256').update(expression).digest('hex').slice(0, 8);
    for (let start = 0, n = 1; start < ids.length; start += maxSourcesPerSchedule, n++) {
      groups.push({ id: `Crawl${hash}x${n}`, expression, sourceIds: ids.slice(start, start + maxSourcesPerSchedule) });
    }
  }
  return groups;
}
