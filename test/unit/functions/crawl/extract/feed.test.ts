import { describe, expect, it } from 'vitest';
import { ExtractionError } from '../../../../../functions/crawl/extract/extracted-item.js';
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
