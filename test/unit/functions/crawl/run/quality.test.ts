import { describe, expect, it } from 'vitest';
import type {
  DroppedEntry,
  ExtractedItem,
  ExtractedPage,
} from '../../../../../functions/crawl/extract/extracted-item.js';
import { extractHtmlList } from '../../../../../functions/crawl/extract/html-list.js';
import { extractListing } from '../../../../../functions/crawl/run/listing.js';
import {
  gateOf,
  judgeWholeRun,
  mergeQualityReports,
  navigationReason,
  sliceReport,
} from '../../../../../functions/crawl/run/quality.js';
import type { Source } from '../../../../../shared/domain/source.js';
import { parseSourceDefinition } from '../../../../../shared/sources/registry.js';

const listSource = (extra = '') =>
  parseSourceDefinition(`
id: koubo-list
name: 公募一覧
publisher: 振興財団
kind: html-list
url: https://koubo.example/news/index.html
list: { item: li, link: a, date: span }
${extra}`);

const entry = (n: number, extra: Partial<ExtractedItem> = {}): ExtractedItem => ({
  title: `研究開発支援事業の公募について（第${n}回）`,
  url: `https://koubo.example/news/2026/${n}.html`,
  dateText: '2026年8月19日',
  ...extra,
});

const page = (items: ExtractedItem[], dropped: DroppedEntry[] = []): ExtractedPage => ({ items, dropped });

const run = (source: Source, pages: ExtractedPage[], recentItemCounts?: number[]) =>
  extractListing(pages, {
    source,
    seenAt: '2026-08-20T03:00:00.000Z',
    refDate: '2026-08-20',
    pageUrls: pages.map((_, i) => `${source.url}${i ? `?page=${i + 1}` : ''}`),
    ...(recentItemCounts ? { recentItemCounts } : {}),
  }).report;

const tenEntries = () => Array.from({ length: 10 }, (_, i) => entry(i + 1));

describe('navigationReason', () => {
  const pageUrl = 'https://www.env.example.jp/j/press/index.html';

  it.each([
    ['ホーム', 'https://www.env.example.jp/', 'menu word'],
    ['報道・広報', 'https://www.env.example.jp/press/', 'menu word'],
    ['ＨＯＭＥ', 'https://www.env.example.jp/', 'menu word'],
    ['採択', 'https://www.env.example.jp/j/saitaku/', 'title of two characters or fewer'],
    ['環境省の政策一覧のページ', 'https://www.env.example.jp/', 'link to the site root'],
    ['環境省の政策一覧のページ', 'https://www.env.example.jp/policy/index.html', 'link to a section index'],
    ['報道発表一覧のページです', 'https://www.env.example.jp/press/index.html', 'link to a section index'],
    ['この一覧の最新のページです', 'https://www.env.example.jp/j/press/index.html#top', 'link to the list page itself'],
  ])('reads %s → %s as navigation (%s)', (title, link, why) => {
    expect(navigationReason(title, link, pageUrl)).toBe(why);
  });

  it.each([
    ['「健康経営銘柄2027」の申請受付を開始しました', 'https://www.env.example.jp/press/2026/08/20260817001.html'],
    ['月例経済報告（5月）を掲載しました', 'https://www5.cao.go.jp/keizai3/getsurei/getsurei-index.html'],
    ['第8回専門調査会の開催について', 'https://www.cao.go.jp/consumer/kabusoshiki/ai_technology/008/kaisai/index.html'],
    ['検討会の最終報告を掲載しました', 'https://www.cfa.go.jp/councils/preconception-care'],
  ])('keeps the announcement %s', (title, link) => {
    expect(navigationReason(title, link, pageUrl)).toBeUndefined();
  });
});

describe('assessQuality', () => {
  it('passes a dated list of announcements', () => {
    const report = run(listSource(), [page(tenEntries())]);

    expect(report).toMatchObject({ passed: true, items: 10, entries: 10, dated: 10, navigation: 0, problems: [] });
  });

  it('fails a list whose title selector matched nothing, naming the drops', () => {
    const dropped: DroppedEntry[] = Array.from({ length: 10 }, (_, i) => ({
      reason: 'no-title',
      link: `/news/${i}.html`,
    }));

    const report = run(listSource(), [page([], dropped)]);

    expect(report.passed).toBe(false);
    expect(report.problems.map((p) => p.code)).toEqual(['no-items', 'dropped']);
    expect(report.problems[1]?.message).toContain('10 of 10 entries dropped (no-title 10)');
    expect(report.problems[1]?.messageJa).toContain('題名・リンクの指定を確認');
  });

  it('fails a list whose date selector matched nothing', () => {
    const report = run(listSource(), [page(tenEntries().map((e) => ({ ...e, dateText: undefined })))]);

    expect(report.problems.map((p) => p.code)).toEqual(['undated']);
    expect(report.problems[0]?.message).toContain('0% of items dated (0 of 10)');
  });

  it('counts a printed date it cannot read as unreadable, and the item as undated', () => {
    const report = run(listSource(), [page(tenEntries().map((e) => ({ ...e, dateText: '近日公開' })))]);

    expect(report).toMatchObject({ unreadableDates: 10, dated: 0, passed: false });
  });

  it('counts an application period as a date (a call list without publication dates)', () => {
    const calls = tenEntries().map((e) => ({
      ...e,
      dateText: undefined,
      periodText: '令和8年9月1日～令和8年10月31日',
    }));

    const report = run(listSource(), [page(calls)]);

    expect(report).toMatchObject({ passed: true, dated: 10 });
  });

  it('fails a selector that catches the site menu', () => {
    const menu = ['ホーム', '報道・広報', '政策', 'サイトマップ'].map((title, i) =>
      entry(100 + i, { title, url: i ? `https://koubo.example/s${i}/` : 'https://koubo.example/' }),
    );

    const report = run(listSource(), [page([...menu, ...tenEntries()])]);

    expect(report.navigation).toBe(4);
    expect(report.problems.map((p) => p.code)).toEqual(['navigation']);
    expect(report.examples.map((e) => e.title)).toEqual(['ホーム', '報道・広報', '政策', 'サイトマップ']);
  });

  it('flags a link that stands on every page of a paginated list as navigation', () => {
    const pinned = entry(99, { title: '募集要項のダウンロードはこちらから', url: 'https://koubo.example/youkou.html' });
    const pages = [0, 1, 2].map((p) => page([pinned, ...tenEntries().map((e) => ({ ...e, url: `${e.url}?p=${p}` }))]));

    const report = run(listSource(), pages);

    expect(report.examples[0]).toMatchObject({ why: 'navigation: the same link on every page of the list' });
    expect(report.navigation).toBe(1);
  });

  it('does not count keyword-filtered or repeated entries as drops that fail the gate', () => {
    const source = listSource('keywords: { include: [公募] }');
    const others = Array.from({ length: 20 }, (_, i) => entry(50 + i, { title: `審議会の開催について（第${i}回）` }));

    const report = run(source, [page([...tenEntries(), ...tenEntries(), ...others])]);

    expect(report).toMatchObject({ passed: true, items: 10, dropped: { keywords: 20, duplicate: 10 } });
  });

  it("counts a table's header row as empty, not as a drop that fails the gate", () => {
    const source = parseSourceDefinition(`
id: koubo-table
name: 公募一覧
publisher: 振興財団
kind: html-list
url: https://koubo.example/koubo/index.html
defaultKind: call
list: { item: table.calls tr, title: td a, link: td a, period: td.period }`);
    if (source.kind !== 'html-list') throw new Error('html-list expected');
    const rows = [1, 2]
      .map(
        (n) =>
          `<tr><td><a href="/koubo/${n}.html">地域研究開発助成 第${n}回の公募</a></td><td class="period">令和8年11月${n}日～令和8年12月10日</td></tr>`,
      )
      .join('');
    const html = `<table class="calls"><tr><th>件名</th><th>募集期間</th></tr>${rows}</table>`;

    const report = run(source, [extractHtmlList(html, source.url, source.list)]);

    expect(report).toMatchObject({ passed: true, items: 2, entries: 3, dropped: { empty: 1 } });
  });

  it('fails a run that lists far fewer items than the recent runs did', () => {
    const report = run(listSource(), [page(tenEntries().slice(0, 3))], [40, 42, 41]);

    expect(report.problems.map((p) => p.code)).toEqual(['count-drop']);
    expect(report.recentItems).toBe(41);
  });

  it('fails repeated titles and links off the source hosts only past their thresholds', () => {
    const source = listSource('quality: { maxOffHostShare: 0.5 }');
    const items = tenEntries().map((e, i) => ({
      ...e,
      title: i < 6 ? '研究開発支援事業の公募について' : e.title,
      url: i < 6 ? `https://elsewhere.example/${i}.html` : e.url,
    }));

    const report = run(source, [page(items)]);

    expect(report.problems.map((p) => p.code)).toEqual(['off-host', 'duplicate-titles']);
  });

  it('lets an empty feed pass (0 items is a valid feed) but not an empty list page', () => {
    const feed = parseSourceDefinition(
      'id: f1\nname: f\npublisher: p\nkind: feed\nurl: https://koubo.example/feed.xml',
    );

    expect(run(feed, [page([])]).passed).toBe(true);
    expect(run(listSource(), [page([])]).problems.map((p) => p.code)).toEqual(['no-items']);
  });

  it('takes thresholds from the definition', () => {
    const source = listSource('quality: { minDatedShare: 0, minItems: 0 }');

    expect(gateOf(source)).toMatchObject({ minDatedShare: 0, minItems: 0, maxNavigationShare: 0.1 });
    expect(run(source, [page(tenEntries().map((e) => ({ ...e, dateText: undefined })))]).passed).toBe(true);
  });

  it('reports the share of calls with a deadline, and gates it only when asked', () => {
    const calls = [entry(1, { periodText: '令和8年9月1日～令和8年10月31日' }), entry(2), entry(3), entry(4)];

    const reported = run(listSource('defaultKind: call'), [page(calls)]);
    const gated = run(listSource('defaultKind: call\nquality: { minDeadlineShare: 0.5 }'), [page(calls)]);

    expect(reported).toMatchObject({ calls: 4, callsWithDeadline: 1, passed: true });
    expect(gated.problems.map((p) => p.code)).toEqual(['no-deadline']);
    expect(gated.problems[0]?.message).toContain('25% of calls have a deadline (1 of 4)');
  });
});

describe('the gate of a run over several invocations', () => {
  const source = listSource();
  const slice = (from: number, n: number) =>
    run(source, [page(Array.from({ length: n }, (_, i) => entry(from + i)))], [50, 50, 50]);

  it('does not flag a first slice of a few items as a count drop', () => {
    const first = slice(1, 3);

    expect(first.problems.map((p) => p.code)).toContain('count-drop');
    expect(sliceReport(first)).toMatchObject({ passed: true, problems: [] });
  });

  it('keeps the rules about the slice entries themselves', () => {
    const navigation = {
      code: 'navigation',
      value: 0.5,
      threshold: 0.1,
      message: 'navigation-like links',
      messageJa: 'ナビゲーション',
    } as const;
    const bad = { ...slice(1, 3), problems: [navigation], passed: false };

    expect(sliceReport(bad)).toMatchObject({ passed: false, problems: [navigation] });
  });

  it('sums the slices and judges the count of the whole run', () => {
    const whole = [slice(1, 10), slice(11, 10), slice(21, 10)]
      .map(sliceReport)
      .reduce<ReturnType<typeof sliceReport> | undefined>((a, b) => mergeQualityReports(a, b), undefined);

    const judged = judgeWholeRun(source, whole as ReturnType<typeof sliceReport>, [50, 50, 50]);

    expect(judged).toMatchObject({ items: 30, entries: 30, recentItems: 50, passed: true, problems: [] });
  });

  it('flags a whole run that gave far fewer items than recent runs, or none', () => {
    const few = mergeQualityReports(sliceReport(slice(1, 2)), sliceReport(slice(3, 2)));
    const none = sliceReport(run(source, [page([])]));

    expect(judgeWholeRun(source, few, [50, 50, 50]).problems.map((p) => p.code)).toEqual(['count-drop']);
    expect(judgeWholeRun(source, none).problems.map((p) => p.code)).toEqual(['no-items']);
  });
});
