import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { startCrawledSampleStack, type CrawledSampleStack } from '../support/sample-stack.js';
import { feedEntryOf, itemSummary, renderAtom, renderRss } from '../../functions/api/feeds.js';
import { applicantLabel, type ApplicantType } from '../../shared/domain/applicant.js';
import { yenWords } from '../../shared/subscriptions/search-summary.js';
import { forecastCallDoc } from '../unit/functions/api/api-test-deps.js';

/**
 * The API's RSS and Atom feeds through an independent parser: Debian's python3-feedparser
 * (`apt-get install -y python3-feedparser`). Part of the integration suite, which CI always runs;
 * a machine without the package fails here with a message naming it, never passes silently.
 */
const script = `
import json, sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
  "bozo": bool(d.bozo),
  "error": str(d.get("bozo_exception", "")),
  "version": d.version,
  "title": d.feed.get("title", ""),
  "link": d.feed.get("link", ""),
  "selfLinks": [l.get("href") for l in d.feed.get("links", []) if l.get("rel") == "self"],
  "entries": [{"id": e.get("id"), "title": e.get("title"), "link": e.get("link"), "date": e.get("published") or e.get("updated"), "summary": e.get("summary", ""), "tags": [t.get("term") for t in e.get("tags", [])]} for e in d.entries],
}))
`;

/** Debian installs the module for /usr/bin/python3; a pyenv or venv `python3` on PATH may lack it. */
function findFeedparserPython(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import feedparser'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

interface Parsed {
  bozo: boolean;
  error: string;
  version: string;
  title: string;
  link: string;
  selfLinks: string[];
  entries: { id: string; title: string; link: string; date: string; summary: string; tags: string[] }[];
}

function feedparse(python: string, xml: string): Parsed {
  const run = spawnSync(python, ['-c', script], { input: xml, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`feedparser failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Parsed;
}

const cluster = encodeURIComponent('クラスター');
let sample: CrawledSampleStack;
let stack: LocalStack;
const python = findFeedparserPython();

beforeAll(async () => {
  sample = await startCrawledSampleStack('chiiki-feeds-');
  ({ stack } = sample);
}, 120_000);

afterAll(() => sample?.close());

describe('feeds in python3-feedparser', () => {
  it('has python3-feedparser available', () => {
    expect(
      python,
      'python3 with the feedparser module is missing: install Debian package python3-feedparser (apt-get install -y python3-feedparser)',
    ).toBeDefined();
  });

  it.each([
    ['feed.rss', 'rss20'],
    ['feed.atom', 'atom10'],
  ])('parses /v1/%s without a bozo error', async (path, version) => {
    if (!python) throw new Error('install Debian package python3-feedparser (apt-get install -y python3-feedparser)');
    const search = (await (await fetch(`${stack.apiUrl}/v1/search?q=${cluster}&size=50`)).json()) as {
      items: { id: string; title: string }[];
    };
    const xml = await (await fetch(`${stack.apiUrl}/v1/${path}?q=${cluster}`)).text();

    const parsed = feedparse(python, xml);

    expect(parsed.error).toBe('');
    expect(parsed.bozo).toBe(false);
    expect(parsed.version).toBe(version);
    expect(parsed.title).toContain('クラスター');
    expect(parsed.selfLinks).toEqual([`${stack.apiUrl}/v1/${path}?q=${cluster}`]);
    expect(parsed.entries.map((e) => e.title).sort()).toEqual(search.items.map((i) => i.title).sort());
    expect(parsed.entries.every((e) => e.link.startsWith('http') && e.date)).toBe(true);
  });

  it.each(['feed.rss', 'feed.atom'])(
    'reads /v1/%s in words: the title, the portal page link, categories and news summaries',
    async (path) => {
      if (!python) throw new Error('install Debian package python3-feedparser (apt-get install -y python3-feedparser)');

      const calls = feedparse(python, await (await fetch(`${stack.apiUrl}/v1/${path}?kind=call&prefecture=20`)).text());
      const news = feedparse(python, await (await fetch(`${stack.apiUrl}/v1/${path}?kind=news`)).text());

      expect(calls.bozo).toBe(false);
      expect(calls.title).toBe('地域科学技術ポータル: 公募・長野県');
      expect(calls.link).toBe(`${stack.apiUrl}/?kind=call&prefecture=20`);
      expect(calls.entries.length).toBeGreaterThan(0);
      for (const entry of calls.entries) {
        expect(entry.tags).toContain('公募');
        expect(entry.tags).toContain('長野県');
        expect(entry.tags.join()).not.toMatch(/\bcall\b|pref-|^20$/);
      }
      expect(news.title).toBe('地域科学技術ポータル: ニュース');
      expect(news.entries.length).toBeGreaterThan(0);
      // A news item whose source gave text starts its summary with that text (plain, cut short).
      let withText = 0;
      for (const entry of news.entries) {
        expect(entry.tags).toContain('ニュース');
        const id = entry.id.replace('urn:chiiki-portal:item:', '');
        const item = (await (await fetch(`${stack.apiUrl}/v1/items/${id}`)).json()) as {
          summary?: string;
          bodyText?: string;
        };
        const text = itemSummary(item);
        if (text === undefined) continue;
        withText++;
        expect(entry.summary.split('\n')[0]).toBe(text);
      }
      expect(withText).toBeGreaterThan(0);
    },
  );

  it.each(['rss', 'atom'] as const)(
    'reads who may apply, the ceiling and the next round as 「見込み」 in the %s entry',
    (format) => {
      if (!python) throw new Error('install Debian package python3-feedparser (apt-get install -y python3-feedparser)');
      const doc = forecastCallDoc({
        forecast: {
          seriesId: 'se_0123456789abcdef01234567',
          opens: { from: '2027-03-25', to: '2027-04-15' },
          text: '次回の受付開始は2027年3月25日〜2027年4月15日頃の見込み（根拠: 過去3回の受付開始日）',
        },
      });
      const render = format === 'rss' ? renderRss : renderAtom;
      const xml = render({
        title: 't',
        entries: [feedEntryOf({ doc, status: 'closed', highlights: {} })],
        context: { selfUrl: 'https://api.example.jp/v1/feed', searchUrl: 'https://api.example.jp/v1/search' },
        now: new Date('2026-05-01T00:00:00Z'),
      });

      const [entry] = feedparse(python, xml).entries;

      expect(entry?.summary).toContain('応募できる者: 大学・高専、中小企業');
      expect(entry?.summary).toContain('上限額: 3,000万円');
      expect(entry?.summary).toContain(
        '次回の公募（見込み）: 受付開始 2027-03-25〜2027-04-15ごろ。次回の受付開始は2027年3月25日〜2027年4月15日頃の見込み（根拠: 過去3回の受付開始日）',
      );
      expect(entry?.tags).toEqual(expect.arrayContaining(['大学・高専', '中小企業']));
    },
  );

  it.each(['feed.rss', 'feed.atom'])(
    'gives each call of the sample sites in /v1/%s the applicants and ceiling its search hit has',
    async (path) => {
      if (!python) throw new Error('install Debian package python3-feedparser (apt-get install -y python3-feedparser)');
      const search = (await (await fetch(`${stack.apiUrl}/v1/search?kind=call&size=50`)).json()) as {
        items: { id: string; applicants: ApplicantType[]; amountCeiling?: number }[];
      };
      const feed = feedparse(python, await (await fetch(`${stack.apiUrl}/v1/${path}?kind=call`)).text());

      let withApplicants = 0;
      for (const hit of search.items) {
        const entry = feed.entries.find((e) => e.id.endsWith(hit.id));
        if (!entry) continue;
        if (hit.applicants.length > 0) {
          withApplicants++;
          expect(entry.summary).toContain(`応募できる者: ${hit.applicants.map(applicantLabel).join('、')}`);
        } else expect(entry.summary).not.toContain('応募できる者');
        if (hit.amountCeiling !== undefined) expect(entry.summary).toContain(`上限額: ${yenWords(hit.amountCeiling)}`);
      }
      expect(withApplicants).toBeGreaterThan(0);
    },
  );
});
