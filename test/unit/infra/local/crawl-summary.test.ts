import { describe, expect, it } from 'vitest';
import type { DigestRunReport } from '../../../../functions/alerts/digest.js';
import { formatCrawlSummary } from '../../../../infra/local/crawl-summary.js';
import type { CrawlSummary } from '../../../../infra/local/local-stack.js';

const digest: DigestRunReport = {
  subscriptions: 5,
  due: 4,
  sent: 2,
  resent: 0,
  empty: 0,
  raced: 0,
  heldByIntent: 0,
  held: [],
  failed: 0,
  changedItems: 3,
  distinctSearches: 2,
};

const summary = (overrides: Partial<CrawlSummary> = {}): CrawlSummary => ({
  runs: [],
  totals: { new: 12, updated: 3, unchanged: 40, failed: 1 },
  indexed: 55,
  indexLag: { pending: 0, oldestAgeSec: 0 },
  durationMs: 4_321,
  ...overrides,
});

describe('npm start crawl summary', () => {
  it('says how many items are searchable once the index caught up', () => {
    const text = formatCrawlSummary(summary());

    expect(text).toContain('crawl finished in 4.3 s: 0 sources, 12 new, 3 updated, 40 unchanged, 1 failed URLs');
    expect(text).toContain('55 items searchable');
  });

  it('says the index is behind, with the waiting changes, when it had not caught up', () => {
    const text = formatCrawlSummary(summary({ indexed: undefined, indexLag: { pending: 17, oldestAgeSec: 42 } }));

    expect(text).toContain('the search index is behind: 17 changes wait (oldest 42 s)');
    expect(text).not.toContain('searchable');
  });

  it('names the subscribers held behind another run and when they get their digest', () => {
    const held = (id: string, resendAfter: string) => ({
      subscriptionId: id as never,
      address: 'a***@example.jp',
      digestId: `d-${id}`,
      claimedAt: '2026-12-07T09:00:00.000Z',
      resendAfter,
    });
    const text = formatCrawlSummary(
      summary({
        digest: {
          ...digest,
          heldByIntent: 2,
          held: [held('s2', '2026-12-07T09:15:30.000Z'), held('s1', '2026-12-07T09:15:00.000Z')],
        },
      }),
    );

    expect(text).toContain(
      'alert digests: 2 sent, 4 due, 5 subscriptions; 2 held behind a digest claimed by another run (resent from 2026-12-07T09:15:00.000Z)',
    );
  });

  it('prints the digest line without a held clause when nobody is held, and none when the digests failed', () => {
    expect(formatCrawlSummary(summary({ digest }))).toMatch(/alert digests: 2 sent, 4 due, 5 subscriptions\n/);
    expect(formatCrawlSummary(summary())).not.toContain('alert digests');
  });
});
