import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, InvalidInputError } from '../../../../shared/errors.js';
import { compileRegistries, loadRegistry } from '../../../../shared/sources/registry.js';
import {
  loadCompiledRegistry,
  parseRegistryJson,
  selectorProblem,
  validateRegistry,
} from '../../../../shared/sources/registry-data.js';

const dir = mkdtempSync(join(tmpdir(), 'registry-data-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('compiled registries (what the Lambda bundles read)', () => {
  const files = compileRegistries(dir);

  it('compiles every built-in registry to JSON that loads as the same sources as its YAML', () => {
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['live.json', 'sample.json']);
    const live = parseRegistryJson(readFileSync(join(dir, 'live.json'), 'utf8'), 'live.json');
    expect(live).toEqual(loadRegistry('live'));
    const sample = parseRegistryJson(readFileSync(join(dir, 'sample.json'), 'utf8'), 'sample.json', {
      sampleHost: 'localhost:4010',
    });
    expect(sample).toEqual(loadRegistry('sample', { sampleHost: 'localhost:4010' }));
  });

  it('keeps the sample-host placeholder for run time and asks for the host', () => {
    const text = readFileSync(join(dir, 'sample.json'), 'utf8');
    expect(text).toContain('{{SAMPLE_HOST}}');
    expect(() => parseRegistryJson(text, 'sample.json')).toThrow(ConfigError);
  });

  it('names the source and field of a bad compiled definition', () => {
    const bad = JSON.stringify({
      registry: 'x',
      sources: [{ id: 'mext-news', name: 'n', publisher: 'p', kind: 'feed', url: 'not a url' }],
    });
    expect(() => parseRegistryJson(bad, 'x.json')).toThrow(InvalidInputError);
    expect(() => parseRegistryJson(bad, 'x.json')).toThrow(/sources\.0\.url.*source "mext-news"/s);
    expect(() => parseRegistryJson('{"registry":', 'x.json')).toThrow(/x\.json is not valid JSON/);
  });

  it('refuses, with the reason, when run from source where no compiled file exists', () => {
    expect(() => loadCompiledRegistry('live')).toThrow(/compiled source registry .*live\.json is missing/);
    expect(() => loadCompiledRegistry('mine.yaml')).toThrow(/SOURCE_REGISTRY must be one of live, sample/);
  });
});

/** A registry with one html-list source whose list is `list`, after three valid feeds (index 3). */
function registryWithList(list: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  const feed = (id: string) => ({ id, name: id, publisher: 'p', kind: 'feed', url: `https://${id}.example/feed.rdf` });
  return {
    registry: 'x',
    sources: [
      feed('feed-a'),
      feed('feed-b'),
      feed('feed-c'),
      { id: 'pref-list', name: 'n', publisher: 'p', kind: 'html-list', url: 'https://pref.example/', list, ...extra },
    ],
  };
}

describe('selector validation', () => {
  it('names the field, the selector and the parser error of an invalid selector', () => {
    const raw = registryWithList({ item: 'ul > li', title: 'a[' });

    expect(() => validateRegistry(raw)).toThrow(InvalidInputError);
    expect(() => validateRegistry(raw)).toThrow(
      'sources.3.list.title: selector "a[" is not valid CSS (expected name, found ) (source "pref-list")',
    );
  });

  it('checks the titleExclude selector too', () => {
    const raw = registryWithList({ item: 'ul > li', titleExclude: 'span.cat[' });

    expect(() => validateRegistry(raw)).toThrow(
      /sources\.3\.list\.titleExclude: selector "span\.cat\[" is not valid CSS/,
    );
  });

  it('reports every bad selector of a definition, the detail content selector included', () => {
    const raw = registryWithList(
      { item: 'li:frist', date: 'span.date', nextPage: '.next >> a' },
      {
        detail: { content: '#main[' },
      },
    );

    let issues: readonly { path: readonly (string | number)[] }[] = [];
    try {
      validateRegistry(raw);
    } catch (error) {
      if (error instanceof InvalidInputError) issues = error.issues;
    }

    expect(issues.map((i) => i.path.join('.'))).toEqual([
      'sources.3.list.item',
      'sources.3.list.nextPage',
      'sources.3.detail.content',
    ]);
  });

  it.each([
    'ul.float_li > li',
    'li:first',
    'li:eq(2) a',
    'tr:gt(0)',
    ':first',
    'a:contains("次へ")',
    '.p-pagination__next a',
    'dl.list_item dd a, dl.list_item dt',
  ])('accepts %s (CSS as cheerio reads it)', (selector) => {
    expect(selectorProblem(selector)).toBeUndefined();
    expect(() => validateRegistry(registryWithList({ item: selector }))).not.toThrow();
  });

  it.each(['a[', 'li:frist', 'div[class=', '.', '#', 'li:eq(x)'])('rejects %s', (selector) => {
    expect(selectorProblem(selector)).toMatch(/^selector ".*" is not valid CSS \(.+\)$/);
  });

  it('accepts the shipped registries', () => {
    expect(() => loadRegistry('live')).not.toThrow();
    expect(() => loadRegistry('sample', { sampleHost: 'localhost:4010' })).not.toThrow();
  });
});
