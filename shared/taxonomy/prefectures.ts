/**
 * The 47 prefectures (都道府県) with their JIS X 0401 codes, the name forms pages print, and a
 * romaji slug. Codes are the ones `PrefectureCodeSchema` in shared/domain/item.ts accepts.
 */
import { normalizeText } from '../ja/normalize.js';

/** One prefecture (都道府県). */
export interface Prefecture {
  /** JIS X 0401 code, '01' (北海道) to '47' (沖縄県). */
  readonly code: string;
  /** Official name: 北海道, 東京都, 大阪府, 京都府, 青森県 ... */
  readonly name: string;
  /** The name without 都/府/県 as pages write it in running text: 東京, 大阪, 京都, 青森 (北海道 stays). */
  readonly short: string;
  /** Romaji slug for URLs and ids: hokkaido, tokyo, osaka ... */
  readonly slug: string;
  /**
   * ISO 3166-2 code, `JP-` + the JIS code: `JP-13`. Where a bare `13` would be read as a number
   * (a spreadsheet turns `01` into `1`), this form stays text.
   */
  readonly iso: string;
}

const table: readonly (readonly [string, string, string])[] = [
  ['01', '北海道', 'hokkaido'],
  ['02', '青森県', 'aomori'],
  ['03', '岩手県', 'iwate'],
  ['04', '宮城県', 'miyagi'],
  ['05', '秋田県', 'akita'],
  ['06', '山形県', 'yamagata'],
  ['07', '福島県', 'fukushima'],
  ['08', '茨城県', 'ibaraki'],
  ['09', '栃木県', 'tochigi'],
  ['10', '群馬県', 'gunma'],
  ['11', '埼玉県', 'saitama'],
  ['12', '千葉県', 'chiba'],
  ['13', '東京都', 'tokyo'],
  ['14', '神奈川県', 'kanagawa'],
  ['15', '新潟県', 'niigata'],
  ['16', '富山県', 'toyama'],
  ['17', '石川県', 'ishikawa'],
  ['18', '福井県', 'fukui'],
  ['19', '山梨県', 'yamanashi'],
  ['20', '長野県', 'nagano'],
  ['21', '岐阜県', 'gifu'],
  ['22', '静岡県', 'shizuoka'],
  ['23', '愛知県', 'aichi'],
  ['24', '三重県', 'mie'],
  ['25', '滋賀県', 'shiga'],
  ['26', '京都府', 'kyoto'],
  ['27', '大阪府', 'osaka'],
  ['28', '兵庫県', 'hyogo'],
  ['29', '奈良県', 'nara'],
  ['30', '和歌山県', 'wakayama'],
  ['31', '鳥取県', 'tottori'],
  ['32', '島根県', 'shimane'],
  ['33', '岡山県', 'okayama'],
  ['34', '広島県', 'hiroshima'],
  ['35', '山口県', 'yamaguchi'],
  ['36', '徳島県', 'tokushima'],
  ['37', '香川県', 'kagawa'],
  ['38', '愛媛県', 'ehime'],
  ['39', '高知県', 'kochi'],
  ['40', '福岡県', 'fukuoka'],
  ['41', '佐賀県', 'saga'],
  ['42', '長崎県', 'nagasaki'],
  ['43', '熊本県', 'kumamoto'],
  ['44', '大分県', 'oita'],
  ['45', '宮崎県', 'miyazaki'],
  ['46', '鹿児島県', 'kagoshima'],
  ['47', '沖縄県', 'okinawa'],
];

/** All 47, in JIS order. */
export const prefectures: readonly Prefecture[] = table.map(([code, name, slug]) => ({
  code,
  name,
  short: name === '北海道' ? name : name.replace(/[都府県]$/u, ''),
  slug,
  iso: `JP-${code}`,
}));

const byKey = new Map<string, Prefecture>();
for (const p of prefectures) {
  for (const key of [p.code, p.name, p.short, p.slug, String(Number(p.code)), p.iso, p.iso.toLowerCase()])
    byKey.set(key, p);
}

/**
 * Looks a prefecture up by JIS code ('13', or '1' for '01'), ISO 3166-2 code ('JP-13'),
 * official name, short name or slug. Width and spacing are folded first.
 *
 * @example prefectureBy('東京')?.code === '13'
 * @example prefectureBy('大阪府')?.slug === 'osaka'
 * @example prefectureBy('hokkaido')?.name === '北海道'
 * @example prefectureBy('JP-01')?.code === '01'
 */
export function prefectureBy(key: string): Prefecture | undefined {
  const folded = normalizeText(key);
  return byKey.get(folded) ?? byKey.get(folded.toLowerCase());
}

/**
 * 政令指定都市 whose name is not the prefecture's: a page about 名古屋市 is about 愛知県. Only with 市,
 * since 川崎 and 堺 are also surnames.
 */
const designatedCities: Readonly<Record<string, string>> = {
  札幌市: '01',
  仙台市: '04',
  さいたま市: '11',
  横浜市: '14',
  川崎市: '14',
  相模原市: '14',
  浜松市: '22',
  名古屋市: '23',
  堺市: '27',
  神戸市: '28',
  北九州市: '40',
};

// Longest names first, so 東京都 is consumed before 京都 can match inside it and 京都府 before 京都.
const names = prefectures
  .flatMap((p) => [
    { text: p.name, pref: p, short: false },
    ...(p.short !== p.name ? [{ text: p.short, pref: p, short: true }] : []),
    ...Object.entries(designatedCities)
      .filter(([, code]) => code === p.code)
      .map(([city]) => ({ text: city, pref: p, short: false })),
  ])
  .sort((a, b) => b.text.length - a.text.length);

// Short names that start a common word that is not the prefecture: 大分類 (major category).
const notAfterShort: Readonly<Record<string, RegExp>> = {
  大分: /^(?:類|割|散)/u,
};

/**
 * Which prefectures a text mentions, as JIS codes in JIS order without duplicates. Matches official
 * names (東京都), short names (東京) and the 政令指定都市 in {@link designatedCities}, longest first, so the 京都 inside 東京都 does not count and
 * 大分類 is not 大分. A surname such as 山口 or 石川 standing alone still counts: pages rarely
 * print bare surnames, and missing a prefecture costs a subscriber more than one extra tag.
 *
 * @example detectPrefectures('東京都及び大阪府の事業者') // ['13', '27']
 * @example detectPrefectures('東京都千代田区') // ['13'] (not 京都)
 */
export function detectPrefectures(text: string): string[] {
  const s = normalizeText(text);
  const found = new Set<string>();
  let i = 0;
  outer: while (i < s.length) {
    for (const name of names) {
      if (s.startsWith(name.text, i)) {
        const rest = s.slice(i + name.text.length);
        const blocked = name.short ? notAfterShort[name.text] : undefined;
        if (blocked?.test(rest)) continue;
        found.add(name.pref.code);
        i += name.text.length;
        continue outer;
      }
    }
    i++;
  }
  return [...found].sort();
}
