import { describe, expect, it } from 'vitest';
import { checkDecodedParameters, decodeQueryString } from '../../../../functions/api/query-string.js';
import { InvalidInputError } from '../../../../shared/errors.js';
import { jsonOf, testApi } from './api-test-deps.js';

function issuesOf(run: () => unknown): { path: readonly (string | number)[]; message: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return [...error.issues];
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

interface ErrorBody {
  error: string;
  requestId: string;
  issues: { path: string[]; message: string }[];
}

describe('decodeQueryString', () => {
  it('decodes percent-encoded UTF-8, + as a space, and keeps repeats in order', () => {
    expect(decodeQueryString('q=%E3%82%AF%E3%83%A9+AI&kind=call&kind=news&empty=&flag')).toEqual([
      ['q', 'クラ AI'],
      ['kind', 'call'],
      ['kind', 'news'],
      ['empty', ''],
      ['flag', ''],
    ]);
  });

  it('keeps an encoded plus as a plus, a byte order mark as U+FEFF, and emoji as one character', () => {
    expect(decodeQueryString('q=C%2B%2B+AI&t=%EF%BB%BFx&e=%F0%9F%A7%AA')).toEqual([
      ['q', 'C++ AI'],
      ['t', '\ufeffx'],
      ['e', '🧪'],
    ]);
  });

  it('reads raw non-ASCII characters as themselves, and refuses a lone surrogate', () => {
    expect(decodeQueryString('q=クラスター🧪')).toEqual([['q', 'クラスター🧪']]);
    expect(issuesOf(() => decodeQueryString('q=a\ud800b'))[0]?.message).toContain('not valid UTF-8');
  });

  it.each([
    ['%FF', 'not valid UTF-8'],
    ['%C0%AF', 'not valid UTF-8'],
    ['%E3%82', 'not valid UTF-8'],
    ['%ED%A0%80', 'not valid UTF-8'],
    ['%F4%90%80%80', 'not valid UTF-8'],
    ['%F0%9F%A7', 'not valid UTF-8'],
    ['%ZZ', 'invalid percent-encoding "%ZZ"'],
    ['abc%', 'invalid percent-encoding "%"'],
    ['a%4', 'invalid percent-encoding "%4"'],
    ['%00', 'control character'],
    ['a%0Ab', 'control character'],
    ['%1B%5B31m', 'control character'],
    ['%7F', 'control character'],
    ['%C2%85', 'control character'],
    ['%09', 'control character'],
  ])('rejects q=%s, naming q', (value, expected) => {
    const issues = issuesOf(() => decodeQueryString(`kind=call&q=${value}`));

    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual(['q']);
    expect(issues[0]?.message).toContain(expected);
  });

  it('names every bad parameter once, and a bad name as it was sent', () => {
    const issues = issuesOf(() => decodeQueryString('q=%FF&q=%00&ministry=%ZZ&n%FFame=1&kind=call'));

    expect(issues.map((issue) => issue.path)).toEqual([['q'], ['ministry'], ['n%FFame']]);
    expect(issues[2]?.message).toMatch(/^parameter name /);
  });

  it('checks already decoded parameters for control characters', () => {
    expect(() => checkDecodedParameters({ q: 'クラスター', kind: 'call' })).not.toThrow();
    expect(issuesOf(() => checkDecodedParameters({ q: 'a\u0000b' }))[0]?.path).toEqual(['q']);
  });
});

describe('the API with a broken query string', () => {
  it.each([
    '/v1/search?q=%FF',
    '/v1/search?q=%C0%AF',
    '/v1/search?q=%00',
    '/v1/search?q=%ZZ',
    '/v1/search?q=a%1Bb',
    '/v1/feed.rss?q=%FF',
    '/v1/feed.atom?q=%00',
    '/v1/export.csv?q=%FF',
    '/v1/export.csv?labels=%00',
    '/v1/sources?q=%FF',
  ])('answers %s with 400 naming the parameter, not the whole corpus', async (url) => {
    const api = await testApi();

    const result = await api.call(url);

    expect(result.statusCode).toBe(400);
    const body = jsonOf<ErrorBody>(result);
    expect(body.error).toBe('InvalidInputError');
    expect(body.requestId).toMatch(/./);
    expect(body.issues.map((issue) => issue.path[0])).toEqual([
      new URL(url, 'http://x').searchParams.keys().next().value,
    ]);
  });

  it('still answers the same search sent raw and percent-encoded', async () => {
    const api = await testApi();

    const raw = await api.call('/v1/search?q=産学官');
    const encoded = await api.call(`/v1/search?q=${encodeURIComponent('産学官')}`);

    expect(raw.statusCode).toBe(200);
    expect(jsonOf(raw)).toEqual(jsonOf(encoded));
  });
});

describe('a form body', () => {
  it('is read as strictly as a query string, naming the field', async () => {
    const api = await testApi();

    const result = await api.call('/v1/subscriptions/manage?token=x', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'frequency=daily&q=%C0%AF',
    });

    expect(result.statusCode).toBe(400);
    expect(jsonOf<ErrorBody>(result).issues.map((issue) => issue.path)).toEqual([['q']]);
  });
});
