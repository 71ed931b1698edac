import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  idFor,
  looksLikeFeed,
  publisherOf,
  suggestSource,
} from '../../../../../functions/crawl/suggest/suggest-source.js';
import { HtmlListSourceSchema, SourceSchema } from '../../../../../shared/domain/source.js';
import { trySource } from '../../../../../infra/cli/commands/source-try.js';

const fixtures = new URL('../../../../fixtures/suggest/', import.meta.url);

interface ExpectedPage {
  readonly url: string;
  readonly refDate: string;
  readonly items: readonly { title: string; url: string; date: string }[];
}
const expected = JSON.parse(readFileSync(new URL('expected.json', fixtures), 'utf8')) as Record<string, ExpectedPage>;

/** The Tokyo day of an ISO instant. */
function tokyoDay(instant: string | undefined): string | undefined {
  return instant ? new Date(Date.parse(instant) + 9 * 3600_000).toISOString().slice(0, 10) : undefined;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('suggestSource on list layouts of ministry and prefecture CMSs', () => {
  it.each(Object.keys(expected))(
    '%s: the suggested definition, run as a crawl would, gives every item exactly',
    (name) => {
      const page = expected[name] as ExpectedPage;
      const body = readFileSync(new URL(`${name}.html`, fixtures));

      const suggestion = suggestSource(body, page.url);
      const source = SourceSchema.parse(suggestion.source);
      const result = trySource(source, body, { url: page.url, refDate: page.refDate });

      expect(result.invalid).toEqual([]);
      expect(result.items.map((i) => ({ title: i.title, url: i.url, date: tokyoDay(i.publishedAt) }))).toEqual(
        page.items,
      );
      expect(suggestion.warnings).toEqual([]);
    },
  );

  it('reads dates from <dt> before each <dd>, scoped to the content', () => {
    const body = readFileSync(new URL('dl-dt-dd.html', fixtures));

    const suggestion = suggestSource(body, 'https://www.pref.example.jp/news/index.html');

    expect(suggestion.source).toMatchObject({
      kind: 'html-list',
      list: { container: '#contents', item: 'dd', title: 'a', link: 'a', dateBefore: 'dt' },
    });
  });

  it('takes the year of 8月19日付 headings from the 令和 year heading above them', () => {
    const body = readFileSync(new URL('wareki-year-heading.html', fixtures));

    const suggestion = suggestSource(body, 'https://www.city.example.lg.jp/kisha/index.html');

    expect(suggestion.source).toMatchObject({ list: { dateBefore: 'h3', dateContext: 'h2' } });
  });

  it('uses dateInComment when the dates are only in comments', () => {
    const body = readFileSync(new URL('comment-dates.html', fixtures));

    const suggestion = suggestSource(body, 'https://www.old-cms.example.go.jp/b_menu/news/index.html');

    expect(suggestion.source).toMatchObject({ list: { item: 'dd', dateInComment: true } });
  });

  it('reads <time datetime> when the time element prints no date, and finds the next page', () => {
    const body = readFileSync(new URL('time-datetime.html', fixtures));

    const suggestion = suggestSource(body, 'https://www.center.example.or.jp/topics/');

    expect(suggestion.source).toMatchObject({
      list: { item: 'article.entry', date: 'time[datetime]', dateAttribute: 'datetime', nextPage: 'a.next' },
    });
  });

  it('pins the charset of a Shift_JIS list page', () => {
    const body = readFileSync(new URL('shift-jis.html', fixtures));

    const suggestion = suggestSource(body, 'https://www.sjis.example.lg.jp/news/index.html');

    expect(suggestion.source).toMatchObject({ charset: 'shift_jis', publisher: 'シフトJIS町' });
  });

  it('takes the date from the link text when the site prints it only there', () => {
    const body = readFileSync(new URL('link-text-dates.html', fixtures));

    const suggestion = suggestSource(body, 'https://www.link-date.example.jp/oshirase/index.html');

    expect(suggestion.source).toMatchObject({ list: { item: 'li', link: 'a', date: 'a' } });
  });

  it.each([
    ['a period cell only', '<td class="kikan">令和8年11月1日～令和8年12月15日</td>', { period: 'td.kikan' }, undefined],
    [
      'a date cell and a period cell',
      '<td class="day">令和8年10月1日</td><td class="kikan">令和8年11月1日～令和8年12月15日</td>',
      { date: 'td.day', period: 'td.kikan' },
      '2026-10-01T00:00:00+09:00',
    ],
  ])('reads %s as the application period, not as the publication date', (_, cells, list, publishedAt) => {
    const rows = Array.from(
      { length: 4 },
      (_, i) => `<tr><td><a href="/koubo/${i}.html">研究開発支援事業の公募（第${i}回）</a></td>${cells}</tr>`,
    ).join('');
    const body = utf8(`<html><body><table class="koubo"><tbody>${rows}</tbody></table></body></html>`);

    const suggestion = suggestSource(body, 'https://www.example.go.jp/koubo/');
    const result = trySource(SourceSchema.parse(suggestion.source), body, { refDate: '2026-10-20' });

    expect(suggestion.source).toMatchObject({ list });
    if (!('date' in list)) expect(suggestion.source).not.toHaveProperty('list.date');
    expect(result.items[0]).toMatchObject({
      opensAt: '2026-11-01T00:00:00+09:00',
      closesAt: '2026-12-15T23:59:59+09:00',
    });
    expect(result.items[0]?.publishedAt).toBe(publishedAt);
  });

  it('reads the year from <time datetime> when the time prints a year-less date', () => {
    const rows = Array.from(
      { length: 4 },
      (_, i) =>
        `<li><a href="/prefg/${i}.html"><time datetime="2024/12/${20 + i}">12月${20 + i}日</time><p>研究成果発表会のお知らせ（第${i}回）</p></a></li>`,
    ).join('');
    const body = utf8(`<html><body><ul class="c-list">${rows}</ul></body></html>`);

    const suggestion = suggestSource(body, 'https://www.pref.example.jp/news/');
    const result = trySource(SourceSchema.parse(suggestion.source), body, { refDate: '2026-12-01' });

    expect(suggestion.source).toMatchObject({ list: { title: 'p', date: 'time', dateAttribute: 'datetime' } });
    expect(result.items[0]).toMatchObject({
      title: '研究成果発表会のお知らせ（第0回）',
      publishedAt: '2024-12-20T00:00:00+09:00',
    });
  });

  it('picks a date heading selector that matches no heading without a date', () => {
    const day = (d: number, n: number) =>
      `<div class="day"><h3 class="hd">2026年8月${d}日発表</h3><ul>${Array.from({ length: n }, (_, i) => `<li><a href="/h/${d}-${i}.html">研究開発に関するお知らせ第${d}-${i}号</a></li>`).join('')}</ul></div>`;
    const body = utf8(
      `<html><body><div id="c">${day(19, 2)}<h3 class="hd">報道発表資料について</h3><p>問い合わせ先</p>${day(18, 3)}</div></body></html>`,
    );

    const suggestion = suggestSource(body, 'https://www.example.go.jp/h/');

    expect(suggestion.source).toMatchObject({ list: { dateBefore: 'div.day > h3.hd' } });
  });

  it('takes the title from the part of a block link that is not the date', () => {
    const body = readFileSync(new URL('block-link.html', fixtures));

    const suggestion = suggestSource(body, 'https://www.block-link.example.go.jp/news/index.html');

    expect(suggestion.source).toMatchObject({
      list: { item: 'li.c-news__item', title: 'span.c-news__title', link: 'a', date: 'span' },
    });
  });

  it('leaves the category label inside the link out of the title (the first-guess sample press list)', () => {
    const body = readFileSync(
      new URL('../../../../../infra/local/sample-sites/first-guess/press/index.html', import.meta.url),
    );

    const suggestion = suggestSource(body, 'https://www.env.example.go.jp/press/');
    const result = trySource(SourceSchema.parse(suggestion.source), body, { refDate: '2026-11-26' });

    expect(suggestion.source).toMatchObject({ list: { title: 'a', titleExclude: 'span.cat' } });
    expect(result.items.map((i) => i.title)).toEqual([
      '脱炭素先行地域づくり事業の第7回公募について',
      '環境研究総合推進費 令和9年度新規課題の公募開始について',
      '生物多様性保全推進支援事業の二次公募について',
      '環境技術実証事業 実証機関の募集について',
    ]);
  });

  it('names the NEW mark and the file-type suffix by their class, not by their tag alone', () => {
    const body = readFileSync(new URL('category-in-link.html', fixtures));

    const suggestion = suggestSource(body, 'https://www.env-a.example.go.jp/press/index.html');

    expect(suggestion.source).toMatchObject({ list: { titleExclude: 'span.cat, span.new, span.pdf' } });
  });

  it('reads a 公募 table (公募名 / 公募期間 / 締切, a header row) with its periods and no publication date', () => {
    const body = readFileSync(new URL('koubo-table.html', fixtures));

    const suggestion = suggestSource(body, 'https://www.agency-e.example.go.jp/koubo/index.html');
    const result = trySource(SourceSchema.parse(suggestion.source), body, { refDate: '2026-08-20' });

    expect(suggestion.source).toMatchObject({ list: { item: 'tr:has(a[href])', period: 'td:nth-child(2)' } });
    expect(suggestion.warnings).toEqual([]);
    expect(result.invalid).toEqual([]);
    expect(
      result.items.map((i) => ({
        title: i.title,
        url: i.url,
        publishedAt: i.publishedAt,
        opensAt: i.opensAt,
        closesDay: tokyoDay(i.closesAt),
      })),
    ).toEqual(
      [
        {
          title: '令和8年度 産学連携イノベーション創出事業',
          url: 'https://www.agency-e.example.go.jp/koubo/r8/01.html',
          opensAt: '2026-08-19T00:00:00+09:00',
          closesDay: '2026-09-30',
        },
        {
          title: '地域中核研究機関強化プログラム（第2回）',
          url: 'https://www.agency-e.example.go.jp/koubo/r8/02.html',
          opensAt: '2026-08-12T00:00:00+09:00',
          closesDay: '2026-09-18',
        },
        {
          title: '次世代半導体研究開発プロジェクト',
          url: 'https://www.agency-e.example.go.jp/koubo/r8/03.html',
          opensAt: '2026-08-05T00:00:00+09:00',
          closesDay: '2026-09-11',
        },
        {
          title: 'スタートアップ技術実証支援事業',
          url: 'https://www.agency-e.example.go.jp/koubo/r8/04.html',
          opensAt: '2026-07-29T00:00:00+09:00',
          closesDay: '2026-09-04',
        },
        {
          title: '脱炭素技術社会実装推進事業',
          url: 'https://www.agency-e.example.go.jp/koubo/r8/05.html',
          opensAt: '2026-07-22T00:00:00+09:00',
          closesDay: '2026-08-28',
        },
        {
          title: '研究設備共用化促進事業',
          url: 'https://www.agency-e.example.go.jp/koubo/r8/06.html',
          opensAt: '2026-07-15T00:00:00+09:00',
          closesDay: '2026-08-21',
        },
      ].map((i) => ({ ...i, publishedAt: undefined })),
    );
  });

  it('reads the links of <br>-separated lines in one <p> and says their bare-text dates are out of reach', () => {
    const body = readFileSync(new URL('br-paragraph.html', fixtures));

    const suggestion = suggestSource(body, 'https://www.br-h.example.lg.jp/oshirase/index.html');
    const result = trySource(SourceSchema.parse(suggestion.source), body, { refDate: '2026-08-20' });

    expect(result.items).toHaveLength(8);
    expect(result.items[0]).toMatchObject({
      title: '環境技術実証事業 実証機関の募集について',
      url: 'https://www.br-h.example.lg.jp/oshirase/0.html',
    });
    expect(result.items.every((i) => i.publishedAt === undefined)).toBe(true);
    expect(suggestion.warnings).toContain(
      '8 entries print their date as bare text beside the link (lines split by <br>): no CSS selector reaches it, so the items get no date; check the page by hand or look for a feed',
    );
  });

  it('keeps a file-type note printed as bare text in the title and says how to drop it', () => {
    const body = readFileSync(new URL('file-note-in-link.html', fixtures));
    const url = 'https://www.file-k.example.go.jp/shingikai/index.html';

    const suggestion = suggestSource(body, url);
    const source = HtmlListSourceSchema.parse(suggestion.source);
    const asPrinted = trySource(source, body, { refDate: '2026-08-20' });
    const dropped = trySource({ ...source, list: { ...source.list, dropFileNote: true } }, body, {
      refDate: '2026-08-20',
    });

    expect(suggestion.source).not.toHaveProperty('list.dropFileNote');
    expect(suggestion.warnings).toEqual([
      '5 titles end in a file-type note printed as bare text (e.g. "スタートアップ実証支援プログラム参加企業の募集について（PDF：1,234KB）"): add dropFileNote: true if it is not part of the title',
    ]);
    expect(asPrinted.items[0]?.title).toBe('スタートアップ実証支援プログラム参加企業の募集について（PDF：1,234KB）');
    expect(dropped.items.map((i) => ({ title: i.title, url: i.url, date: tokyoDay(i.publishedAt) }))).toEqual([
      {
        title: 'スタートアップ実証支援プログラム参加企業の募集について',
        url: 'https://www.file-k.example.go.jp/shingikai/0.pdf',
        date: '2026-08-19',
      },
      {
        title: '知事定例記者会見（8月）の概要',
        url: 'https://www.file-k.example.go.jp/shingikai/1.html',
        date: '2026-08-19',
      },
      {
        title: '産学官連携コーディネーター（会計年度任用職員）の募集',
        url: 'https://www.file-k.example.go.jp/shingikai/2.pdf',
        date: '2026-08-18',
      },
      {
        title: '令和8年度 脱炭素先行地域づくり事業の第7回公募について',
        url: 'https://www.file-k.example.go.jp/shingikai/3.xlsx',
        date: '2026-08-17',
      },
      {
        title: '環境研究総合推進費 令和9年度新規課題の公募開始について',
        url: 'https://www.file-k.example.go.jp/shingikai/4.html',
        date: '2026-08-17',
      },
      {
        title: '生物多様性保全推進支援事業の二次公募について',
        url: 'https://www.file-k.example.go.jp/shingikai/5.pdf',
        date: '2026-08-14',
      },
      {
        title: '環境技術実証事業 実証機関の募集について',
        url: 'https://www.file-k.example.go.jp/shingikai/6.html',
        date: '2026-08-12',
      },
      {
        title: '【重要】地域産業デジタル化支援補助金の申請期限を延長します',
        url: 'https://www.file-k.example.go.jp/shingikai/7.pdf',
        date: '2026-08-10',
      },
    ]);
  });

  it('keeps a table row with a PDF link as one entry, not two', () => {
    const body = readFileSync(new URL('th-date-table.html', fixtures));

    const suggestion = suggestSource(body, 'https://www.th-date.example.go.jp/hodo/index.html');

    expect(suggestion.source).toMatchObject({ list: { item: 'tr', date: 'th' } });
  });

  it('notes the feed a page advertises and names the runners-up with their scores', () => {
    const body = readFileSync(new URL('big-nav.html', fixtures));

    const suggestion = suggestSource(body, 'https://www.big-nav.example.jp/index.html');

    expect(suggestion.advertisedFeeds).toEqual([
      { url: 'https://www.big-nav.example.jp/rss/news.rdf', title: '大きな県 新着情報' },
    ]);
    expect(suggestion.chosen).toMatchObject({ entries: 6, dated: 6 });
    expect(suggestion.runnersUp.length).toBeGreaterThan(0);
    for (const runnerUp of suggestion.runnersUp) {
      expect(runnerUp.score).toBeLessThan(suggestion.chosen?.score ?? 0);
      expect(runnerUp.dated).toBe(0);
    }
  });

  it('derives id, name and publisher from the URL and the page title, unverified', () => {
    const body = readFileSync(new URL('ul-span-date.html', fixtures));

    const suggestion = suggestSource(body, 'https://www.agency.example.go.jp/press/index.html');

    expect(suggestion.source).toMatchObject({
      id: 'agency-press',
      name: '新着情報｜架空庁',
      publisher: '架空庁',
      url: 'https://www.agency.example.go.jp/press/index.html',
      verified: 'unverified',
    });
  });

  it('says so when a page has no repeated block of links, and still gives a valid definition', () => {
    const body = utf8(
      '<html><head><title>工事中</title></head><body><p>準備中です。<a href="/">トップへ</a></p></body></html>',
    );

    const suggestion = suggestSource(body, 'https://www.example.jp/news/');

    expect(() => SourceSchema.parse(suggestion.source)).not.toThrow();
    expect(suggestion.warnings).toEqual(['no repeated block of links found: the item selector is a placeholder']);
  });

  it('warns when two lists score close to each other', () => {
    const list = (cls: string, n: number) =>
      `<ul class="${cls}">${Array.from({ length: n }, (_, i) => `<li><span>2026年8月${i + 1}日</span><a href="/${cls}/${i}.html">${cls}の記事その${i}についてのお知らせです</a></li>`).join('')}</ul>`;
    const body = utf8(`<html><body>${list('news', 6)}${list('events', 6)}</body></html>`);

    const suggestion = suggestSource(body, 'https://www.example.jp/');

    expect(suggestion.warnings.some((w) => w.startsWith('ambiguous: the runner-up "ul.events > li"'))).toBe(true);
  });
});

describe('suggestSource on feeds', () => {
  const rss2 = `<?xml version="1.0" encoding="UTF-8"?>
<!-- generated -->
<rss version="2.0"><channel><title>架空省 新着情報</title><link>https://www.kaku.example.go.jp/</link>
<item><title>説明会の開催について</title><link>https://www.kaku.example.go.jp/a.html</link><pubDate>Wed, 19 Aug 2026 10:00:00 +0900</pubDate></item>
</channel></rss>`;

  it('detects RSS 2.0 from the content and proposes kind feed', () => {
    const suggestion = suggestSource(utf8(rss2), 'https://www.kaku.example.go.jp/rss/news.xml');

    expect(suggestion).toMatchObject({
      format: 'rss2',
      source: {
        id: 'kaku-news',
        name: '架空省 新着情報',
        publisher: '架空省',
        kind: 'feed',
        url: 'https://www.kaku.example.go.jp/rss/news.xml',
        verified: 'unverified',
      },
    });
    expect(suggestion.source).not.toHaveProperty('charset');
  });

  it('pins the charset of a Shift_JIS RSS 1.0 feed', () => {
    const rdf = `<?xml version="1.0" encoding="Shift_JIS"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://www.kotsu.example.go.jp/press.rdf"><title>架空交通省プレスリリース</title><link>https://www.kotsu.example.go.jp/</link><description>d</description></channel>
<item rdf:about="https://www.kotsu.example.go.jp/p/1.html"><title>公募の開始について</title><link>https://www.kotsu.example.go.jp/p/1.html</link><dc:date>2026-08-19T05:00:00+09:00</dc:date></item>
</rdf:RDF>`;
    const sjis = encodeShiftJis(rdf);

    const suggestion = suggestSource(sjis, 'https://www.kotsu.example.go.jp/press.rdf');

    expect(suggestion).toMatchObject({
      format: 'rss1',
      source: { kind: 'feed', charset: 'shift_jis', name: '架空交通省プレスリリース', publisher: '架空交通省' },
    });
  });

  it('detects Atom', () => {
    const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>経済 | 新着</title>
<entry><title>t</title><link href="https://x.example.go.jp/1.html"/><updated>2026-08-19T05:00:00Z</updated><id>1</id></entry></feed>`;

    expect(suggestSource(utf8(atom), 'https://x.example.go.jp/atom.xml').format).toBe('atom');
  });

  it.each([
    ['<?xml version="1.0"?>\n<rss version="2.0">', true],
    ['\uFEFF<rdf:RDF xmlns:rdf="x">', true],
    ['<!-- c --><feed xmlns="http://www.w3.org/2005/Atom">', true],
    ['<!DOCTYPE html><html><body>rss</body></html>', false],
    ['<html><head><link rel="alternate" type="application/rss+xml"></head>', false],
  ])('looksLikeFeed(%j) is %s', (text, feed) => {
    expect(looksLikeFeed(text)).toBe(feed);
  });
});

describe('names from the URL and title', () => {
  it.each([
    ['https://www.meti.go.jp/press/index.html', 'meti-press'],
    ['https://www.mext.go.jp/b_menu/news/index.rdf', 'mext-news'],
    ['https://www.mlit.go.jp/pressrelease.rdf', 'mlit-pressrelease'],
    ['https://www.pref.aichi.jp/soshiki/sangyo/', 'pref-sangyo'],
    ['https://www.city.yokohama.lg.jp/', 'city'],
    ['http://localhost:4010/news/list.html', 'site-list'],
  ])('idFor(%s) is %s', (url, id) => {
    expect(idFor(url)).toBe(id);
  });

  it.each([
    ['ニュースリリース（METI/経済産業省）', '経済産業省'],
    ['報道発表資料：農林水産省', '農林水産省'],
    ['各府省の新着情報 | 政府広報オンライン', '政府広報オンライン'],
    ['文部科学省\u3000新着情報', '文部科学省'],
    ['国土交通省ホームページプレスリリース', '国土交通省'],
    ['お知らせ', 'www.example.jp'],
  ])('publisherOf(%s) is %s', (title, publisher) => {
    expect(publisherOf(title, 'https://www.example.jp/')).toBe(publisher);
  });
});

/** Shift_JIS bytes of ASCII and the few kana/kanji the feed above uses, via the platform decoder's inverse. */
function encodeShiftJis(text: string): Uint8Array {
  const decoder = new TextDecoder('shift_jis');
  const table = new Map<string, number[]>();
  for (let hi = 0x81; hi <= 0xfc; hi++) {
    if (hi > 0x9f && hi < 0xe0) continue;
    for (let lo = 0x40; lo <= 0xfc; lo++) {
      const ch = decoder.decode(new Uint8Array([hi, lo]));
      if (ch.length === 1 && !table.has(ch)) table.set(ch, [hi, lo]);
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x80) out.push(code);
    else out.push(...(table.get(ch) ?? [0x81, 0x48]));
  }
  return new Uint8Array(out);
}
