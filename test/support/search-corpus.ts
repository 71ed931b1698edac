import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApplicantType } from '../../shared/domain/applicant.js';
import { itemIdFor, type Item, type ItemKind, type RegionBlock } from '../../shared/domain/item.js';
import type { SearchDoc } from '../../shared/search/search-index.js';
import { itemToRecord } from '../../shared/store/keys.js';
import { makeItem } from './factories.js';

export { corpusDocs, generateCorpus, seededRandom } from './search-synthetic-corpus.js';

/**
 * Search fixtures: a small hand-written corpus whose cases the contract suite checks (phrase
 * rule, width variants, every filter and facet, status at three times), and, re-exported from
 * search-synthetic-corpus.ts, a seeded generator of large realistic corpora for the benchmark.
 */

/** Three clock times of the contract's status checks: before, during and after most periods. */
export const contractTimes = {
  early: '2025-03-01T00:00:00+09:00',
  middle: '2025-05-15T12:00:00+09:00',
  late: '2025-09-01T00:00:00+09:00',
} as const;

/** A fixture document as written: a key for its URL and id, and the document's own fields, most optional. */
type FixtureSpec = { readonly key: string } & Pick<SearchDoc, 'kind' | 'title'> &
  Partial<Omit<SearchDoc, 'id' | 'url' | 'sources' | 'kind' | 'title'>>;

const specs: readonly FixtureSpec[] = [
  {
    key: 'sangakukan',
    kind: 'call',
    title: '産学官連携による地域イノベーション・エコシステム形成プログラム 公募',
    summary: '大学・企業・自治体の産学官連携で地域の研究開発拠点を形成する事業の公募です。',
    ministry: 'mext',
    prefectures: ['13'],
    regions: ['kanto'],
    fields: ['ライフサイエンス', 'ナノテク・材料'],
    publishedAt: '2025-04-01T10:00:00+09:00',
    opensAt: '2025-04-01T00:00:00+09:00',
    closesAt: '2025-05-30T17:00:00+09:00',
    applicants: ['university', 'sme', 'local-government'],
    amountCeiling: 50_000_000,
    forecast: {
      seriesId: 'series-sangakukan',
      opens: { from: '2026-04-01', to: '2026-04-30' },
      closes: { from: '2026-05-25', to: '2026-06-05' },
      text: '次回の公募は令和8年4月頃に開始の見込み（過去3回の公募時期による）',
    },
  },
  {
    key: 'apart',
    kind: 'news',
    title: '産学連携セミナーを開催しました',
    summary: '会場は大学官舎の集会所です。地域の企業も参加しました。',
    ministry: 'pref-26',
    prefectures: ['26'],
    regions: ['kinki'],
    fields: ['その他'],
    publishedAt: '2025-02-10T09:00:00+09:00',
  },
  {
    key: 'iot-fullwidth',
    kind: 'call',
    title: 'ＩｏＴ・ＡＩ導入支援補助金（令和７年度）',
    summary: '中小企業のＩｏＴ導入による生産性向上を支援します。',
    ministry: 'meti',
    prefectures: ['23'],
    regions: ['chubu'],
    fields: ['情報通信'],
    publishedAt: '2025-03-20T09:00:00+09:00',
    opensAt: '2025-04-15T00:00:00+09:00',
    closesAt: '2025-06-20T17:00:00+09:00',
    applicants: ['sme'],
    amountCeiling: 10_000_000,
  },
  {
    key: 'iot-ascii',
    kind: 'news',
    title: 'IoT center opens in Sendai',
    summary: 'A regional IoT and robotics center opens for small firms.',
    ministry: 'pref-04',
    prefectures: ['04'],
    regions: ['tohoku'],
    fields: ['情報通信', 'ものづくり技術'],
    publishedAt: '2025-01-15T09:00:00+09:00',
  },
  {
    key: 'biotech',
    kind: 'theme',
    title: 'Biotech startups and regional funding',
    summary: 'biotech clusters in Kobe (no i-o-t here).',
    ministry: 'jst',
    prefectures: ['28'],
    regions: ['kinki'],
    fields: ['ライフサイエンス'],
    publishedAt: '2024-12-01T09:00:00+09:00',
  },
  {
    key: 'kenkyu-1',
    kind: 'call',
    title: '戦略的創造研究推進事業 研究提案の募集',
    summary: '新しい科学技術を生み出す基礎研究を推進します。',
    bodyText: '応募にはe-Radへの事前登録が必要です。締切は令和7年5月30日(金)17時必着。',
    ministry: 'jst',
    prefectures: [],
    regions: [],
    fields: ['ライフサイエンス', '情報通信'],
    publishedAt: '2025-03-05T10:00:00+09:00',
    opensAt: '2025-03-10T00:00:00+09:00',
    closesAt: '2025-05-30T17:00:00+09:00',
    applicants: ['university', 'public-research'],
    amountCeiling: 30_000_000,
  },
  {
    key: 'kenkyu-2',
    kind: 'call',
    title: '地域の研究開発を支援する補助金',
    summary: '地域企業の研究開発と試作を補助します。',
    ministry: 'pref-01',
    prefectures: ['01'],
    regions: ['hokkaido'],
    fields: ['ものづくり技術'],
    publishedAt: '2025-04-10T10:00:00+09:00',
    opensAt: '2025-06-01T00:00:00+09:00',
    closesAt: '2025-07-31T17:00:00+09:00',
    applicants: ['sme', 'startup'],
    amountCeiling: 5_000_000,
  },
  {
    key: 'kenkyu-3',
    kind: 'theme',
    title: '海洋資源の持続的利用に関する研究',
    summary: '沖縄の海洋研究拠点で行う共同研究テーマ。',
    ministry: 'pref-47',
    prefectures: ['47'],
    regions: ['okinawa'],
    fields: ['環境', 'フロンティア'],
    publishedAt: '2024-11-20T10:00:00+09:00',
  },
  {
    key: 'chiiki-body',
    kind: 'news',
    title: '科学技術週間の一般公開のお知らせ',
    summary: '研究所の一般公開を行います。',
    bodyText: '当日は地域の小中学生向けに実験教室を開きます。研究者との対話の時間もあります。',
    ministry: 'pref-40',
    prefectures: ['40'],
    regions: ['kyushu'],
    fields: ['その他'],
    publishedAt: '2025-04-05T10:00:00+09:00',
  },
  {
    key: 'withdrawn',
    kind: 'call',
    title: '地域産業の研究開発補助金（募集終了・取り下げ）',
    summary: 'この公募は取り下げられました。',
    ministry: 'meti',
    prefectures: ['27'],
    regions: ['kinki'],
    fields: ['ものづくり技術'],
    publishedAt: '2025-03-01T10:00:00+09:00',
    opensAt: '2025-03-01T00:00:00+09:00',
    closesAt: '2025-04-30T17:00:00+09:00',
    withdrawn: true,
    applicants: ['large-company'],
    amountCeiling: 100_000_000,
    forecast: {
      seriesId: 'series-withdrawn',
      opens: { from: '2025-07-01', to: '2025-07-31' },
      text: '次回の公募は令和7年7月頃に開始の見込み（前年度の公募時期による）',
    },
  },
  {
    key: 'single-char',
    kind: 'news',
    title: '水と緑の都市づくり 技術の窓口',
    summary: '水資源の研究について。',
    ministry: 'pref-22',
    prefectures: ['22'],
    regions: ['chubu'],
    fields: ['環境'],
    publishedAt: '2025-02-01T10:00:00+09:00',
  },
  {
    key: 'escape',
    kind: 'news',
    title: 'R&D <script> 研究 "quoted" 報告',
    summary: '特殊文字 & を含む研究報告です。',
    ministry: 'mext',
    prefectures: ['13'],
    regions: ['kanto'],
    fields: ['その他'],
    publishedAt: '2025-01-05T10:00:00+09:00',
  },
  {
    key: 'halfwidth-kana',
    kind: 'call',
    title: 'ｽﾏｰﾄ農業 ｲﾉﾍﾞｰｼｮﾝ実証事業',
    summary: 'スマート農業の実証を支援します。',
    ministry: 'maff',
    prefectures: ['15', '17'],
    regions: ['chubu', 'hokuriku'],
    fields: ['農林水産'],
    publishedAt: '2025-03-25T10:00:00+09:00',
    opensAt: '2025-05-01T00:00:00+09:00',
    applicants: ['individual', 'consortium'],
  },
];

const fillerApplicants: readonly ApplicantType[] = ['sme', 'university', 'startup', 'sme', 'public-research'];
const fillerCeilings: readonly (number | undefined)[] = [10_000_000, undefined, 30_000_000, 10_000_000, 3_000_000];

/** Generated filler items so paging spans several pages and facets have spread. */
function fillerSpecs(): FixtureSpec[] {
  const topics = ['研究開発', '地域連携', '技術実証', '人材育成', '研究拠点'];
  const kindsCycle: ItemKind[] = ['call', 'news', 'theme'];
  const ministries = ['mext', 'meti', 'jst', 'maff', 'pref-13'];
  const prefs: Array<[string, RegionBlock]> = [
    ['13', 'kanto'],
    ['27', 'kinki'],
    ['01', 'hokkaido'],
    ['34', 'chugoku'],
    ['37', 'shikoku'],
    ['40', 'kyushu'],
  ];
  const out: FixtureSpec[] = [];
  for (let i = 0; i < 24; i++) {
    const kind = kindsCycle[i % 3] as ItemKind;
    const [pref, region] = prefs[i % prefs.length] as [string, RegionBlock];
    const day = String(1 + (i % 28)).padStart(2, '0');
    const month = String(1 + (i % 8)).padStart(2, '0');
    out.push({
      key: `filler-${i}`,
      kind,
      title: `${topics[i % topics.length]}推進事業 第${i + 1}回${kind === 'call' ? '公募' : 'のお知らせ'}`,
      summary: `${i % 2 === 0 ? '地域' : '全国'}の${topics[(i + 2) % topics.length]}に関する${kind === 'theme' ? 'テーマ' : '情報'}です。`,
      ministry: ministries[i % ministries.length],
      prefectures: [pref],
      regions: [region],
      fields: i % 4 === 0 ? ['環境', '情報通信'] : [i % 2 === 0 ? '環境' : 'ものづくり技術'],
      // Some share a publish time so ties are broken by id.
      publishedAt: i % 5 === 4 ? undefined : `2025-${month}-${day}T09:00:00+09:00`,
      opensAt: kind === 'call' ? `2025-${month}-01T00:00:00+09:00` : undefined,
      closesAt:
        kind === 'call' && i % 2 === 0 ? `2025-${String(2 + (i % 8)).padStart(2, '0')}-15T17:00:00+09:00` : undefined,
      // Calls share ceilings (ties go to the date keys, then the id); every fourth item names no applicant.
      applicants: i % 4 === 3 ? [] : [fillerApplicants[i % fillerApplicants.length] as ApplicantType],
      amountCeiling: kind === 'call' ? fillerCeilings[i % fillerCeilings.length] : undefined,
      // Closed calls of a series with a next round forecast (open ones too: those are not `expected`).
      forecast:
        kind === 'call' && i % 4 === 0
          ? {
              seriesId: `series-filler-${i}`,
              opens: { from: `2026-0${1 + (i % 9)}-01`, to: `2026-0${1 + (i % 9)}-20` },
              text: `次回の公募は令和8年${1 + (i % 9)}月頃に開始の見込み（前年度の公募時期による）`,
            }
          : undefined,
    });
  }
  return out;
}

function toDoc(spec: FixtureSpec): SearchDoc {
  const url = `https://fixtures.chiiki-portal.test/${spec.key}`;
  return {
    id: itemIdFor(url),
    kind: spec.kind,
    title: spec.title,
    summary: spec.summary,
    bodyText: spec.bodyText,
    url,
    publisher: spec.publisher ?? spec.ministry ?? 'fixture',
    ministry: spec.ministry,
    prefectures: spec.prefectures ?? [],
    regions: spec.regions ?? [],
    fields: spec.fields ?? [],
    publishedAt: spec.publishedAt,
    opensAt: spec.opensAt,
    closesAt: spec.closesAt,
    updatedAt: spec.updatedAt ?? spec.publishedAt ?? '2025-01-01T00:00:00+09:00',
    withdrawn: spec.withdrawn ?? false,
    sources: ['fixture'],
    applicants: spec.applicants ?? [],
    ...(spec.amountCeiling === undefined ? {} : { amountCeiling: spec.amountCeiling }),
    ...(spec.forecast === undefined ? {} : { forecast: spec.forecast }),
  };
}

/** The contract corpus: named cases plus fillers, 37 documents. */
export function searchFixtureCorpus(): SearchDoc[] {
  return [...specs, ...fillerSpecs()].map(toDoc);
}

/**
 * Two more calls the contract adds to `searchFixtureCorpus`: a closed one and an undated one, each the
 * newest round of a series whose next round is forecast, so both are `expected`.
 */
const forecastSpecs: readonly FixtureSpec[] = [
  {
    key: 'expected-closed',
    kind: 'call',
    title: '次世代蓄電池技術開発補助金（令和６年度）',
    summary: '蓄電池の量産技術の開発を補助します。',
    ministry: 'meti',
    prefectures: ['13'],
    regions: ['kanto'],
    fields: ['ナノテク・材料'],
    publishedAt: '2024-09-20T10:00:00+09:00',
    opensAt: '2024-10-01T00:00:00+09:00',
    closesAt: '2024-11-29T17:00:00+09:00',
    applicants: ['university', 'consortium'],
    amountCeiling: 30_000_000,
    forecast: {
      seriesId: 'series-battery',
      opens: { from: '2025-10-01', to: '2025-10-31' },
      closes: { from: '2025-11-20', to: '2025-12-05' },
      text: '次回の公募は令和7年10月頃に開始の見込み（過去3回の公募時期による）',
    },
  },
  {
    key: 'expected-undated',
    kind: 'call',
    title: '海外展開支援助成金のご案内',
    summary: '海外の見本市への出展費用を助成します。',
    ministry: 'pref-27',
    prefectures: ['27'],
    regions: ['kinki'],
    fields: ['その他'],
    publishedAt: '2025-02-15T10:00:00+09:00',
    applicants: ['nonprofit'],
    forecast: {
      seriesId: 'series-overseas',
      opens: { from: '2025-07-01', to: '2025-07-15' },
      text: '次回の公募は令和7年7月上旬に開始の見込み（前年度の公募時期による）',
    },
  },
];

/** The contract corpus with the forecast cases: 39 documents. */
export function forecastFixtureCorpus(): SearchDoc[] {
  return [...searchFixtureCorpus(), ...forecastSpecs.map(toDoc)];
}

/**
 * Words typed across scripts (ＤＸ推進, IoT化) in titles and bodies, full- and half-width, beside
 * texts that hold the same parts in another order or apart.
 */
export function mixedScriptCorpus(): SearchDoc[] {
  const doc = (key: string, title: string, bodyText?: string): FixtureSpec => ({ key, kind: 'call', title, bodyText });
  return [
    doc('mixed-title-full', '地域ＤＸ推進事業の公募'),
    doc('mixed-title-half', 'DX推進セミナー'),
    doc('mixed-body', '事業のご案内', '本事業では中小企業のDX推進を支援します。'),
    doc('mixed-spaced', 'DX 推進 会議'),
    doc('mixed-apart', 'DXの推進に向けて', '推進体制とDX人材'),
    doc('mixed-reversed', '推進DXフォーラム'),
    doc('mixed-iot', '製造現場のIoT化支援'),
    doc('mixed-iot-full', 'お知らせ', '製造現場のＩｏＴ化を進めます。'),
    doc('mixed-iot-apart', 'IoTを活用した化学研究'),
  ].map(toDoc);
}

/** Id of a named fixture document. */
export function fixtureId(key: string): SearchDoc['id'] {
  return itemIdFor(`https://fixtures.chiiki-portal.test/${key}`);
}

/**
 * Stored items whose search projection is `doc`, but for the forecast, which comes from a series (for seeding an ItemStore in reindex tests and
 * benchmarks): `makeItem` defaults with the doc's content, id and dates.
 */
export function itemFromSearchDoc(doc: SearchDoc): Item {
  const seenAt = doc.publishedAt ?? doc.updatedAt;
  const item = makeItem({
    kind: doc.kind,
    title: doc.title,
    summary: doc.summary,
    bodyText: doc.bodyText,
    url: doc.url,
    canonicalUrl: doc.url,
    publisher: doc.publisher,
    ministry: doc.ministry,
    prefectures: [...doc.prefectures],
    regions: [...doc.regions],
    fields: [...doc.fields],
    publishedAt: doc.publishedAt,
    opensAt: doc.opensAt,
    closesAt: doc.closesAt,
    budget: undefined,
    eligibility: undefined,
    requiresRegistration: undefined,
    provenance: doc.sources.map((sourceId) => ({ sourceId, url: doc.url, firstSeenAt: seenAt, lastSeenAt: seenAt })),
    createdAt: seenAt,
    updatedAt: doc.updatedAt,
    withdrawnAt: doc.withdrawn ? doc.updatedAt : undefined,
    applicants:
      doc.applicants.length === 0
        ? undefined
        : {
            types: [...doc.applicants],
            evidence: doc.applicants.map((type) => ({
              type,
              phrase: `応募資格: ${type}`,
              from: 'eligibility' as const,
            })),
          },
    amount:
      doc.amountCeiling === undefined
        ? undefined
        : {
            maxPerProjectYen: doc.amountCeiling,
            evidence: [
              { field: 'maxPerProjectYen' as const, phrase: `上限${doc.amountCeiling}円`, from: 'detail' as const },
            ],
          },
  });
  return item;
}

/**
 * Writes items straight into the table as the store lays them out (`itemToRecord`), 25 per
 * BatchWrite, several batches in flight: a fast way to fill a store with many items for reindex
 * tests and benchmarks (the store's own `upsert` does conditional writes one by one).
 */
export async function seedItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Item[],
): Promise<void> {
  const batches: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const write = async (batch: readonly Item[]): Promise<void> => {
    let requests = batch.map((item) => ({ PutRequest: { Item: itemToRecord(item, item.createdAt) } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`seeding left ${requests.length} unprocessed items`);
      const out = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []).flatMap((r) =>
        r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
      );
      if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
    }
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) await write(batches[next++] as Item[]);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}
