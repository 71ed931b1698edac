import nodemailer from 'nodemailer';
import type { MailMessage, Mailer, SentMail } from './mailer.js';
import { mimeOptions } from './mime.js';

/** Sends through an SMTP server (`smtp://host:port`, `smtps://user:pass@host`). Throws when the server refuses. */
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
