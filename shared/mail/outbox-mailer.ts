import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { MailMessage, Mailer, SentMail } from './mailer.js';
import { mimeOptions } from './mime.js';

/** File name of a Message-ID: its local part, reduced to safe characters. */
export function outboxFileName(messageId: string): string {
  const local = messageId.replace(/^<|>$/g, '').split('@')[0] ?? messageId;
  return `${local.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120)}.eml`;
}

/**
 * Writes each mail as a complete RFC 5322 `.eml` file (built by nodemailer's MailComposer) into
 * `dir`, named after the Message-ID. Sending a message whose Message-ID already has a file is a
 * no-op that returns the same id, so a digest resent after a crash is delivered once.
 */
export class OutboxMailer implements Mailer {
  constructor(private readonly options: { dir: string; from: string }) {}

  async send(message: MailMessage): Promise<SentMail> {
    const options = mimeOptions(message, this.options.from);
    const file = join(this.options.dir, outboxFileName(options.messageId));
    await mkdir(this.options.dir, { recursive: true });
    const raw = await new MailComposer(options).compile().build();
    // Claim the name atomically, then fill it through a temporary file so no reader sees half a mail.
    let handle;
    try {
      handle = await open(file, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { messageId: options.messageId };
      throw error;
    }
    await handle.close();
    const temporary = `${file}.tmp`;
    await writeFile(temporary, raw);
    await rename(temporary, file);
    return { messageId: options.messageId };
  }
}
