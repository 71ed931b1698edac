import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import type { QueryTerm } from '../../../../shared/search/analyze.js';
import { IndexState } from '../../../../shared/search/embedded/index-state.js';
import { Matcher } from '../../../../shared/search/embedded/match.js';
import {
  addPositions,
  emptyPositions,
  fieldSpan,
  keepPositions,
  PositionCursor,
  positionsOf,
  StoredPositions,
  trimPositions,
  type Positions,
} from '../../../../shared/search/embedded/positions.js';
import { ByteWriter } from '../../../../shared/search/embedded/varint.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { SearchQuerySchema } from '../../../../shared/search/query.js';
import type { SearchDoc } from '../../../../shared/search/search-index.js';
import { contractTimes, generateCorpus } from '../../../support/search-corpus.js';

const clock = new FixedClock(contractTimes.middle);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function doc(id: string, title: string, summary?: string, bodyText?: string): SearchDoc {
  const base = generateCorpus(1, 3)[0] as SearchDoc;
  return { ...base, id: id as SearchDoc['id'], title, summary, bodyText, withdrawn: false };
}

/** Ids of the documents of `docs` matching one hand-made query term. */
function matching(docs: readonly SearchDoc[], term: QueryTerm, query: object = {}): string[] {
  const s = new IndexState();
  for (const d of docs) s.upsert(d);
  const m = new Matcher().match(s, SearchQuerySchema.parse(query), [term], clock.now().getTime());
  return Array.from(m.docs.subarray(0, m.count), (d) => s.ids[d] as string).sort();
}

const word = (text: string): QueryTerm => ({ text, cjk: false });
const run = (text: string): QueryTerm => ({ text, cjk: true });
const mixed = (...parts: QueryTerm[]): QueryTerm => ({ text: parts.map((p) => p.text).join(''), cjk: false, parts });

describe('varint codec', () => {
  it('writes LEB128 that reads back, across byte boundaries, each value where the ones before end', () => {
    const values = [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 21, 2 ** 28 + 5, 2 ** 32 - 1];
    const w = new ByteWriter(new Uint8Array(1));
    for (const v of values) w.writeVarint(v);
    expect(w.used).toBe(1 + 1 + 1 + 2 + 2 + 2 + 3 + 4 + 5 + 5);
    // LEB128 read back by hand: 7 bits a byte, low first, high bit = more.
    const bytes = w.view();
    const readAt = (at: number): [number, number] => {
      let value = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = bytes[at++] as number;
        value += (byte & 0x7f) * 2 ** shift;
        if (byte < 0x80) return [value, at];
      }
    };
    const read: number[] = [];
    for (let at = 0; at < bytes.length;) {
      const [value, next] = readAt(at);
      read.push(value);
      at = next;
    }
    expect(read).toEqual(values);
    // The ninth value starts after the first eight's 16 bytes.
    expect(readAt(16)[0]).toBe(2 ** 28 + 5);
  });
});

describe('posting positions', () => {
  // Entry k: k % 5 + 1 positions spread over the three fields, ascending.
  const entries = Array.from({ length: 21 }, (_, k) =>
    Array.from({ length: (k % 5) + 1 }, (_, i) => (i % 3) * fieldSpan + k * 10 + i).sort((x, y) => x - y),
  );
  const read = (from: Positions, k: number): number[] => {
    const [buf, count] = positionsOf(from, k, new Int32Array(1));
    return Array.from(buf.subarray(0, count));
  };

  it('reads back every entry, one position or many, and keeps the chosen entries in order', () => {
    const p = emptyPositions();
    for (const e of entries) addPositions(p, e);

    entries.forEach((e, k) => expect(read(p, k)).toEqual(e));
    const kept = keepPositions(p, (k) => k % 3 === 0);
    expect(kept.entries).toBe(7);
    for (let j = 0; j < 7; j++) expect(read(kept, j)).toEqual(entries[j * 3]);
  });

  it('keeps one slot per entry, and a position standing alone in it without further bytes', () => {
    const p = emptyPositions();
    addPositions(p, [2 * fieldSpan + 7]);
    addPositions(p, [3, fieldSpan + 4]);

    expect(p.slots[0]).toBe(2 * fieldSpan + 7);
    expect(p.more.used).toBe(1 + 1 + 4);
    expect(trimPositions(p).slots.length).toBe(2);
  });

  it('skips a cursor forward to the first position at or after a target, decoding as it goes', () => {
    const p = emptyPositions();
    addPositions(p, [5, 9, 300, fieldSpan + 2, 2 * fieldSpan]);
    const cursor = new PositionCursor();
    cursor.open(p, 0);

    expect(cursor.value).toBe(5);
    expect(cursor.skipTo(9)).toBe(true);
    expect(cursor.value).toBe(9);
    expect(cursor.skipTo(10)).toBe(true);
    expect(cursor.value).toBe(300);
    expect(cursor.skipTo(fieldSpan)).toBe(true);
    expect(cursor.value).toBe(fieldSpan + 2);
    expect(cursor.skipTo(2 * fieldSpan + 1)).toBe(false);
  });
});

describe('phrase verification by positions', () => {
  it('matches a long CJK word only where its characters stand together in one field', () => {
    const docs = [
      doc('a', '産学官連携の推進'),
      doc('b', '産学連携と大学官舎'),
      doc('c', '地域の産学', '官連携を支援'),
      doc('d', '告知', '概要', '本文に産学官の記述'),
      doc('e', '産学 官連携'),
    ];
    expect(matching(docs, run('産学官'))).toEqual(['a', 'd']);
  });

  it('finds a phrase after many scattered occurrences of its keys, and in the field where it stands', () => {
    const scattered = Array.from({ length: 40 }, () => '研究の開発と').join('');
    const docs = [
      doc('a', scattered, undefined, `${scattered}研究開発`),
      doc('b', scattered, `${scattered}研究`, `開発${scattered}`),
      doc('c', '研究研究の会', undefined, '研究の研究'),
      doc('d', '告知', undefined, '研究と研究研究'),
      // Every key of 研究開発 in the title, but the phrase only in the body.
      doc('e', '研究開と究開発', undefined, '拠点の研究開発'),
    ];

    expect(matching(docs, run('研究開発'))).toEqual(['a', 'e']);
    expect(matching(docs, run('研究研究'))).toEqual(['c', 'd']);
    expect(matching(docs, run('究の研'))).toEqual(['c']);
    // A sort that does not rank by score stops at the first field holding the phrase: the same documents.
    for (const sort of ['newest', 'deadline', 'amount', 'expected']) {
      expect(matching(docs, run('研究開発'), { sort })).toEqual(['a', 'e']);
      expect(matching(docs, run('研究研究'), { sort })).toEqual(['c', 'd']);
    }
  });

  it('tells fields apart: the score counts only fields where the phrase stands', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    await index.upsert([doc('a', '量子技術の研究', '量子の技術'), doc('b', '告知', '量子技術の概要')]);
    const page = await index.search({ text: '量子技術' });
    expect(page.items.map((h) => h.doc.id)).toEqual(['a', 'b']);
    expect(page.items[0]?.highlights.summary).toBeUndefined();
  });

  it('matches a word typed across scripts only where its parts stand in order, adjacent', () => {
    const docs = [
      doc('a', '地域ＤＸ推進事業'),
      doc('b', 'DX推進'),
      doc('c', 'DXの推進'),
      doc('d', '推進DX'),
      doc('e', '製造現場のIoT化支援'),
      doc('f', 'IoTを活用した化学'),
      doc('g', 'ＤＸ', '推進'),
    ];
    expect(matching(docs, mixed(word('dx'), run('推進')))).toEqual(['a', 'b']);
    expect(matching(docs, mixed(word('iot'), run('化')))).toEqual(['e']);
    expect(matching(docs, mixed(run('現場の'), word('iot')))).toEqual(['e']);
    expect(matching(docs, mixed(run('場'), word('iot')))).toEqual([]);
  });
});

describe('snapshots', () => {
  it('opens a folder holding a snapshot of an older format empty, says so, and writes the current format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chiiki-embedded-old-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'v3'));
    const old = Buffer.alloc(64);
    old.writeUInt32LE(3, 0);
    writeFileSync(join(dir, 'v3', 'index.bin'), old);
    writeFileSync(join(dir, 'v3', 'wal.jsonl'), '{"op":"r","id":"x"}\n');
    writeFileSync(join(dir, 'CURRENT'), 'v3\n');

    const index = new EmbeddedSearchIndex({ dir, clock });
    expect(await index.count()).toBe(0);
    expect(index.staleFormat).toBe(3);
    await index.upsert([doc('a', '産学官連携')]);
    await index.close();

    const reopened = new EmbeddedSearchIndex({ dir, clock });
    expect((await reopened.search({ text: '産学官' })).items.map((h) => h.doc.id)).toEqual(['a']);
    expect(reopened.staleFormat).toBeUndefined();
  });

  /** The terms of a reopened index whose positions were read from its snapshot file. */
  function termsRead(index: EmbeddedSearchIndex): string[] {
    const state = (index as unknown as { state: IndexState }).state;
    return [...state.postings]
      .filter(([, p]) => p.pos instanceof StoredPositions && p.pos.isLoaded)
      .map(([term]) => term)
      .sort();
  }

  it("reads a term's positions from the file only when a phrase needs them, and keeps them exact across writes", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chiiki-embedded-lazy-'));
    dirs.push(dir);
    const docs = [
      doc('a', '産学官連携の推進', '研究開発の拠点'),
      doc('b', '産学の連携', '官民の研究'),
      doc('c', '地域の研究開発', undefined, '産学官連携による研究開発の支援'),
    ];
    const first = new EmbeddedSearchIndex({ dir, clock });
    await first.upsert(docs);
    await first.close();

    const index = new EmbeddedSearchIndex({ dir, clock });
    // A two-character word is decided by postings: no position is read.
    expect((await index.search({ text: '研究' })).items.map((h) => h.doc.id).sort()).toEqual(['a', 'b', 'c']);
    expect(termsRead(index)).toEqual([]);
    // A three-character word reads the positions of its two bigrams, and only those.
    expect((await index.search({ text: '産学官' })).items.map((h) => h.doc.id).sort()).toEqual(['a', 'c']);
    expect(termsRead(index)).toEqual(['学官', '産学']);

    // A new document appends to terms whose positions are still in the file, and to read ones.
    await index.upsert([doc('d', '研究開発と産学官連携')]);
    expect((await index.search({ text: '研究開発' })).items.map((h) => h.doc.id).sort()).toEqual(['a', 'c', 'd']);
    expect((await index.search({ text: '産学官連携' })).items.map((h) => h.doc.id).sort()).toEqual(['a', 'c', 'd']);
    await index.close();

    // The next snapshot copies unread positions from the previous file and writes the rest: the same answers.
    const reopened = new EmbeddedSearchIndex({ dir, clock });
    expect((await reopened.search({ text: '研究開発' })).items.map((h) => h.doc.id).sort()).toEqual(['a', 'c', 'd']);
    expect((await reopened.search({ text: '産学官連携' })).items.map((h) => h.doc.id).sort()).toEqual(['a', 'c', 'd']);
    expect((await reopened.search({ text: '官民の' })).items.map((h) => h.doc.id)).toEqual(['b']);
    expect((await reopened.search({ text: '連携の推' })).items.map((h) => h.doc.id)).toEqual(['a']);
  });
});
