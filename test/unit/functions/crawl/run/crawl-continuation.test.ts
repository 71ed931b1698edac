import { describe, expect, it } from 'vitest';
import {
  CrawlContinuationSchema,
  fitContinuation,
  lambdaBudget,
  outOfTime,
  type CrawlContinuation,
} from '../../../../../functions/crawl/run/crawl-continuation.js';
import { emptyCounts } from '../../../../../shared/domain/crawl-run.js';

const sourceUrl = 'https://koubo.example/list.html';
const counts = { ...emptyCounts(), fetched: 3, new: 10 };

const entry = (n: number) => ({
  title: `研究開発支援事業の公募について（第${n}回）`,
  url: `https://koubo.example/koubo/${n}.html`,
  summary: '地域の中核企業による研究開発を支援します。'.repeat(20),
});

function listingContinuation(pending: number): CrawlContinuation {
  return CrawlContinuationSchema.parse({
    runId: 'koubo-list-20261207T030000000Z-abcd1234',
    startedAt: '2026-12-07T03:00:00.000Z',
    number: 1,
    cursor: {
      kind: 'listing',
      next: { index: 1, url: 'https://koubo.example/list.html?page=2' },
      pending: Array.from({ length: pending }, (_, i) => entry(i + 1)),
      lists: [{ url: sourceUrl, etag: '"v1"', fetchedAt: '2026-12-07T03:00:01.000Z' }],
      listedIds: [],
      missed: false,
      capped: false,
      anyRead: true,
      detailsLeft: false,
    },
    counts,
    errors: [],
  });
}

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

describe('fitContinuation', () => {
  it('returns a continuation that fits as it is', () => {
    const small = listingContinuation(5);

    expect(fitContinuation(small, sourceUrl)).toBe(small);
  });

  it('drops the tail of a detail queue too large for one message, and says so', () => {
    const large = listingContinuation(1000);
    expect(bytes(large)).toBeGreaterThan(200_000);

    const fitted = fitContinuation(large, sourceUrl);

    expect(bytes(fitted)).toBeLessThanOrEqual(200_000);
    expect(fitted.cursor.pending.length).toBeGreaterThan(0);
    expect(fitted.cursor.pending).toEqual(large.cursor.pending.slice(0, fitted.cursor.pending.length));
    expect(fitted.cursor).toMatchObject({ kind: 'listing', detailsLeft: true });
    expect(fitted.errors).toEqual([
      expect.objectContaining({
        url: sourceUrl,
        kind: 'ContinuationSizeError',
        message: expect.stringContaining('200000'),
      }),
    ]);
    expect(CrawlContinuationSchema.parse(JSON.parse(JSON.stringify(fitted)))).toEqual(fitted);
  });

  it('marks a jGrants run whose queue it trimmed as leaving details, so its lists are read again', () => {
    const base = listingContinuation(0);
    const jgrants: CrawlContinuation = {
      ...base,
      cursor: {
        ...base.cursor,
        kind: 'jgrants',
        pending: Array.from({ length: 50 }, (_, i) => ({ id: `a0W5h00000X${i}`, title: entry(i).summary })),
      },
    };

    const fitted = fitContinuation(jgrants, sourceUrl, 10_000);

    expect(bytes(fitted)).toBeLessThanOrEqual(10_000);
    expect(fitted.cursor).toMatchObject({ kind: 'jgrants', detailsLeft: true });
  });
});

describe('CrawlContinuationSchema', () => {
  it('carries every field of a listing entry still waiting for its detail through the message', () => {
    const waiting = {
      ...entry(1),
      dateText: '令和8年11月1日',
      budgetYen: 5_000_000,
      kindHint: 'call',
      metadata: [{ label: '従業員数', value: '300名以下' }],
      externalId: 'koubo-1',
    };
    const continuation = listingContinuation(0);
    const message = JSON.stringify({ ...continuation, cursor: { ...continuation.cursor, pending: [waiting] } });

    const read = CrawlContinuationSchema.parse(JSON.parse(message));

    expect(read.cursor.pending).toEqual([waiting]);
  });
});

describe('lambdaBudget', () => {
  it('is out of time once the remaining time falls below the margin', () => {
    let remaining = 31_000;
    const budget = lambdaBudget({ getRemainingTimeInMillis: () => remaining }, 30_000);

    const before = outOfTime(budget);
    remaining = 29_999;

    expect(before).toBe(false);
    expect(outOfTime(budget)).toBe(true);
  });
});
