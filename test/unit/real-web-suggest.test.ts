import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suggestSource } from '../../functions/crawl/suggest/suggest-source.js';
import { renderSuggestion } from '../../infra/cli/commands/source-suggest.js';
import { trySource, type TriedItem } from '../../infra/cli/commands/source-try.js';
import type { Source } from '../../shared/domain/source.js';
import { loadRegistry, parseSourceDefinition } from '../../shared/sources/registry.js';

/**
 * `chiiki source suggest` on the saved real pages and feeds in REAL_WEB_DIR (CI sets
 * REAL_WEB_DIR=../shared/real-web): the printed definition, unedited, run through `source try`,
 * must give at least 95 % of the expected items exactly (title as printed, absolute link, the
 * Tokyo day of the printed date). Expected items are the README's first five and item count, and
 * every item of the live definition verified on the same saved page. Nothing of the real pages is
 * copied here.
 */
const realWebDir = process.env.REAL_WEB_DIR ? resolve(process.env.REAL_WEB_DIR) : undefined;
const available = realWebDir !== undefined && existsSync(join(realWebDir, 'README.md'));
if (!available) {
  console.warn(
    'real-web suggest tests skipped: set REAL_WEB_DIR to the real-web folder (e.g. REAL_WEB_DIR=../shared/real-web)' +
      (realWebDir ? `; ${realWebDir}/README.md does not exist` : ''),
  );
}

const cases = [
  {
    file: 'meti/press-index.html',
    sourceId: 'meti-press',
    url: 'https://www.meti.go.jp/press/index.html',
    day: '2026-08-20',
  },
  {
    file: 'maff/press-index.html',
    sourceId: 'maff-press',
    url: 'https://www.maff.go.jp/j/press/index.html',
    day: '2026-08-20',
  },
  {
    file: 'gov-online/info-index-page1.html',
    sourceId: 'govonline-info',
    url: 'https://www.gov-online.go.jp/info/index.html',
    day: '2025-05-25',
  },
  {
    file: 'gov-online/info-index-page2.html',
    sourceId: 'govonline-info',
    url: 'https://www.gov-online.go.jp/info/index.html?_filter=ministry_news&limit=20&offset=20',
    day: '2025-05-25',
  },
  {
    file: 'mext/news-index.rdf',
    sourceId: 'mext-news',
    url: 'https://www.mext.go.jp/b_menu/news/index.rdf',
    day: '2026-08-20',
  },
  { file: 'cao/news.rdf', sourceId: 'cao-news', url: 'https://www.cao.go.jp/rss/news.rdf', day: '2026-08-20' },
  {
    file: 'mlit/pressrelease.rdf',
    sourceId: 'mlit-press',
    url: 'https://www.mlit.go.jp/pressrelease.rdf',
    day: '2026-08-20',
  },
  {
    file: 'meti/release-atom.xml',
    sourceId: 'meti-atom',
    url: 'https://www.meti.go.jp/ml_index_release_atom.xml',
    day: '2026-08-20',
  },
] as const;

interface Expected {
  readonly title: string;
  readonly link: string;
  readonly day: string;
}

/** The README section of one file: its item count and first items (`N. title | link | date as printed`). */
function readmeFor(readme: string, file: string, url: string): { count: number; first: Expected[] } {
  const section = readme.split(/^### /m).find((s) => s.startsWith(`\`${file}\``)) ?? '';
  const count = Number(/items: (\d+)/.exec(section)?.[1] ?? Number.NaN);
  const first = [...section.matchAll(/^\s+\d+\. (.+) \| (\S+) \| (.+)$/gm)].map((m) => ({
    title: fold(m[1] ?? ''),
    link: new URL(m[2] ?? '', url).href,
    day: printedDay((m[3] ?? '').trim()),
  }));
  return { count, first };
}

/** The README prints some 全角 spaces of titles as ASCII spaces: titles are compared white space folded. */
function fold(title: string): string {
  return title.replace(/\s+/gu, ' ');
}

/** The Tokyo day a printed date stands for (`2026年8月17日`, `令和8年8月分 / 8月19日`, ISO instants). */
function printedDay(printed: string): string {
  if (/^\d{4}-\d{2}-\d{2}T/.test(printed)) return tokyoDay(printed);
  const pad = (n: string | undefined) => (n ?? '').padStart(2, '0');
  const western = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(printed);
  if (western) return `${western[1]}-${pad(western[2])}-${pad(western[3])}`;
  const heading = /^令和(\d+)年\d+月分 \/ (\d+)月(\d+)日$/.exec(printed);
  if (heading) return `${2018 + Number(heading[1])}-${pad(heading[2])}-${pad(heading[3])}`;
  throw new Error(`cannot read the expected date "${printed}"`);
}

function tokyoDay(instant: string | undefined): string {
  return instant ? new Date(Date.parse(instant) + 9 * 3600_000).toISOString().slice(0, 10) : '';
}

const asExpected = (item: TriedItem): Expected => ({
  title: fold(item.title),
  link: item.url,
  day: tokyoDay(item.publishedAt),
});
const key = (e: Expected) => `${e.title}\n${e.link}\n${e.day}`;

describe.skipIf(!available)('source suggest on saved real pages (REAL_WEB_DIR)', () => {
  const dir = realWebDir ?? '';
  const readme = available ? readFileSync(join(dir, 'README.md'), 'utf8') : '';
  const live = loadRegistry('live');

  it.each(cases.map((c) => [c.file, c] as const))(
    '%s: the printed definition, unedited, gives at least 95 percent of the expected items exactly',
    (_, c) => {
      const body = readFileSync(join(dir, c.file));
      const { count, first } = readmeFor(readme, c.file, c.url);
      const verified = live.sources.find((s) => s.id === c.sourceId) as Source;
      const reference = trySource(verified, body, { url: c.url, refDate: c.day }).items.map(asExpected);

      const printed = renderSuggestion(suggestSource(body, c.url), undefined, c.day);
      const source = parseSourceDefinition(printed);
      const result = trySource(source, body, { url: c.url, refDate: c.day });
      const got = new Set(result.items.map((i) => key(asExpected(i))));

      expect(first).toHaveLength(5);
      expect(reference).toHaveLength(count);
      expect(result.items.slice(0, 5).map(asExpected)).toEqual(first);
      expect(result.items).toHaveLength(count);
      const exact = reference.filter((e) => got.has(key(e))).length;
      expect(exact / count).toBeGreaterThanOrEqual(0.95);
    },
  );
});
