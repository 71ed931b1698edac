import { randomUUID } from 'node:crypto';
import type { MailMessage } from './mailer.js';

/** The nodemailer message options the SMTP and outbox transports build from a `MailMessage` (SES: `sesEmailInput`). */
export interface MimeOptions {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly headers: Record<string, string>;
  readonly messageId: string;
  readonly textEncoding: 'base64';
}

/** Domain part of a `Name <local@domain>` or bare address; `localhost` when there is none. */
export function domainOf(address: string): string {
  const match = /@([^>\s]+)>?\s*$/.exec(address);
  return match?.[1] ?? 'localhost';
}

/**
 * Options for nodemailer's MailComposer / transports: UTF-8, base64 bodies (Japanese text in
 * quoted-printable is three times its size), RFC 2047 encoded subject, the caller's Message-ID or
 * a random one in the sender's domain.
 */
export function mimeOptions(message: MailMessage, from: string): MimeOptions {
  return {
    from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: { ...message.headers },
    messageId: message.messageId ?? `<${randomUUID()}@${domainOf(from)}>`,
    textEncoding: 'base64',
  };
}
