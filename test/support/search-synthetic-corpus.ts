import type { ApplicantType } from '../../shared/domain/applicant.js';
import { itemIdFor, type ItemKind, type RegionBlock } from '../../shared/domain/item.js';
import type { SearchDoc } from '../../shared/search/search-index.js';

/**
 * A seeded generator of large realistic search corpora for benchmarks and scale tests: calls, news
 * and themes with Japanese titles, ministries, prefectures, fields, dates, applicants, ceilings and
 * forecasts (re-exported by search-corpus.ts).
 */

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
