import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/errors.js';
import { loadRegistry, parseRegistry, parseSourceDefinition } from '../../../../shared/sources/registry.js';

const minimal = (extra: string) => `
registry: test
sources:
  - id: mext-news
    name: 文部科学省 新着情報
    publisher: 文部科学省
    kind: feed
    url: https://www.mext.go.jp/b_menu/news/index.rdf
${extra}`;

function issuesOf(text: string): string {
  try {
    parseRegistry(text, 'test.yaml');
  } catch (error) {
    if (error instanceof InvalidInputError) return error.message;
    throw error;
  }
  throw new Error('expected the registry to be rejected');
}

describe('loadRegistry', () => {
  it('loads the live registry with every source valid and the saved-page ones marked', () => {
    const registry = loadRegistry('live');

    const ids = registry.sources.map((s) => s.id);
    expect(ids).toEqual(
      expect.arrayContaining(['mext-news', 'meti-press', 'mlit-press', 'maff-press', 'jgrants', 'jnet21-support']),
    );
    expect(registry.sources.filter((s) => s.verified === 'saved-page').map((s) => s.id)).toEqual(
      expect.arrayContaining([
        'mext-news',
        'meti-atom',
        'meti-press',
        'mlit-press',
        'cao-news',
        'maff-press',
        'govonline-info',
      ]),
    );
  });

  it('fills defaults: nightly schedule, politeness, news kind, enabled', () => {
    const [source] = parseRegistry(minimal(''), 'test.yaml').sources;

    expect(source).toMatchObject({
      schedule: 'cron(0 18 * * ? *)',
      politeness: { minDelayMs: 2000, maxPages: 5 },
      defaultKind: 'news',
      enabled: true,
      prefectures: [],
    });
  });

  it('names a misspelt key with its path and the source id', () => {
    const message = issuesOf(minimal('    enabeld: true'));

    expect(message).toContain('sources.0');
    expect(message).toContain('enabeld');
    expect(message).toContain('mext-news');
  });

  it('rejects a schedule EventBridge Scheduler would not accept', () => {
    expect(issuesOf(minimal('    schedule: every night'))).toMatch(
      /sources\.0\.schedule: .*not an EventBridge expression/,
    );
    expect(issuesOf(minimal("    schedule: 'cron(0 18 * * * *)'"))).toContain(
      'exactly one of day-of-month and day-of-week',
    );
    expect(parseRegistry(minimal("    schedule: 'rate(6 hours)'"), 't').sources[0]?.schedule).toBe('rate(6 hours)');
  });

  it('rejects a jGrants keyword shorter than 2 characters', () => {
    const text = `
registry: test
sources:
  - id: jgrants
    name: jGrants
    publisher: デジタル庁
    kind: json
    adapter: jgrants
    url: https://api.jgrants-portal.go.jp/exp/v1/public
    params: { keywords: [研] }
`;
    expect(issuesOf(text)).toMatch(/sources\.0\.params\.keywords\.0: jGrants needs a keyword of 2 or more characters/);
  });

  it('rejects duplicate ids and a bad prefecture code', () => {
    const twice = minimal('') + minimal('').split('sources:\n')[1];
    expect(issuesOf(twice)).toContain('duplicate source id "mext-news"');
    expect(issuesOf(minimal("    prefectures: ['48']"))).toContain('sources.0.prefectures.0');
  });

  it('fills {{SAMPLE_HOST}} with the sample-site server and refuses to guess it', () => {
    const text = minimal('').replace(
      'https://www.mext.go.jp/b_menu/news/index.rdf',
      'http://mext-rdf.{{SAMPLE_HOST}}/news.rdf',
    );

    expect(parseRegistry(text, 't', { sampleHost: 'localhost:4010' }).sources[0]?.url).toBe(
      'http://mext-rdf.localhost:4010/news.rdf',
    );
    expect(() => parseRegistry(text, 't')).toThrow(/no sample-site server host/);
  });

  it('reads a single definition file for source try', () => {
    const source = parseSourceDefinition(
      'id: x-news\nname: X\npublisher: X\nkind: feed\nurl: https://x.example/feed.xml\n',
    );

    expect(source.id).toBe('x-news');
  });
});
