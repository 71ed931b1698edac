import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { suggestSource } from '../../../../../functions/crawl/suggest/suggest-source.js';
import { trySource, type TriedItem } from '../../../../../infra/cli/commands/source-try.js';
import { SourceSchema } from '../../../../../shared/domain/source.js';
import { loadRegistry } from '../../../../../shared/sources/registry.js';

/**
 * The sample sites' list pages (infra/local/sample-sites) come with hand-written definitions in the
 * sample registry: a suggested definition must read the same items from them (EUC-JP table, MAFF
 * headings, a JST call table with periods, a paged news list).
 */
const sites = fileURLToPath(new URL('../../../../../infra/local/sample-sites/', import.meta.url));
const sample = loadRegistry('sample', { sampleHost: 'localhost:4010' });

/** The saved file a sample source reads (`page.v1.html` for versioned pages). */
function fileOf(url: string): string {
  const u = new URL(url);
  const path = `${sites}${u.hostname.split('.')[0] ?? ''}${u.pathname}`;
  return existsSync(path) ? path : path.replace(/\.html$/, '.v1.html');
}

const view = (i: TriedItem) => ({
  title: i.title,
  url: i.url,
  publishedAt: i.publishedAt,
  opensAt: i.opensAt,
  closesAt: i.closesAt,
});

describe('suggestSource on the sample sites', () => {
  it.each(['sample-pref-euc', 'sample-maff-list', 'sample-jst-koubo', 'sample-news-paged', 'sample-changing'])(
    '%s: the suggestion reads the same items as the hand-written definition',
    (id) => {
      const source = sample.sources.find((s) => s.id === id);
      if (!source) throw new Error(`no sample source ${id}`);
      const body = readFileSync(fileOf(source.url));
      const options = { url: source.url, refDate: '2026-12-01' };

      const suggestion = suggestSource(body, source.url);
      const suggested = trySource(SourceSchema.parse(suggestion.source), body, options);

      const expected = trySource(source, body, options).items.map(view);
      expect(expected.length).toBeGreaterThan(1);
      expect(suggested.items.map(view)).toEqual(expected);
    },
  );
});
