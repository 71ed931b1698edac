import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The saved real pages the real-web suites read: REAL_WEB_DIR (CI sets it to ../shared/real-web),
 * which pages there are, where each was fetched from and on which day, and the expectations its
 * README states. Nothing of the pages is copied into the project.
 */

export const realWebDir = process.env.REAL_WEB_DIR ? resolve(process.env.REAL_WEB_DIR) : undefined;

/** Whether REAL_WEB_DIR holds the saved pages; says on the console which suite is skipped when not. */
export function realWebAvailable(suite: string): boolean {
  const available = realWebDir !== undefined && existsSync(join(realWebDir, 'README.md'));
  if (!available)
    console.warn(
      `${suite} skipped: set REAL_WEB_DIR to the real-web folder (e.g. REAL_WEB_DIR=../shared/real-web)` +
        (realWebDir ? `; ${realWebDir}/README.md does not exist` : ''),
    );
  return available;
}

/** One saved page: its file, the live definition verified on it, its original URL and the day it was fetched. */
export interface SavedPage {
  readonly file: string;
  readonly sourceId: string;
  readonly url: string;
  readonly day: string;
}

/** Every saved page with a `verified: saved-page` definition, in the README's order. */
export const savedPages: readonly SavedPage[] = [
  {
    file: 'mext/news-index.rdf',
    sourceId: 'mext-news',
    url: 'https://www.mext.go.jp/b_menu/news/index.rdf',
    day: '2026-08-20',
  },
  {
    file: 'meti/release-atom.xml',
    sourceId: 'meti-atom',
    url: 'https://www.meti.go.jp/ml_index_release_atom.xml',
    day: '2026-08-20',
  },
  {
    file: 'meti/press-index.html',
    sourceId: 'meti-press',
    url: 'https://www.meti.go.jp/press/index.html',
    day: '2026-08-20',
  },
  {
    file: 'mlit/pressrelease.rdf',
    sourceId: 'mlit-press',
    url: 'https://www.mlit.go.jp/pressrelease.rdf',
    day: '2026-08-20',
  },
  { file: 'cao/news.rdf', sourceId: 'cao-news', url: 'https://www.cao.go.jp/rss/news.rdf', day: '2026-08-20' },
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
];

/** The saved page with this file name. */
export function savedPage(file: string): SavedPage {
  const page = savedPages.find((p) => p.file === file);
  if (!page) throw new Error(`no saved page ${file}`);
  return page;
}

/** One of the README's first items: title, link and date as the source prints them. */
export interface PrintedItem {
  readonly title: string;
  readonly link: string;
  readonly date: string;
}

let readmeText: string | undefined;

function readme(): string {
  readmeText ??= readFileSync(join(realWebDir ?? '', 'README.md'), 'utf8');
  return readmeText;
}

/** The README's section on `file`: its item count and first items (`N. title | link | date as printed`). */
export function readmeExpectations(file: string): { count: number; first: PrintedItem[] } {
  const section = readme()
    .split(/^### /m)
    .find((s) => s.startsWith(`\`${file}\``));
  if (!section) throw new Error(`README has no section for ${file}`);
  const count = Number(/items: (\d+)/.exec(section)?.[1] ?? Number.NaN);
  const first = [...section.matchAll(/^\s+\d+\. (.+) \| (\S+) \| (.+)$/gm)].map((m) => ({
    title: m[1] ?? '',
    link: m[2] ?? '',
    date: (m[3] ?? '').trim(),
  }));
  return { count, first };
}

/**
 * The instant a printed date stands for: ISO as is; Japanese dates (`2026年8月17日`, the MAFF
 * heading form `令和8年8月分 / 8月19日`) as the start of the Tokyo day.
 */
export function printedInstant(printed: string): number {
  if (/^\d{4}-\d{2}-\d{2}T/.test(printed)) return Date.parse(printed);
  const pad = (n: string | undefined) => (n ?? '').padStart(2, '0');
  const western = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(printed);
  if (western) return Date.parse(`${western[1]}-${pad(western[2])}-${pad(western[3])}T00:00:00+09:00`);
  // 令和 1 is 2019.
  const heading = /^令和(\d+)年\d+月分 \/ (\d+)月(\d+)日$/.exec(printed);
  if (heading) return Date.parse(`${2018 + Number(heading[1])}-${pad(heading[2])}-${pad(heading[3])}T00:00:00+09:00`);
  throw new Error(`cannot read the expected date "${printed}"`);
}

/** The Tokyo day (`YYYY-MM-DD`) of an instant, or '' for none. */
export function tokyoDay(instant: string | number | undefined): string {
  if (instant === undefined || instant === '') return '';
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  return new Date(ms + 9 * 3600_000).toISOString().slice(0, 10);
}
