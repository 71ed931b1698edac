import { describe, expect, it } from 'vitest';
import { crawlScheduleGroups, maxSourcesPerSchedule } from '../../../../infra/aws/schedules.js';

const source = (id: string, schedule: string, enabled = true) => ({ id, schedule, enabled }) as never;

describe('crawlScheduleGroups', () => {
  it('makes one schedule per expression with the due sources, sorted', () => {
    const groups = crawlScheduleGroups({
      sources: [
        source('mext-news', 'cron(0 18 * * ? *)'),
        source('jst-news', 'rate(6 hours)'),
        source('amed-calls', 'cron(0 18 * * ? *)'),
      ],
    });

    expect(groups.map((g) => [g.expression, g.sourceIds])).toEqual([
      ['cron(0 18 * * ? *)', ['amed-calls', 'mext-news']],
      ['rate(6 hours)', ['jst-news']],
    ]);
  });

  it('leaves disabled sources out', () => {
    const groups = crawlScheduleGroups({ sources: [source('old-feed', 'rate(1 day)', false)] });

    expect(groups).toEqual([]);
  });

  it('splits a large group so each schedule input stays small', () => {
    const ids = Array.from({ length: maxSourcesPerSchedule + 5 }, (_, i) => `pref-${String(i).padStart(3, '0')}`);

    const groups = crawlScheduleGroups({ sources: ids.map((id) => source(id, 'cron(0 18 * * ? *)')) });

    expect(groups.map((g) => g.sourceIds.length)).toEqual([maxSourcesPerSchedule, 5]);
    expect(new Set(groups.map((g) => g.id)).size).toBe(2);
  });

  it('keeps construct ids stable when the registry order changes', () => {
    const a = crawlScheduleGroups({ sources: [source('a-src', 'rate(1 day)'), source('b-src', 'rate(2 days)')] });
    const b = crawlScheduleGroups({ sources: [source('b-src', 'rate(2 days)'), source('a-src', 'rate(1 day)')] });

    expect(a).toEqual(b);
  });
});
