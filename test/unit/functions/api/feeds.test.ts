import { XMLValidator } from 'fast-xml-parser';
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { renderAtom, renderRss, xmlEscape, type FeedEntry } from '../../../../functions/api/feeds.js';
import { testApi } from './api-test-deps.js';

const hostile: FeedEntry = {
  id: 'it_0123456789abcdef01234567',
  title: '<script>alert("x")</script> & 研究開発 \u0001\u000b 「公募」 \ud800',
  url: 'https://www.example.go.jp/koubo?a=1&b=2',
  summary: '締切: 2025-05-30 17:00 JST\n"引用" & \'単引用\' <b>太字</b>',
  publisher: '文部科学省 & JST',
  updatedAt: '2025-05-01T10:00:00+09:00',
  publishedAt: '2025-04-01T09:00:00+09:00',
  categories: ['call', 'AI & ロボット'],
};
const context = {
  selfUrl: 'https://api.example.jp/v1/feed.rss?q=a&kind=call',
  searchUrl: 'https://api.example.jp/v1/search?q=a&kind=call',
};
const now = new Date('2025-05-15T00:00:00Z');

describe('xmlEscape', () => {
  it('escapes markup and drops characters XML 1.0 forbids', () => {
    expect(xmlEscape('a<b>&"\'\u0000\u0008\u000b\u001f\ufffe\ud800z\n\t')).toBe('a&lt;b&gt;&amp;&quot;&apos;z\n\t');
  });

  it('keeps valid surrogate pairs', () => {
    expect(xmlEscape('𠮷野家')).toBe('𠮷野家');
  });
});

describe('renderRss', () => {
  it('writes well-formed RSS 2.0 whose text survives a feed parser unchanged', async () => {
    const xml = renderRss({ title: 'ポータル: <a> & b', entries: [hostile], context, now });

    expect(XMLValidator.validate(xml)).toBe(true);
    const feed = await new Parser().parseString(xml);
    expect(feed.title).toBe('ポータル: <a> & b');
    expect(feed.items[0]?.title).toBe('<script>alert("x")</script> & 研究開発  「公募」 ');
    expect(feed.items[0]?.link).toBe('https://www.example.go.jp/koubo?a=1&b=2');
    expect(feed.items[0]?.guid).toBe(hostile.id);
    expect(new Date(feed.items[0]?.pubDate ?? '').toISOString()).toBe('2025-04-01T00:00:00.000Z');
    expect(xml).toContain('<atom:link href="https://api.example.jp/v1/feed.rss?q=a&amp;kind=call" rel="self"');
  });

  it('writes an empty channel when nothing matches', async () => {
    const feed = await new Parser().parseString(renderRss({ title: 't', entries: [], context, now }));

    expect(feed.items).toEqual([]);
  });
});

describe('renderAtom', () => {
  it('writes well-formed Atom 1.0 with ids, RFC 3339 dates and authors', async () => {
    const xml = renderAtom({ title: 'ポータル', entries: [hostile], context, now });

    expect(XMLValidator.validate(xml)).toBe(true);
    const feed = await new Parser().parseString(xml);
    expect(feed.items[0]?.id).toBe(`urn:chiiki-portal:item:${hostile.id}`);
    expect(feed.items[0]?.link).toBe(hostile.url);
    expect(xml).toContain('<updated>2025-05-01T01:00:00.000Z</updated>');
    expect(xml).toContain('<author><name>文部科学省 &amp; JST</name></author>');
  });

  it('dates an empty feed with the clock', () => {
    expect(renderAtom({ title: 't', entries: [], context, now })).toContain(
      '<updated>2025-05-15T00:00:00.000Z</updated>',
    );
  });
});

describe('feed routes', () => {
  it('serve the same search as /v1/search, newest first, with the feed content types', async () => {
    const api = await testApi();

    const rss = await api.call('/v1/feed.rss?kind=call');
    const atom = await api.call('/v1/feed.atom?kind=call');
    const bad = await api.call('/v1/feed.atom?kind=calls');

    expect(rss.headers?.['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(atom.headers?.['content-type']).toBe('application/atom+xml; charset=utf-8');
    const items = (await new Parser().parseString(rss.body ?? '')).items;
    const dates = items.map((i) => Date.parse(i.pubDate ?? ''));
    expect(items.length).toBeGreaterThan(3);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    expect(bad.statusCode).toBe(400);
  });
});
