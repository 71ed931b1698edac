import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.js';
import { FixedClock } from '../../shared/clock.js';

/** `npm start`'s stack: subscribe over HTTP, confirm from the outbox, let the changing sample site publish. */
const clock = new FixedClock('2026-11-28T12:00:00+09:00');
let dataDir: string;
let stack: LocalStack;

async function outbox(): Promise<ParsedMail[]> {
  const files = (await readdir(stack.outboxDir).catch(() => [])).filter((f) => f.endsWith('.eml'));
  const mails = await Promise.all(files.map(async (f) => simpleParser(await readFile(join(stack.outboxDir, f)))));
  return mails;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'chiiki-alerts-local-'));
  stack = await startLocalStack({ dataDir, port: 0, registry: 'sample', clock, schedule: false, crawlOnStart: false });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('alerts on the local stack', () => {
  it('mails a confirmation, then one digest per crawl with the new call and the moved deadline', async () => {
    const response = await fetch(`${stack.apiUrl}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'coordinator@example.jp', searches: ['q=地域'], frequency: 'immediate' }),
    });
    expect(response.status).toBe(202);
    const confirmation = (await outbox())[0];
    const confirmUrl = /http:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+/.exec(confirmation?.text ?? '')?.[0];
    expect(confirmation?.subject).toBe('【地域科学技術ポータル】メール配信の確認をお願いします');
    const confirmed = await fetch(confirmUrl ?? '', { method: 'POST' });
    expect(confirmed.status).toBe(200);

    clock.advanceMs(60 * 60 * 1000);
    const first = await stack.crawl(['sample-changing']);
    clock.advanceMs(3 * 60 * 60 * 1000);
    stack.sampleSites?.advance('changing');
    const second = await stack.crawl(['sample-changing']);
    const again = await stack.crawl(['sample-changing']);

    expect([first.digest?.sent, second.digest?.sent, again.digest?.sent]).toEqual([1, 1, 0]);
    const mails = await outbox();
    const subjects = mails.map((m) => m.subject).sort();
    expect(subjects).toEqual([
      '【地域科学技術ポータル】メール配信の確認をお願いします',
      '【地域科学技術ポータル】新着 1件・変更 1件',
      '【地域科学技術ポータル】新着 2件',
    ]);
    const firstDigest = mails.find((m) => m.subject === '【地域科学技術ポータル】新着 2件');
    const secondDigest = mails.find((m) => m.subject === '【地域科学技術ポータル】新着 1件・変更 1件');
    expect(firstDigest?.text).toContain('◆ 地域産学官共同研究拠点整備事業 研究テーマの公募');
    expect(secondDigest?.text).toContain('◆ 地域イノベーション・クラスター研究交流事業 追加公募');
    expect(secondDigest?.text).toContain('締切が「2026年12月10日(木)」から「2026年12月24日(木)」に変わりました');
    expect(secondDigest?.headers.has('list')).toBe(true);
  });
});
