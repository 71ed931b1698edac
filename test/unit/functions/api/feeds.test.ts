import { XMLValidator } from 'fast-xml-parser';
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../../../shared/search/search-index.js';
import {
  feedEntryOf,
  feedSummaryChars,
  feedTitle,
  forecastLine,
  itemSummary,
  portalPageUrl,
  renderAtom,
  renderRss,
  xmlEscape,
  type FeedEntry,
} from '../../../../functions/api/feeds.js';
import { forecastCallDoc, testApi } from './api-test-deps.js';

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
    const search = JSON.parse((await api.call('/v1/search?kind=call&sort=newest&size=50')).body ?? '{}') as {
      items: { id: string; publishedAt?: string }[];
    };

    expect(rss.headers?.['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(atom.headers?.['content-type']).toBe('application/atom+xml; charset=utf-8');
    const items = (await new Parser().parseString(rss.body ?? '')).items;
    expect(items.length).toBeGreaterThan(3);
    // The search's newest order: by publication date, then items without one by their last change.
    expect(items.map((i) => i.guid)).toEqual(search.items.map((i) => i.id));
    const published = search.items.flatMap((i) => (i.publishedAt ? [Date.parse(i.publishedAt)] : []));
    expect(published.length).toBeGreaterThan(3);
    expect(published).toEqual([...published].sort((a, b) => b - a));
    expect(bad.statusCode).toBe(400);
  });
});

describe('feedTitle', () => {
  it.each([
    [{ kinds: ['call' as const], ministries: ['mext'] }, '地域科学技術ポータル: 公募・文部科学省'],
    [
      { text: 'クラスター', statuses: ['open' as const], prefectures: ['20'] },
      '地域科学技術ポータル: クラスター・募集中・長野県',
    ],
    [{}, '地域科学技術ポータル: 新着'],
    [
      { statuses: ['expected' as const], applicants: ['sme' as const], amountMin: 1_000_000 },
      '地域科学技術ポータル: 公募予定（見込み）・中小企業・上限額 100万円以上',
    ],
  ])('titles the search %j in words: %s', (query, title) => {
    expect(feedTitle(query)).toBe(title);
  });
});

describe('portalPageUrl', () => {
  it('is the portal page of the same search, without paging', () => {
    expect(portalPageUrl('https://x.example.jp/v1/feed.rss?q=%E9%87%8F%E5%AD%90&kind=call&size=5&cursor=abc')).toBe(
      'https://x.example.jp/?q=%E9%87%8F%E5%AD%90&kind=call',
    );
    expect(portalPageUrl('https://x.example.jp/v1/feed.atom')).toBe('https://x.example.jp/');
  });

  it("is on the portal's own domain when one is configured (PORTAL_URL)", () => {
    expect(portalPageUrl('https://api.example.jp/v1/feed.rss?kind=call&size=5', 'https://portal.example.jp/')).toBe(
      'https://portal.example.jp/?kind=call',
    );
  });
});

describe('itemSummary', () => {
  it('takes the summary, else the start of the body, as plain single-spaced text', () => {
    expect(itemSummary({ summary: ' 概要\n  です ', bodyText: '本文' })).toBe('概要 です');
    expect(itemSummary({ summary: '  ', bodyText: '本文の\n最初' })).toBe('本文の 最初');
    expect(itemSummary({})).toBeUndefined();
  });

  it(`cuts long text at ${feedSummaryChars} characters with …, counting 𠮷 as one`, () => {
    const long = '𠮷'.repeat(feedSummaryChars + 50);

    const summary = itemSummary({ bodyText: long }) ?? '';

    expect([...summary]).toHaveLength(feedSummaryChars);
    expect(summary.endsWith('𠮷…')).toBe(true);
    expect(itemSummary({ bodyText: '𠮷'.repeat(feedSummaryChars) })).toBe('𠮷'.repeat(feedSummaryChars));
  });
});

describe('feeds in words', () => {
  it('title the channel in words, link it to the portal page and label categories in words', async () => {
    const api = await testApi();

    const rss = await api.call('/v1/feed.rss?kind=call&ministry=mext&size=5');
    const atom = await api.call('/v1/feed.atom?kind=call&ministry=mext');

    const feed = await new Parser({
      customFields: { item: [['category', 'categories', { keepArray: true }]] },
    }).parseString(rss.body ?? '');
    expect(feed.title).toBe('地域科学技術ポータル: 公募・文部科学省');
    expect(feed.link).toBe('https://api.example.test/?kind=call&ministry=mext');
    expect(feed.items.length).toBeGreaterThan(0);
    for (const item of feed.items) {
      expect(item.categories).toContain('公募');
      expect(item.categories).toContain('文部科学省');
      expect(item.categories).not.toContain('call');
    }
    expect(atom.body).toContain(
      '<link rel="alternate" type="text/html" href="https://api.example.test/?kind=call&amp;ministry=mext"/>',
    );
    expect(atom.body).toContain('<title>地域科学技術ポータル: 公募・文部科学省</title>');
  });

  it('give each entry its text and, for a call, its status in words', async () => {
    const api = await testApi();

    const rss = await api.call('/v1/feed.rss?kind=call&status=open');

    const items = (await new Parser().parseString(rss.body ?? '')).items;
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(item.contentSnippet).toContain('募集状況: 募集中');
  });
});

const callDoc = forecastCallDoc();
const closedHit: SearchHit = { doc: callDoc, status: 'closed', highlights: {} };

describe('feed entries of calls', () => {
  it('say who may apply, the ceiling and the next round as a forecast, in words a feed reader shows', async () => {
    const entry = feedEntryOf(closedHit);
    const parser = new Parser({ customFields: { item: [['category', 'categories', { keepArray: true }]] } });

    const rss = await parser.parseString(renderRss({ title: 't', entries: [entry], context, now }));
    const atom = await parser.parseString(renderAtom({ title: 't', entries: [entry], context, now }));

    for (const item of [rss.items[0], atom.items[0]]) {
      const text = item?.contentSnippet ?? item?.summary ?? '';
      expect(text).toContain('募集状況: 締切済み');
      expect(text).toContain('応募できる者: 大学・高専、中小企業');
      expect(text).toContain('上限額: 3,000万円');
      expect(text).toContain(
        '次回の公募（見込み）: 受付開始 2027-03-25〜2027-04-15ごろ、締切 2027-05-23〜2027-06-14ごろ。次回の受付開始は2027年3月25日〜2027年4月15日頃の見込み（根拠: 過去3回の受付開始日）',
      );
    }
    expect(rss.items[0]?.categories).toEqual(expect.arrayContaining(['公募', '文部科学省', '大学・高専', '中小企業']));
  });

  it('leave out who may apply, the ceiling and the forecast when the hit does not know them', () => {
    const { amountCeiling: _a, forecast: _f, ...rest } = callDoc;

    const entry = feedEntryOf({ doc: { ...rest, applicants: [] }, status: 'open', highlights: {} });

    expect(entry.summary).toContain('募集状況: 募集中');
    expect(entry.summary).not.toMatch(/応募できる者|上限額|見込み/);
    expect(entry.categories).toEqual(['公募', '文部科学省']);
  });

  it.each([
    [
      { from: '2027-04-01', to: '2027-04-30' },
      undefined,
      '次回の公募（見込み）: 受付開始 2027-04-01〜2027-04-30ごろ。',
    ],
    [
      { from: '2027-04-15', to: '2027-04-15' },
      { from: '2027-06-01', to: '2027-06-01' },
      '次回の公募（見込み）: 受付開始 2027-04-15ごろ、締切 2027-06-01ごろ。',
    ],
  ])('words the forecast windows %j and %j as 「見込み」, never as announced dates', (opens, closes, start) => {
    const line = forecastLine({
      seriesId: 'se_1',
      opens,
      ...(closes ? { closes } : {}),
      text: '過去の公募時期から推定',
    });

    expect(line).toBe(`${start}過去の公募時期から推定`);
  });
});

describe('feed routes with the new filters', () => {
  it('take applicant, the amount range and status=expected like the search, and reject bad ones with 400', async () => {
    const api = await testApi();

    const ok = await api.call('/v1/feed.rss?applicant=sme,university&amountMin=1000000&amountMax=50000000');
    const expected = await api.call('/v1/feed.atom?status=expected&sort=expected');
    const badApplicant = await api.call('/v1/feed.rss?applicant=company');
    const badRange = await api.call('/v1/feed.atom?amountMin=2&amountMax=1');

    expect(ok.statusCode).toBe(200);
    expect((await new Parser().parseString(ok.body ?? '')).title).toBe(
      '地域科学技術ポータル: 中小企業または大学・高専・上限額 100万円〜5,000万円',
    );
    expect(expected.statusCode).toBe(200);
    expect(expected.body).toContain('<title>地域科学技術ポータル: 公募予定（見込み）</title>');
    expect(badApplicant.statusCode).toBe(400);
    expect(badApplicant.body).toContain('expected an applicant type');
    expect(badRange.statusCode).toBe(400);
    expect(badRange.body).toContain('expected amountMin at most amountMax');
  });
});
