import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chiiki } from '../../../support/chiiki-cli.js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  coverageLine,
  prefectureCoverage,
  prefectureSourceProblems,
} from '../../../../infra/cli/commands/sources-check.js';
import { loadRegistry, parseRegistry } from '../../../../shared/sources/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'sources-check-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real `chiiki` bin the way an operator does. */

/** One prefecture source in registry YAML; `extra` lines replace nothing, they are appended. */
function prefSource(id: string, code: string, extra: string): string {
  return `
  - id: ${id}
    name: ${id}
    publisher: 県
    ministry: pref-${code}
    kind: feed
    url: https://www.pref.example.lg.jp/${id}.xml
${extra}`;
}

function registryFile(name: string, sources: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `registry: ${name}\nsources:${sources}`);
  return path;
}

const sources = (text: string) => parseRegistry(`registry: t\nsources:${text}`, 't.yaml').sources;

describe('prefectureSourceProblems', () => {
  it('names a prefecture source without a note, with a note that gives no origin, and one outside its prefecture', () => {
    const problems = prefectureSourceProblems(
      sources(
        prefSource('pref-18-fukui', '18', "    prefectures: ['18']") +
          prefSource('pref-29-nara', '29', "    prefectures: ['29']\n    note: URL unconfirmed; check it first.") +
          prefSource('pref-30-wakayama', '30', "    prefectures: ['29']\n    note: URL from owner/repo scraper.py."),
      ),
    );

    expect(problems).toEqual([
      'source "pref-18-fukui" (ministry pref-18) has no note, expected one saying where its URL came from ("from ..." or 出典)',
      'source "pref-29-nara" (ministry pref-29) has a note that does not say where its URL came from, expected "from ..." or 出典',
      'source "pref-30-wakayama" (ministry pref-30) has prefectures [29], expected it to include \'30\'',
    ]);
  });

  it('accepts 出典 as the origin, ignores national sources and spares the sample fixture sites the note', () => {
    const problems = prefectureSourceProblems(
      sources(
        prefSource('pref-01-a', '01', "    prefectures: ['01']\n    note: 出典 北海道「RSS配信について」") +
          prefSource('pref-02-b', '02', "    prefectures: ['02']\n    verified: sample") +
          '\n  - id: mext-news\n    name: n\n    publisher: p\n    ministry: mext\n    kind: feed\n    url: https://www.mext.go.jp/a.rdf\n',
      ),
    );

    expect(problems).toEqual([]);
  });

  it('finds nothing wrong with the live registry', () => {
    expect(prefectureSourceProblems(loadRegistry('live').sources)).toEqual([]);
  });
});

describe('prefectureCoverage', () => {
  it('covers all 47 prefectures in the live registry with enabled sources', () => {
    const coverage = prefectureCoverage(loadRegistry('live').sources);

    expect(coverage.covered).toHaveLength(47);
    expect(coverage.missing).toEqual([]);
    expect(coverage.feeds + coverage.listPages).toBeGreaterThanOrEqual(47);
  });

  it('counts only enabled sources, sorts calls apart and lists what is missing', () => {
    const coverage = prefectureCoverage(
      sources(
        prefSource('pref-01-a', '01', "    prefectures: ['01']") +
          prefSource('pref-02-b', '02', "    prefectures: ['02']\n    enabled: false") +
          prefSource('pref-01-koubo', '01', "    prefectures: ['01']\n    defaultKind: call"),
      ),
    );

    expect(coverage).toMatchObject({ covered: ['01'], feeds: 1, listPages: 0, supportPages: 1 });
    expect(coverage.missing).toHaveLength(46);
    expect(coverageLine(coverage)).toBe(
      `prefectures: 1 of 47 covered (1 feed, 0 list pages, 1 support-program page); missing ${coverage.missing.join(', ')}`,
    );
  });
});

describe('chiiki sources check', () => {
  it('passes the live registry with 47 of 47 prefectures covered', async () => {
    const result = await chiiki(['sources', 'check', '--registry', 'live']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^live: \d+ sources valid/);
    expect(result.stdout).toMatch(/prefectures: 47 of 47 covered \(\d+ feeds, \d+ list pages, \d+ support-program/);
    expect(result.stdout).toMatch(/unverified enabled: \d+/);
  });

  it('exits with 2 and names the source when a prefecture source in a registry file breaks the rules', async () => {
    const file = registryFile(
      'broken',
      prefSource('pref-18-fukui', '18', "    prefectures: ['18']\n    note: URL unconfirmed.") +
        prefSource('pref-19-yamanashi', '19', '    note: URL from owner/repo feeds.json.'),
    );

    const result = await chiiki(['sources', 'check', '--registry', file]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: invalid: source "pref-18-fukui" (ministry pref-18) has a note that`);
    expect(result.stderr).toContain(
      `${file}: invalid: source "pref-19-yamanashi" (ministry pref-19) has prefectures []`,
    );
    expect(result.stdout).toContain('prefectures: 2 of 47 covered (2 feeds, 0 list pages, 0 support-program pages)');
  });
});
