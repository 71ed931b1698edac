/**
 * Research fields (研究分野) an item is tagged with. The list is the 2007 portal's 14 themes: the 8
 * fields of the 第3期科学技術基本計画 (4 重点推進分野: ライフサイエンス, 情報通信, 環境,
 * ナノテクノロジー・材料; 4 推進分野: エネルギー, ものづくり技術, 社会基盤, フロンティア) and 6
 * cross-ministry themes of the 科学技術連携施策群 and the cluster programmes (次世代ロボット,
 * バイオマス利活用, 水素・燃料電池, 新興・再興感染症, 食料・農林水産, 地域科学技術クラスター).
 *
 * Codes are stable: they are stored on items and saved in subscriptions. Keywords are matched on
 * NFKC, lower-cased text (see `foldForMatch`).
 */
import { foldForMatch } from '../ja/normalize.js';

/** One research field. */
export interface Field {
  /** Stable code, kebab-case English. */
  readonly code: string;
  /** Japanese label as the portal shows it. */
  readonly label: string;
  /** Words whose presence tags an item with this field (already folded: lower-case, half-width). */
  readonly keywords: readonly string[];
}

/** The 14 fields, in display order. */
export const fields: readonly Field[] = [
  {
    code: 'life-science',
    label: 'ライフサイエンス',
    keywords: [
      'ライフサイエンス',
      '生命科学',
      'バイオ',
      'ゲノム',
      '創薬',
      '医療',
      '医薬',
      '再生医療',
      'ips',
      '健康',
      '脳科学',
      'たんぱく質',
      'タンパク質',
    ],
  },
  {
    code: 'ict',
    label: '情報通信',
    keywords: [
      '情報通信',
      'ict',
      'it',
      'ai',
      '人工知能',
      'iot',
      'デジタル',
      'dx',
      'ソフトウェア',
      '半導体',
      '量子',
      'ネットワーク',
      '情報セキュリティ',
      'サイバー',
      'ユビキタス',
      'データ',
    ],
  },
  {
    code: 'environment',
    label: '環境',
    keywords: [
      '環境',
      '気候変動',
      '温暖化',
      '脱炭素',
      'カーボンニュートラル',
      '生物多様性',
      'リサイクル',
      '循環型',
      '廃棄物',
      '化学物質',
    ],
  },
  {
    code: 'nanotech-materials',
    label: 'ナノテクノロジー・材料',
    keywords: ['ナノテク', 'ナノテクノロジー', 'ナノ', '材料', '素材', 'マテリアル', '複合材'],
  },
  {
    code: 'energy',
    label: 'エネルギー',
    keywords: ['エネルギー', '再生可能エネルギー', '太陽光', '風力', '地熱', '蓄電', '電池', '原子力', '省エネ'],
  },
  {
    code: 'manufacturing',
    label: 'ものづくり技術',
    keywords: ['ものづくり', 'モノづくり', '製造', '加工', '生産技術', '精密', '金型', 'サポイン', '成果活用'],
  },
  {
    code: 'infrastructure',
    label: '社会基盤',
    keywords: ['社会基盤', 'インフラ', '防災', '減災', '地震', '津波', '土木', '建設', '交通', '国土', '安全・安心'],
  },
  {
    code: 'frontier',
    label: 'フロンティア',
    keywords: ['フロンティア', '宇宙', '海洋', '深海', '衛星', 'ロケット', '極域'],
  },
  {
    code: 'robotics',
    label: '次世代ロボット',
    keywords: ['ロボット', 'ロボティクス', 'ドローン', '自動運転'],
  },
  {
    code: 'biomass',
    label: 'バイオマス利活用',
    keywords: ['バイオマス', 'バイオ燃料', 'バイオエタノール', '木質'],
  },
  {
    code: 'hydrogen-fuel-cell',
    label: '水素・燃料電池',
    keywords: ['水素', '燃料電池', 'アンモニア'],
  },
  {
    code: 'infectious-disease',
    label: '新興・再興感染症',
    keywords: ['感染症', 'ウイルス', 'ワクチン', '新型コロナ', 'covid', 'パンデミック'],
  },
  {
    code: 'food-agriculture',
    label: '食料・農林水産',
    keywords: ['農業', '農林水産', '林業', '水産', '漁業', '畜産', '食品', '食料', 'スマート農業', '育種', '農産物'],
  },
  {
    code: 'regional-cluster',
    label: '地域科学技術クラスター',
    keywords: [
      'クラスター',
      '地域イノベーション',
      '産学官連携',
      '産学連携',
      '地域科学技術',
      '知的クラスター',
      '産業クラスター',
    ],
  },
];

const byCode = new Map(fields.map((f) => [f.code, f]));

/** @example fieldByCode('ict')?.label === '情報通信' */
export function fieldByCode(code: string): Field | undefined {
  return byCode.get(code);
}

// Short Latin keywords (it, ai, dx) count only as whole words, so "it" inside "digital" does not.
function matches(text: string, keyword: string): boolean {
  if (!/^[a-z0-9]+$/u.test(keyword)) return text.includes(keyword);
  return new RegExp(`(?<![a-z0-9])${keyword}(?![a-z0-9])`, 'u').test(text);
}

/**
 * The fields a text is about, as codes in list order. Matching is by keyword on folded text
 * (ＩｏＴ and iot both match), so a title that mentions 燃料電池 is tagged `hydrogen-fuel-cell`
 * and `energy` (電池).
 *
 * @example detectFields('次世代半導体の研究開発') // ['ict']
 * @example detectFields('スマート農業におけるＡＩ活用') // ['ict', 'food-agriculture']
 */
export function detectFields(text: string): string[] {
  const folded = foldForMatch(text);
  return fields.filter((f) => f.keywords.some((k) => matches(folded, k))).map((f) => f.code);
}

/**
 * KAKEN research fields onto ours. KAKEN files a project under a review section (審査区分:
 * 大区分 A-K, 中区分 1-90, 小区分 such as `61030:知能情報学関連`) or, before 2018, a research
 * field (分科・細目 such as `情報学 / 知能情報学`). Their names carry the discipline, so the
 * mapping is by words in the name, checked in order; a name may map to several of our fields
 * (`生物環境` is life science and environment) or to none (humanities, most social sciences).
 */
const kakenFieldWords: readonly (readonly [string, readonly string[]])[] = [
  ['ict', ['情報', '計算機', 'ソフトウェア', '通信', 'ネットワーク', '電子デバイス', '電気電子', '計算科学', 'データ']],
  [
    'life-science',
    [
      '生物',
      '生命',
      '医学',
      '医療',
      '薬学',
      '歯学',
      '看護',
      'ゲノム',
      '神経',
      '脳',
      '腫瘍',
      '免疫',
      '細胞',
      '分子生物',
      '病態',
      '内科',
      '外科',
      '健康',
    ],
  ],
  ['infectious-disease', ['感染症', 'ウイルス', '細菌', '寄生虫']],
  ['environment', ['環境', '生態', '気象', '大気', '水圏', '地球システム']],
  ['nanotech-materials', ['材料', 'ナノ', '金属', '高分子', '結晶', '無機', '有機化学', '複合化学', '応用物性']],
  ['energy', ['エネルギー', '原子力', '核融合', '電力', '原子核工学']],
  ['manufacturing', ['機械', '生産工学', '加工', '設計工学', '精密', '流体工学', '熱工学']],
  [
    'infrastructure',
    ['土木', '建築', '防災', '地盤', '交通', '社会システム', '都市計画', '構造工学', '地震', '水工学'],
  ],
  ['frontier', ['宇宙', '天文', '航空', '海洋', '地球惑星', '極域', '惑星']],
  ['robotics', ['ロボット', 'ロボティクス', '知能機械']],
  [
    'food-agriculture',
    [
      '農学',
      '農業',
      '農芸',
      '林学',
      '森林',
      '水産',
      '畜産',
      '獣医',
      '食品',
      '食料',
      '園芸',
      '植物栄養',
      '育種',
      '作物',
    ],
  ],
  ['biomass', ['木質', 'バイオマス']],
  ['hydrogen-fuel-cell', ['水素', '燃料電池']],
];

/**
 * Our field codes for KAKEN review-section or research-field names, in taxonomy order.
 *
 * @example kakenFieldCodes(['小区分61030:知能情報学関連']) // ['ict']
 * @example kakenFieldCodes(['中区分39:生産環境農学およびその関連分野']) // ['environment', 'food-agriculture']
 * @example kakenFieldCodes(['哲学']) // []
 */
export function kakenFieldCodes(names: readonly string[]): string[] {
  const folded = names.map(foldForMatch).join('\n');
  const found = new Set(kakenFieldWords.filter(([, words]) => words.some((w) => folded.includes(w))).map(([c]) => c));
  return fields.filter((f) => found.has(f.code)).map((f) => f.code);
}
