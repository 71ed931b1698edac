import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../functions/crawl/fetch/charset.js';
import { extractFeed } from '../../functions/crawl/extract/feed.js';
import { extractPage } from '../../functions/crawl/extract/extract-page.js';
import { loadRegistry, registryPath } from '../../shared/sources/registry.js';
import { trySource } from '../../infra/cli/commands/source-try.js';
import type { Source } from '../../shared/domain/source.js';
import { ExtractionError, PermanentFetchError } from '../../shared/errors.js';
import {
  printedInstant,
  readmeExpectations,
  realWebAvailable,
  realWebDir,
  savedPage,
  savedPages,
} from '../support/real-web.js';

/**
 * The live definitions against real pages: every site saved in REAL_WEB_DIR (CI sets
 * REAL_WEB_DIR=../shared/real-web) must give exactly the first items its README lists (titles,
 * absolute links, dates), Shift_JIS decoded, and the frozen METI feed must be flagged stale. The
 * expectations are read from that README, so nothing of the real pages is copied here.
 */
const available = realWebAvailable('real-web definition tests');
const cases = savedPages;

const live = loadRegistry('live');
const sourceById = (id: string): Source => {
  const source = live.sources.find((s) => s.id === id);
  if (!source) throw new Error(`no live source ${id}`);
  return source;
};

describe.skipIf(!available)('live definitions on saved real pages (REAL_WEB_DIR)', () => {
  const dir = realWebDir ?? '';

  it('covers every saved site with a definition marked verified: saved-page', () => {
    const saved = live.sources.filter((s) => s.verified === 'saved-page').map((s) => s.id);

    expect(new Set(cases.map((c) => c.sourceId))).toEqual(new Set(saved));
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s gives the README first items exactly', (_, c) => {
    const expected = readmeExpectations(c.file).first;
    const result = trySource(sourceById(c.sourceId), readFileSync(join(dir, c.file)), { url: c.url, refDate: c.day });

    expect(expected).toHaveLength(5);
    expect(result.invalid).toEqual([]);
    // The README prints some 全角 spaces of HTML titles as ASCII spaces: compare white space folded.
    const actual = result.items
      .slice(0, 5)
      .map((i) => ({ title: i.title.replace(/\s+/gu, ' '), link: i.url, date: i.publishedAt }));
    expect(actual).toEqual(
      expected.map((e) => ({
        title: e.title.replace(/\s+/gu, ' '),
        link: new URL(e.link, c.url).href,
        date: expect.any(String) as string,
      })),
    );
    for (const [index, e] of expected.entries())
      expect(Date.parse(actual[index]?.date ?? ''), e.date).toBe(printedInstant(e.date));
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s passes its quality gate', (_, c) => {
    const result = trySource(sourceById(c.sourceId), readFileSync(join(dir, c.file)), { url: c.url, refDate: c.day });

    expect(result.report.problems).toEqual([]);
    expect(result.report).toMatchObject({ passed: true, navigation: 0, unreadableDates: 0 });
    expect(result.report.dated).toBe(result.items.length);
  });

  describe('wrong definitions on the saved METI list page', () => {
    const meti = sourceById('meti-press');
    if (meti.kind !== 'html-list') throw new Error('meti-press is an html-list');
    const tryList = (list: Partial<typeof meti.list>) =>
      trySource({ ...meti, list: { ...meti.list, ...list } }, readFileSync(join(dir, 'meti/press-index.html')), {
        url: savedPage('meti/press-index.html').url,
        refDate: '2026-08-20',
      }).report;

    it.each([
      ['a title selector that matches nothing', { title: 'a.no-such-class' }],
      ['a link selector that matches nothing', { link: 'a.no-such-class' }],
    ])('fails the gate with %s', (_, list) => {
      const report = tryList(list);

      expect(report.passed).toBe(false);
      expect(report.items).toBe(0);
      expect(report.problems.map((p) => p.code)).toContain('no-items');
    });

    it('fails the gate with a date selector that matches nothing', () => {
      const report = tryList({ date: 'span.no-such-class' });

      expect(report).toMatchObject({ passed: false, items: 20, dated: 0 });
      expect(report.problems.map((p) => p.code)).toEqual(['undated']);
    });

    it('fails the gate with a first-guess `li` definition that catches the menus', () => {
      const report = tryList({ item: 'li', title: undefined, link: 'a', date: undefined });

      expect(report.passed).toBe(false);
      expect(report.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['undated']));
    });
  });

  it('exits non-zero from `chiiki source try` when the gate fails, printing why', () => {
    const bin = fileURLToPath(new URL('../../bin/chiiki.js', import.meta.url));
    const config = join(mkdtempSync(join(tmpdir(), 'chiiki-gate-')), 'guess.yaml');
    writeFileSync(
      config,
      'id: guess\nname: 環境省 報道発表\npublisher: 環境省\nkind: html-list\nurl: https://www.maff.go.jp/j/press/index.html\nlist: { item: li, link: a }\n',
    );

    const run = spawnSync(
      process.execPath,
      [
        bin,
        'source',
        'try',
        '--config',
        config,
        '--input',
        join(dir, 'maff/press-index.html'),
        '--ref-date',
        '2026-08-20',
      ],
      { encoding: 'utf8' },
    );

    expect(run.status).toBe(3);
    expect(run.stderr).toContain('quality: FAILED');
    expect(run.stderr).toMatch(/of items dated .*check the date selector/);
    expect(run.stderr).toContain('a crawl would publish nothing from this page');
  });

  it('decodes the Shift_JIS MLIT feed from its XML declaration', () => {
    const result = trySource(sourceById('mlit-press'), readFileSync(join(dir, 'mlit/pressrelease.rdf')), {
      refDate: '2026-08-20',
    });

    expect(result.charset).toBe('shift_jis (declaration)');
    expect(result.items.find((i) => i.title.includes('３次公募開始'))?.kind).toBe('call');
  });

  it('follows the gov-online next-page link to page 2', () => {
    const page1 = readFileSync(join(dir, 'gov-online/info-index-page1.html'), 'utf8');

    const page = extractPage(sourceById('govonline-info'), page1, savedPage('gov-online/info-index-page1.html').url);

    expect(page.nextPageUrl).toBe(savedPage('gov-online/info-index-page2.html').url);
  });

  it('flags the frozen METI Atom feed stale and the MEXT feed not', () => {
    const meti = trySource(sourceById('meti-atom'), readFileSync(join(dir, 'meti/release-atom.xml')), {
      refDate: '2026-08-20',
    });
    const mext = trySource(sourceById('mext-news'), readFileSync(join(dir, 'mext/news-index.rdf')), {
      refDate: '2026-08-20',
    });

    expect(meti).toMatchObject({ stale: true, newestItemAt: '2026-06-19T05:00:00Z' });
    expect(mext.stale).toBe(false);
  });

  it('does not take MEXT staff recruitment for a call', () => {
    const mext = trySource(sourceById('mext-news'), readFileSync(join(dir, 'mext/news-index.rdf')), {
      refDate: '2026-08-20',
    });

    expect(mext.items.filter((i) => i.title.includes('採用のお知らせ')).map((i) => i.kind)).toEqual([
      'news',
      'news',
      'news',
    ]);
  });

  it('prints the same items through `chiiki source try`', () => {
    const bin = fileURLToPath(new URL('../../bin/chiiki.js', import.meta.url));
    const out = execFileSync(
      process.execPath,
      [
        bin,
        'source',
        'try',
        '--config',
        registryPath('live'),
        '--source',
        'maff-press',
        '--input',
        join(dir, 'maff/press-index.html'),
        '--url',
        savedPage('maff/press-index.html').url,
        '--ref-date',
        '2026-08-20',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );

    const items = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { title: string; url: string; publishedAt: string });
    expect(items).toHaveLength(46);
    expect(items[2]).toMatchObject({
      title: '「サザエさん一家の“もりのわ”話 吹き出しコンテスト」の受賞作品が決まりました',
      url: 'https://www.rinya.maff.go.jp/j/press/sin_riyou/morigyo/260819.html',
      publishedAt: '2026-08-19T00:00:00+09:00',
    });
  });

  it('reads every feedparser case or refuses it with a clear error, never crashing', () => {
    const outcomes = { items: 0, refused: 0 };
    for (const sub of ['encoding', 'wellformed/rdf', 'wellformed/http']) {
      const folder = join(dir, 'feedparser', sub);
      if (!existsSync(folder)) continue;
      for (const file of readdirSync(folder).filter((f) => f.endsWith('.xml'))) {
        try {
          const decoded = decodeBody(readFileSync(join(folder, file)), { url: `file:///${file}` });
          extractFeed(decoded.text, 'https://feed.example/');
          outcomes.items += 1;
        } catch (error) {
          expect(
            error instanceof ExtractionError || error instanceof PermanentFetchError,
            `${sub}/${file}: ${String(error)}`,
          ).toBe(true);
          outcomes.refused += 1;
        }
      }
    }
    expect(outcomes.items).toBeGreaterThan(50);
  });
});
