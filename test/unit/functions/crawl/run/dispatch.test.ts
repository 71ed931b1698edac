import { describe, expect, it } from 'vitest';
import type { CrawlJob, CrawlQueue } from '../../../../../functions/crawl/run/crawl-queue.js';
import { dispatchCrawls } from '../../../../../functions/crawl/run/dispatch.js';
import { parseRegistry } from '../../../../../shared/sources/registry.js';
import { FixedClock } from '../../../../../shared/clock.js';
import { InvalidInputError } from '../../../../../shared/errors.js';
import { RecordingLog } from '../../../../../shared/log.js';

const sources = parseRegistry(
  `
registry: t
sources:
  - { id: mext-news, name: M, publisher: 文部科学省, kind: feed, url: 'https://www.mext.go.jp/b_menu/news/index.rdf' }
  - { id: mext-koubo, name: K, publisher: 文部科学省, kind: feed, url: 'https://www.mext.go.jp/koubo.rdf' }
  - { id: off, name: O, publisher: O, kind: feed, url: 'https://off.example/feed.xml', enabled: false }
`,
  't',
).sources;

class RecordingQueue implements CrawlQueue {
  readonly jobs: CrawlJob[] = [];
  async enqueue(jobs: readonly CrawlJob[]): Promise<void> {
    this.jobs.push(...jobs);
  }
}

describe('dispatchCrawls', () => {
  const clock = new FixedClock('2026-11-27T18:00:00Z');

  it('enqueues one job per due source, grouped by host', async () => {
    const queue = new RecordingQueue();

    const result = await dispatchCrawls(
      { sources, queue, clock, log: new RecordingLog() },
      { sourceIds: ['mext-news', 'mext-koubo'] },
    );

    expect(result.enqueued).toEqual(['mext-news', 'mext-koubo']);
    expect(queue.jobs).toEqual([
      { sourceId: 'mext-news', host: 'www.mext.go.jp', requestedAt: '2026-11-27T18:00:00.000Z' },
      { sourceId: 'mext-koubo', host: 'www.mext.go.jp', requestedAt: '2026-11-27T18:00:00.000Z' },
    ]);
  });

  it('skips unknown and disabled sources with the reason, and enqueues the rest', async () => {
    const queue = new RecordingQueue();

    const result = await dispatchCrawls(
      { sources, queue, clock, log: new RecordingLog() },
      { sourceIds: ['nope', 'off', 'mext-news'] },
    );

    expect(result.skipped).toEqual([
      { sourceId: 'nope', reason: 'no such source in the registry' },
      { sourceId: 'off', reason: 'source is disabled' },
    ]);
    expect(queue.jobs.map((j) => j.sourceId)).toEqual(['mext-news']);
  });

  it('dispatches every enabled source when the event names none', async () => {
    const queue = new RecordingQueue();

    await dispatchCrawls({ sources, queue, clock, log: new RecordingLog() }, {});

    expect(queue.jobs.map((j) => j.sourceId)).toEqual(['mext-news', 'mext-koubo']);
  });

  it('rejects a malformed event naming the field', async () => {
    await expect(
      dispatchCrawls(
        { sources, queue: new RecordingQueue(), clock, log: new RecordingLog() },
        { sourceIds: 'mext-news' },
      ),
    ).rejects.toThrow(InvalidInputError);
  });
});
