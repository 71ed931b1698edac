import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kakenAppIdMissingMessage } from '../../functions/crawl/fetch/kaken-app-id.js';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.js';
import { FixedClock } from '../../shared/clock.js';

/**
 * Research themes end to end on `npm start`'s stack: the sample KAKEN site → crawl (two pages)
 * → store → index → `/v1/search?kind=theme` and its facets → a saved search on themes → a
 * digest mail. A second stack without an application id shows the failure an operator sees.
 */
const clock = new FixedClock('2026-11-28T12:00:00+09:00');
const dirs: string[] = [];
let stack: LocalStack;

interface SearchBody {
  total: number;
  items: { kind: string; title: string; status: string; prefectures: string[]; fields: string[] }[];
  facets: Record<string, { value: string; count: number }[] | undefined>;
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  expect(response.status, `${url} answered ${response.status}`).toBeLessThan(300);
  return (await response.json()) as T;
}

async function outbox(dir: string): Promise<ParsedMail[]> {
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.eml'));
  return Promise.all(files.map(async (f) => simpleParser(await readFile(join(dir, f)))));
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chiiki-kaken-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  stack = await startLocalStack({
    dataDir: tempDir(),
    port: 0,
    registry: 'sample',
    clock,
    schedule: false,
    crawlOnStart: false,
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('research themes from KAKEN on the local stack', () => {
  it('crawls the sample KAKEN site, serves kind=theme with facets, and mails a saved search on themes', async () => {
    const subscribed = await fetch(`${stack.apiUrl}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'researcher@example.jp', searches: ['q=地域&kind=theme'], frequency: 'immediate' }),
    });
    expect(subscribed.status).toBe(202);
    const confirmUrl = /http:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+/.exec(
      (await outbox(stack.outboxDir))[0]?.text ?? '',
    )?.[0];
    expect((await fetch(confirmUrl ?? '', { method: 'POST' })).status).toBe(200);
    clock.advanceMs(60 * 60 * 1000);

    const summary = await stack.crawl(['sample-kaken']);

    const run = summary.runs[0];
    expect(run).toMatchObject({ sourceId: 'sample-kaken', outcome: 'succeeded', counts: { fetched: 2, new: 24 } });
    const themes = await json<SearchBody>(`${stack.apiUrl}/v1/search?kind=theme&size=50`);
    expect(themes.total).toBe(24);
    expect(themes.items.every((i) => i.kind === 'theme')).toBe(true);
    expect(themes.facets['kind']).toEqual([{ value: 'theme', count: 24 }]);
    expect(themes.facets['prefecture']?.find((f) => f.value === '20')?.count).toBe(2); // 信州大学 twice
    // Status is the project period: two finished in March 2026, one starts in April 2027.
    expect(Object.fromEntries((themes.facets['status'] ?? []).map((f) => [f.value, f.count]))).toEqual({
      open: 21,
      closed: 2,
      upcoming: 1,
    });
    const ict = await json<SearchBody>(
      `${stack.apiUrl}/v1/search?kind=theme&field=ict&q=${encodeURIComponent('深層学習')}`,
    );
    expect(ict.items.map((i) => i.title)).toEqual(['深層学習による地方病院の画像診断支援システムの研究']);
    const everything = await json<SearchBody>(`${stack.apiUrl}/v1/search?q=${encodeURIComponent('津波')}`);
    expect(everything.facets['kind']?.find((f) => f.value === 'theme')?.count).toBeGreaterThan(0);

    expect(summary.digest?.sent).toBe(1);
    const digest = (await outbox(stack.outboxDir)).find((m) => m.subject?.startsWith('【地域科学技術ポータル】新着'));
    expect(digest?.text).toContain('東北地方沿岸域における津波減災のための地域防災情報基盤の構築');
    expect(digest?.text).not.toContain('締切');
  });

  it('fails a KAKEN run without an application id, and says what to set on the health page', async () => {
    const bare = await startLocalStack({
      dataDir: tempDir(),
      port: 0,
      registry: 'sample',
      clock,
      schedule: false,
      crawlOnStart: false,
      kakenAppId: '',
    });
    try {
      const summary = await bare.crawl(['sample-kaken']);
      const sources = await json<{
        sources: { id: string; url: string; health: { lastOutcome?: string; lastError?: string } }[];
      }>(`${bare.apiUrl}/v1/sources`);
      const kaken = sources.sources.find((s) => s.id === 'sample-kaken');

      expect(summary.runs[0]).toMatchObject({
        outcome: 'failed',
        errors: [{ kind: 'ConfigError', message: kakenAppIdMissingMessage }],
      });
      expect(kaken?.health).toMatchObject({
        lastOutcome: 'failed',
        lastError: expect.stringContaining('KAKEN needs an application id: set KAKEN_APP_ID'),
      });
      expect(kaken?.url).not.toContain('appid');
      expect((await json<SearchBody>(`${bare.apiUrl}/v1/search?kind=theme`)).total).toBe(0);
    } finally {
      await bare.close();
    }
  }, 60_000);
});
