import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suggestSource } from '../../functions/crawl/suggest/suggest-source.js';
import { renderSuggestion } from '../../infra/cli/commands/source-suggest.js';
import { trySource, type TriedItem } from '../../infra/cli/commands/source-try.js';
import type { Source } from '../../shared/domain/source.js';
import { loadRegistry, parseSourceDefinition } from '../../shared/sources/registry.js';
import {
  printedInstant,
  readmeExpectations,
  realWebAvailable,
  realWebDir,
  savedPages,
  tokyoDay,
} from '../support/real-web.js';

/**
 * `chiiki source suggest` on the saved real pages and feeds in REAL_WEB_DIR (CI sets
 * REAL_WEB_DIR=../shared/real-web): the printed definition, unedited, run through `source try`,
 * must give at least 95 % of the expected items exactly (title as printed, absolute link, the
 * Tokyo day of the printed date). Expected items are the README's first five and item count, and
 * every item of the live definition verified on the same saved page. Nothing of the real pages is
 * copied here.
 */
const available = realWebAvailable('real-web suggest tests');

interface Expected {
  readonly title: string;
  readonly link: string;
  readonly day: string;
}

/** The README's item count and first items of one page, as `Expected`. */
function readmeFor(file: string, url: string): { count: number; first: Expected[] } {
  const { count, first } = readmeExpectations(file);
  return {
    count,
    first: first.map((e) => ({
      title: fold(e.title),
      link: new URL(e.link, url).href,
      day: tokyoDay(printedInstant(e.date)),
    })),
  };
}

/** The README prints some 全角 spaces of titles as ASCII spaces: titles are compared white space folded. */
function fold(title: string): string {
  return title.replace(/\s+/gu, ' ');
}

const asExpected = (item: TriedItem): Expected => ({
  title: fold(item.title),
  link: item.url,
  day: tokyoDay(item.publishedAt),
});
const key = (e: Expected) => `${e.title}\n${e.link}\n${e.day}`;

describe.skipIf(!available)('source suggest on saved real pages (REAL_WEB_DIR)', () => {
  const dir = realWebDir ?? '';
  const live = loadRegistry('live');

  it.each(savedPages.map((c) => [c.file, c] as const))(
    '%s: the printed definition, unedited, gives at least 95 percent of the expected items exactly',
    (_, c) => {
      const body = readFileSync(join(dir, c.file));
      const { count, first } = readmeFor(c.file, c.url);
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
