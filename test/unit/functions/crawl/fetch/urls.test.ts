import { describe, expect, it } from 'vitest';
import { absoluteUrl, canonicalUrl, isDowngrade, originAllowed } from '../../../../../functions/crawl/fetch/urls.js';

describe('absoluteUrl', () => {
  it.each([
    [
      './nousan/kikaku/260819.html',
      'https://www.maff.go.jp/j/press/index.html',
      'https://www.maff.go.jp/j/press/nousan/kikaku/260819.html',
    ],
    [
      '/press/2026/08/20260817001.html',
      'https://www.meti.go.jp/press/index.html',
      'https://www.meti.go.jp/press/2026/08/20260817001.html',
    ],
    [
      'https://www.rinya.maff.go.jp/j/press/a.html',
      'https://www.maff.go.jp/j/press/',
      'https://www.rinya.maff.go.jp/j/press/a.html',
    ],
  ])('resolves %s against the page URL', (href, base, expected) => {
    expect(absoluteUrl(href, base)).toBe(expected);
  });

  it('drops javascript: and mailto: links', () => {
    expect(absoluteUrl('javascript:void(0)', 'https://a.example/')).toBeUndefined();
    expect(absoluteUrl('mailto:x@example.com', 'https://a.example/')).toBeUndefined();
  });
});

describe('canonicalUrl', () => {
  it('drops the fragment and tracking parameters but keeps the rest in order', () => {
    expect(canonicalUrl('https://WWW.Caa.go.jp/a/?b=2&utm_source=x&a=1#notification')).toBe(
      'https://www.caa.go.jp/a/?b=2&a=1',
    );
  });

  it('keeps http unless the source says its host serves https too', () => {
    const printed = 'http://www.mlit.go.jp/report/press/kaiji07_hh_000402.html';

    expect(canonicalUrl(printed)).toBe(printed);
    expect(canonicalUrl(printed, { https: true })).toBe('https://www.mlit.go.jp/report/press/kaiji07_hh_000402.html');
  });
});

describe('absoluteUrl under the URL policy', () => {
  const base = 'https://www.mext.go.jp/a/index.html';

  it.each([
    'javascript:alert(1)',
    ' JAVASCRIPT:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html;base64,PHNjcmlwdD4=',
    'file:///etc/passwd',
    'vbscript:msgbox(1)',
    'https://user:pass@www.mext.go.jp/a.html',
    '//evil:pw@evil.example/',
    `/${'x'.repeat(3000)}`,
    'http://[::1',
  ])('refuses %j', (href) => {
    expect(absoluteUrl(href, base)).toBeUndefined();
  });

  it('returns the normalised form', () => {
    expect(absoluteUrl('HTTPS://WWW.MEXT.GO.JP:443/b/公募.html', base)).toBe(
      'https://www.mext.go.jp/b/%E5%85%AC%E5%8B%9F.html',
    );
  });
});

describe('originAllowed', () => {
  it.each([
    ['https://www.mext.go.jp/a', ['www.mext.go.jp'], true],
    ['http://www.mext.go.jp/a', ['www.mext.go.jp'], true],
    ['http://www.mext.go.jp:8080/a', ['www.mext.go.jp'], false],
    ['https://www.mext.go.jp:80/a', ['www.mext.go.jp'], false],
    ['http://a.localhost:4000/', ['a.localhost:4000'], true],
    ['http://a.localhost:4001/', ['a.localhost:4000'], false],
    ['http://a.localhost/', ['a.localhost:4000'], false],
    ['http://a.localhost/', ['a.localhost:80'], true],
    ['http://x.a.localhost:4000/', ['*.a.localhost:4000'], true],
    ['http://a.localhost:4000/', ['*.a.localhost:4000'], false],
    ['http://evila.localhost:4000/', ['*.a.localhost:4000'], false],
    ['http://127.0.0.1:4000/', ['a.localhost:4000'], false],
    ['http://u:p@a.localhost:4000/', ['a.localhost:4000'], false],
    ['ftp://a.localhost:4000/', ['a.localhost:4000'], false],
  ])('%s against %j is %s', (url, hosts, expected) => {
    expect(originAllowed(new URL(url), hosts)).toBe(expected);
  });
});

describe('isDowngrade', () => {
  it('is a move from https to http only', () => {
    expect(isDowngrade(new URL('https://a.go.jp/'), new URL('http://a.go.jp/'))).toBe(true);
    expect(isDowngrade(new URL('http://a.go.jp/'), new URL('https://a.go.jp/'))).toBe(false);
    expect(isDowngrade(new URL('https://a.go.jp/'), new URL('https://a.go.jp/b'))).toBe(false);
  });
});
