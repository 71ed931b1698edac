import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chiiki } from '../../../support/chiiki-cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSuggestArgs, reportLines } from '../../../../infra/cli/commands/source-suggest.js';
import { startSampleSiteServer, type SampleSiteServer } from '../../../../infra/local/sample-site-server.js';

const fixtures = fileURLToPath(new URL('../../../fixtures/suggest/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'source-suggest-test-'));

/** Runs the real `chiiki` bin the way an operator does. */

let server: SampleSiteServer;
beforeAll(async () => {
  // Two sites: one that welcomes crawlers, one whose robots.txt shuts them out of /news/.
  for (const [site, robots] of [
    ['pref-news', 'User-agent: *\nAllow: /\n'],
    ['pref-closed', 'User-agent: *\nDisallow: /news/\n'],
  ] as const) {
    mkdirSync(join(dir, 'sites', site, 'news'), { recursive: true });
    copyFileSync(join(fixtures, 'dl-dt-dd.html'), join(dir, 'sites', site, 'news', 'index.html'));
    writeFileSync(join(dir, 'sites', site, 'robots.txt'), robots);
  }
  server = await startSampleSiteServer({ root: join(dir, 'sites') });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('chiiki source suggest', () => {
  it('prints a definition that `chiiki source try --config` runs unedited', async () => {
    const input = join(fixtures, 'table-rows.html');
    const url = 'https://www.pref-b.example.jp/sangyo/koubo/index.html';

    const suggested = await chiiki(['source', 'suggest', '--input', input, '--url', url, '--ref-date', '2026-08-20']);
    writeFileSync(join(dir, 'suggested.yaml'), suggested.stdout);
    const tried = await chiiki([
      'source',
      'try',
      '--config',
      join(dir, 'suggested.yaml'),
      '--input',
      input,
      '--url',
      url,
      '--ref-date',
      '2026-08-20',
    ]);

    expect(suggested).toMatchObject({ code: 0, stderr: '' });
    expect(suggested.stdout).toContain('\nkind: html-list\n');
    expect(suggested.stdout).toContain('\nverified: unverified\n');
    expect(suggested.stdout).toMatch(/^# chosen list: .+ \(score [\d.]+, 12 entries, 12 dated\)$/m);
    expect(suggested.stdout).toContain('# source try (ref date 2026-08-20): 12 items, 12 dated, 0 invalid');
    expect(suggested.stdout).toContain(
      '#   1. 2026-08-19T00:00:00+09:00 令和8年度 地域産業デジタル化支援事業補助金の公募を開始します | https://www.pref-b.example.jp/sangyo/koubo/000.html',
    );
    expect(tried.code).toBe(0);
    const items = tried.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { url: string; publishedAt?: string });
    expect(items).toHaveLength(12);
    expect(items.every((i) => i.publishedAt !== undefined)).toBe(true);
  });

  it('prints the feed a page advertises and the runners-up as YAML comments', async () => {
    const result = await chiiki([
      'source',
      'suggest',
      '--input',
      join(fixtures, 'big-nav.html'),
      '--url',
      'https://www.big-nav.example.jp/index.html',
    ]);

    expect(result.stdout).toContain(
      '# the page advertises a feed: https://www.big-nav.example.jp/rss/news.rdf (大きな県 新着情報)',
    );
    expect(result.stdout).toMatch(/^# runners-up:\n# {3}\S.* \(score [\d.]+, \d+ entries, 0 dated\), e\.g\. ".+"$/m);
  });

  it('fetches the page through the polite fetcher with --fetch', async () => {
    const url = `${server.siteUrl('pref-news')}/news/index.html`;

    const result = await chiiki(['source', 'suggest', '--fetch', url, '--ref-date', '2026-08-20']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`\nurl: ${url}\n`);
    expect(result.stdout).toContain('# source try (ref date 2026-08-20): 10 items, 10 dated, 0 invalid');
    expect(server.hits('/robots.txt', 'pref-news')).toBe(1);
    const page = server.requests().find((r) => r.site === 'pref-news' && r.path === '/news/index.html');
    expect(page?.userAgent).toMatch(/^chiiki-portal-crawler\/.+\(\+https?:\/\//);
  });

  it('does not fetch a page robots.txt forbids', async () => {
    const url = `${server.siteUrl('pref-closed')}/news/index.html`;

    const result = await chiiki(['source', 'suggest', '--fetch', url]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/robots/i);
    expect(server.hits('/news/index.html', 'pref-closed')).toBe(0);
  });

  it.each([
    [['--input', 'page.html'], 'missing --url URL'],
    [['--url', 'https://x.example.jp/'], 'missing --input SAVED_PAGE'],
    [['--fetch', 'ftp://x.example.jp/'], 'is not an absolute http(s) URL'],
    [['--fetch', 'https://x.example.jp/', '--input', 'page.html'], '--fetch reads the page itself'],
    [['--nope'], 'unknown option "--nope"'],
    [['--fetch'], '--fetch needs a value'],
  ])('refuses %j', (args, message) => {
    expect(parseSuggestArgs(args)).toContain(message);
  });

  it.each([
    [undefined, []],
    [{ passed: true, problems: [] }, ['quality gate: passed']],
    [
      { passed: false, problems: [{ code: 'undated', message: '0 of 20 items dated' }] },
      ['quality gate: FAILED', '  0 of 20 items dated'],
    ],
    [{ items: 3 }, ['report:', '  items: 3']],
  ])('prints a quality report %j as %j', (report, lines) => {
    expect(reportLines(report)).toEqual(lines);
  });

  it('exits 2 on bad arguments, with the usage', async () => {
    const result = await chiiki(['source', 'suggest', '--input', 'page.html']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing --url URL');
    expect(result.stderr).toContain('usage: chiiki source suggest');
  });
});

describe('an invalid selector in chiiki source try and chiiki sources check', () => {
  it('names the field of the selector that is not valid CSS', async () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(
      config,
      [
        'id: pref-news',
        'name: 県のお知らせ',
        'publisher: 県',
        'kind: html-list',
        'url: https://www.pref.example.jp/news/index.html',
        'list:',
        '  item: dd',
        "  date: 'dt[class'",
        '',
      ].join('\n'),
    );

    const result = await chiiki(['source', 'try', '--config', config, '--input', join(fixtures, 'dl-dt-dd.html')]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sources.0.list.date: selector "dt[class" is not valid CSS (');
  });

  it('makes `chiiki sources check` reject the registry, naming the field', async () => {
    const file = join(dir, 'bad-registry.yaml');
    writeFileSync(
      file,
      [
        'registry: x',
        'sources:',
        '  - id: pref-news',
        '    name: 県のお知らせ',
        '    publisher: 県',
        '    kind: html-list',
        '    url: https://www.pref.example.jp/news/',
        '    list:',
        '      item: ul.news > li',
        "      title: 'a['",
        '',
      ].join('\n'),
    );

    const result = await chiiki(['sources', 'check', '--registry', file]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sources.0.list.title: selector "a[" is not valid CSS (');
  });
});
