import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import { DocStore } from '../../../../shared/search/embedded/doc-store.js';
import { SnapshotFile, SnapshotSink } from '../../../../shared/search/embedded-files.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { contractTimes, generateCorpus } from '../../../support/search-corpus.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('DocStore', () => {
  it('returns every document across sealed and open blocks, and after compaction and rewrite', () => {
    const store = new DocStore();
    const docs = Array.from({ length: 100 }, (_, d) => JSON.stringify({ d, text: `本文${d}\n改行` }));
    docs.forEach((json, d) => store.add(d, json));
    docs.forEach((json, d) => expect(store.get(d)).toBe(json));

    // Keep every fourth document, renumbered densely, as compaction does.
    const kept = docs.filter((_, d) => d % 4 === 0);
    for (let d = 0, nd = 0; d < docs.length; d++) if (d % 4 === 0) store.move(d, nd++);
    store.rewrite(kept.length);
    kept.forEach((json, d) => expect(store.get(d)).toBe(json));
    store.add(kept.length, '{"late":true}');
    expect(store.get(kept.length)).toBe('{"late":true}');

    // Written as a snapshot section after 8 other bytes, then read back from the file on demand.
    const dir = mkdtempSync(join(tmpdir(), 'chiiki-doc-store-'));
    dirs.push(dir);
    const path = join(dir, 'blocks.bin');
    const { offsets, loc, writeBlocks } = store.sections(kept.length + 1);
    const sink = new SnapshotSink(path);
    sink.write(new Uint8Array(8));
    writeBlocks((block) => sink.write(block));
    sink.close();
    const file = new SnapshotFile(path);
    const loaded = DocStore.fromStored(file, 8, offsets, loc);
    [...kept, '{"late":true}'].forEach((json, d) => expect(loaded.get(d)).toBe(json));
    // Its sections again (blocks read from the file) are the same bytes.
    const again: Uint8Array[] = [];
    loaded.sections(kept.length + 1).writeBlocks((block) => again.push(block));
    expect(Buffer.concat(again)).toEqual(readFileSync(path).subarray(8));
    file.close();
  });
});

describe('the embedded snapshot', () => {
  it('holds documents compressed, not as text, and hands them back whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chiiki-embedded-docs-'));
    dirs.push(dir);
    const clock = new FixedClock(contractTimes.middle);
    const corpus = generateCorpus(400, 11);
    const a = new EmbeddedSearchIndex({ dir, clock });
    await a.upsert(corpus);
    await a.close();
    const version = readFileSync(join(dir, 'CURRENT'), 'utf8').trim();
    const file = readFileSync(join(dir, version, 'index.bin'));
    const summary = (corpus[7]?.summary ?? '').slice(0, 30);

    expect(file.includes(Buffer.from(summary, 'utf8'))).toBe(false);
    expect(file.includes(Buffer.from(summary, 'utf16le'))).toBe(false);
    const b = new EmbeddedSearchIndex({ dir, clock });
    const page = await b.search({ text: corpus[7]?.title, size: 100 });
    expect(page.items.find((h) => h.doc.id === corpus[7]?.id)?.doc).toEqual(JSON.parse(JSON.stringify(corpus[7])));
  });
});
