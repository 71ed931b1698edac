import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptDataError } from '../../../../shared/errors.js';
import { SnapshotFile, SnapshotSink } from '../../../../shared/search/embedded-files.js';

// Snapshots past 2 GiB (200k documents of real length) cannot go through one read or write call;
// the file helpers are checked here with a chunk and a staging buffer of a few bytes, so every
// loop turn and every path of the sink runs.
describe('snapshot file I/O in chunks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'snapshot-io-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) % 251);

  it('writes every byte in order, whether a piece is staged, follows a flush or goes straight through', () => {
    const path = join(dir, 'written.bin');
    const sink = new SnapshotSink(path, 16, 7);
    // 3 and 5 bytes are staged; 6 bytes after 13 staged flush first; 100 bytes pass the staging buffer.
    const pieces = [
      data.subarray(0, 3),
      data.subarray(3, 8),
      data.subarray(8, 13),
      data.subarray(13, 19),
      data.subarray(19, 119),
      data.subarray(119),
    ];
    for (const piece of pieces) sink.write(piece);
    sink.pad(8);
    sink.close();
    expect(statSync(path).size).toBe(1000);
    expect(new Uint8Array(readFileSync(path))).toEqual(data);
  });

  it('pads with zeros to the next multiple', () => {
    const path = join(dir, 'padded.bin');
    const sink = new SnapshotSink(path, 16, 7);
    sink.write(data.subarray(0, 3));
    sink.pad(8);
    sink.pad(8);
    sink.close();
    expect([...readFileSync(path)]).toEqual([...data.subarray(0, 3), 0, 0, 0, 0, 0]);
  });

  it('reads any range back in chunks, each into a buffer of its own', () => {
    const path = join(dir, 'read.bin');
    writeFileSync(path, data);
    const file = new SnapshotFile(path, 13);
    expect(file.size).toBe(1000);
    expect(file.bytes(0, 1000)).toEqual(data);
    const part = file.bytes(101, 4);
    expect([...part]).toEqual([...data.subarray(101, 105)]);
    expect(part.byteOffset).toBe(0);
    expect(part.buffer.byteLength).toBe(4);
    expect(file.bytes(1000, 0).length).toBe(0);
    file.close();
  });

  it('keeps reading the file it opened after the path is replaced', () => {
    const path = join(dir, 'replaced.bin');
    writeFileSync(path, data);
    const file = new SnapshotFile(path);
    rmSync(path);
    writeFileSync(path, new Uint8Array(10));
    expect(file.bytes(990, 10)).toEqual(data.subarray(990));
    file.close();
  });

  it('refuses a range past the end and a read after close, as corrupt data, with the path', () => {
    const path = join(dir, 'short.bin');
    writeFileSync(path, data.subarray(0, 10));
    const file = new SnapshotFile(path);
    expect(() => file.bytes(8, 4)).toThrow(CorruptDataError);
    expect(() => file.bytes(8, 4)).toThrow(/short\.bin has 10 bytes/);
    file.close();
    expect(() => file.bytes(0, 4)).toThrow(CorruptDataError);
  });
});
