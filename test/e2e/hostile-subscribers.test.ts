import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.js';
import { FixedClock } from '../../shared/clock.js';

/**
 * Hostile subscribers against `npm start`'s stack (default limits: 3 per address, 20 per client,
 * sliding hour): tagged and re-cased addresses, spoofed X-Forwarded-For, an hour boundary, a lure
 * in the search text, a re-spelled token. Mails are read back from the outbox with mailparser.
 */
const clock = new FixedClock('2026-11-28T12:59:00+09:00');
let dataDir: string;
let stack: LocalStack;
/** Every POST /v1/subscriptions this file makes counts against the one local client (127.0.0.1). */
let clientHits = 0;

async function outbox(): Promise<ParsedMail[]> {
  const files = (await readdir(stack.outboxDir).catch(() => [])).filter((f) => f.endsWith('.eml')).sort();
  return Promise.all(files.map(async (f) => simpleParser(await readFile(join(stack.outboxDir, f)))));
}

async function subscribe(email: string, searches: unknown[] = ['q=地域'], forwardedFor?: string) {
  clientHits++;
  const response = await fetch(`${stack.apiUrl}/v1/subscriptions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ email, searches }),
  });
  const body = (await response.json()) as { message?: string; requestId?: string };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'chiiki-hostile-subs-'));
  stack = await startLocalStack({ dataDir, port: 0, registry: 'sample', clock, schedule: false, crawlOnStart: false });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('hostile subscribers on the local stack', () => {
  let addressRefusal: { message?: string } = {};

  it('counts tagged and re-cased addresses as one, across the clock hour, whatever X-Forwarded-For says', async () => {
    const first = await subscribe('Kenkyu+1@example.jp', undefined, '198.51.100.1');
    clock.advanceMs(20_000);
    const second = await subscribe('kenkyu@example.jp', undefined, '198.51.100.2');
    clock.advanceMs(20_000);
    const third = await subscribe('KENKYU+news@Example.JP', undefined, '198.51.100.3');
    clock.set('2026-11-28T13:00:10+09:00');
    const fourth = await subscribe('kenkyu+4@example.jp', undefined, '198.51.100.4');

    expect([first.status, second.status, third.status]).toEqual([202, 202, 202]);
    expect(fourth.status).toBe(429);
    // The oldest of the three (12:59:00) leaves the window at 13:59:00.
    expect(fourth.retryAfter).toBe(String(3600 - 70));
    expect(fourth.body.requestId).toMatch(/\S/);
    expect(await outbox()).toHaveLength(3);
    addressRefusal = fourth.body;
  });

  it('refuses a client past its limit with the same message as an address past its own', async () => {
    const statuses: number[] = [];
    let refusal: { message?: string } = {};
    for (let i = 0; i < 30 && refusal.message === undefined; i++) {
      const result = await subscribe(`member${i}@example.jp`, undefined, `203.0.113.${i}`);
      statuses.push(result.status);
      if (result.status === 429) refusal = result.body;
    }

    expect(clientHits).toBe(21);
    expect(statuses.filter((s) => s === 202)).toHaveLength(20 - 4);
    expect(statuses.at(-1)).toBe(429);
    expect(refusal.message).toBe(addressRefusal.message);
    expect(refusal.message).not.toMatch(/address|client|アドレス/);
  });

  it('mails a lure in the search text only as a short quoted keyword without a link', async () => {
    clock.advanceMs(2 * 3600_000);
    const lure = '重要：こちらのリンクからパスワードを再設定してください https://evil.example';

    const result = await subscribe('victim@example.jp', [
      { q: lure, status: ['open'] },
      `q=${encodeURIComponent('http://evil.example/reset')}`,
    ]);

    expect(result.status).toBe(202);
    const mail = (await outbox()).find((m) => m.to !== undefined && JSON.stringify(m.to).includes('victim@example.jp'));
    const text = mail?.text ?? '';
    const html = typeof mail?.html === 'string' ? mail.html : '';
    expect(text).toContain('・キーワード「重要 こちらのリンクからパスワードを再設…」／条件: 募集中');
    expect(text).toContain('・条件: すべての公募');
    expect(`${text}${html}`).not.toMatch(/evil|再設定してください/);
    expect(text.match(/https?:\/\/\S+/g)).toEqual([expect.stringMatching(/\/v1\/subscriptions\/confirm\?token=/)]);
    expect(html.match(/href="[^"]*"/g)).toEqual([expect.stringMatching(/\/v1\/subscriptions\/confirm\?token=/)]);
  });

  it('accepts only the token as mailed, not one re-spelled in its unused bits', async () => {
    const mail = (await outbox()).find((m) => JSON.stringify(m.to).includes('victim@example.jp'));
    const url = /http:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+/.exec(mail?.text ?? '')?.[0] ?? '';
    const token = new URL(url).searchParams.get('token') ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = `${token.slice(0, -1)}${alphabet[alphabet.indexOf(token.slice(-1)) ^ 1] ?? ''}`;
    const post = (t: string) =>
      fetch(`${stack.apiUrl}/v1/subscriptions/confirm?token=${encodeURIComponent(t)}`, {
        method: 'POST',
        headers: { accept: 'application/json' },
      });

    const forged = await post(twin);
    const genuine = await post(token);

    expect(Buffer.from(twin.split('.')[1] ?? '', 'base64url')).toEqual(
      Buffer.from(token.split('.')[1] ?? '', 'base64url'),
    );
    expect(forged.status).toBe(400);
    expect(genuine.status).toBe(200);
  });
});
