import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isCompleteMessage,
  isOutboxTemp,
  OutboxMailer,
  type OutboxStep,
} from '../../../../shared/mail/outbox-mailer.js';
import { mailerContract, sampleDigest } from '../../../support/mailer.contract.js';

const from = '地域科学技術ポータル <alerts@portal.example.jp>';

async function outboxFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.eml')).sort();
}

mailerContract('OutboxMailer', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'outbox-'));
  let failNext = false;
  const mailer = new OutboxMailer({
    dir,
    from,
    afterStep: (step) => {
      if (failNext && step === 'write') {
        failNext = false;
        throw new Error('ENOSPC: no space left on device, link');
      }
    },
  });
  const order: string[] = [];
  return {
    mailer: {
      send: async (message) => {
        const sent = await mailer.send(message);
        // One file per Message-ID: the outbox's deliveries are its files, in the order first written.
        if (!order.includes(sent.messageId)) order.push(sent.messageId);
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
    retriedSend: 'ignored',
    failNextSend: () => {
      failNext = true;
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

const crashChild = fileURLToPath(new URL('../../../support/outbox-crash-child.ts', import.meta.url));

/** Runs one outbox send in a child process that kills itself (SIGKILL) right after `step`. */
function sendAndCrash(dir: string, step: OutboxStep, digestId: string): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', crashChild, dir, step, digestId], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve(signal));
  });
}

describe('OutboxMailer', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    dirs.push(dir);
    return dir;
  };
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
    expect(await readdir(dir)).toEqual(['dg_same.eml']);
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

  it.each([
    ['empty, as an older version left a reserved name', ''],
    ['torn in the middle of the HTML part', 'torn'],
  ])('replaces a file at the final name that is %s, and then counts it as sent', async (_case, kind) => {
    const dir = await tempDir();
    const complete = await readFile(join(await sendOnce(await tempDir(), 'dg_torn'), 'dg_torn.eml'));
    await writeFile(join(dir, 'dg_torn.eml'), kind === '' ? '' : complete.subarray(0, complete.length - 200));
    const mailer = new OutboxMailer({ dir, from });

    await mailer.send(sampleDigest('dg_torn'));
    await mailer.send(sampleDigest('dg_torn'));

    expect(await readdir(dir)).toEqual(['dg_torn.eml']);
    const raw = await readFile(join(dir, 'dg_torn.eml'));
    expect(isCompleteMessage(raw)).toBe(true);
    expect((await simpleParser(raw)).subject).toBe('【地域科学技術ポータル】新着 1件');
  });

  it('takes a message of the same id that lands while it writes as sent, and leaves that one in place', async () => {
    const dir = await tempDir();
    const other = new OutboxMailer({ dir, from: 'other@portal.example.jp' });
    const late = new OutboxMailer({
      dir,
      from,
      afterStep: async (step) => {
        if (step === 'write') await other.send(sampleDigest('dg_race'));
      },
    });

    const sent = await late.send(sampleDigest('dg_race'));

    expect(sent.messageId).toBe('<dg_race@portal.example.jp>');
    expect(await readdir(dir)).toEqual(['dg_race.eml']);
    const mail = await simpleParser(await readFile(join(dir, 'dg_race.eml')));
    expect(mail.from?.value[0]?.address).toBe('other@portal.example.jp');
  });

  it('tells a complete message from an empty, headers-only or torn one', async () => {
    const raw = await readFile(join(await sendOnce(await tempDir(), 'dg_shape'), 'dg_shape.eml'));
    const headersOnly = raw.subarray(0, raw.indexOf('\r\n\r\n'));

    expect(isCompleteMessage(raw)).toBe(true);
    expect(isCompleteMessage(Buffer.alloc(0))).toBe(false);
    expect(isCompleteMessage(headersOnly)).toBe(false);
    expect(isCompleteMessage(raw.subarray(0, raw.length - 40))).toBe(false);
    expect(isCompleteMessage(Buffer.from('Subject: plain\r\n\r\nbody\r\n'))).toBe(true);
  });

  it.each<[OutboxStep, number]>([
    ['reserve', 0],
    ['write', 0],
    ['link', 1],
  ])('fails a send after %s with %i .eml and no temporary file, and a retry delivers it once', async (step, left) => {
    const dir = await tempDir();
    const failing = new OutboxMailer({
      dir,
      from,
      afterStep: (reached) => {
        if (reached === step) throw new Error(`disk gone after ${reached}`);
      },
    });

    await expect(failing.send(sampleDigest('dg_fail'))).rejects.toThrow(`disk gone after ${step}`);
    const afterFailure = await readdir(dir);
    await new OutboxMailer({ dir, from }).send(sampleDigest('dg_fail'));

    expect(afterFailure).toEqual(left === 0 ? [] : ['dg_fail.eml']);
    expect(await readdir(dir)).toEqual(['dg_fail.eml']);
    expect(isCompleteMessage(await readFile(join(dir, 'dg_fail.eml')))).toBe(true);
  });

  it.each<OutboxStep>(['reserve', 'write', 'link'])(
    'leaves no .eml or a complete one when killed (SIGKILL) after %s, and the resend delivers it once',
    async (step) => {
      const dir = await tempDir();

      const signal = await sendAndCrash(dir, step, 'dg_killed');
      const emls = await outboxFiles(dir);
      const temps = (await readdir(dir)).filter(isOutboxTemp);
      const crashedFile = emls.length > 0 ? await readFile(join(dir, 'dg_killed.eml')) : undefined;
      // The next run comes after the stale-temp age: the crashed run's temporary file is swept.
      for (const temp of temps) await utimes(join(dir, temp), new Date(0), new Date(0));
      await new OutboxMailer({ dir, from }).send(sampleDigest('dg_killed'));

      expect(signal).toBe('SIGKILL');
      expect(temps).toHaveLength(1);
      expect(emls).toEqual(step === 'link' ? ['dg_killed.eml'] : []);
      if (crashedFile) expect(isCompleteMessage(crashedFile)).toBe(true);
      expect(await readdir(dir)).toEqual(['dg_killed.eml']);
      const mail = await simpleParser(await readFile(join(dir, 'dg_killed.eml')));
      expect(mail.messageId).toBe('<dg_killed@portal.example.jp>');
      // Killed after link, the first copy stands; the resend wrote nothing over it.
      if (step === 'link') expect(mail.text).toContain('次世代半導体研究開発プログラムの公募');
      else expect(mail.text).toContain('地域イノベーション・エコシステム形成プログラム');
    },
    30_000,
  );

  it("keeps young temporary files of sends in progress and sweeps old ones and older versions' leftovers", async () => {
    const dir = await tempDir();
    const young = '.dg_busy.eml.4242.0a0b0c0d.tmp';
    const old = '.dg_dead.eml.4242.0e0f1011.tmp';
    const legacy = 'dg_legacy.eml.tmp';
    for (const name of [young, old, legacy]) await writeFile(join(dir, name), 'partial');
    for (const name of [old, legacy]) await utimes(join(dir, name), new Date(0), new Date(0));

    await new OutboxMailer({ dir, from }).send(sampleDigest('dg_sweep'));

    expect((await readdir(dir)).sort()).toEqual([young, 'dg_sweep.eml']);
  });
});

async function sendOnce(dir: string, digestId: string): Promise<string> {
  await new OutboxMailer({ dir, from }).send(sampleDigest(digestId));
  return dir;
}
