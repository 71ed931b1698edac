import nodemailer from 'nodemailer';
import type { MailMessage, Mailer, SentMail } from './mailer.js';
import { mimeOptions } from './mime.js';

/**
 * Sends through an SMTP server (`smtp://host:port`, `smtps://user:pass@host`). Throws when the
 * server refuses (a 4xx or 5xx reply: nothing was accepted) or the connection fails.
 *
 * Idempotency: none at the protocol level. A message is sent with the caller's Message-ID header,
 * so a retried send of a message the server already accepted (the reply to DATA was lost) arrives
 * as a second copy with the same Message-ID; receivers may collapse such copies but need not.
 * Nodemailer does not retry on its own: one `send` is at most one delivery.
 */
export class SmtpMailer implements Mailer {
  private readonly transport;
  private readonly from: string;

  constructor(options: { url: string; from: string }) {
    this.transport = nodemailer.createTransport(options.url);
    this.from = options.from;
  }

  async send(message: MailMessage): Promise<SentMail> {
    const info = await this.transport.sendMail(mimeOptions(message, this.from));
    return { messageId: info.messageId };
  }

  close(): void {
    this.transport.close();
  }
}
