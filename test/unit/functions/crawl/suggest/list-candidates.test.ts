import { describe, expect, it } from 'vitest';
import { isNavigationLink, listCandidates } from '../../../../../functions/crawl/suggest/list-candidates.js';
import { readPage } from '../../../../../functions/crawl/suggest/page-model.js';

const entries = (prefix: string, n: number, dated: boolean) =>
  Array.from(
    { length: n },
    (_, i) =>
      `<li>${dated ? `<span class="date">2026年8月${i + 1}日</span>` : ''}<a href="/${prefix}/${i}.html">${prefix}についての記事その${i}を掲載しました</a></li>`,
  ).join('');

describe('listCandidates', () => {
  it('prefers the dated list in the main content over a dated list in an aside', () => {
    const html = `<body><aside><ul class="pickup">${entries('aside', 8, true)}</ul></aside>
      <main><ul class="news">${entries('main', 6, true)}</ul></main></body>`;

    const [best, second] = listCandidates(readPage(html, 'https://www.pref.example.jp/'));

    expect(best?.mainLinks[0]?.url).toBe('https://www.pref.example.jp/main/0.html');
    expect(second?.mainLinks[0]?.url).toBe('https://www.pref.example.jp/aside/0.html');
  });

  it('prefers a dated list over a longer undated one', () => {
    const html = `<body><div><ul class="links">${entries('links', 20, false)}</ul><ul class="news">${entries('news', 5, true)}</ul></div></body>`;

    const [best] = listCandidates(readPage(html, 'https://www.pref.example.jp/'));

    expect(best).toMatchObject({ dating: 'text', dated: 5 });
  });

  it('reports one candidate per list, not one per level of its markup', () => {
    const html = `<body><ul class="news">${entries('news', 5, true)}</ul></body>`;

    const candidates = listCandidates(readPage(html, 'https://www.pref.example.jp/'));

    expect(candidates).toHaveLength(1);
    expect(candidates[0]?.key).toBe('/html/body/ul.news/li');
  });

  it('leaves out entries whose link goes home or to a section index', () => {
    const html = `<body><div><p><a href="/">架空県トップページへ戻る</a></p><p><a href="/news/1.html">研究開発補助金の公募について</a>（令和8年8月1日）</p>
      <p><a href="/news/2.html">成果発表会を開催します</a>（令和8年8月2日）</p></div></body>`;

    const [best] = listCandidates(readPage(html, 'https://www.pref.example.jp/news/'));

    expect(best?.entries).toHaveLength(2);
    expect(best?.navShare).toBeCloseTo(1 / 3);
  });
});

describe('isNavigationLink', () => {
  const page = readPage('<a href="/">x</a>', 'https://www.pref.example.jp/news/index.html');
  const link = (href: string, text: string) => ({
    element: page.links[0]?.element as never,
    url: new URL(href, page.base).href,
    text,
  });

  it.each([
    ['/', '架空県トップページ', true],
    ['/kurashi/', 'くらし・環境の情報', true],
    ['/kurashi/index.html', 'くらし・環境の情報', true],
    ['/news/2026/0801.html', 'もっと見る', true],
    ['/news/?page=2', '2', true],
    ['/news/2026/0801.html', '研究開発補助金の公募について', false],
    ['https://www.other.example.go.jp/', '他省のトップページ', false],
  ])('%s "%s" is navigation: %s', (href, text, navigation) => {
    expect(isNavigationLink(link(href, text), page)).toBe(navigation);
  });
});
