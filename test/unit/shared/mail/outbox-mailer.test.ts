import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { OutboxMailer } from '../../../../shared/mail/outbox-mailer.js';
import { mailerContract, sampleDigest } from '../../../support/mailer.contract.js';

const from = '地域科学技術ポータル <alerts@portal.example.jp>';

async function outboxFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.eml')).sort();
}

mailerContract('OutboxMailer', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'outbox-'));
  const mailer = new OutboxMailer({ dir, from });
  const order: string[] = [];
  return {
    mailer: {
      send: async (message) => {
        const sent = await mailer.send(message);
        order.push(sent.messageId);
        return sent;
      },
    },
    delivered: async () => {
      const files = await outboxFiles(dir);
      const byId = new Map(
        await Promise.all(files.map(async (f) => [f, await simpleParser(await readFile(join(dir, f)))] as const)),
      );
      return order.map((id) => byId.get(`${id.replace(/^<|@.*$/g, '')}.eml`)).filter((m) => m !== undefined);
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('OutboxMailer', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('writes a second send with the same Message-ID nowhere, so a resent digest lands once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    dirs.push(dir);
    const mailer = new OutboxMailer({ dir, from });

    const first = await mailer.send(sampleDigest('dg_same'));
    const second = await mailer.send(sampleDigest('dg_same'));

    expect(second.messageId).toBe(first.messageId);
    expect(await outboxFiles(dir)).toEqual(['dg_same.eml']);
    const raw = await readFile(join(dir, 'dg_same.eml'), 'utf8');
    expect(raw).toMatch(/^Message-ID: <dg_same@portal\.example\.jp>$/m);
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
  });

  it('gives mails without a Message-ID distinct files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    dirs.push(dir);
    const mailer = new OutboxMailer({ dir, from });
    const { messageId: _ignored, ...withoutId } = sampleDigest();

    await mailer.send(withoutId);
    await mailer.send(withoutId);

    expect(await outboxFiles(dir)).toHaveLength(2);
  });
});
