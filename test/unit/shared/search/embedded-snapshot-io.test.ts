import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWhole, writeWhole } from '../../../../shared/search/embedded-search-index.js';

// Snapshots past 2 GiB (200k documents of real length) cannot go through one read or write call;
// the chunked helpers are checked here with a chunk of a few bytes, so every loop turn runs.
describe('snapshot file I/O in chunks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'snapshot-io-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) % 251);

  it('writes every byte when the data spans many chunks', () => {
    const path = join(dir, 'written.bin');
    writeWhole(path, data, 7);
    expect(statSync(path).size).toBe(1000);
    expect(new Uint8Array(readFileSync(path))).toEqual(data);
  });

  it('reads back every byte in chunks, and an empty file as empty', () => {
    const path = join(dir, 'read.bin');
    writeWhole(path, data);
    expect(new Uint8Array(readWhole(path, 13))).toEqual(data);
    writeWhole(join(dir, 'empty.bin'), new Uint8Array(0), 5);
    expect(readWhole(join(dir, 'empty.bin'), 5).length).toBe(0);
  });
});
