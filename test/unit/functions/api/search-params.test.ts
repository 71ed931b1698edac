import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/errors.js';
import { parseSearchParams } from '../../../../functions/api/search-params.js';

function issuesOf(rawQueryString: string): { path: readonly (string | number)[]; message: string }[] {
  try {
    parseSearchParams({ rawQueryString });
  } catch (error) {
    if (error instanceof InvalidInputError) return [...error.issues];
    throw error;
  }
  throw new Error(`expected ${rawQueryString} to be rejected`);
}

describe('parseSearchParams', () => {
  it('lists everything, newest first, when no parameter is given', () => {
    expect(parseSearchParams({ rawQueryString: '' })).toEqual({ sort: 'newest', size: 20 });
  });

  it('reads percent-encoded Japanese text and sorts by relevance when there is text', () => {
    const query = parseSearchParams({ rawQueryString: 'q=%E3%82%AF%E3%83%A9%E3%82%B9%E3%82%BF%E3%83%BC&status=open' });

    expect(query).toEqual({ text: 'クラスター', statuses: ['open'], sort: 'relevance', size: 20 });
  });

  it('treats an empty or blank q as no text', () => {
    expect(parseSearchParams({ rawQueryString: 'q=+++' })).toEqual({ sort: 'newest', size: 20 });
  });

  it('collects repeated keys and comma lists alike', () => {
    const query = parseSearchParams({ rawQueryString: 'kind=call&kind=news,theme&region=kanto,%20kinki&field=ict' });

    expect(query.kinds).toEqual(['call', 'news', 'theme']);
    expect(query.regions).toEqual(['kanto', 'kinki']);
    expect(query.fields).toEqual(['ict']);
  });

  it('falls back to API Gateway queryStringParameters when the raw string is absent', () => {
    const query = parseSearchParams({ queryStringParameters: { kind: 'call,news', size: '5' } });

    expect(query.kinds).toEqual(['call', 'news']);
    expect(query.size).toBe(5);
  });

  it.each([
    ['13', '13'],
    ['1', '01'],
    ['01', '01'],
    ['47', '47'],
    ['%E6%9D%B1%E4%BA%AC%E9%83%BD', '13'],
    ['%E5%A4%A7%E9%98%AA', '27'],
    ['hokkaido', '01'],
  ])('reads prefecture=%s as JIS code %s', (value, code) => {
    expect(parseSearchParams({ rawQueryString: `prefecture=${value}` }).prefectures).toEqual([code]);
  });

  it.each([
    ['prefecture', '長野', ['20']],
    ['prefecture', '長野県', ['20']],
    ['prefecture', '20', ['20']],
    ['region', '中部', ['chubu']],
    ['region', '中部地方', ['chubu']],
    ['field', 'ライフサイエンス', ['life-science']],
    ['field', 'ｴﾈﾙｷﾞｰ', ['energy']],
    ['field', 'life-science', ['life-science']],
  ])('reads %s=%s by name or code', (name, value, codes) => {
    const query = parseSearchParams({ rawQueryString: `${name}=${encodeURIComponent(value)}` });

    const key = ({ prefecture: 'prefectures', region: 'regions', field: 'fields' } as const)[name as 'field'];
    expect(query[key]).toEqual(codes);
  });

  it('reads regions and ministries by Japanese name', () => {
    const query = parseSearchParams({
      rawQueryString: `region=${encodeURIComponent('九州')}&ministry=${encodeURIComponent('文科省')},jst`,
    });

    expect(query.regions).toEqual(['kyushu']);
    expect(query.ministries).toEqual(['mext', 'jst']);
  });

  it('maps date filters to inclusive ranges of Tokyo days', () => {
    const query = parseSearchParams({
      rawQueryString:
        'opensAfter=2025-04-01&closesBefore=2025-05-30&publishedSince=2025-01-01T00:00:00Z&updatedSince=2025-03-01',
    });

    expect(query.opens).toEqual({ from: '2025-04-01T00:00:00+09:00' });
    expect(query.closes).toEqual({ to: '2025-05-30T23:59:59.999+09:00' });
    expect(query.published).toEqual({ from: '2025-01-01T00:00:00Z' });
    expect(query.updated).toEqual({ from: '2025-03-01T00:00:00+09:00' });
  });

  it('keeps sort, size and cursor', () => {
    expect(parseSearchParams({ rawQueryString: 'sort=deadline&size=100&cursor=abc' })).toEqual({
      sort: 'deadline',
      size: 100,
      cursor: 'abc',
    });
  });

  it.each([
    ['kind=grant', 'kind', 'expected one of call, news, theme, got "grant"'],
    ['status=unknown', 'status', 'expected one of upcoming, open, closed, got "unknown"'],
    ['region=tokyo', 'region', 'expected one of hokkaido'],
    ['field=AI', 'field', 'expected a research field code such as life-science or its name such as ライフサイエンス'],
    ['prefecture=48', 'prefecture', 'expected a JIS prefecture code 01-47 or a prefecture name'],
    ['prefecture=%E7%81%AB%E6%98%9F', 'prefecture', '"火星"'],
    ['ministry=MEXT!', 'ministry', 'expected a ministry code'],
    ['size=0', 'size', 'expected a whole number from 1 to 100'],
    ['size=101', 'size', 'expected a whole number from 1 to 100'],
    ['size=ten', 'size', 'expected a whole number from 1 to 100'],
    ['sort=popular', 'sort', 'expected one of relevance, newest, deadline'],
    ['closesBefore=2025-02-30', 'closesBefore', 'expected a date such as 2025-05-30'],
    ['opensAfter=tomorrow', 'opensAfter', 'expected a date such as 2025-05-30'],
    ['kinds=call', 'kinds', 'unknown parameter; expected one of q, kind'],
    ['q=a&q=b', 'q', 'given more than once'],
    [`q=${'x'.repeat(201)}`, 'q', 'at most 200 characters'],
  ])('rejects %s naming %s and the expected form', (query, param, message) => {
    const issues = issuesOf(query);

    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual([param]);
    expect(issues[0]?.message).toContain(message);
  });

  it('reports every bad parameter at once', () => {
    const issues = issuesOf('kind=x&size=-1&sort=y&foo=1');

    expect(issues.map((issue) => issue.path[0]).sort()).toEqual(['foo', 'kind', 'size', 'sort']);
  });

  it('passes engine syntax through as plain text, never as a query language', () => {
    const query = parseSearchParams({ rawQueryString: `q=${encodeURIComponent('title:"a" OR {"match_all":{}}')}` });

    expect(query.text).toBe('title:"a" OR {"match_all":{}}');
  });
});
