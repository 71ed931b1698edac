/** A rendered mail, ready for any transport. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SentMail {
  /** Transport's message id (SES MessageId, SMTP Message-ID, outbox file name). */
  readonly messageId: string;
}

/** Sends one message. Adapters pass test/support/mailer.contract.ts. Throws on failure; never half-sends. */
export interface Mailer {
  send(message: MailMessage): Promise<SentMail>;
}
