import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as cheerio from 'cheerio';
import { XMLParser } from 'fast-xml-parser';
import { implausibleJapanese } from '../../functions/crawl/fetch/charset.js';
import { crawlAll } from '../../functions/crawl/run/crawl-all.js';
import { extractFeed } from '../../functions/crawl/extract/feed.js';
import { extractHtmlList } from '../../functions/crawl/extract/html-list.js';
import { extractPage } from '../../functions/crawl/extract/extract-page.js';
import { draftEntries, selectEntries } from '../../functions/crawl/run/listing.js';
import { callFacts, toDraft } from '../../functions/crawl/run/to-draft.js';
import { extractDetail } from '../../functions/crawl/extract/detail.js';
import { assessQuality } from '../../functions/crawl/run/quality.js';
import { politeFetcherFactory } from '../../functions/crawl/fetch/fetcher-factory.js';
import { loadRegistry, parseSourceDefinition } from '../../shared/sources/registry.js';
import { startSampleSiteServer } from '../../infra/local/sample-site-server.js';
import { FixedClock } from '../../shared/clock.js';
import type { HtmlList, Source } from '../../shared/domain/source.js';
import { silentLog } from '../../shared/log.js';
import { forecastNextRound } from '../../shared/domain/forecast.js';
import { itemIdFor } from '../../shared/domain/item.js';
import { clusterSeries, roundOf, sortRounds } from '../../shared/domain/series.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { countingDocumentClient, crawlWriteCounter, startDynalite } from '../support/dynalite.js';

/**
 * `benchExtract()`:
 * 1. Extraction throughput of the feed and html-list extractors as a ratio to the bare parse of
 *    the same text (`new XMLParser().parse` for feeds, `cheerio.load` for list pages), measured in
 *    the same run: 1.0 means extraction costs nothing over parsing; the goal is ≥ 0.7. The inputs
 *    are generated here in the shape of our sample sites (an RSS 1.0 feed of 300 items, a MAFF-like
 *    list of 300 entries under 和暦 month headings, a gov-online-like list of 300 entries).
 * 2. The cost of the charset plausibility check (`implausibleJapanese`, run on every page decoded
 *    as Shift_JIS or EUC-JP) as a ratio to decoding the same bytes: the sample sites' Shift_JIS
 *    feed and EUC-JP page, decoded with TextDecoder, with and without the check.
 * 3. The quality gate's cost as a share of extraction (`measureGate`; goal at most 10%).
 * 4. Applicant and amount reading over 1,000 call pages as a share of their extraction
 *    (`measureCallFacts`; goal at most 20%).
 * 5. Series linking over 1,000 calls as a share of extracting them (`measureSeriesLinking`): a
 *    generated 公募 table of 250 programs × 4 fiscal years (with a 地域枠 look-alike every tenth
 *    program) is extracted into drafts, then clustered into series with their rounds and forecasts
 *    (the pure part of linking; the store reads and writes of a real linking are not in it).
 * 6. Items written by a re-crawl of unchanged sources (goal 0): the well-behaved sample sites are
 *    crawled twice through the sample-site server into dynalite, and every DynamoDB write of the
 *    second run outside the crawl-run records is counted.
 */

function rdfFeed(n: number): string {
  const items = Array.from({ length: n }, (_, i) => {
    const url = `https://www.mext.go.jp/b_menu/houdou/2026/mext_${String(i).padStart(5, '0')}.html`;
    return `<item rdf:about="${url}">\r\n<title>地域科学技術振興に関するお知らせ（第${i}回）&amp;公募について</title>\r\n<link>${url}</link>\r\n<dc:date>2026-11-${String((i % 28) + 1).padStart(2, '0')}T14:00:00+09:00</dc:date>\r\n</item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\r\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">\r\n<channel rdf:about="https://www.mext.go.jp/b_menu/news/"><title>新着情報</title><link>https://www.mext.go.jp/</link><description></description></channel>\r\n${items.join('\r\n')}\r\n</rdf:RDF>\r\n`;
}

function maffList(n: number): string {
  let body = '';
  for (let i = 0; i < n; i++) {
    if (i % 100 === 0) body += `<h2>令和8年${11 - i / 100}月分</h2>`;
    if (i % 5 === 0)
      body += `<p class="list_item_date">${11 - Math.floor(i / 100)}月${28 - Math.floor((i % 100) / 5)}日</p>`;
    body += `<dl class="list_item"><dt class="list_item-5">基本政策</dt><dd><a href="./kanbo/b_kankyo/26${i}.html">農林水産研究の推進に関する報道発表（${i}）</a></dd></dl>`;
  }
  const menu = Array.from({ length: 200 }, (_, i) => `<li><a href="/j/menu/${i}.html">メニュー${i}</a></li>`).join('');
  return `<!DOCTYPE html><html lang="ja"><head><meta charset="UTF-8"><title>報道発表資料</title></head><body><ul class="menu">${menu}</ul><div class="content" id="main_content"><h1>報道発表資料</h1>${body}</div><footer>${menu}</footer></body></html>`;
}

function newsList(n: number): string {
  const items = Array.from(
    { length: n },
    (
      _,
      i,
    ) => `<li class="p-newsList__item"><div class="p-newsList__meta"><span class="p-newsList__categoryLabel">文部科学省</span>
      <time class="p-newsList__date" datetime="2026-11-20">2026年11月20日</time></div>
      <a class="p-newsList__link" href="https://www.mext.go.jp/b_menu/houdou/${i}.html"><span class="p-newsList__title">科学技術に関する新着情報 ${i}</span></a></li>`,
  ).join('\n');
  return `<!DOCTYPE html><html lang="ja"><head><meta charset="UTF-8"><title>新着</title></head><body><main><ul class="p-newsList">${items}</ul><div class="p-pagination__next"><a href="/info/index.html?offset=20">次へ</a></div></main></body></html>`;
}

/** A 公募 table of `programs` programs × 4 fiscal years (令和5-8年度), every tenth program with a 地域枠 look-alike. */
function kouboTable(programs: number): string {
  const rows: string[] = [];
  for (let p = 0; p < programs; p++)
    for (const reiwa of [5, 6, 7, 8]) {
      const name = `地域科学技術振興プログラム${p}${p % 10 === 0 && reiwa === 8 ? '（地域枠）' : ''}`;
      const day = 1 + ((p + reiwa) % 20);
      rows.push(
        `<tr><td><a href="/koubo/r${reiwa}/program-${p}${name.endsWith('）') ? '-waku' : ''}.html">令和${reiwa}年度 ${name}の公募について</a></td><td class="period">令和${reiwa}年4月${day}日～令和${reiwa}年6月${day}日</td></tr>`,
      );
    }
  return `<!DOCTYPE html><html lang="ja"><head><meta charset="UTF-8"><title>公募</title></head><body><main><table class="koubo-list"><tbody>${rows.join('')}</tbody></table></main></body></html>`;
}

/**
 * Series linking against extraction of the same 1,000 calls (see 4. above): `share` is link time
 * over extraction time. Goal: linking costs no more than extraction (share <= 100%).
 */
export function measureSeriesLinking(reps = 2): {
  items: number;
  series: number;
  extractMs: number;
  linkMs: number;
  share: number;
} {
  const source = benchSource('html-list', 'https://www.jst.go.jp/koubo/index.html', {
    item: 'table.koubo-list tbody tr',
    title: 'td a',
    link: 'td a',
    period: 'td.period',
  });
  const text = kouboTable(250);
  const ctx = { seenAt: '2026-11-28T00:30:00.000Z', refDate: '2026-11-28' };
  const extract = () => {
    const page = extractPage(source, text, source.url);
    return draftEntries(selectEntries(source, [page]).kept, { ...ctx, source }).drafts;
  };
  const candidates = extract().map((d) => ({ ...d, id: itemIdFor(d.canonicalUrl) }));
  const byId = new Map(candidates.map((c) => [c.id, c] as const));
  const link = () =>
    clusterSeries(candidates).map((cluster) => {
      const members = cluster.members.flatMap((m) => byId.get(m) ?? []);
      return forecastNextRound(sortRounds(members.map((c) => roundOf(c))));
    });
  const series = link().length;
  const t = timePair(link, extract, reps, 10);
  return { items: candidates.length, series, extractMs: t.extractMs, linkMs: t.bareMs, share: t.ratio };
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * Times `bare` and `run` in alternating rounds (the machine is shared, so both see the same
 * load) and returns the median ms per call of each and the median of the per-round ratios.
 */
function timePair(bare: () => unknown, run: () => unknown, reps: number, rounds = 20) {
  for (let i = 0; i < reps; i++) {
    bare();
    run();
  }
  const bareMs: number[] = [];
  const runMs: number[] = [];
  const ratios: number[] = [];
  const timeOf = (fn: () => unknown) => {
    const start = performance.now();
    for (let i = 0; i < reps; i++) fn();
    return (performance.now() - start) / reps;
  };
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so garbage one leaves behind is not always charged to the other.
    let b: number;
    let e: number;
    if (r % 2 === 0) {
      b = timeOf(bare);
      e = timeOf(run);
    } else {
      e = timeOf(run);
      b = timeOf(bare);
    }
    bareMs.push(b);
    runMs.push(e);
    ratios.push(b / e);
  }
  return { bareMs: median(bareMs), extractMs: median(runMs), ratio: median(ratios) };
}

export interface ExtractBenchResult {
  readonly name: string;
  readonly items: number;
  readonly bareMs: number;
  readonly extractMs: number;
  /** bare time / extraction time: extraction throughput relative to the bare parse. */
  readonly ratio: number;
}

export function measureExtraction(reps = 5): ExtractBenchResult[] {
  const feed = rdfFeed(300);
  const maff = maffList(300);
  const news = newsList(300);
  const maffDef: HtmlList = {
    container: '#main_content',
    item: 'dl.list_item',
    title: 'dd a',
    link: 'dd a',
    dateBefore: 'p.list_item_date',
    dateContext: 'h2',
  };
  const newsDef: HtmlList = {
    item: 'ul.p-newsList > li.p-newsList__item',
    title: '.p-newsList__title',
    link: 'a.p-newsList__link',
    date: 'time.p-newsList__date',
    nextPage: '.p-pagination__next a',
  };
  const bareXml = new XMLParser();
  const cases = [
    {
      name: 'feed (RSS 1.0, 300 items)',
      bare: () => bareXml.parse(feed),
      run: () => extractFeed(feed, 'https://www.mext.go.jp/b_menu/news/index.rdf'),
    },
    {
      name: 'html-list (MAFF-like, 300 entries)',
      bare: () => cheerio.load(maff),
      run: () => extractHtmlList(maff, 'https://www.maff.go.jp/j/press/index.html', maffDef),
    },
    {
      name: 'html-list (gov-online-like, 300 entries)',
      bare: () => cheerio.load(news),
      run: () => extractHtmlList(news, 'https://www.gov-online.go.jp/info/index.html', newsDef),
    },
  ];
  return cases.map((c) => {
    const items = (c.run() as { items: unknown[] }).items.length;
    return { name: c.name, items, ...timePair(c.bare, c.run, reps) };
  });
}

/**
 * The quality gate's cost against extraction: for each generated page, extraction is what a run
 * does before the gate (extract the page, apply keyword rules, build and validate the drafts);
 * the gate is `assessQuality` on those drafts (every measure of the report and the verdict).
 * Goal: the gate costs at most 10% of extraction.
 */
export function measureGate(
  reps = 5,
): { name: string; items: number; extractMs: number; gateMs: number; share: number }[] {
  const cases: { name: string; source: Source; text: string }[] = [
    {
      name: 'feed (RSS 1.0, 300 items)',
      source: benchSource('feed', 'https://www.mext.go.jp/b_menu/news/index.rdf'),
      text: rdfFeed(300),
    },
    {
      name: 'html-list (MAFF-like, 300 entries)',
      source: benchSource('html-list', 'https://www.maff.go.jp/j/press/index.html', {
        container: '#main_content',
        item: 'dl.list_item',
        title: 'dd a',
        link: 'dd a',
        dateBefore: 'p.list_item_date',
        dateContext: 'h2',
      }),
      text: maffList(300),
    },
    {
      name: 'html-list (gov-online-like, 300 entries)',
      source: benchSource('html-list', 'https://www.gov-online.go.jp/info/index.html', {
        item: 'ul.p-newsList > li.p-newsList__item',
        title: '.p-newsList__title',
        link: 'a.p-newsList__link',
        date: 'time.p-newsList__date',
      }),
      text: newsList(300),
    },
  ];
  const ctx = { seenAt: '2026-11-28T00:30:00.000Z', refDate: '2026-11-28' };
  return cases.map(({ name, source, text }) => {
    const extract = () => {
      const page = extractPage(source, text, source.url);
      const selected = selectEntries(source, [page]);
      return { selected, drafted: draftEntries(selected.kept, { ...ctx, source }) };
    };
    const { selected, drafted } = extract();
    const gate = () =>
      assessQuality({
        source,
        drafts: drafted.drafts,
        dropped: [...selected.dropped, ...drafted.dropped],
        unreadableDates: drafted.unreadableDates,
        pageUrls: [source.url],
        pagesOfLink: selected.pagesOfLink,
        recentItemCounts: [300, 298, 301],
      });
    const t = timePair(gate, extract, reps);
    return { name, items: drafted.drafts.length, extractMs: t.extractMs, gateMs: t.bareMs, share: t.ratio };
  });
}

function benchSource(kind: 'feed' | 'html-list', url: string, list?: HtmlList): Source {
  return parseSourceDefinition(
    JSON.stringify({ id: 'bench-source', name: 'bench', publisher: 'bench', kind, url, ...(list ? { list } : {}) }),
  );
}

/** A JST-like call page whose eligibility and amount vary with `i` (the forms real calls print). */
function callPage(i: number): string {
  const eligibility = [
    '大学等の研究者と企業の共同提案',
    '中小企業者（みなし大企業を除く）及び特定非営利活動法人',
    '都道府県又は政令指定都市が指定する中核機関',
    '国立研究開発法人、公設試験研究機関又は高等専門学校',
    '創業5年以内のスタートアップ（大企業は対象外）',
  ][i % 5];
  const money = [
    '研究費：1課題あたり総額最大3億円',
    '補助上限額：750万円～1,250万円、下限100万円。補助率：中小企業 1/2、小規模事業者 2/3',
    '予算規模：1地域あたり年間1億円程度（総額 2,420百万円）',
    '予算額：4,830百万円',
    '1件あたり上限3,000万円、補助率：定額',
  ][i % 5];
  const prose = '地域の研究ポテンシャルを結集し、産学官連携による新技術・新産業の創出を支援します。'.repeat(6);
  return `<!DOCTYPE html><html lang="ja"><head><meta charset="UTF-8"><title>公募 ${i}</title></head><body>
<header><nav><a href="/">トップ</a> &gt; <a href="/koubo/">公募情報</a></nav></header><main id="content">
<h1>地域科学技術振興事業（第${i}回公募）</h1><p>${prose}</p>
<table><tr><th>公募期間</th><td>令和8年11月${(i % 20) + 1}日（火）～令和8年12月25日（金）正午</td></tr>
<tr><th>予算</th><td>${money}</td></tr><tr><th>応募資格</th><td>${eligibility}</td></tr></table>
<p>応募はe-Radで行います。</p></main><footer><p>Copyright (C) sample</p></footer></body></html>`;
}

/**
 * Applicant and amount reading (`callFacts`) over 1,000 call pages as a share of the crawl's own
 * extraction of the same pages (`extractDetail` of the page and `toDraft` of its entry, which
 * includes the reading). Goal: the reading costs at most 20% of extraction.
 */
export function measureCallFacts(reps = 1): { items: number; extractMs: number; factsMs: number; share: number } {
  const source = benchSource('html-list', 'https://www.jst.go.jp/koubo/index.html', { item: 'tr' });
  const ctx = { seenAt: '2026-11-28T00:30:00.000Z', refDate: '2026-11-28', source };
  const pages = Array.from({ length: 1000 }, (_, i) => ({
    item: { title: `地域科学技術振興事業（第${i}回公募）`, url: `https://www.jst.go.jp/koubo/${i}.html` },
    html: callPage(i),
  }));
  const details = pages.map((p) => extractDetail(p.html, '#content'));
  const extract = () => pages.map((p) => toDraft(p.item, { ...ctx, detail: extractDetail(p.html, '#content') }));
  const facts = () =>
    pages.map((p, i) => {
      const detail = details[i];
      return callFacts({ ...p.item, kindHint: 'call' }, detail?.eligibility, [p.item.title, detail?.text]);
    });
  const read = extract().filter((o) => o.ok && o.draft.applicants && o.draft.amount).length;
  const t = timePair(facts, extract, reps, 10);
  return { items: read, extractMs: t.extractMs, factsMs: t.bareMs, share: t.ratio };
}

/** Decoding alone vs decoding plus the plausibility check, on the sample sites' legacy-charset pages. */
export function measureCharsetCheck(reps = 50): { bareMs: number; extractMs: number; ratio: number } {
  const root = new URL('../../infra/local/sample-sites/', import.meta.url);
  const pages = [
    { bytes: readFileSync(new URL('mlit-sjis/pressrelease.rdf', root)), charset: 'shift_jis' },
    { bytes: readFileSync(new URL('pref-euc/sangyo/hojo/index.html', root)), charset: 'euc-jp' },
  ];
  const decodeAll = () => pages.map((p) => new TextDecoder(p.charset, { fatal: true }).decode(p.bytes));
  return timePair(decodeAll, () => decodeAll().map(implausibleJapanese), reps);
}

/** Crawls the well-behaved sample sites twice; returns the writes of the second run outside run records. */
export async function measureRecrawlWrites(): Promise<{
  firstNew: number;
  secondNew: number;
  secondUpdated: number;
  itemWrites: number;
}> {
  const root = fileURLToPath(new URL('../../infra/local/sample-sites/', import.meta.url));
  const clock = new FixedClock('2026-11-28T00:30:00Z');
  const sites = await startSampleSiteServer({ root, clock });
  const dynalite = await startDynalite();
  const db = countingDocumentClient(dynalite.endpoint);
  const fetchers = politeFetcherFactory({
    userAgent: 'chiiki-portal-bench/1.0 (+https://example.org/contact)',
    retryBaseDelayMs: 10,
  });
  try {
    const inner = new DynamoDbItemStore({ client: db.client, tableName: 'bench-extract', clock, log: silentLog });
    await inner.ensureTable();
    const { store, writes: itemWrites, reset } = crawlWriteCounter(inner, db);
    const wellBehaved = new Set([
      'sample-mext-rdf',
      'sample-meti-atom',
      'sample-mlit-sjis',
      'sample-pref-euc',
      'sample-maff-list',
      'sample-jst-koubo',
      'sample-news-paged',
      'sample-jgrants',
      'sample-changing',
    ]);
    const sources = loadRegistry('sample', { sampleHost: `localhost:${sites.port}` }).sources.filter((s) =>
      wellBehaved.has(s.id),
    );
    // One source at a time, so the write counter attributes every write to the right call.
    const crawl = () =>
      crawlAll({ sources, fetcherFor: fetchers.fetcherFor, store, clock, log: silentLog, concurrency: 1 });
    const first = await crawl();
    clock.advanceMs(86_400_000);
    reset();
    const second = await crawl();
    const sum = (runs: typeof first, key: 'new' | 'updated') => runs.reduce((t, r) => t + r.counts[key], 0);
    return {
      firstNew: sum(first, 'new'),
      secondNew: sum(second, 'new'),
      secondUpdated: sum(second, 'updated'),
      itemWrites: itemWrites(),
    };
  } finally {
    await fetchers.close();
    db.destroy();
    await dynalite.stop();
    await sites.close();
  }
}

export async function benchExtract(): Promise<void> {
  console.log('extraction throughput vs bare parse of the same text (goal ratio >= 0.7)');
  for (const r of measureExtraction()) {
    console.log(
      `  ${r.name.padEnd(42)} items ${String(r.items).padStart(4)}  bare ${r.bareMs.toFixed(2)} ms  extract ${r.extractMs.toFixed(2)} ms  ratio ${r.ratio.toFixed(2)}`,
    );
  }
  console.log('quality gate vs extraction of the same page (goal: the gate costs <= 10% of extraction)');
  for (const g of measureGate()) {
    console.log(
      `  ${g.name.padEnd(42)} items ${String(g.items).padStart(4)}  extract ${g.extractMs.toFixed(2)} ms  gate ${g.gateMs.toFixed(3)} ms  gate/extract ${(g.share * 100).toFixed(1)}%`,
    );
  }
  const facts = measureCallFacts();
  console.log(
    `applicants + amount over 1,000 call pages: extraction ${facts.extractMs.toFixed(1)} ms, reading ${facts.factsMs.toFixed(1)} ms, reading/extraction ${(facts.share * 100).toFixed(1)}% (goal <= 20%; ${facts.items} pages with both read)`,
  );
  const charset = measureCharsetCheck();
  console.log(
    `charset: decode ${charset.bareMs.toFixed(3)} ms, decode + plausibility check ${charset.extractMs.toFixed(3)} ms, ratio ${charset.ratio.toFixed(2)} (1.0: the check costs nothing)`,
  );
  const linking = measureSeriesLinking();
  console.log(
    `series linking: ${linking.items} calls into ${linking.series} series, extract ${linking.extractMs.toFixed(1)} ms, link ${linking.linkMs.toFixed(1)} ms, link/extract ${(linking.share * 100).toFixed(1)}% (goal <= 100%)`,
  );
  const recrawl = await measureRecrawlWrites();
  console.log(
    `re-crawl of unchanged sample sources: first run ${recrawl.firstNew} new; second run ${recrawl.secondNew} new, ${recrawl.secondUpdated} updated, ${recrawl.itemWrites} item/state writes (goal 0)`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchExtract();
