import { describe, expect, it } from 'vitest';
import { factsFromText } from '../../../../../functions/crawl/extract/detail.js';
import { parseRegistry } from '../../../../../shared/sources/registry.js';
import { passesKeywords, toDraft } from '../../../../../functions/crawl/run/to-draft.js';
import type { Source } from '../../../../../shared/domain/source.js';

const [news, prefCalls] = parseRegistry(
  `
registry: t
sources:
  - id: mlit-press
    name: MLIT
    publisher: 国土交通省
    ministry: mlit
    kind: feed
    url: https://www.mlit.go.jp/pressrelease.rdf
    canonicalHttps: true
    keywords: { exclude: [人事異動] }
  - id: pref-20-hojo
    name: 長野県
    publisher: 長野県
    ministry: pref-20
    kind: html-list
    url: http://pref.example/hojo/index.html
    defaultKind: call
    prefectures: ['20']
    list: { item: tr }
`,
  't',
).sources as [Source, Source];
const ctx = (source: Source) => ({ source, seenAt: '2026-11-28T00:00:00.000Z', refDate: '2026-11-28' });

describe('toDraft', () => {
  it('makes a call of a 公募 on a news feed, keeps the printed http link and canonicalises to https', () => {
    const outcome = toDraft(
      {
        title: '次世代船舶の研究開発に係る委託先の募集',
        url: 'http://www.mlit.go.jp/report/press/a.html#top',
        publishedAt: '2026-11-18T05:00:00+09:00',
      },
      ctx(news),
    );

    expect(outcome).toMatchObject({
      ok: true,
      draft: {
        kind: 'call',
        url: 'http://www.mlit.go.jp/report/press/a.html#top',
        canonicalUrl: 'https://www.mlit.go.jp/report/press/a.html',
        publisher: '国土交通省',
        ministry: 'mlit',
        sourceId: 'mlit-press',
        seenAt: '2026-11-28T00:00:00.000Z',
      },
    });
  });

  it('reads 和暦 list dates, the application period, the source prefecture and detected ones', () => {
    const outcome = toDraft(
      {
        title: '信州・新潟県境地域 産学官連携クラスター推進事業 委託先の募集',
        url: 'http://pref.example/hojo/1.html',
        dateText: '令和8年11月16日',
        periodText: '令和8年11月16日（月）～令和9年1月8日（金）17時',
      },
      ctx(prefCalls),
    );

    expect(outcome.ok && outcome.draft).toMatchObject({
      kind: 'call',
      publishedAt: '2026-11-16T00:00:00+09:00',
      opensAt: '2026-11-16T00:00:00+09:00',
      closesAt: '2027-01-08T17:00:00+09:00',
      prefectures: ['15', '20'],
      regions: ['chubu', 'hokuriku'],
    });
  });

  it('takes the deadline, budget and e-Rad requirement from the detail page', () => {
    const detail = factsFromText(
      '公募期間\n令和8年11月2日（月）～令和8年12月18日（金）17時必着\n予算額\n5,521百万円\n応募は e-Rad で受け付けます',
    );

    const outcome = toDraft(
      { title: '知的クラスター創成事業（第II期）の公募について', url: 'https://www.mlit.go.jp/k.html' },
      { ...ctx(news), detail },
    );

    expect(outcome.ok && outcome.draft).toMatchObject({
      opensAt: '2026-11-02T00:00:00+09:00',
      closesAt: '2026-12-18T17:00:00+09:00',
      budget: { text: '5,521百万円', amountYen: 5_521_000_000 },
      requiresRegistration: 'e-rad',
    });
  });

  it('prefers the detail page deadline, with its time, to the end of the listed period', () => {
    const detail = factsFromText(
      '公募期間\n令和8年11月10日（火）～令和8年12月25日（金）正午（e-Rad受付締切）\n予算規模\n1地域あたり年間1億円程度',
    );

    const outcome = toDraft(
      {
        title: '都市エリア産学官連携促進事業',
        url: 'http://pref.example/k.html',
        periodText: '令和8年11月10日～令和8年12月25日',
      },
      { ...ctx(prefCalls), detail },
    );

    expect(outcome.ok && outcome.draft).toMatchObject({
      opensAt: '2026-11-10T00:00:00+09:00',
      closesAt: '2026-12-25T12:00:00+09:00',
      budget: { text: '1億円程度', amountYen: 100_000_000 },
    });
  });

  it('reports an entry that fails the Item schema with the field, instead of storing it', () => {
    const outcome = toDraft({ title: 'x'.repeat(1001), url: 'https://www.mlit.go.jp/x.html' }, ctx(news));

    expect(outcome).toEqual({
      ok: false,
      url: 'https://www.mlit.go.jp/x.html',
      reason: expect.stringMatching(/^title: /) as string,
    });
  });
});

describe('passesKeywords', () => {
  it('drops titles with an excluded word, width-folded', () => {
    expect(passesKeywords(news, '人事異動（１１月１日付）')).toBe(false);
    expect(passesKeywords(news, '委託先の募集')).toBe(true);
  });
});

describe('toDraft on control characters', () => {
  it('drops controls from a source field before its phrase becomes evidence', () => {
    const outcome = toDraft(
      {
        title: '補助金の公募',
        url: 'https://www.mlit.go.jp/report/press/c.html',
        kindHint: 'call',
        metadata: [{ label: '従業員数', value: '300名\u0007以下' }],
      },
      ctx(news),
    );

    expect(outcome).toMatchObject({
      ok: true,
      draft: {
        applicants: { types: ['sme'], evidence: [{ type: 'sme', phrase: '従業員数 300名以下', from: 'metadata' }] },
      },
    });
  });

  it('drops C0, DEL and C1 controls from every text field and keeps display characters as printed', () => {
    const outcome = toDraft(
      {
        title: ' \u001b「第２回\u3000気候変動\u007f」～令和８年度～\u0085 ',
        url: 'https://www.mlit.go.jp/report/press/a.html',
        summary: '概要\u0000です\u0080',
        eligibility: '中小企業\u001f',
        bodyText: '本文\u0008',
        budgetText: '1億円\u009b',
      },
      ctx(news),
    );

    expect(outcome).toMatchObject({
      ok: true,
      draft: {
        title: '「第２回\u3000気候変動」～令和８年度～',
        summary: '概要です',
        eligibility: '中小企業',
        bodyText: '本文',
        budget: { text: '1億円' },
      },
    });
  });
});

describe('toDraft on a feed date the feed extractor could not read', () => {
  it('reads the printed dateText with the Japanese date parser', () => {
    const outcome = toDraft(
      { title: '公募のお知らせ', url: 'https://www.mlit.go.jp/report/press/b.html', dateText: '2026年8月19日' },
      ctx(news),
    );

    expect(outcome).toMatchObject({ ok: true, draft: { publishedAt: '2026-08-19T00:00:00+09:00' } });
  });
});
