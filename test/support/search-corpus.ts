import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApplicantType } from '../../shared/domain/applicant.js';
import { itemIdFor, type Item, type ItemKind, type RegionBlock } from '../../shared/domain/item.js';
import type { SearchDoc } from '../../shared/search/search-index.js';
import { itemToRecord } from '../../shared/store/keys.js';
import { makeItem } from './factories.js';

/**
 * Search fixtures: a small hand-written corpus whose cases the contract suite checks (phrase
 * rule, width variants, every filter and facet, status at three times), and a seeded generator of
 * large realistic corpora for the benchmark.
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

// ---------------------------------------------------------------------------------------------
// Synthetic corpus for benchmarks.

const prefectureNames = [
  '北海道',
  '青森県',
  '岩手県',
  '宮城県',
  '秋田県',
  '山形県',
  '福島県',
  '茨城県',
  '栃木県',
  '群馬県',
  '埼玉県',
  '千葉県',
  '東京都',
  '神奈川県',
  '新潟県',
  '富山県',
  '石川県',
  '福井県',
  '山梨県',
  '長野県',
  '岐阜県',
  '静岡県',
  '愛知県',
  '三重県',
  '滋賀県',
  '京都府',
  '大阪府',
  '兵庫県',
  '奈良県',
  '和歌山県',
  '鳥取県',
  '島根県',
  '岡山県',
  '広島県',
  '山口県',
  '徳島県',
  '香川県',
  '愛媛県',
  '高知県',
  '福岡県',
  '佐賀県',
  '長崎県',
  '熊本県',
  '大分県',
  '宮崎県',
  '鹿児島県',
  '沖縄県',
];
const regionOfPref: readonly RegionBlock[] = [
  'hokkaido',
  'tohoku',
  'tohoku',
  'tohoku',
  'tohoku',
  'tohoku',
  'tohoku',
  'kanto',
  'kanto',
  'kanto',
  'kanto',
  'kanto',
  'kanto',
  'kanto',
  'hokuriku',
  'hokuriku',
  'hokuriku',
  'hokuriku',
  'kanto',
  'chubu',
  'chubu',
  'chubu',
  'chubu',
  'chubu',
  'kinki',
  'kinki',
  'kinki',
  'kinki',
  'kinki',
  'kinki',
  'chugoku',
  'chugoku',
  'chugoku',
  'chugoku',
  'chugoku',
  'shikoku',
  'shikoku',
  'shikoku',
  'shikoku',
  'kyushu',
  'kyushu',
  'kyushu',
  'kyushu',
  'kyushu',
  'kyushu',
  'kyushu',
  'okinawa',
];
const ministryCodes = ['mext', 'meti', 'jst', 'nedo', 'maff', 'mhlw', 'env', 'mic', 'amed', 'jsps', 'cao', 'mlit'];
const fieldNames = [
  'ライフサイエンス',
  '情報通信',
  '環境',
  'ナノテク・材料',
  'エネルギー',
  'ものづくり技術',
  '社会基盤',
  'フロンティア',
  '農林水産',
  '防災',
  '人文・社会',
  'その他',
];
const subjects = [
  '半導体',
  '蓄電池',
  '水素',
  'バイオ',
  '量子技術',
  'ＡＩ',
  'IoT',
  'ロボット',
  '医療機器',
  '再生医療',
  '防災',
  '海洋',
  '宇宙',
  '農業',
  '林業',
  '水産',
  '観光',
  'スマートシティ',
  '脱炭素',
  'カーボンニュートラル',
  'デジタル',
  '材料',
  'ものづくり',
  '食品',
  '創薬',
  'ゲノム',
  '光技術',
  'センサ',
  'ドローン',
  '自動運転',
];
const programs = [
  '研究開発',
  '実証事業',
  '産学官連携',
  '地域イノベーション',
  '技術開発',
  '人材育成',
  '事業化支援',
  '共同研究',
  '拠点形成',
  'スタートアップ支援',
  '社会実装',
  '国際共同研究',
];
const callSuffixes = ['公募', '補助金', '助成金', '委託事業の公募', '募集のお知らせ', '支援事業（二次公募）'];
const newsSuffixes = ['を開催しました', 'の成果を公表', 'に関するお知らせ', 'が採択されました', 'のシンポジウム'];
const themeSuffixes = ['に関する研究', 'の高度化', 'の基盤研究', 'の応用研究'];
const sentences = [
  '地域の大学と企業が連携して研究開発を進めます。',
  '採択された事業には最大で1,000万円を補助します。',
  '応募には e-Rad への事前登録が必要です。',
  '中小企業の技術開発と事業化を支援します。',
  '研究成果の社会実装を目指し、実証試験を行います。',
  '若手研究者の人材育成に取り組みます。',
  '自治体と連携した地域課題の解決を図ります。',
  '説明会はオンラインで開催します。',
  '締切は必着とし、郵送の場合は消印無効です。',
  '産業技術総合研究所との共同研究も対象です。',
];

/** Small deterministic PRNG (mulberry32) so corpora are identical across runs and engines. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of `generateCorpus`. */
export interface CorpusOptions {
  /**
   * `short` (default): a title and a two-to-four-sentence summary, no body. `realistic`: lengths of
   * real ministry call pages: a title of about 40 characters, a summary of about 150 and a body of
   * 1,500-4,000 characters drawn from a wider vocabulary (Latin words, words typed across scripts
   * such as ＤＸ推進 and IoT化, and their near misses such as DXの推進).
   */
  readonly lengths?: 'short' | 'realistic';
}

/**
 * `n` synthetic calls, news items and themes with realistic Japanese titles (公募, 補助金, 研究開発,
 * 地域, 産学官, prefecture names), ministries, prefectures, fields and dates spread over 2023–2026.
 */
export function generateCorpus(n: number, seed = 42, options: CorpusOptions = {}): SearchDoc[] {
  return [...corpusDocs(n, seed, options)];
}

/** The documents of `generateCorpus`, one at a time (a large realistic corpus need not sit in memory). */
export function* corpusDocs(n: number, seed = 42, options: CorpusOptions = {}): Generator<SearchDoc> {
  const rnd = seededRandom(seed);
  // Applicants, ceilings and forecasts draw from their own generator, so the rest stays as it was.
  const facts = callFacts(seed);
  // The realistic text draws from its own generator so the short corpus stays as it was.
  const text = options.lengths === 'realistic' ? realisticText(seed) : undefined;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const base = Date.parse('2023-01-01T00:00:00+09:00');
  const span = Date.parse('2026-06-30T00:00:00+09:00') - base;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const kind: ItemKind = r < 0.5 ? 'call' : r < 0.8 ? 'news' : 'theme';
    const p = Math.floor(rnd() * 47);
    const prefName = prefectureNames[p] as string;
    const local = rnd() < 0.45;
    const subject = pick(subjects);
    const program = pick(programs);
    const year = 5 + Math.floor(rnd() * 3);
    const suffix = kind === 'call' ? pick(callSuffixes) : kind === 'news' ? pick(newsSuffixes) : pick(themeSuffixes);
    text?.next();
    const aim = text?.aim() ?? '';
    const title =
      (kind === 'call'
        ? `${local ? prefName : ''}令和${year}年度 ${aim}${subject}${program}${suffix}`
        : `${local ? `${prefName}の` : ''}${aim}${subject}${program}${suffix}`) + (text?.subtitle() ?? '');
    const sentenceCount = 2 + Math.floor(rnd() * 3);
    let summary = `${subject}分野の${program}について。`;
    for (let s = 0; s < sentenceCount; s++) summary += pick(sentences);
    if (text) summary = text.extend(summary, 130 + text.below(50));
    const published = base + Math.floor(rnd() * span);
    const opens = kind === 'call' && rnd() < 0.8 ? published + Math.floor(rnd() * 20) * 86_400_000 : undefined;
    const closes =
      kind === 'call' && rnd() < 0.9 ? (opens ?? published) + (14 + Math.floor(rnd() * 60)) * 86_400_000 : undefined;
    const fieldCount = 1 + Math.floor(rnd() * 2);
    const fields = new Set<string>();
    for (let f = 0; f < fieldCount; f++) fields.add(pick(fieldNames));
    const url = `https://synthetic.chiiki-portal.test/${seed}/${i}`;
    const ministry = local ? `pref-${String(p + 1).padStart(2, '0')}` : pick(ministryCodes);
    yield {
      id: itemIdFor(url),
      kind,
      title,
      summary,
      bodyText: text?.body(subject, program, local ? prefName : '国内'),
      url,
      publisher: local ? prefName : ministry,
      ministry,
      prefectures: local ? [String(p + 1).padStart(2, '0')] : [],
      regions: local ? [regionOfPref[p] as RegionBlock] : [],
      fields: [...fields],
      publishedAt: new Date(published).toISOString(),
      opensAt: opens === undefined ? undefined : new Date(opens).toISOString(),
      closesAt: closes === undefined ? undefined : new Date(closes).toISOString(),
      updatedAt: new Date(published + Math.floor(rnd() * 10) * 86_400_000).toISOString(),
      withdrawn: rnd() < 0.01,
      sources: [local ? `pref-${p + 1}` : ministry],
      ...facts(kind, i, closes ?? published),
    };
  }
}

/** Applicant types a call names together, weighted by how often ministry and prefecture calls name them. */
const applicantSets: readonly (readonly ApplicantType[])[] = [
  ['sme'],
  ['sme'],
  ['sme', 'startup'],
  ['university'],
  ['university', 'public-research'],
  ['university', 'sme'],
  ['university', 'public-research', 'sme', 'large-company'],
  ['local-government'],
  ['nonprofit', 'individual'],
  ['university', 'consortium'],
  ['startup'],
];
/** 上限額 of calls: the round sums ministries print, from 100万円 to 5億円. */
const ceilings = [1e6, 2e6, 3e6, 5e6, 5e6, 1e7, 1e7, 2e7, 3e7, 5e7, 1e8, 3e8, 5e8];
const dayMs = 86_400_000;

/** A Tokyo day (`YYYY-MM-DD`) of an instant. */
function tokyoDay(ms: number): string {
  return new Date(ms + 9 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * Who may apply, the ceiling and the next round's forecast of generated calls: about 70 % name
 * applicants, 60 % a ceiling, and 1 in 8 is the newest round of a series whose next round is
 * expected about a year after this one closed (news and themes have none of them).
 */
function callFacts(
  seed: number,
): (kind: ItemKind, i: number, lastDayMs: number) => Partial<SearchDoc> & Pick<SearchDoc, 'applicants'> {
  const rnd = seededRandom(seed ^ 0x5eed5eed);
  return (kind, i, lastDayMs) => {
    const r = [rnd(), rnd(), rnd(), rnd(), rnd()] as const;
    if (kind !== 'call') return { applicants: [] };
    const applicants = r[0] < 0.7 ? [...(applicantSets[Math.floor(r[1] * applicantSets.length)] ?? [])] : [];
    const amountCeiling = r[2] < 0.6 ? ceilings[Math.floor(r[3] * ceilings.length)] : undefined;
    if (r[4] >= 0.125) return { applicants, ...(amountCeiling === undefined ? {} : { amountCeiling }) };
    const opens = lastDayMs + (300 + Math.floor(r[4] * 8 * 120)) * dayMs;
    const month = Number(tokyoDay(opens).slice(5, 7));
    return {
      applicants,
      ...(amountCeiling === undefined ? {} : { amountCeiling }),
      forecast: {
        seriesId: `series-${seed}-${i}`,
        opens: { from: tokyoDay(opens), to: tokyoDay(opens + 30 * dayMs) },
        closes: { from: tokyoDay(opens + 45 * dayMs), to: tokyoDay(opens + 75 * dayMs) },
        text: `次回の公募は${month}月頃に開始の見込み（過去の公募時期による）`,
      },
    };
  };
}

// Vocabulary of realistic bodies: common words first (picked with a skew towards the start of
// each list, so a few words are in most documents and many in few).
const techWords = [
  '研究開発',
  '事業',
  '技術',
  '地域',
  '支援',
  '企業',
  '大学',
  '成果',
  '実証',
  '連携',
  '課題',
  '社会実装',
  '人材育成',
  '産学官連携',
  '研究機関',
  '中小企業',
  '自治体',
  '知的財産',
  '事業化',
  '技術移転',
  '共同研究',
  'データ',
  'プラットフォーム',
  'スマートシティ',
  '脱炭素',
  '省エネルギー',
  '再生可能エネルギー',
  '水素',
  '燃料電池',
  '蓄電池',
  '半導体',
  '量子コンピュータ',
  '人工知能',
  '機械学習',
  '画像解析',
  '医薬品',
  '医療機器',
  '再生医療',
  'ゲノム解析',
  '感染症',
  '創薬',
  '農作物',
  '森林資源',
  '水産資源',
  '海洋観測',
  '宇宙利用',
  '衛星データ',
  '防災',
  '減災',
  '地震',
  '津波',
  '豪雨',
  '土砂災害',
  'インフラ',
  '老朽化',
  '点検',
  '自動運転',
  'ドローン',
  'ロボット',
  '製造業',
  '鉄鋼',
  '化学',
  '素材',
  '繊維',
  '光学',
  '熱利用',
  '地熱',
  '薬学',
  '獣医学',
  '酪農',
  '伝統工芸',
  '観光資源',
  '文化財',
  '教育',
  '高齢者',
  '福祉',
  '介護',
  '子育て',
  '過疎地域',
  '離島',
  '中山間地域',
  'サプライチェーン',
  'カーボンニュートラル',
  'バイオマス',
  'マイクロプラスチック',
  'ナノ材料',
  'セルロースナノファイバー',
  'テラヘルツ',
  'ペロブスカイト',
];
/** Second halves of compound words (研究開発 + 評価): with `techWords`, several thousand words. */
const morphemes = [
  '評価',
  '計測',
  '解析',
  '制御',
  '設計',
  '製造',
  '加工',
  '診断',
  '予測',
  '観測',
  '管理',
  '分析',
  '試験',
  '検査',
  '合成',
  '触媒',
  '発電',
  '冷却',
  '洗浄',
  '塗装',
  '溶接',
  '育種',
  '栽培',
  '養殖',
  '保存',
  '輸送',
  '物流',
  '暗号',
  '認証',
  '音声',
  '翻訳',
  '看護',
  '発酵',
  '醸造',
  '木材',
  '建築',
  '河川',
  '港湾',
  '標準化',
  '規制',
];
const latinWords = ['AI', 'IoT', 'DX', 'GX', 'ICT', 'SDGs', 'e-Rad', '5G', 'Society', 'API', 'EBPM', 'NEDO', 'JST'];
/** Words typed across scripts, and near misses that hold both parts apart or in the other order. */
const mixedWords = [
  'ＤＸ推進',
  'DX推進',
  'IoT化',
  'AI活用',
  'GX戦略',
  '5G基地局',
  'ICT活用',
  'DXの推進',
  '推進DX',
  'IoTを活用した化学',
  'AIの活用',
  'GXに向けた戦略',
];
const organisations = [
  '産業技術総合研究所',
  '理化学研究所',
  '物質・材料研究機構',
  '情報通信研究機構',
  '農業・食品産業技術総合研究機構',
  '海洋研究開発機構',
  '宇宙航空研究開発機構',
  '公設試験研究機関',
  '商工会議所',
  '地方独立行政法人',
];
const verbs = [
  '推進します',
  '支援します',
  '目指します',
  '実施します',
  '行います',
  '強化します',
  '図ります',
  '促進します',
];
const aims = ['地域の', '次世代', '新たな', '持続可能な', '革新的な', ''];

/** Realistic titles, summaries and bodies from their own seeded generator. */
function realisticText(seed: number) {
  const rnd = seededRandom(seed ^ 0x5eed);
  // rnd()² favours the start of a list: a skewed, Zipf-like word frequency.
  const word = (list: readonly string[]): string => list[Math.floor(rnd() * rnd() * list.length)] as string;
  const any = (list: readonly string[]): string => list[Math.floor(rnd() * list.length)] as string;
  const below = (n: number): number => Math.floor(rnd() * n);
  // Each body dwells on its own few topic words (a common word or a compound of one), so a word's
  // document frequency ranges from most documents to a few in ten thousand.
  const topic: string[] = [];
  const topicOrgs: string[] = [];
  const topicLatin: string[] = [];
  const topicMixed: string[] = [];
  const newTopic = (): void => {
    topic.length = 0;
    topicOrgs.splice(0, 2, any(organisations), any(organisations));
    topicLatin.splice(0, 2, word(latinWords), word(latinWords));
    topicMixed.splice(0, 1, rnd() < 0.3 ? any(mixedWords) : word(techWords));
    for (let k = 0; k < 14; k++) topic.push(rnd() < 0.4 ? word(techWords) : `${word(techWords)}${any(morphemes)}`);
  };
  const sentence = (subject: string, program: string, place: string): string => {
    const a = any(topic);
    const b = any(topic);
    switch (below(12)) {
      case 0:
        return `${place}における${a}と${b}の${program}を${any(verbs)}。`;
      case 1:
        return `本事業では、${subject}に関する${a}の${b}を${any(verbs)}。`;
      case 2:
        return `${any(topicOrgs)}と連携し、${a}の高度化と${b}の普及を${any(verbs)}。`;
      case 3:
        return `補助対象経費は${a}に係る設備費、人件費、委託費等で、補助率は${1 + below(2)}/${2 + below(2)}以内です。`;
      case 4:
        return `${any(topicLatin)}や${any(topicLatin)}を用いた${a}により、${b}の課題解決を${any(verbs)}。`;
      case 5:
        return `${any(topicMixed)}に関する取組として、${a}と${b}を${any(verbs)}。`;
      case 6:
        return `申請期限は令和${5 + below(3)}年${1 + below(12)}月${1 + below(28)}日（必着）です。e-Radによる申請が必要です。`;
      case 7:
        return `採択予定件数は${1 + below(20)}件程度、1件あたり${100 + below(50) * 100}万円を上限とします。`;
      case 8:
        return `${place}の${a}分野では、${b}に取り組む${any(topic)}の事例が増えています。`;
      case 9:
        return `問い合わせ先：${any(topicOrgs)} ${a}推進課（電話 0${below(10)}-${1000 + below(9000)}-${1000 + below(9000)}）`;
      case 10:
        return `${subject}の${a}に向けて、${b}と${any(topic)}の両面から${program}を${any(verbs)}。`;
      default:
        return `${a}、${b}、${any(topic)}及び${any(topic)}の${any(['調査', '分析', '評価', '検証'])}を${any(verbs)}。`;
    }
  };
  return {
    below,
    /** Starts the next document: new topic words. */
    next: newTopic,
    aim: (): string => `${any(aims)}${rnd() < 0.5 ? word(techWords) : ''}${rnd() < 0.3 ? 'による' : ''}`,
    subtitle: (): string =>
      rnd() < 0.7
        ? `～${word(techWords)}と${word(techWords)}による${any(['課題解決', '地域振興', '産業創出', '社会実装'])}～`
        : '',
    /** `start` with more sentences until it reaches `length` characters. */
    extend(start: string, length: number): string {
      let out = start;
      while (out.length < length) out += sentence(any(topic), any(topic), any(topic));
      return out;
    },
    body(subject: string, program: string, place: string): string {
      const length = 1500 + below(2500);
      let out = '';
      while (out.length < length) out += sentence(subject, program, place) + (rnd() < 0.2 ? '\n' : '');
      return out;
    },
  };
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
