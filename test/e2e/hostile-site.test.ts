import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.js';
import { FixedClock } from '../../shared/clock.js';
import { chromiumMissing, chromiumSkipNote, launchChromium } from '../support/browser.js';
import {
  findHostile,
  formulaStart,
  hostileWord,
  parseCsv,
  startHostileSite,
  type Finding,
  type HostileSite,
} from '../support/hostile-site.js';

/**
 * A hostile site registered as three sources (RSS feed, HTML list with detail pages and a next
 * page, jGrants-shaped JSON) and two whose start URL redirects off the origin, crawled by the real
 * crawler into the local stack, then every output read back: API JSON, RSS, Atom, CSV, the digest
 * mail and the portal page in Chromium. Nothing hostile comes out.
 */
const clock = new FixedClock('2026-12-01T12:00:00+09:00');
const address = 'watcher@example.jp';
let dataDir: string;
let site: HostileSite;
let stack: LocalStack;
const outputsChecked: string[] = [];

async function outbox(): Promise<ParsedMail[]> {
  const files = (await readdir(stack.outboxDir).catch(() => [])).filter((f) => f.endsWith('.eml')).sort();
  return Promise.all(files.map(async (f) => simpleParser(await readFile(join(stack.outboxDir, f)))));
}

async function get(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${stack.apiUrl}${path}`);
  return { status: response.status, text: await response.text() };
}

function check(output: string, text: string, options: { markup?: boolean } = {}): Finding[] {
  outputsChecked.push(output);
  return findHostile(output, text, options);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'chiiki-hostile-'));
  site = await startHostileSite();
  const registry = site.writeRegistry(dataDir);
  stack = await startLocalStack({ dataDir, port: 0, registry, clock, schedule: false, crawlOnStart: false });

  const subscribed = await fetch(`${stack.apiUrl}/v1/subscriptions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: address, searches: [`q=${hostileWord}`], frequency: 'immediate' }),
  });
  expect(subscribed.status).toBe(202);
  const confirmation = (await outbox())[0];
  const confirmUrl = /http:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+/.exec(confirmation?.text ?? '')?.[0];
  expect((await fetch(confirmUrl ?? '', { method: 'POST' })).status).toBe(200);
  clock.advanceMs(60 * 60 * 1000);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await site?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a hostile site through the crawler into every output', () => {
  let summary: Awaited<ReturnType<LocalStack['crawl']>>;

  it('crawls the hostile sources, stores the harmless items and contacts nothing off the origin', async () => {
    summary = await stack.crawl();

    const byId = Object.fromEntries(summary.runs.map((run) => [run.sourceId, run]));
    expect(byId['hostile-feed']?.counts.new).toBeGreaterThan(0);
    expect(byId['hostile-list']?.counts.new).toBeGreaterThan(0);
    expect(byId['hostile-jgrants']?.counts.new).toBeGreaterThan(0);
    expect(byId['hostile-moved']?.counts.new ?? 0).toBe(0);
    expect(byId['hostile-loopback']?.counts.new ?? 0).toBe(0);
    expect(site.baitRequests).toEqual([]);
    const hosts = new Set(site.requests.map((r) => r.host));
    expect([...hosts]).toEqual([`hostile.localhost:${site.port}`]);
    console.info('hostile site crawl', {
      payloads: site.payloads,
      requests: site.requests.length,
      offOriginRequests: site.baitRequests.length,
      stored: summary.totals.new,
      runs: summary.runs.map((r) => `${r.sourceId}: ${r.outcome} new=${r.counts.new}`),
    });
  });

  it('keeps every hostile payload out of the API, the feeds, the CSV and the digest mail', async () => {
    const findings: Finding[] = [];

    const search = await get(`/v1/search?q=${encodeURIComponent(hostileWord)}&size=100`);
    expect(search.status).toBe(200);
    const hits = (JSON.parse(search.text) as { items: { id: string; url: string; title: string }[] }).items;
    expect(hits.length).toBeGreaterThan(10);
    findings.push(...check('/v1/search', search.text));
    for (const hit of hits) {
      expect(new URL(hit.url).protocol).toMatch(/^https?:$/);
      const item = await get(`/v1/items/${hit.id}`);
      expect(item.status).toBe(200);
      findings.push(...check(`/v1/items/${hit.id}`, item.text));
    }

    for (const feed of ['/v1/feed.rss', '/v1/feed.atom']) {
      const response = await get(`${feed}?q=${encodeURIComponent(hostileWord)}`);
      expect(response.status).toBe(200);
      findings.push(...check(feed, response.text, { markup: true }));
    }

    const csv = await get(`/v1/export.csv?q=${encodeURIComponent(hostileWord)}`);
    expect(csv.status).toBe(200);
    findings.push(...check('/v1/export.csv', csv.text));
    const cells = parseCsv(csv.text.replace(/^\uFEFF/, '')).flat();
    const formulas = cells.filter((cell) => formulaStart.test(cell));
    expect(formulas).toEqual([]);
    expect(cells.some((cell) => cell.startsWith("'＝cmd"))).toBe(true);
    expect(cells.some((cell) => cell.startsWith("'=HYPERLINK"))).toBe(true);

    const digests = (await outbox()).filter((mail) => mail.to && JSON.stringify(mail.to).includes(address)).slice(1);
    expect(digests.length).toBeGreaterThan(0);
    for (const mail of digests) {
      findings.push(...check('digest mail text', mail.text ?? ''));
      findings.push(...check('digest mail html', typeof mail.html === 'string' ? mail.html : '', { markup: true }));
      findings.push(...check('digest mail subject', mail.subject ?? ''));
    }

    console.info('hostile site outputs', { outputsChecked: outputsChecked.length, findings: findings.length });
    expect(findings).toEqual([]);
  });

  it.skipIf(chromiumMissing)(
    `runs no payload and shows no non-http link on the portal page${chromiumSkipNote}`,
    async () => {
      const browser = await launchChromium();
      try {
        // CSP off: the page itself must be safe, not only the policy in front of it.
        const context = await browser.newContext({ bypassCSP: true, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
        const page = await context.newPage();
        const dialogs: string[] = [];
        page.on('dialog', (dialog) => {
          dialogs.push(dialog.message());
          void dialog.dismiss();
        });
        await page.goto(`${stack.apiUrl}/?q=${encodeURIComponent(hostileWord)}`);
        await expect
          .poll(() => page.locator('#result-list .result-title').count(), { timeout: 20_000 })
          .toBeGreaterThan(10);

        const hrefs = await page.$$eval('[href], [src], [action], [formaction]', (nodes) =>
          nodes.flatMap((n) =>
            ['href', 'src', 'action', 'formaction'].flatMap((a) =>
              n.getAttribute(a) ? [n.getAttribute(a) ?? ''] : [],
            ),
          ),
        );
        const resolved = hrefs.map((h) => new URL(h, page.url()));
        const pwned = await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned);
        const html = await page.content();
        outputsChecked.push('portal page (Chromium)');

        expect(resolved.filter((u) => !['http:', 'https:', 'mailto:'].includes(u.protocol)).map((u) => u.href)).toEqual(
          [],
        );
        expect(pwned).toBeUndefined();
        expect(dialogs).toEqual([]);
        expect(findHostile('portal page', html, { markup: true })).toEqual([]);
        console.info('hostile site portal', { links: hrefs.length, pwned: pwned ?? false });
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
