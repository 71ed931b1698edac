import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractPage, listingStartUrl } from '../../../../../functions/crawl/extract/extract-page.js';
import type { ExtractedItem } from '../../../../../functions/crawl/extract/extracted-item.js';
import {
  extractKaken,
  kakenAmount,
  kakenPeriod,
  kakenSearchUrl,
} from '../../../../../functions/crawl/extract/kaken.js';
import { toDraft } from '../../../../../functions/crawl/run/to-draft.js';
import { SourceSchema, type KakenSource, type SourceInput } from '../../../../../shared/domain/source.js';

function kaken(params: Record<string, unknown>, extra: Partial<SourceInput> = {}): KakenSource {
  const source = SourceSchema.parse({
    id: 'kaken-test',
    name: 'KAKEN',
    publisher: '国立情報学研究所 KAKEN',
    kind: 'json',
    adapter: 'kaken',
    url: 'https://kaken.nii.ac.jp/opensearch/',
    params,
    ...extra,
  });
  if (source.kind !== 'json' || source.adapter !== 'kaken') throw new Error('not a KAKEN source');
  return source;
}

const source = kaken({ keywords: ['地域'], pageSize: 20 });

/** One grantAward in the shape of the published KAKEN XML definition; parts can be left out. */
function award(o: {
  id?: string;
  title?: string;
  institution?: string;
  section?: string;
  field?: string;
  keywords?: string[];
  period?: string;
  amount?: string;
  created?: string;
  en?: boolean;
}): string {
  const keywords = (o.keywords ?? []).map((k, i) => `<keyword sequence="${i + 1}">${k}</keyword>`).join('');
  return `<grantAward id="${o.id ?? 'KAKENHI-PROJECT-26K09999'}" recordSet="kakenhi" awardNumber="${(o.id ?? '26K09999').replace('KAKENHI-PROJECT-', '')}">
  <created>${o.created ?? '2026-04-01T00:00:00Z'}</created>
  ${o.en ? '<summary xml:lang="en"><title>An English title</title></summary>' : ''}
  <summary xml:lang="ja">
    ${o.title === undefined ? '<title>地域の研究</title>' : o.title ? `<title>${o.title}</title>` : ''}
    <category>基盤研究(C)</category>
    ${o.section ? `<review_section sequence="1" niiCode="1" tableType="t">${o.section}</review_section>` : ''}
    ${o.field ? `<field sequence="1" fieldTable="saimoku">${o.field}</field>` : ''}
    ${o.institution ? `<institution sequence="1">${o.institution}</institution>` : ''}
    <member sequence="1" role="principal_investigator"><personalName sequence="1"><fullName>山口 太郎</fullName></personalName></member>
    ${keywords ? `<keywordList>${keywords}</keywordList>` : ''}
    ${o.period ?? ''}
    ${o.amount ?? ''}
  </summary>
</grantAward>`;
}

function page(awards: string[], head: { total?: number; start?: number; perPage?: number } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<grantAwards>
  <totalResults>${head.total ?? awards.length}</totalResults>
  <startIndex>${head.start ?? 1}</startIndex>
  <itemsPerPage>${head.perPage ?? 20}</itemsPerPage>
  ${awards.join('\n')}
</grantAwards>`;
}

function cutAfterFirstAward(body: string): string {
  return body.slice(0, body.indexOf('</grantAward>') + '</grantAward>'.length);
}

const samplePage = (name: string) =>
  readFileSync(
    new URL(`../../../../../infra/local/sample-sites/kaken-api/opensearch/${name}`, import.meta.url),
    'utf8',
  );

describe('kakenSearchUrl', () => {
  it('builds the OpenSearch query from the definition, without an application id', () => {
    const url = new URL(
      kakenSearchUrl(
        kaken({
          keywords: ['半導体', '量子 計算'],
          institutions: ['東北大学', '九州大学'],
          researchFields: ['知能情報学'],
          fromFiscalYear: 2023,
          toFiscalYear: 2026,
          pageSize: 200,
        }),
        201,
      ),
    );

    expect(url.origin + url.pathname).toBe('https://kaken.nii.ac.jp/opensearch/');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      kw: '半導体 OR "量子 計算"',
      qe: '東北大学 OR 九州大学',
      qd: '知能情報学',
      s1: '2023',
      s2: '2026',
      rw: '200',
      st: '201',
      format: 'xml',
      lang: 'ja',
    });
    expect(url.searchParams.has('appid')).toBe(false);
  });

  it('starts the listing at the first result', () => {
    expect(listingStartUrl(source)).toBe(kakenSearchUrl(source, 1));
    expect(new URL(listingStartUrl(source)).searchParams.get('st')).toBe('1');
  });
});

describe('KAKEN source definitions', () => {
  it('default to themes, 100 results a page and the KAKEN project page', () => {
    const s = kaken({ institutions: ['東北大学'] });

    expect(s.defaultKind).toBe('theme');
    expect(s.params).toMatchObject({ pageSize: 100, lang: 'ja', itemUrl: 'https://kaken.nii.ac.jp/grant/{id}/' });
  });

  it.each([
    [{}, /at least one of keywords, institutions and researchFields/],
    [{ keywords: ['x'], pageSize: 30 }, /expected a KAKEN page size: 20, 50, 100, 200, 500/],
    [{ keywords: ['x'], fromFiscalYear: 2026, toFiscalYear: 2024 }, /2026-2024 run backwards/],
    [{ keywords: ['x'], appid: 'abc' }, /appid/],
  ])('rejects %j', (params, message) => {
    expect(() => kaken(params)).toThrow(message);
  });

  it('keeps jGrants definitions apart from KAKEN ones', () => {
    expect(() =>
      SourceSchema.parse({
        id: 'j',
        name: 'j',
        publisher: 'j',
        kind: 'json',
        adapter: 'jgrants',
        url: 'https://api.jgrants-portal.go.jp/exp/v1/public',
        params: { institutions: ['東北大学'] },
      }),
    ).toThrow(/keywords/);
  });
});

describe('extractKaken', () => {
  it('reads every project of the sample page as a theme and links to the next page', () => {
    const result = extractKaken(source, samplePage('index.xml'));

    expect(result.items).toHaveLength(20);
    expect(result.items.every((i) => i.kindHint === 'theme')).toBe(true);
    expect(result.dropped).toBeUndefined();
    expect(new URL(result.nextPageUrl ?? '').searchParams.get('st')).toBe('21');
    expect(result.items[0]).toMatchObject({
      title: '東北地方沿岸域における津波減災のための地域防災情報基盤の構築',
      url: 'https://kaken.nii.ac.jp/grant/KAKENHI-PROJECT-24K00101/',
      publishedAt: '2024-04-10T10:00:00+09:00',
      opensAt: '2024-04-01T00:00:00+09:00',
      closesAt: '2028-03-31T23:59:59+09:00',
      budgetYen: 17_160_000,
      areaText: '宮城県',
      externalId: '24K00101',
    });
    expect(result.items[0]?.bodyText).toContain('キーワード: 津波、減災、地域防災、避難');
    expect(result.items[0]?.bodyText).toContain('審査区分: 小区分22040:水工学関連');
  });

  it('stops on the last page', () => {
    const result = extractKaken(source, samplePage('index.page-21.xml'));

    expect(result.items).toHaveLength(4);
    expect(result.nextPageUrl).toBeUndefined();
  });

  it('is what extractPage runs for a KAKEN source', () => {
    expect(extractPage(source, samplePage('index.xml'), 'https://kaken.nii.ac.jp/opensearch/').items).toHaveLength(20);
  });

  it('pages by the start index and page size the response reports, up to KAKEN’s 200,000 results', () => {
    const one = [award({})];
    const next = (head: { total: number; start: number; perPage: number }) => {
      const url = extractKaken(source, page(one, head)).nextPageUrl;
      return url ? new URL(url).searchParams.get('st') : undefined;
    };

    expect(next({ total: 450, start: 201, perPage: 200 })).toBe('401');
    expect(next({ total: 400, start: 201, perPage: 200 })).toBeUndefined();
    expect(next({ total: 900_000, start: 199_801, perPage: 200 })).toBeUndefined();
  });

  it('takes the Japanese summary when the English one comes first', () => {
    const [item] = extractKaken(source, page([award({ en: true, title: '地域資源の研究' })])).items;

    expect(item?.title).toBe('地域資源の研究');
  });

  it('drops a project without a title or without a usable id, and says why', () => {
    const result = extractKaken(source, page([award({ title: '' }), award({ id: 'bad id/..' }), award({})]));

    expect(result.items).toHaveLength(1);
    expect(result.dropped?.map((d) => d.reason)).toEqual(['no-title', 'no-link']);
  });

  it('puts the institution’s prefecture in the area and leaves researcher names out of the text', () => {
    const [item] = extractKaken(source, page([award({ institution: '筑波大学' })])).items;

    expect(item?.areaText).toBe('茨城県');
    expect(item?.bodyText).toContain('研究機関: 筑波大学');
    expect(`${item?.summary} ${item?.bodyText}`).not.toContain('山口');
  });

  it('names our fields for the review section, so search and field detection find them', () => {
    const [item] = extractKaken(source, page([award({ section: '小区分61030:知能情報学関連' })])).items;
    const draft = toDraft(item as ExtractedItem, { source, seenAt: '2026-12-01T00:00:00Z', refDate: '2026-12-01' });

    expect(item?.bodyText).toContain('分野: 情報通信');
    expect(draft.ok && draft.draft.fields).toEqual(['ict']);
    expect(draft.ok && draft.draft.kind).toBe('theme');
  });

  it.each([
    ['not XML at all', 'HTTP 500 Internal Server Error', /KAKEN response has no totalResults|not XML/],
    ['an HTML error page', '<html><body>appid is invalid</body></html>', /no totalResults \(root element "html"\)/],
    ['a body cut after its first project', cutAfterFirstAward(page([award({}), award({})])), /truncated/],
  ])('refuses %s', (_what, body, message) => {
    expect(() => extractKaken(source, body)).toThrow(message);
  });

  it('answers an empty search with no items and no next page', () => {
    expect(extractKaken(source, page([], { total: 0 }))).toEqual({ items: [] });
  });
});

describe('kakenPeriod', () => {
  it('reads fiscal years as 1 April to 31 March when no dates are given', () => {
    const [item] = extractKaken(
      source,
      page([
        award({
          period:
            '<periodOfAward><startFiscalYear>2025</startFiscalYear><endFiscalYear>2027</endFiscalYear></periodOfAward>',
        }),
      ]),
    ).items;

    expect(item).toMatchObject({ opensAt: '2025-04-01T00:00:00+09:00', closesAt: '2028-03-31T23:59:59+09:00' });
    expect(item?.bodyText).toContain('研究期間: 2025年度 - 2027年度');
  });

  it('leaves out an end KAKEN does not disclose', () => {
    expect(
      kakenPeriod({
        startDate: '2024-10-01',
        endDate: { '#text': '2027-03-31', '@_nondisclosure': 'true' },
        startFiscalYear: '2024',
      }),
    ).toEqual({ opensAt: '2024-10-01T00:00:00+09:00', text: '2024年度 -' });
  });

  it('has nothing to say without a period', () => {
    expect(kakenPeriod(undefined)).toEqual({});
  });
});

describe('kakenAmount', () => {
  it('prints the total with its direct and indirect parts', () => {
    expect(
      kakenAmount([
        { directCost: '1000000', indirectCost: '300000', totalCost: '1300000', unit: { normalizedValue: 'JPY' } },
      ]),
    ).toEqual({ budgetText: '配分額 1,300,000円 (直接経費 1,000,000円、間接経費 300,000円)', budgetYen: 1_300_000 });
  });

  it('ignores amounts in another currency or without a total', () => {
    expect(kakenAmount([{ totalCost: '5000', unit: { normalizedValue: 'USD' } }])).toEqual({});
    expect(kakenAmount([{ directCost: '5000' }])).toEqual({});
    expect(kakenAmount(undefined)).toEqual({});
  });
});
