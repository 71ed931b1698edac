import { describe, expect, it } from 'vitest';
import { extractHtmlList } from '../../../../functions/crawl/extract/html-list.js';
import { loadRegistry } from '../../../../shared/sources/registry.js';
import { trySource } from '../../../../infra/cli/commands/source-try.js';

/**
 * The unverified list definitions of the live registry restate, as CSS, the markup that the code
 * cited in each note reads (XPath in an R loader, a parser's unit test, a link rule). These pages
 * are our own, written to that description only, so the tests check the translation into our
 * selectors, not the real sites: `chiiki source try` on a saved page is still needed.
 */
const live = loadRegistry('live');

function listOf(id: string) {
  const source = live.sources.find((s) => s.id === id);
  if (source?.kind !== 'html-list') throw new Error(`no live html-list source ${id}`);
  return { url: source.url, list: source.list };
}

const menu = '<nav><ul><li><a href="/kurashi/">くらし</a><span>›</span></li></ul></nav>';

/** `menuToo`: the definition also reads the menu entry (noted as a known weakness in its note). */
const cases: [
  id: string,
  page: string,
  entry: { title: string; path: string; dateText?: string; menuToo?: boolean },
][] = [
  [
    'moe-press',
    `<div class="p-press-release-list"><details class="p-press-release-list__block"><summary>
      <span class="p-press-release-list__heading">2026年05月01日発表</span></summary>
      <ul><li><a class="c-news-link__link" href="/press/press_00001.html">研究開発の公募について</a></li></ul>
    </details></div>`,
    { title: '研究開発の公募について', path: '/press/press_00001.html', dateText: '2026年05月01日発表' },
  ],
  [
    'pref-18-fukui',
    `<div class="block-list-article"><ul><li><a href="/doc/sangyo/a.html">産業支援のお知らせ</a> [2026年5月1日]</li></ul></div>`,
    { title: '産業支援のお知らせ', path: '/doc/sangyo/a.html' },
  ],
  [
    'pref-29-nara',
    `<ul><li><span>2026年5月1日</span><a href="/press/1.html">技術セミナーの開催</a></li></ul>`,
    { title: '技術セミナーの開催', path: '/press/1.html', dateText: '2026年5月1日', menuToo: true },
  ],
  [
    'pref-30-wakayama',
    `<ul class="c-list _date"><li><a href="/prefg/1.html"><time datetime="2026/05/01">5月1日</time><p>研究成果発表会</p></a></li></ul>`,
    { title: '研究成果発表会', path: '/prefg/1.html', dateText: '2026/05/01' },
  ],
  [
    'pref-40-fukuoka',
    `<ul><li><span class="article_date">2026年5月1日更新</span><span class="article_title"><a href="/press-release/a.html">産学連携の募集</a></span></li></ul>`,
    { title: '産学連携の募集', path: '/press-release/a.html', dateText: '2026年5月1日更新' },
  ],
  [
    'pref-41-saga',
    `<div class="mainblock"><div class="title"><a href="kiji003.html">補助金の公募</a></div><span class="upddate">2026年5月1日更新</span></div>`,
    { title: '補助金の公募', path: '/kiji003.html', dateText: '2026年5月1日更新' },
  ],
  [
    'pref-42-nagasaki',
    `<ol class="news-list"><li><time datetime="2026-05-01">2026年5月1日</time><span><a href="/doc/page-1.html">新技術の公募</a></span></li></ol>`,
    { title: '新技術の公募', path: '/doc/page-1.html', dateText: '2026-05-01' },
  ],
  [
    'pref-13-tokyo-koubo',
    `<ul><li><a href="/support/josei/jigyo/a.html">新製品・新技術開発助成事業</a></li></ul>`,
    { title: '新製品・新技術開発助成事業', path: '/support/josei/jigyo/a.html' },
  ],
  [
    'pref-09-tochigi-iin-koubo',
    `<ul><li><a href="/home/11/home/10/123.html">ものづくり技術強化補助金の公募</a></li></ul>`,
    { title: 'ものづくり技術強化補助金の公募', path: '/home/11/home/10/123.html' },
  ],
  [
    'pref-14-kanagawa-kipc-koubo',
    `<ul><li><a href="/topics/information/expo-support/">展示会出展支援補助金</a></li></ul>`,
    { title: '展示会出展支援補助金', path: '/topics/information/expo-support/' },
  ],
  [
    'pref-15-niigata-nico-koubo',
    `<ul><li><a href="/sien/hojokin/85795/">DX先端技術活用サービス等開発支援事業</a></li></ul>`,
    { title: 'DX先端技術活用サービス等開発支援事業', path: '/sien/hojokin/85795/' },
  ],
  [
    'pref-21-gifu-gpc-koubo',
    `<ul><li><a href="detail.asp?id=1">研究開発補助金の募集</a></li></ul>`,
    { title: '研究開発補助金の募集', path: '/topics/detail.asp?id=1', menuToo: true },
  ],
  [
    'pref-24-mie-miesc-koubo',
    `<ul><li><a href="/support/contents/321">新商品開発支援事業の公募</a></li></ul>`,
    { title: '新商品開発支援事業の公募', path: '/support/contents/321' },
  ],
  [
    'pref-25-shiga-plaza-koubo',
    `<ul><li><a href="/news/2026/05/0001.html">中小企業デジタル化補助金の公募</a></li></ul>`,
    { title: '中小企業デジタル化補助金の公募', path: '/news/2026/05/0001.html' },
  ],
  [
    'pref-26-kyoto-ki21-koubo',
    `<ul><li><a href="/subsidy/26keiei/">経営基盤強化推進事業費補助金</a></li></ul>`,
    { title: '経営基盤強化推進事業費補助金', path: '/subsidy/26keiei/' },
  ],
  [
    'pref-35-yamaguchi-yipf-koubo',
    `<ul><li><a href="/subsidy/1234/">産業イノベーション補助金の公募</a></li></ul>`,
    { title: '産業イノベーション補助金の公募', path: '/subsidy/1234/' },
  ],
  [
    'pref-47-okinawa-koubo',
    `<main><ul><li><a href="/shigoto/keizai/1009879/1010143/1012345.html">ものづくり補助金の公募について</a></li></ul></main>`,
    { title: 'ものづくり補助金の公募について', path: '/shigoto/keizai/1009879/1010143/1012345.html' },
  ],
  [
    'pref-47-okinawa-ric-koubo',
    `<ul><li><a href="/service/monodukuri.html">ものづくり支援補助金</a></li></ul>`,
    { title: 'ものづくり支援補助金', path: '/service/monodukuri.html' },
  ],
];

/** Pages holding one entry (公募の案内) and a link the cited code skips (the list itself, its archive, seminars). */
const skipped: [id: string, page: string][] = [
  [
    'pref-09-tochigi-iin-koubo',
    `<ul><li><a href="/home/11/">助成金</a></li><li><a href="/home/10/">お知らせ</a></li><li><a href="home/10/124.html">公募の案内</a></li></ul>`,
  ],
  [
    'pref-21-gifu-gpc-koubo',
    `<ul><li><a href="/topics/topics.asp">トピックス一覧</a></li><li><a href="/topics/back_number.asp">過去のトピックス</a></li><li><a href="/topics/detail.asp?id=2">公募の案内</a></li></ul>`,
  ],
  [
    'pref-25-shiga-plaza-koubo',
    `<ul><li><a href="/news/support/subsidy/">補助金一覧</a></li><li><a href="/news/2026/05/0002.html">公募の案内</a></li></ul>`,
  ],
  [
    'pref-26-kyoto-ki21-koubo',
    `<ul><li><a href="/subsidy/">補助金一覧</a></li><li><a href="/subsidy/26mono/">公募の案内</a></li></ul>`,
  ],
  [
    'pref-35-yamaguchi-yipf-koubo',
    `<ul><li><a href="/subsidy/">補助金一覧</a></li><li><a href="/subsidy/1235/">公募の案内</a></li></ul>`,
  ],
  [
    'pref-47-okinawa-koubo',
    `<main><ul><li><a href="/shigoto/keizai/1009879/1010143/index.html">公募補助金一覧</a></li><li><a href="/shigoto/keizai/1009879/1010143/1012346.html">公募の案内</a></li></ul></main>`,
  ],
  [
    'pref-47-okinawa-ric-koubo',
    `<ul><li><a href="/service/subsidy.html">補助金・助成金</a></li><li><a href="/service/seminar.html">セミナー情報</a></li><li><a href="/service/index.html">事業案内</a></li><li><a href="/service/post-3.html">公募の案内</a></li></ul>`,
  ],
];

describe('live list definitions on pages shaped as their cited code describes', () => {
  it.each(cases)('%s reads the title, link and date of an entry', (id, page, entry) => {
    const { url, list } = listOf(id);

    const { items } = extractHtmlList(`<html><body>${menu}${page}</body></html>`, url, list);

    const expected = { title: entry.title, url: new URL(entry.path, url).href, dateText: entry.dateText };
    expect(items.find((item) => item.title === entry.title)).toEqual(expect.objectContaining(expected));
    expect(items.some((item) => item.title === 'くらし')).toBe(entry.menuToo === true);
  });

  it.each(skipped)('%s skips the links its cited code skips', (id, page) => {
    const { url, list } = listOf(id);

    const { items } = extractHtmlList(`<html><body>${page}</body></html>`, url, list);

    expect(items.map((item) => item.title)).toEqual(['公募の案内']);
  });

  it('reads the Akita press index entries with their <time datetime>', () => {
    const { url, list } = listOf('pref-05-akita');
    const page = `<ul><li class="c-list__item"><a href="/pages/archive/1">令和8年度報道発表資料</a><time datetime="2026-04-01">4月1日</time></li></ul>`;

    const { items } = extractHtmlList(`<html><body>${page}</body></html>`, url, list);

    expect(items).toEqual([expect.objectContaining({ title: '令和8年度報道発表資料', dateText: '2026-04-01' })]);
  });

  it.each([
    ['pref-23-aichi-aibsc-koubo', '2026-05-01', '/support/'],
    ['pref-33-okayama-optic-koubo', '2026/05/01', '/news/'],
    ['pref-40-fukuoka-joho-koubo', '2026.5.1', '/info/'],
  ])('%s keeps only the dated calls of a mixed news page', (id, date, path) => {
    const source = live.sources.find((s) => s.id === id);
    if (!source) throw new Error(`no live source ${id}`);
    const entry = (i: number, title: string) => `<li><span>${date}</span> <a href="${path}${i}/">${title}</a></li>`;
    const page = `<html><body>${menu}<ul>${[
      entry(1, '令和8年度 新事業展開支援補助金の公募'),
      entry(2, '取引拡大商談会の開催'),
      entry(3, '職員募集のお知らせ'),
      entry(4, '研究開発助成事業の募集開始'),
    ].join('')}</ul></body></html>`;

    const { items, report } = trySource(source, Buffer.from(page), { refDate: '2026-05-02' });

    expect(items.map((item) => item.title)).toEqual([
      '令和8年度 新事業展開支援補助金の公募',
      '研究開発助成事業の募集開始',
    ]);
    expect(items.map((item) => item.kind)).toEqual(['call', 'call']);
    expect(items.every((item) => item.publishedAt?.startsWith('2026-05-01'))).toBe(true);
    expect(report.problems).toEqual([]);
  });

  it('holds back, through the quality gate, the weaknesses their notes name', () => {
    const run = (id: string, body: string) => {
      const source = live.sources.find((s) => s.id === id);
      if (!source) throw new Error(`no live source ${id}`);
      return trySource(source, Buffer.from(`<html><body>${body}</body></html>`), { refDate: '2026-05-02' }).report;
    };
    const entries = (n: number, entry: (i: number) => string) => Array.from({ length: n }, (_, i) => entry(i)).join('');
    const naraMenu = ['くらし', '観光', '県政', '防災', '産業', 'しごと'].map(
      (w, i) => `<li><a href="/${i}/">${w}</a><span>›</span></li>`,
    );

    const fukui = run(
      'pref-18-fukui',
      `<div class="block-list-article"><ul>${entries(8, (i) => `<li><a href="/doc/sangyo/${i}.html">産業支援のお知らせ第${i}号</a> [2026年5月1日]</li>`)}</ul></div>`,
    );
    const nara = run(
      'pref-29-nara',
      `<nav><ul>${naraMenu.join('')}</ul></nav><ul>${entries(4, (i) => `<li><span>2026年5月1日</span><a href="/press/${i}.html">技術セミナーの開催（第${i}回）</a></li>`)}</ul>`,
    );

    const tochigi = run(
      'pref-09-tochigi-iin-koubo',
      `<ul>${entries(8, (i) => `<li><a href="/home/11/home/10/${i}.html">設備投資補助金の公募（第${i}次）</a></li>`)}</ul>`,
    );

    expect(fukui.problems.map((p) => p.code)).toEqual(['undated']);
    expect(tochigi.problems.map((p) => p.code)).toEqual(['undated']);
    expect(nara.problems.map((p) => p.code)).toContain('navigation');
  });
});
