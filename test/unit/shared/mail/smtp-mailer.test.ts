import { SmtpMailer } from '../../../../shared/mail/smtp-mailer.js';
import { mailerContract } from '../../../support/mailer.contract.js';
import { startSmtpSink } from '../../../support/smtp-sink.js';

mailerContract('SmtpMailer against a real SMTP server', async () => {
  const sink = await startSmtpSink();
  const mailer = new SmtpMailer({ url: sink.url, from: '地域科学技術ポータル <alerts@portal.example.jp>' });
  return {
    mailer,
    delivered: async () => sink.messages,
    // The Message-ID header goes out as given; a receiver may collapse a second copy, SMTP does not.
    retriedSend: 'delivered-again-same-id',
    failNextSend: () => sink.rejectNext(),
    close: async () => {
      mailer.close();
      await sink.stop();
    },
  };
});
