import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { simpleParser, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { SesMailer } from '../../../../shared/mail/ses-mailer.js';
import { mailerContract, sampleDigest } from '../../../support/mailer.contract.js';

function rawMessages(mock: ReturnType<typeof mockClient>): Uint8Array[] {
  return mock.commandCalls(SendEmailCommand).map((call) => {
    const data = call.args[0].input.Content?.Raw?.Data;
    if (!data) throw new Error('SendEmail without Content.Raw.Data');
    return data;
  });
}

mailerContract('SesMailer (SES v2 SendEmail, mocked client)', async () => {
  const client = new SESv2Client({ region: 'ap-northeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const mock = mockClient(client);
  mock.on(SendEmailCommand).resolves({ MessageId: '0100019-ses-id' });
  const mailer = new SesMailer({ client, from: '地域科学技術ポータル <alerts@portal.example.jp>' });
  return {
    mailer,
    delivered: async (): Promise<ParsedMail[]> =>
      Promise.all(rawMessages(mock).map((data) => simpleParser(Buffer.from(data)))),
    close: async () => {
      mock.restore();
    },
  };
});

describe('SesMailer', () => {
  it('sends raw MIME in the configuration set that reports bounces and complaints', async () => {
    const client = new SESv2Client({
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const mock = mockClient(client);
    mock.on(SendEmailCommand).resolves({ MessageId: '0100019-ses-id' });
    const mailer = new SesMailer({ client, from: 'alerts@portal.example.jp', configurationSet: 'chiiki-alerts' });

    await mailer.send(sampleDigest());

    const input = mock.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.ConfigurationSetName).toBe('chiiki-alerts');
    expect(input?.Destination?.ToAddresses).toEqual(['researcher@example.jp']);
    mock.restore();
  });

  it('throws when SES refuses the message', async () => {
    const client = new SESv2Client({
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const mock = mockClient(client);
    mock.on(SendEmailCommand).rejects(new Error('MessageRejected: Email address is not verified'));
    const mailer = new SesMailer({ client, from: 'alerts@portal.example.jp' });

    await expect(mailer.send(sampleDigest())).rejects.toThrow(/not verified/);
    mock.restore();
  });
});
