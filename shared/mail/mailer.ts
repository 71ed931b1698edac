/** A rendered mail, ready for any transport. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Deterministic Message-ID (`<local@domain>`), e.g. derived from a digest id, so a resend after
   * a crash carries the same id. Transports that can honour it do: the outbox writes one file per
   * id (a second send is a no-op), SMTP sends it as the header (receivers may collapse duplicates).
   * SES replaces it with its own id. Absent: the transport makes one up.
   */
  readonly messageId?: string;
}

export interface SentMail {
  /** Transport's message id (SES MessageId, SMTP Message-ID, outbox file name). */
  readonly messageId: string;
}

/**
 * Sends one message. Adapters pass test/support/mailer.contract.ts.
 *
 * Throws on failure and never half-sends: after a throw nothing was delivered, or (a timeout after
 * the transport accepted) the caller cannot tell, so a caller that must not lose a mail retries
 * with the same `messageId`. What a retried send of a delivered message does is each transport's
 * stated rule (the contract's `RetriedSendRule`): the outbox ignores it (the Message-ID names the
 * file), SMTP delivers a second copy with the same Message-ID header, SES a second copy under an id
 * it assigns.
 */
export interface Mailer {
  send(message: MailMessage): Promise<SentMail>;
}
