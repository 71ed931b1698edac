import {
  SendEmailCommand,
  SESv2Client,
  TooManyRequestsException,
  type SendEmailCommandInput,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { simpleParser, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import { encodeAddress, SesMailer } from '../../../../shared/mail/ses-mailer.js';
import { mailerContract, sampleDigest } from '../../../support/mailer.contract.js';

/**
 * What a recipient gets from a `SendEmail` with `Content.Simple`: SES builds the MIME from the
 * subject, both bodies and the extra headers. Composed here the same way so the contract can
 * read it back with mailparser.
 */
async function asDelivered(input: SendEmailCommandInput): Promise<ParsedMail> {
  const simple = input.Content?.Simple;
  if (!simple?.Subject?.Data || !simple.Body?.Text?.Data || !simple.Body.Html?.Data)
    throw new Error('SendEmail without Content.Simple subject and both bodies');
  for (const part of [simple.Subject, simple.Body.Text, simple.Body.Html]) expect(part.Charset).toBe('UTF-8');
  const headers = Object.fromEntries((simple.Headers ?? []).map((h) => [h.Name ?? '', h.Value ?? '']));
  const raw = await new MailComposer({
    from: input.FromEmailAddress,
    to: input.Destination?.ToAddresses,
    subject: simple.Subject.Data,
    text: simple.Body.Text.Data,
    html: simple.Body.Html.Data,
    headers,
  })
    .compile()
    .build();
  return simpleParser(raw);
}

mailerContract('SesMailer (SES v2 SendEmail, mocked client)', async () => {
  const client = new SESv2Client({ region: 'ap-northeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const mock = mockClient(client);
  // The edge of SES: accepted inputs are recorded in order; a throttled one is not delivered.
  const accepted: SendEmailCommandInput[] = [];
  let throttleNext = false;
  mock.on(SendEmailCommand).callsFake((input: SendEmailCommandInput) => {
    if (throttleNext) {
      throttleNext = false;
      throw new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: {} });
    }
    accepted.push(input);
    return { MessageId: `0100019-ses-id-${accepted.length}` };
  });
  const mailer = new SesMailer({ client, from: '地域科学技術ポータル <alerts@portal.example.jp>' });
  return {
    mailer,
    delivered: async (): Promise<ParsedMail[]> => Promise.all(accepted.map(asDelivered)),
    // SES has no idempotency key and assigns its own Message-ID: a retried send is a second mail.
    retriedSend: 'delivered-again',
    failNextSend: () => {
      throttleNext = true;
    },
    close: async () => {
      mock.restore();
    },
  };
});

describe('SesMailer', () => {
  const client = () =>
    new SESv2Client({ region: 'ap-northeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

  it('sends simple UTF-8 content with encoded display names in the configuration set that reports bounces', async () => {
    const ses = client();
    const mock = mockClient(ses);
    mock.on(SendEmailCommand).resolves({ MessageId: '0100019-ses-id' });
    const mailer = new SesMailer({
      client: ses,
      from: '地域科学技術ポータル <alerts@portal.example.jp>',
      configurationSet: 'chiiki-alerts',
    });

    const sent = await mailer.send(sampleDigest());

    const input = mock.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(sent.messageId).toBe('0100019-ses-id');
    expect(input?.ConfigurationSetName).toBe('chiiki-alerts');
    expect(input?.FromEmailAddress).toBe(
      `=?UTF-8?B?${Buffer.from('地域科学技術ポータル').toString('base64')}?= <alerts@portal.example.jp>`,
    );
    expect(input?.Destination?.ToAddresses).toEqual([
      `=?UTF-8?B?${Buffer.from('研究者').toString('base64')}?= <researcher@example.jp>`,
    ]);
    expect(input?.Content?.Raw).toBeUndefined();
    expect(input?.Content?.Simple?.Headers?.map((h) => h.Name)).toEqual(['List-Unsubscribe', 'List-Unsubscribe-Post']);
    mock.restore();
  });

  it('makes its own client for the region on the first send when given none', async () => {
    const mock = mockClient(SESv2Client);
    mock.on(SendEmailCommand).resolves({ MessageId: '0100019-lazy' });
    const mailer = new SesMailer({ region: 'ap-northeast-1', from: 'alerts@portal.example.jp' });

    expect((await mailer.send(sampleDigest())).messageId).toBe('0100019-lazy');
    expect(await mock.call(0).thisValue.config.region()).toBe('ap-northeast-1');
    mock.restore();
  });

  it('throws when SES refuses the message', async () => {
    const ses = client();
    const mock = mockClient(ses);
    mock.on(SendEmailCommand).rejects(new Error('MessageRejected: Email address is not verified'));
    const mailer = new SesMailer({ client: ses, from: 'alerts@portal.example.jp' });

    await expect(mailer.send(sampleDigest())).rejects.toThrow(/not verified/);
    mock.restore();
  });

  it('leaves ASCII and bare addresses readable and quotes names that need it', () => {
    expect(encodeAddress('alerts@portal.example.jp')).toBe('alerts@portal.example.jp');
    expect(encodeAddress('Portal Alerts <alerts@portal.example.jp>')).toBe(
      '"Portal Alerts" <alerts@portal.example.jp>',
    );
    expect(encodeAddress('<alerts@portal.example.jp>')).toBe('alerts@portal.example.jp');
    expect(encodeAddress('"Lab \\"A\\"" <a@example.jp>')).toMatch(/^".*" <a@example\.jp>$/);
  });
});
