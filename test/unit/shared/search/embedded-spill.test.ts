import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import type { SearchQuery } from '../../../../shared/search/query.js';
import type { SearchDoc, SearchPage } from '../../../../shared/search/search-index.js';
import { contractTimes, generateCorpus } from '../../../support/search-corpus.js';

const clock = new FixedClock(contractTimes.middle);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chiiki-embedded-spill-'));
  dirs.push(dir);
  return dir;
}

/** The spill files in an index folder's version folders. */
function spillFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.spill'));
}

const queries: SearchQuery[] = [
  { text: '研究開発' },
  { text: '産学官', sort: 'newest' },
  { text: 'ＩｏＴ人材' },
  { text: '半導体', sort: 'relevance' },
  { text: '改訂版', sort: 'deadline' },
  { text: '研' },
  { text: 'AI', kinds: ['call'] },
  { text: '地域 研究', statuses: ['open', 'upcoming'] },
  { kinds: ['call'], sort: 'newest' },
  {},
];

async function answers(index: EmbeddedSearchIndex): Promise<SearchPage[]> {
  return Promise.all(queries.map((q) => index.search({ ...q, size: 30 })));
}

describe('a reindex that spills its postings to files', () => {
  const corpus = generateCorpus(600, 21).map((d) => ({ ...d, withdrawn: false }));
  const revised = corpus.slice(100, 150).map((d): SearchDoc => ({ ...d, title: `${d.title} 改訂版` }));
  const removed = corpus.slice(0, 50).map((d) => d.id);

  it('answers exactly as an index built in memory, with writes during the build, and leaves no spill file', async () => {
    const reference = new EmbeddedSearchIndex({ clock });
    await reference.upsert(corpus);
    await reference.upsert(revised);
    await reference.remove(removed);

    const dir = tempDir();
    const index = new EmbeddedSearchIndex({ dir, clock, spillEntries: 3000 });
    await index.upsert(corpus.slice(0, 10));
    const writer = await index.beginReindex();
    for (let at = 0; at < corpus.length; at += 50) await writer.upsert(corpus.slice(at, at + 50));
    // Live writes reach the index being built too: an update and removals of spilled documents.
    await index.upsert(revised);
    await index.remove(removed);
    const spilled = spillFiles(dir).length;
    await writer.commit();

    expect(spilled).toBeGreaterThan(5);
    expect(spillFiles(dir)).toEqual([]);
    expect(await index.count()).toBe(550);
    const expected = await answers(reference);
    expect(expected.map((p) => p.total).every((t) => t > 0)).toBe(true);
    expect(await answers(index)).toEqual(expected);
    await index.close();
    const reopened = new EmbeddedSearchIndex({ dir, clock });
    expect(await answers(reopened)).toEqual(expected);
  });

  it('deletes its spill files when aborted', async () => {
    const dir = tempDir();
    const index = new EmbeddedSearchIndex({ dir, clock, spillEntries: 2000 });
    const writer = await index.beginReindex();
    await writer.upsert(corpus.slice(0, 200));
    expect(spillFiles(dir).length).toBeGreaterThan(0);
    await writer.abort();
    expect(spillFiles(dir)).toEqual([]);
  });
});
