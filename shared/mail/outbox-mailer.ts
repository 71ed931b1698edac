import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { MailMessage, Mailer, SentMail } from './mailer.js';
import { mimeOptions } from './mime.js';

/** File name of a Message-ID: its local part, reduced to safe characters. */
function outboxFileName(messageId: string): string {
  const local = messageId.replace(/^<|>$/g, '').split('@')[0] ?? messageId;
  return `${local.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120)}.eml`;
}

/**
 * Whether `name` in an outbox folder is a temporary file of a send in progress or of one that
 * crashed: `.<final name>.<pid>.<random>.tmp`, or `<final name>.tmp` as older versions wrote.
 * Readers of the outbox list only `*.eml`, which never matches.
 */
export function isOutboxTemp(name: string): boolean {
  return name.endsWith('.tmp');
}

/**
 * Whether `raw` is a whole message: headers, a blank line, and — when the top-level
 * Content-Type names a multipart boundary, as every rendered mail does — its closing delimiter.
 * An empty file (a name reserved by an older version that crashed) or a torn write is not.
 */
export function isCompleteMessage(raw: Buffer): boolean {
  const text = raw.toString('latin1');
  const split = text.search(/\r?\n\r?\n/);
  if (split <= 0) return false;
  const headers = text.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const contentType = /^content-type:(.*)$/im.exec(headers)?.[1] ?? '';
  const boundary = /boundary="?([^";\s]+)"?/i.exec(contentType)?.[1];
  return boundary === undefined || text.includes(`--${boundary}--`);
}

/** The steps of an outbox send, in order; see `OutboxMailerOptions.afterStep`. */
export type OutboxStep = 'reserve' | 'write' | 'link';

export interface OutboxMailerOptions {
  readonly dir: string;
  readonly from: string;
  /**
   * Temporary files older than this (by modification time) are left by a crashed send and are
   * deleted; the folder is swept at the first send and then at most once per this interval.
   * @default 15 minutes (the digest's claim lease)
   */
  readonly staleTempMs?: number;
  /**
   * Called after each step of a send: `reserve` (the temporary file is created, empty), `write`
   * (the whole message is in it and synced), `link` (the message is in place, the temporary file
   * not yet removed). For crash-window tests only: they throw here or stop the process.
   */
  readonly afterStep?: (step: OutboxStep) => void | Promise<void>;
}

const defaultStaleTempMs = 15 * 60 * 1000;

/**
 * Writes each mail as a complete RFC 5322 `.eml` file (built by nodemailer's MailComposer) into
 * `dir`, named after the Message-ID.
 *
 * Idempotency: the Message-ID names the file, so the file's existence is the delivery record. A
 * send writes the whole message under a temporary name in the same folder, syncs it, then
 * `link()`s it to the final name and removes the temporary one. The link is atomic and fails when
 * the name is taken: a complete message already there means "already sent", and the send returns
 * the same id without writing (a digest resent after a crash lands once). An empty or torn file at
 * the final name (left by an older version that reserved the name first) is not "sent": it is
 * replaced by the complete message. A crash at any step therefore leaves either no `.eml` or a
 * complete one, plus at most a temporary file that `isOutboxTemp` names and a later send sweeps.
 * A mail without a Message-ID gets a random one, hence its own file.
 */
export class OutboxMailer implements Mailer {
  private lastSweepMs: number | undefined;

  constructor(private readonly options: OutboxMailerOptions) {}

  async send(message: MailMessage): Promise<SentMail> {
    const options = mimeOptions(message, this.options.from);
    const name = outboxFileName(options.messageId);
    const file = join(this.options.dir, name);
    await mkdir(this.options.dir, { recursive: true });
    await this.sweepStaleTemps();
    // Already sent: no temporary file, no sync. A race past this check is settled by link().
    if (await this.holdsCompleteMessage(file)) return { messageId: options.messageId };
    const raw = await new MailComposer(options).compile().build();
    const temporary = join(this.options.dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await this.writeSynced(temporary, raw);
      await this.placeAt(temporary, file);
      await this.options.afterStep?.('link');
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
    await this.syncDir();
    return { messageId: options.messageId };
  }

  private async writeSynced(temporary: string, raw: Buffer): Promise<void> {
    await (await open(temporary, 'wx')).close();
    await this.options.afterStep?.('reserve');
    const handle = await open(temporary, 'r+');
    try {
      await handle.writeFile(raw);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.options.afterStep?.('write');
  }

  /** Links the complete temporary file to `file`; an incomplete file there is replaced. */
  private async placeAt(temporary: string, file: string): Promise<void> {
    try {
      await link(temporary, file);
      return;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    if (await this.holdsCompleteMessage(file)) return;
    // rename() replaces atomically: readers see the old incomplete file or the complete one.
    await rename(temporary, file);
  }

  private async holdsCompleteMessage(file: string): Promise<boolean> {
    const existing = await readFile(file).catch((error: unknown) => {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw error;
    });
    return existing !== undefined && isCompleteMessage(existing);
  }

  private async syncDir(): Promise<void> {
    const handle = await open(this.options.dir, 'r');
    try {
      await handle.sync();
    } catch (error) {
      // Some file systems refuse fsync on a directory; the file itself is synced.
      if (!isErrno(error, 'EINVAL') && !isErrno(error, 'EPERM')) throw error;
    } finally {
      await handle.close();
    }
  }

  private async sweepStaleTemps(): Promise<void> {
    const staleMs = this.options.staleTempMs ?? defaultStaleTempMs;
    const now = Date.now();
    if (this.lastSweepMs !== undefined && now - this.lastSweepMs < staleMs) return;
    this.lastSweepMs = now;
    for (const name of await readdir(this.options.dir)) {
      if (!isOutboxTemp(name)) continue;
      const path = join(this.options.dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined && now - info.mtimeMs >= staleMs) await unlink(path).catch(() => undefined);
    }
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
