import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, rename, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import {
  formatEntries,
  lagOf,
  parseLog,
  type ChangeLogEntry,
  type IndexLag,
} from '../../functions/indexer/change-log.js';
import type { Clock } from '../../shared/clock.js';
import type { ItemId } from '../../shared/domain/item.js';
import type { Log } from '../../shared/log.js';

/**
 * The local stack's index change log, in two files under `dir` (`DATA_DIR/index-log/`):
 * - `changes.jsonl`: append-only, one entry per changed item (`functions/indexer/change-log.ts`);
 * - `applied`: the last `seq` the index accepted, replaced atomically (temporary file, fsync, rename).
 *
 * Why files and not a dynalite table: an append is one `write` plus `fdatasync`, so once
 * `append` returns the entry is on disk (dynalite's LevelDB does not sync each write), it costs
 * no second round trip through the store whose write it records, and the log is readable with
 * `cat` when an operator wants to see what waits. When every entry is applied the log is
 * truncated, so it only grows while the engine is down.
 *
 * Appends, cursor moves and truncation run one at a time through one queue, so a truncation
 * never drops an entry appended after the check.
 */
export class FileChangeLog {
  readonly dir: string;
  private readonly logFile: string;
  private readonly appliedFile: string;
  private readonly clock: Clock;
  private readonly log: Log;
  private pendingEntries: ChangeLogEntry[] = [];
  private lastSeq = 0;
  private appliedSeq = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: { dir: string; clock: Clock; log: Log }) {
    this.dir = options.dir;
    this.logFile = join(options.dir, 'changes.jsonl');
    this.appliedFile = join(options.dir, 'applied');
    this.clock = options.clock;
    this.log = options.log;
    mkdirSync(this.dir, { recursive: true });
    this.load();
  }

  /** Changes logged and not yet applied, in `seq` order. */
  pending(): readonly ChangeLogEntry[] {
    return this.pendingEntries;
  }

  /** Count and age of the changes not yet applied. */
  lag(lastError?: string): IndexLag {
    return lagOf(this.pendingEntries, this.clock.now(), lastError);
  }

  /** Logs that `ids` changed; resolves once the entries are on disk. */
  append(ids: readonly ItemId[]): Promise<void> {
    return this.enqueue(async () => {
      if (ids.length === 0) return;
      const at = this.clock.now().toISOString();
      const entries = ids.map((id, i): ChangeLogEntry => ({ seq: this.lastSeq + i + 1, id, at }));
      const handle = await open(this.logFile, 'a');
      try {
        await handle.write(formatEntries(entries));
        await handle.datasync();
      } finally {
        await handle.close();
      }
      this.lastSeq += entries.length;
      this.pendingEntries.push(...entries);
    });
  }

  /** Records that the index accepted every entry through `seq`; truncates the log once all are applied. */
  markApplied(seq: number): Promise<void> {
    return this.enqueue(async () => {
      if (seq <= this.appliedSeq) return;
      const tmp = `${this.appliedFile}.tmp`;
      const handle = await open(tmp, 'w');
      try {
        await handle.write(`${seq}\n`);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.appliedFile);
      this.appliedSeq = seq;
      this.pendingEntries = this.pendingEntries.filter((entry) => entry.seq > seq);
      // All applied: start the file over. A crash before this line only leaves applied entries behind.
      if (this.pendingEntries.length === 0 && this.lastSeq === seq) await truncate(this.logFile, 0).catch(() => {});
    });
  }

  /** Waits for appends and cursor moves in flight. */
  async settled(): Promise<void> {
    await this.queue;
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const next = this.queue.then(job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private load(): void {
    const applied = readIfExists(this.appliedFile);
    this.appliedSeq = applied === undefined ? 0 : Number.parseInt(applied.trim(), 10) || 0;
    const parsed = parseLog(readIfExists(this.logFile) ?? '');
    if (parsed.tornTail || parsed.badLines > 0)
      this.log.warn('index change log had damaged lines; skipped them', {
        file: this.logFile,
        tornTail: parsed.tornTail,
        badLines: parsed.badLines,
      });
    this.lastSeq = Math.max(this.appliedSeq, ...parsed.entries.map((entry) => entry.seq));
    this.pendingEntries = parsed.entries.filter((entry) => entry.seq > this.appliedSeq);
    // A torn tail would glue the next append onto its half line; rewrite the file without it.
    if (parsed.tornTail) replaceFileSync(this.logFile, formatEntries(parsed.entries));
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && (error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Replaces `file` with `text` atomically: a temporary file, fsync, rename. */
function replaceFileSync(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
