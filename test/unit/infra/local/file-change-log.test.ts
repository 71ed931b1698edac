import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileChangeLog } from '../../../../infra/local/file-change-log.js';
import { FixedClock } from '../../../../shared/clock.js';
import type { ItemId } from '../../../../shared/domain/item.js';
import { RecordingLog } from '../../../../shared/log.js';

const id = (n: number) => `it_${n.toString(16).padStart(24, '0')}` as ItemId;

describe('FileChangeLog', () => {
  const clock = new FixedClock('2025-05-01T00:00:00.000Z');
  let dir: string;
  const open = (log = new RecordingLog()) => new FileChangeLog({ dir, clock, log });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chiiki-change-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps appended changes across a reopen until they are marked applied', async () => {
    const first = open();
    await first.append([id(1), id(2)]);
    await first.append([id(3)]);
    await first.markApplied(2);

    const reopened = open();
    await reopened.append([id(4)]);

    expect(reopened.pending().map((e) => [e.seq, e.id])).toEqual([
      [3, id(3)],
      [4, id(4)],
    ]);
  });

  it('truncates the file once every change is applied and keeps counting sequence numbers', async () => {
    const changeLog = open();
    await changeLog.append([id(1), id(2)]);

    await changeLog.markApplied(2);
    const afterDrain = readFileSync(join(dir, 'changes.jsonl'), 'utf8');
    await open().append([id(5)]);

    expect(afterDrain).toBe('');
    expect(
      open()
        .pending()
        .map((e) => e.seq),
    ).toEqual([3]);
  });

  it('reports age from the clock', async () => {
    const changeLog = open();
    await changeLog.append([id(1)]);
    clock.advanceMs(42_000);

    const lag = changeLog.lag('connect ECONNREFUSED 127.0.0.1:9');
    clock.advanceMs(-42_000);

    expect(lag).toEqual({ pending: 1, oldestAgeSec: 42, lastError: 'connect ECONNREFUSED 127.0.0.1:9' });
  });

  it('drops a torn last line (a crash mid-append) with a warning and appends cleanly after it', async () => {
    await open().append([id(1)]);
    appendFileSync(join(dir, 'changes.jsonl'), '{"seq":2,"id":"it_00');
    const log = new RecordingLog();

    const reopened = open(log);
    await reopened.append([id(3)]);

    expect(
      open()
        .pending()
        .map((e) => [e.seq, e.id]),
    ).toEqual([
      [1, id(1)],
      [2, id(3)],
    ]);
    expect(log.entries.map((e) => e.message)).toContain('index change log had damaged lines; skipped them');
  });
});
