import { describe, expect, it } from 'vitest';
import { ExtractionError } from '../../../../../shared/errors.js';
import { extractFeed, feedDate } from '../../../../../functions/crawl/extract/feed.js';

const rdf = `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://www.mext.go.jp/b_menu/news/"><title>新着情報</title></channel>
<item rdf:about="https://www.mext.go.jp/a.html"><title>「第２回\u3000地域科学技術
  振興会議」を開催します</title><link>https://www.mext.go.jp/a.html</link><dc:date>2026-11-19T14:00:00+09:00</dc:date></item>
</rdf:RDF>
`;
const rss2 = `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><channel><title>J-Net21</title>
<item><title><![CDATA[ものづくり補助金 & 研究開発]]></title><link>/snavi/support/1.html</link><pubDate>Fri, 20 Nov 2026 10:00:00 +0900</pubDate>
<dc:coverage rdf:value="JP-13" rdf:label="東京都"/></item></channel></rss>`;
const atom = `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>METI</title>
<entry><title>地域新生コンソーシアム研究開発事業の公募について</title><link rel="alternate" type="text/html" href="https://www.meti.go.jp/press/1.html"/><author><name/></author><updated>2026-09-18T05:00:00Z</updated><summary>公募します。</summary></entry></feed>`;

describe('extractFeed', () => {
  it('reads RSS 1.0 items, keeping 全角 characters and collapsing line breaks', () => {
    const page = extractFeed(rdf, 'https://www.mext.go.jp/b_menu/news/index.rdf');

    expect(page.format).toBe('rss1');
    expect(page.items).toEqual([
      {
        title: '「第２回\u3000地域科学技術 振興会議」を開催します',
        url: 'https://www.mext.go.jp/a.html',
        publishedAt: '2026-11-19T14:00:00+09:00',
      },
    ]);
  });

  it('reads RSS 2.0 with CDATA, relative links, RFC 822 dates and dc:coverage', () => {
    const [item] = extractFeed(rss2, 'https://j-net21.smrj.go.jp/snavi/support/support.xml').items;

    expect(item).toMatchObject({
      title: 'ものづくり補助金 & 研究開発',
      url: 'https://j-net21.smrj.go.jp/snavi/support/1.html',
      publishedAt: '2026-11-20T01:00:00Z',
      areaText: '東京都',
    });
  });

  it('reads Atom entries with their alternate link and summary', () => {
    const page = extractFeed(atom, 'https://www.meti.go.jp/feed.xml');

    expect(page.format).toBe('atom');
    expect(page.items[0]).toMatchObject({
      url: 'https://www.meti.go.jp/press/1.html',
      publishedAt: '2026-09-18T05:00:00Z',
      summary: '公募します。',
    });
  });

  it('refuses a truncated feed and an HTML page with an ExtractionError', () => {
    expect(() => extractFeed(rdf.slice(0, rdf.length - 40), 'https://x.example/')).toThrow(ExtractionError);
    expect(() => extractFeed('<html><body>メンテナンス中</body></html>', 'https://x.example/')).toThrow(
      /not an RSS 1.0, RSS 2.0 or Atom feed/,
    );
  });
});

describe('feedDate', () => {
  it.each([
    ['2026-08-19T14:00:00+09:00', '2026-08-19T14:00:00+09:00'],
    ['2026-06-19T05:00:00Z', '2026-06-19T05:00:00Z'],
    ['2026-08-19T14:00', '2026-08-19T14:00:00+09:00'],
    ['2026-08-19', '2026-08-19T00:00:00+09:00'],
    ['Wed, 19 Aug 2026 14:00:00 +0900', '2026-08-19T05:00:00Z'],
    ['Wed, 19 Aug 2026 14:00:00', '2026-08-19T05:00:00Z'],
  ])('reads %s (no zone means Tokyo time)', (printed, expected) => {
    expect(feedDate(printed)).toBe(expected);
  });

  it('gives undefined for text that is not a date', () => {
    expect(feedDate('近日公開')).toBeUndefined();
  });
});

describe('feedDate with RFC 822 and RFC 1123 dates', () => {
  it.each([
    ['Wed, 19 Aug 2026 17:00:00 JST', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 17:00:00 KST', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 08:00:00 GMT', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 08:00:00 UT', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 08:00:00 UTC', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 08:00:00 Z', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 03:00:00 EST', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 04:00:00 EDT', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 02:00:00 CST', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 03:00:00 CDT', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 01:00:00 MST', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 02:00:00 MDT', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 00:00:00 PST', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 01:00:00 PDT', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 17:00:00 +0900', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 03:30:00 -0430', '2026-08-19T08:00:00Z'],
    ['19 Aug 2026 17:00:00 +0900', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 17:00 JST', '2026-08-19T08:00:00Z'],
    ['Sun, 2 Aug 2026 17:00:00 JST', '2026-08-02T08:00:00Z'],
    ['Wed, 19 Aug 26 17:00:00 JST', '2026-08-19T08:00:00Z'],
    ['Thu, 19 Aug 99 17:00:00 JST', '1999-08-19T08:00:00Z'],
    ['wed, 19 aug 2026 17:00:00 jst', '2026-08-19T08:00:00Z'],
    ['Wednesday, 19 August 2026 17:00:00 JST', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 17:00:00', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 08:00:00 -0000', '2026-08-19T08:00:00Z'],
    ['Wed, 19 Aug 2026 17:00:00 +0900 (JST)', '2026-08-19T08:00:00Z'],
    ['2026-08-19T17:00:00+0900', '2026-08-19T17:00:00+09:00'],
  ])('reads %s', (printed, expected) => {
    expect(feedDate(printed)).toBe(expected);
  });

  it('reads a military one-letter zone other than Z as -0000 (UTC, local zone unknown), as RFC 1123 advises', () => {
    expect(feedDate('Wed, 19 Aug 2026 08:00:00 A')).toBe('2026-08-19T08:00:00Z');
    expect(feedDate('Wed, 19 Aug 2026 08:00:00 M')).toBe('2026-08-19T08:00:00Z');
  });

  it.each([
    'Wed, 19 Aug 2026 17:00:00 CET',
    'Wed, 31 Jun 2026 17:00:00 JST',
    'Wed, 19 Aug 2026 25:00:00 JST',
    'Wed, 19 Foo 2026 17:00:00 JST',
    '2026年8月19日',
  ])('gives undefined for %s, which it cannot read', (printed) => {
    expect(feedDate(printed)).toBeUndefined();
  });
});

describe('extractFeed dates it cannot read', () => {
  it('keeps an unreadable date as dateText instead of losing it', () => {
    const feed = `<rss version="2.0"><channel>
<item><title>公募</title><link>https://x.example/1</link><pubDate>2026年8月19日</pubDate></item>
<item><title>通知</title><link>https://x.example/2</link><pubDate>Wed, 19 Aug 2026 17:00:00 JST</pubDate></item>
</channel></rss>`;

    const [first, second] = extractFeed(feed, 'https://x.example/feed.xml').items;

    expect(first).toMatchObject({ dateText: '2026年8月19日' });
    expect(first?.publishedAt).toBeUndefined();
    expect(second).toMatchObject({ publishedAt: '2026-08-19T08:00:00Z' });
    expect(second?.dateText).toBeUndefined();
  });
});

describe('extractFeed on empty feeds', () => {
  it.each([
    [
      'RSS 1.0 without items',
      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://x.example/"><title>新着</title></channel></rdf:RDF>',
      'rss1',
    ],
    [
      'a self-closed rdf:RDF',
      '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
      'rss1',
    ],
    ['RSS 2.0 without items', '<rss version="2.0"><channel><title>新着</title></channel></rss>', 'rss2'],
    ['RSS 2.0 with an empty channel', '<rss version="2.0"><channel></channel></rss>', 'rss2'],
    ['RSS 2.0 with a self-closed channel', '<rss version="2.0"><channel/></rss>', 'rss2'],
    ['a self-closed rss', '<rss version="2.0"/>', 'rss2'],
    ['Atom without entries', '<feed xmlns="http://www.w3.org/2005/Atom"><title>新着</title></feed>', 'atom'],
    ['a self-closed Atom feed', '<feed xmlns="http://www.w3.org/2005/Atom" />', 'atom'],
  ])('reads %s as no items', (_name, body, format) => {
    expect(extractFeed(body, 'https://x.example/feed')).toEqual({ items: [], dropped: [], format });
  });

  it.each([
    ['a feed cut off inside the channel', '<rss version="2.0"><channel><title>新着</title>'],
    [
      'a feed cut off inside an item',
      '<rss version="2.0"><channel><item><title>公募</title><link>https://x.example/1</link>',
    ],
    ['an Atom feed cut off', '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>公募'],
  ])('still refuses %s', (_name, body) => {
    expect(() => extractFeed(body, 'https://x.example/feed')).toThrow(ExtractionError);
  });
});

describe('extractFeed entries it cannot use', () => {
  it('falls back from an empty link to rdf:about, then to a permalink guid', () => {
    const feed = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<item rdf:about="https://x.example/about.html"><title>一</title><link/></item>
<item><title>二</title><link></link><guid>https://x.example/guid.html</guid></item>
<item><title>三</title><link> </link><guid isPermaLink="true">https://x.example/guid3.html</guid></item>
</rdf:RDF>`;

    const page = extractFeed(feed, 'https://x.example/feed.rdf');

    expect(page.items.map((i) => i.url)).toEqual([
      'https://x.example/about.html',
      'https://x.example/guid.html',
      'https://x.example/guid3.html',
    ]);
    expect(page.dropped).toEqual([]);
  });

  it('reports entries without a title or a usable link, with what it could read', () => {
    const feed = `<rss version="2.0"><channel>
<item><title>良い</title><link>https://x.example/ok</link></item>
<item><title> </title><link>https://x.example/untitled</link></item>
<item><title>リンクなし</title></item>
<item><title>ID だけ</title><guid isPermaLink="false">https://x.example/id/1</guid></item>
<item><title>相対 ID</title><guid>item-7</guid></item>
<item><title>スクリプト</title><link>javascript:void(0)</link></item>
<item><title>データ</title><link>data:text/html,x</link></item>
<item><title>ファイル</title><link>file:///etc/passwd</link></item>
<item><title>メール</title><link>mailto:info@x.example</link></item>
</channel></rss>`;

    const page = extractFeed(feed, 'https://x.example/feed.xml');

    expect(page.items.map((i) => i.title)).toEqual(['良い']);
    expect(page.dropped).toEqual([
      { reason: 'no-title', link: 'https://x.example/untitled' },
      { reason: 'no-link', title: 'リンクなし' },
      { reason: 'no-link', title: 'ID だけ', detail: 'guid "https://x.example/id/1" has isPermaLink="false"' },
      { reason: 'no-link', title: '相対 ID', detail: 'guid "item-7" is not an absolute http(s) URL' },
      { reason: 'non-http-link', title: 'スクリプト', link: 'javascript:void(0)' },
      { reason: 'non-http-link', title: 'データ', link: 'data:text/html,x' },
      { reason: 'non-http-link', title: 'ファイル', link: 'file:///etc/passwd' },
      { reason: 'non-http-link', title: 'メール', link: 'mailto:info@x.example' },
    ]);
  });

  it('reports Atom entries without a title or a link', () => {
    const feed = `<feed xmlns="http://www.w3.org/2005/Atom">
<entry><title>良い</title><link href="https://x.example/ok"/></entry>
<entry><title/><link href="https://x.example/untitled"/></entry>
<entry><title>リンクなし</title><id>tag:x.example,2026:1</id></entry>
<entry><title>スクリプト</title><link href="javascript:alert(1)"/></entry>
</feed>`;

    const page = extractFeed(feed, 'https://x.example/atom.xml');

    expect(page.items.map((i) => i.url)).toEqual(['https://x.example/ok']);
    expect(page.dropped).toEqual([
      { reason: 'no-title', link: 'https://x.example/untitled' },
      { reason: 'no-link', title: 'リンクなし' },
      { reason: 'non-http-link', title: 'スクリプト', link: 'javascript:alert(1)' },
    ]);
  });
});
