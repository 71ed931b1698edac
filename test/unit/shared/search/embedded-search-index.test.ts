import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CorruptDataError } from '../../../../shared/errors.js';
import { FixedClock, type Clock } from '../../../../shared/clock.js';
import type { ItemId } from '../../../../shared/domain/item.js';
import { statusAt } from '../../../../shared/domain/status.js';
import { decodeCursor } from '../../../../shared/search/cursor.js';
import { formatVersion } from '../../../../shared/search/embedded/snapshot.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import type { SearchDoc, SearchIndex } from '../../../../shared/search/search-index.js';
import { searchIndexContract } from '../../../support/search-index.contract.js';
import {
  contractTimes,
  fixtureId,
  forecastFixtureCorpus,
  generateCorpus,
  searchFixtureCorpus,
} from '../../../support/search-corpus.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chiiki-embedded-'));
  dirs.push(dir);
  return dir;
}

/**
 * Every write goes to one instance, which is then dropped; every call runs on a freshly opened
 * instance, so the suite only passes if everything survives a restart. `closeBetween` chooses
 * between a clean shutdown (snapshot) and a crash (log replay).
 */
class ReopeningIndex implements SearchIndex {
  private current: EmbeddedSearchIndex;
  constructor(
    private readonly dir: string,
    private readonly clock: Clock,
    private readonly closeBetween: boolean,
  ) {
    this.current = new EmbeddedSearchIndex({ dir, clock });
  }
  private async reopen(): Promise<EmbeddedSearchIndex> {
    if (this.closeBetween) await this.current.close();
    this.current = new EmbeddedSearchIndex({ dir: this.dir, clock: this.clock });
    return this.current;
  }
  async ensureIndex() {
    return (await this.reopen()).ensureIndex();
  }
  async upsert(docs: readonly SearchDoc[]) {
    return (await this.reopen()).upsert(docs);
  }
  async remove(ids: readonly ItemId[]) {
    return (await this.reopen()).remove(ids);
  }
  async search(q: Parameters<SearchIndex['search']>[0]) {
    return (await this.reopen()).search(q);
  }
  async count() {
    return (await this.reopen()).count();
  }
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

searchIndexContract('embedded, in memory', async (clock) => ({
  index: new EmbeddedSearchIndex({ clock }),
  close: async () => {},
}));

// Reopening replays every call from disk, so these variants check fewer random corpora.
for (const [label, closeBetween, propertyRuns] of [
  ['reopened from disk after each call', true, 20],
  ['reopened after a crash (log replay)', false, 10],
] as const) {
  searchIndexContract(
    `embedded, ${label}`,
    async (clock) => {
      const dir = mkdtempSync(join(tmpdir(), 'chiiki-embedded-contract-'));
      return {
        index: new ReopeningIndex(dir, clock, closeBetween),
        close: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
    { propertyRuns },
  );
}

describe('EmbeddedSearchIndex', () => {
  const clock = new FixedClock(contractTimes.middle);

  it('keeps results identical after snapshot, compaction and reopen', async () => {
    const dir = tempDir();
    const corpus = generateCorpus(3000, 7).map((d) => ({ ...d, withdrawn: false }));
    const a = new EmbeddedSearchIndex({ dir, clock });
    await a.upsert(corpus);
    await a.remove(corpus.slice(0, 500).map((d) => d.id));
    await a.upsert(corpus.slice(500, 900).map((d) => ({ ...d, title: `${d.title} 改訂版` })));
    const queries = [
      { text: '研究開発' },
      { text: '改訂版', sort: 'newest' as const },
      { text: '公募', statuses: ['open' as const] },
    ];
    const before = await Promise.all(queries.map((q) => a.search({ ...q, size: 50 })));
    await a.close();

    const b = new EmbeddedSearchIndex({ dir, clock });
    const after = await Promise.all(queries.map((q) => b.search({ ...q, size: 50 })));

    expect(await b.count()).toBe(2500);
    expect(after).toEqual(before);
    expect(after[1]?.total).toBe(400);
  });

  it('ignores a torn last line in the change log', async () => {
    const dir = tempDir();
    const corpus = searchFixtureCorpus();
    const a = new EmbeddedSearchIndex({ dir, clock });
    await a.upsert(corpus.slice(0, 3));
    const version = readFileSync(join(dir, 'CURRENT'), 'utf8').trim();
    appendFileSync(join(dir, version, 'wal.jsonl'), '{"op":"u","doc":{"id":');

    const b = new EmbeddedSearchIndex({ dir, clock });

    expect(await b.count()).toBe(3);
  });

  it('rebuilds into a new version folder and swaps it in at commit', async () => {
    const dir = tempDir();
    const corpus = searchFixtureCorpus();
    const index = new EmbeddedSearchIndex({ dir, clock });
    await index.upsert(corpus);
    const writer = await index.beginReindex();

    await writer.upsert(corpus.slice(0, 10));
    expect(await index.count()).toBe(corpus.length);
    await writer.commit();

    expect(await index.count()).toBe(10);
    expect(readFileSync(join(dir, 'CURRENT'), 'utf8').trim()).toBe('v2');
    expect(readdirSync(dir).filter((f) => f.startsWith('v'))).toEqual(['v2']);
    expect(await new EmbeddedSearchIndex({ dir, clock }).count()).toBe(10);
  });

  it('leaves the live index alone when a reindex is aborted', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    await index.upsert(searchFixtureCorpus());
    const writer = await index.beginReindex();

    await writer.upsert(searchFixtureCorpus().slice(0, 2));
    await writer.abort();

    expect(await index.count()).toBe(searchFixtureCorpus().length);
    expect((await index.search({ text: '産学官' })).items[0]?.doc.id).toBe(fixtureId('sangakukan'));
  });

  it('opens a snapshot of the format before applicants, ceilings and forecasts empty, and says so', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'v2'));
    const old = Buffer.alloc(64);
    old.writeUInt32LE(formatVersion - 1, 0);
    writeFileSync(join(dir, 'v2', 'index.bin'), old);
    writeFileSync(join(dir, 'CURRENT'), 'v2\n');

    const index = new EmbeddedSearchIndex({ dir, clock });
    expect(await index.count()).toBe(0);
    expect(index.staleFormat).toBe(formatVersion - 1);
    await index.upsert(forecastFixtureCorpus());
    await index.close();

    const reopened = new EmbeddedSearchIndex({ dir, clock });
    const page = await reopened.search({ statuses: ['expected'], applicants: ['university'], amountMin: 1, size: 100 });
    expect(reopened.staleFormat).toBeUndefined();
    expect(page.items.map((hit) => hit.doc.id)).toEqual([fixtureId('expected-closed')]);
  });

  it('refuses to open a folder whose CURRENT file is damaged', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'CURRENT'), 'garbage');

    const error: unknown = await new EmbeddedSearchIndex({ dir, clock }).count().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptDataError);
    expect((error as CorruptDataError).message).toMatch(/bad CURRENT/);
    expect((error as CorruptDataError).path).toBe(join(dir, 'CURRENT'));
  });

  it.each(['relevance', 'newest', 'deadline', 'amount', 'expected'] as const)(
    'ranks many ties exactly by the sort keys and id, whatever the page size (%s)',
    async (sort) => {
      // 240 calls with few distinct scores (研究 in title, summary and/or body) and dates drawn from
      // four values or missing, so nearly every rank decision is a tie on the leading keys. Two
      // dates lie beyond 2109, where the engine's rank key stops telling dates apart.
      const dates = [
        '2025-01-10T00:00:00.000Z',
        '2025-03-01T00:00:00.000Z',
        '2150-01-01T00:00:00.000Z',
        '2200-06-15T00:00:00.000Z',
        undefined,
      ];
      const forecastDays = ['2025-04-01', '2026-01-01', '2027-07-01'];
      const docs: SearchDoc[] = generateCorpus(240, 9).map((d, i) => ({
        ...d,
        withdrawn: false,
        title: i % 2 === 0 ? `研究 ${i}` : `告知 ${i}`,
        summary: i % 3 === 0 ? '研究の概要' : '概要',
        bodyText: i % 5 === 0 ? '研究' : '本文',
        publishedAt: dates[i % 5],
        updatedAt: dates[(i >> 2) % 4] as string,
        closesAt: dates[(i >> 1) % 5],
        amountCeiling: [1_000_000, 30_000_000, undefined][i % 3],
        forecast:
          i % 4 === 0
            ? undefined
            : {
                seriesId: `s${i}`,
                opens: { from: forecastDays[(i >> 1) % 3] as string, to: '2027-12-31' },
                text: '見込み',
              },
      }));
      const byId = new Map(docs.map((d) => [d.id as string, d]));
      const index = new EmbeddedSearchIndex({ clock });
      await index.upsert(docs);
      const text = sort === 'relevance' ? '研究' : undefined;
      const pagesOf = async (size: number) => {
        const out: Array<{ id: string; score: number }> = [];
        let cursor: string | undefined;
        do {
          const page = await index.search({ text, sort, size, cursor });
          for (const hit of page.items) out.push({ id: hit.doc.id, score: 0 });
          // The cursor carries the last hit's sort values; for relevance the first is its score.
          if (page.nextCursor && sort === 'relevance' && size === 1)
            (out[out.length - 1] as { score: number }).score = decodeCursor(page.nextCursor, sort).values[0] ?? 0;
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        return out;
      };
      const one = await pagesOf(1);
      const ms = (iso: string | undefined) => (iso === undefined ? Number.NaN : Date.parse(iso));
      // Descending with missing last / ascending with missing last, as the API documents.
      const desc = (x: number, y: number) =>
        Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : Number.isNaN(y) ? -1 : y - x;
      const asc = (x: number, y: number) =>
        Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : Number.isNaN(y) ? -1 : x - y;
      const doc = (id: string) => byId.get(id) as SearchDoc;
      const expected = [...one].sort((a, b) => {
        const da = doc(a.id);
        const db = doc(b.id);
        const newest = desc(ms(da.publishedAt), ms(db.publishedAt)) || desc(ms(da.updatedAt), ms(db.updatedAt));
        // Deadline: open by deadline, upcoming by opening, closed latest first, undated last.
        const group = { open: 0, upcoming: 1, closed: 2, unknown: 3 } as const;
        const within = (d: SearchDoc): number => {
          const st = statusAt(d, clock.now());
          return st === 'open' ? ms(d.closesAt) : st === 'upcoming' ? ms(d.opensAt) : -ms(d.closesAt);
        };
        const forecastMs = (d: SearchDoc) => ms(d.forecast && `${d.forecast.opens.from}T00:00:00+09:00`);
        const lead =
          sort === 'amount'
            ? desc(da.amountCeiling ?? Number.NaN, db.amountCeiling ?? Number.NaN) || newest
            : sort === 'expected'
              ? asc(forecastMs(da), forecastMs(db)) || newest
              : sort === 'deadline'
                ? group[statusAt(da, clock.now())] - group[statusAt(db, clock.now())] || asc(within(da), within(db))
                : sort === 'newest'
                  ? newest
                  : b.score - a.score || newest;
        return lead || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      });

      expect(one.length).toBe(
        sort === 'relevance' ? docs.filter((d) => /研究/.test(d.title + d.summary + d.bodyText)).length : 240,
      );
      expect(new Set(one.slice(0, -1).map((h) => h.score)).size).toBeGreaterThan(sort === 'relevance' ? 2 : 0);
      expect(one.map((h) => h.id)).toEqual(expected.map((h) => h.id));
      for (const size of [7, 100]) expect((await pagesOf(size)).map((h) => h.id)).toEqual(expected.map((h) => h.id));
    },
  );

  it('caps total at the exact-total cap on huge result sets', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    await index.upsert(generateCorpus(10_500, 3).map((d) => ({ ...d, withdrawn: false })));

    const page = await index.search({});

    expect(page.total).toBe(10_000);
    expect(page.totalIsLowerBound).toBe(true);
  });

  it.each([
    ['2025-03-31T23:59:59.999+09:00', 'upcoming'],
    ['2025-04-01T00:00:00+09:00', 'open'],
    ['2025-05-30T17:00:00+09:00', 'open'],
    ['2025-05-30T17:00:00.001+09:00', 'closed'],
    ['2025-03-01T00:00:00+09:00', 'upcoming'],
  ] as const)(
    'follows the clock as it moves to %s: the call is %s in filters, facets and hits',
    async (at, expected) => {
      const moving = new FixedClock('2025-05-01T00:00:00+09:00');
      const index = new EmbeddedSearchIndex({ clock: moving });
      await index.upsert(searchFixtureCorpus());
      const id = fixtureId('sangakukan');
      await index.search({ text: '産学官', statuses: ['open'] });

      moving.set(at);
      const filtered = await index.search({ text: '産学官', statuses: [expected], size: 100 });
      const listed = await index.search({ statuses: [expected], size: 100 });

      expect(filtered.items.map((hit) => hit.doc.id)).toContain(id);
      expect(filtered.items.find((hit) => hit.doc.id === id)?.status).toBe(expected);
      expect(listed.items.map((hit) => hit.doc.id)).toContain(id);
      // The call is the newest round of a series with a forecast: expected too once closed.
      const buckets = expected === 'closed' ? [expected, 'expected'] : [expected];
      expect(filtered.facets.status).toEqual(buckets.map((value) => ({ value, count: filtered.total })));
      const forecast = await index.search({ text: '産学官', statuses: ['expected'] });
      expect(forecast.items.map((hit) => hit.doc.id)).toEqual(expected === 'closed' ? [id] : []);
    },
  );
});
