import { describe, expect, it } from 'vitest';
import { absoluteUrl, canonicalUrl } from '../../../../functions/crawl/urls.js';

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
