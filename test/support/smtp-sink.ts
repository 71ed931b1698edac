import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>` */
  readonly url: string;
  /** Every message received so far, parsed by mailparser, in arrival order. */
  readonly messages: ParsedMail[];
  /** Raw bytes of every message, same order. */
  readonly raw: Buffer[];
  /** Resolves once at least `count` messages have arrived. */
  waitFor(count: number): Promise<void>;
  /** Refuses the next `count` messages after their data with `451` (a temporary failure), keeping none. */
  rejectNext(count?: number): void;
  clear(): void;
  stop(): Promise<void>;
}

/** A real SMTP server (smtp-server) on a random local port that keeps and parses what it receives. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const raw: Buffer[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let rejecting = 0;
  const notify = () => {
    for (const waiter of [...waiters]) {
      if (messages.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (rejecting > 0) {
          rejecting -= 1;
          callback(Object.assign(new Error('local error in processing, try again later'), { responseCode: 451 }));
          return;
        }
        const bytes = Buffer.concat(chunks);
        simpleParser(bytes).then(
          (parsed) => {
            raw.push(bytes);
            messages.push(parsed);
            notify();
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    raw,
    waitFor: (count) =>
      messages.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    rejectNext: (count = 1) => {
      rejecting += count;
    },
    clear: () => {
      messages.length = 0;
      raw.length = 0;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
