import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/errors.js';
import fc from 'fast-check';
import { canonicalSearchParams, parseSearchParams } from '../../../../functions/api/search-params.js';
import { ApplicantTypeSchema } from '../../../../shared/domain/applicant.js';
import type { SearchQuery } from '../../../../shared/search/query.js';

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
    ['status=unknown', 'status', 'expected one of upcoming, open, closed, expected, got "unknown"'],
    ['applicant=company', 'applicant', 'expected an applicant type, one of university, public-research, sme'],
    ['applicant=sme,npo', 'applicant', 'consortium, got "npo"'],
    ['amountMin=-1', 'amountMin', 'expected a whole number of yen, 0 or more, got "-1"'],
    ['amountMax=1.5', 'amountMax', 'expected a whole number of yen in digits such as 1000000'],
    ['amountMax=1e6', 'amountMax', 'no decimals, separators or units), got "1e6"'],
    ['amountMin=1%2C000', 'amountMin', 'got "1,000"'],
    ['amountMin=100%E4%B8%87%E5%86%86', 'amountMin', 'got "100万円"'],
    ['amountMin=', 'amountMin', 'expected a whole number of yen'],
    ['amountMax=9007199254740992', 'amountMax', 'expected at most 9007199254740991 yen, got "9007199254740992"'],
    [`amountMax=${'9'.repeat(400)}`, 'amountMax', 'expected at most 9007199254740991 yen'],
    ['amountMin=5000001&amountMax=5000000', 'amountMin', '5000001 is above amountMax 5000000'],
    ['amountMin=1&amountMin=2', 'amountMin', 'given more than once'],
    ['sort=largest', 'sort', 'expected one of relevance, newest, deadline, amount, expected'],
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

  it('reads who may apply as a list, by repeated keys or commas', () => {
    const query = parseSearchParams({ rawQueryString: 'applicant=sme,university&applicant=startup' });

    expect(query.applicants).toEqual(['sme', 'university', 'startup']);
  });

  it.each([
    ['amountMin=1000000', { amountMin: 1_000_000 }],
    ['amountMax=50000000', { amountMax: 50_000_000 }],
    ['amountMin=0&amountMax=0', { amountMin: 0, amountMax: 0 }],
    ['amountMin=3000000&amountMax=3000000', { amountMin: 3_000_000, amountMax: 3_000_000 }],
    ['amountMax=9007199254740991', { amountMax: Number.MAX_SAFE_INTEGER }],
    ['amountMin=007', { amountMin: 7 }],
  ])('reads %s as a whole-yen range over the ceiling', (rawQueryString, range) => {
    expect(parseSearchParams({ rawQueryString })).toEqual({ ...range, sort: 'newest', size: 20 });
  });

  it('takes the expected status and the amount and expected sorts', () => {
    expect(parseSearchParams({ rawQueryString: 'status=expected,open&sort=expected' })).toMatchObject({
      statuses: ['expected', 'open'],
      sort: 'expected',
    });
    expect(parseSearchParams({ rawQueryString: 'sort=amount' }).sort).toBe('amount');
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

describe('canonicalSearchParams', () => {
  const canonicalOf = (rawQueryString: string) => {
    const { size: _size, cursor: _cursor, sort: _sort, ...query } = parseSearchParams({ rawQueryString });
    return canonicalSearchParams(query);
  };

  it('writes parameters by name, list values sorted one key each, codes for names and dates for whole Tokyo days', () => {
    const raw = [
      `status=expected,open`,
      `prefecture=${encodeURIComponent('長野')}`,
      `applicant=university,sme`,
      `amountMax=50000000`,
      `amountMin=1000000`,
      `q=${encodeURIComponent('半導体 クラスター')}`,
      `ministry=${encodeURIComponent('文科省')}`,
      `opensAfter=2026-04-01`,
      `closesBefore=2026-05-30`,
      `updatedSince=2026-03-01T12:00:00Z`,
    ].join('&');

    expect(canonicalOf(raw)).toBe(
      'amountMax=50000000&amountMin=1000000&applicant=sme&applicant=university&closesBefore=2026-05-30' +
        '&ministry=mext&opensAfter=2026-04-01&prefecture=20' +
        '&q=%E5%8D%8A%E5%B0%8E%E4%BD%93+%E3%82%AF%E3%83%A9%E3%82%B9%E3%82%BF%E3%83%BC' +
        '&status=expected&status=open&updatedSince=2026-03-01T12%3A00%3A00Z',
    );
  });

  it('keeps the sort when the query has one', () => {
    expect(canonicalSearchParams({ sort: 'amount', applicants: ['sme'] })).toBe('applicant=sme&sort=amount');
  });

  const pair = fc.oneof(
    fc.constantFrom(...ApplicantTypeSchema.options).map((v) => `applicant=${v}`),
    fc.constantFrom('upcoming', 'open', 'closed', 'expected').map((v) => `status=${v}`),
    fc.constantFrom('call', 'news', 'theme').map((v) => `kind=${v}`),
    fc.constantFrom('20', '長野県', '13', '東京').map((v) => `prefecture=${encodeURIComponent(v)}`),
    fc.constantFrom('chubu', '九州').map((v) => `region=${encodeURIComponent(v)}`),
    fc.constantFrom('mext', 'jst').map((v) => `ministry=${v}`),
    fc.constantFrom('life-science', 'ライフサイエンス').map((v) => `field=${encodeURIComponent(v)}`),
  );
  const single = fc.record(
    {
      q: fc.constantFrom('半導体', 'AI 研究', 'a+b'),
      amountMin: fc.integer({ min: 0, max: 1_000_000 }),
      amountMax: fc.integer({ min: 1_000_000, max: Number.MAX_SAFE_INTEGER }),
      opensAfter: fc.constantFrom('2026-04-01', '2026-04-01T09:00:00+09:00'),
      closesBefore: fc.constantFrom('2026-05-30', '2026-05-30T17:00:00Z'),
      publishedSince: fc.constantFrom('2025-01-01'),
    },
    { requiredKeys: [] },
  );
  const search = fc
    .tuple(fc.array(pair, { maxLength: 8 }), single)
    .chain(([lists, singles]) =>
      fc.shuffledSubarray(
        [...lists, ...Object.entries(singles).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)],
        { minLength: lists.length + Object.keys(singles).length },
      ),
    );

  it('round-trips: parsing the canonical string gives its own canonical string and the same search', () => {
    fc.assert(
      fc.property(search, (parts) => {
        const raw = parts.join('&');
        const canonical = canonicalOf(raw);
        const again = parseSearchParams({ rawQueryString: canonical });
        const first = parseSearchParams({ rawQueryString: raw });

        expect(canonicalOf(canonical)).toBe(canonical);
        expect(sortedLists(again)).toEqual({ ...sortedLists(first), sort: again.sort });
      }),
      { numRuns: 200 },
    );
  });

  it('does not depend on the order or repetition of parameters and values', () => {
    fc.assert(
      fc.property(search, (parts) => {
        const reversed = [...parts].reverse();
        const doubled = [...parts, ...parts.filter((p) => /^(applicant|status|kind|field|region)=/.test(p))];

        expect(canonicalOf(reversed.join('&'))).toBe(canonicalOf(parts.join('&')));
        expect(canonicalOf(doubled.join('&'))).toBe(canonicalOf(parts.join('&')));
      }),
      { numRuns: 200 },
    );
  });
});

/** A search with each list deduplicated and sorted, to compare searches regardless of value order. */
function sortedLists(query: SearchQuery): SearchQuery {
  const out: Record<string, unknown> = { ...query };
  for (const [key, value] of Object.entries(query))
    if (Array.isArray(value)) out[key] = [...new Set(value as unknown[])].map(String).sort();
  return out as SearchQuery;
}
