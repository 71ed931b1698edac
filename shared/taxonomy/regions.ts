/**
 * The 10 regional blocks (地域ブロック) of the 地域科学技術 ブロック協議会, as `RegionBlock` in
 * shared/domain/item.ts, with their Japanese labels and member prefectures.
 *
 * The mapping puts every prefecture in exactly one block. Where Japanese groupings disagree we chose:
 * - 新潟 is in 北陸 with 富山, 石川, 福井 (the 北陸4県 grouping; 関東経済産業局 would put it in 関東).
 * - 山梨 is in 関東 (首都圏, as 関東経済産業局 and the 首都圏整備法 count it).
 * - 長野 and 静岡 are in 中部 with 岐阜, 愛知, 三重 (中部圏 as the 広域地方計画 draws it).
 * - 福井 is in 北陸, not 近畿.
 * We could not obtain the council's own membership list; if it differs, change `blockPrefectures`
 * here and nothing else (the tests check the partition, not the choices).
 */
import type { RegionBlock } from '../domain/item.js';

/** One regional block with its members. */
export interface Region {
  readonly code: RegionBlock;
  /** 北海道, 東北, 関東, 中部, 北陸, 近畿, 中国, 四国, 九州, 沖縄. */
  readonly label: string;
  /** JIS X 0401 codes of the member prefectures. */
  readonly prefectures: readonly string[];
}

const blockPrefectures: Readonly<Record<RegionBlock, readonly [string, readonly string[]]>> = {
  hokkaido: ['北海道', ['01']],
  tohoku: ['東北', ['02', '03', '04', '05', '06', '07']],
  kanto: ['関東', ['08', '09', '10', '11', '12', '13', '14', '19']],
  chubu: ['中部', ['20', '21', '22', '23', '24']],
  hokuriku: ['北陸', ['15', '16', '17', '18']],
  kinki: ['近畿', ['25', '26', '27', '28', '29', '30']],
  chugoku: ['中国', ['31', '32', '33', '34', '35']],
  shikoku: ['四国', ['36', '37', '38', '39']],
  kyushu: ['九州', ['40', '41', '42', '43', '44', '45', '46']],
  okinawa: ['沖縄', ['47']],
};

/** The 10 blocks, north to south (the order of `RegionBlockSchema`). */
export const regions: readonly Region[] = (Object.keys(blockPrefectures) as RegionBlock[]).map((code) => {
  const [label, prefectures] = blockPrefectures[code];
  return { code, label, prefectures };
});

const blockOfPrefecture = new Map<string, RegionBlock>(
  regions.flatMap((r) => r.prefectures.map((p) => [p, r.code] as const)),
);

/**
 * The block a prefecture belongs to; `undefined` for a code that is not '01'..'47'.
 *
 * @example regionOf('15') === 'hokuriku'
 */
export function regionOf(prefectureCode: string): RegionBlock | undefined {
  return blockOfPrefecture.get(prefectureCode);
}

/**
 * The blocks of a list of prefectures, without duplicates, in block order. Unknown codes are ignored.
 *
 * @example regionsOf(['13', '27', '14']) // ['kanto', 'kinki']
 */
export function regionsOf(prefectureCodes: readonly string[]): RegionBlock[] {
  const wanted = new Set(prefectureCodes.map((code) => blockOfPrefecture.get(code)));
  return regions.map((r) => r.code).filter((code) => wanted.has(code));
}

/**
 * Finds a block by code or Japanese label (北陸, 北陸地方, 近畿圏 also work).
 *
 * @example regionBy('九州')?.code === 'kyushu'
 */
export function regionBy(key: string): Region | undefined {
  const k = key.trim().replace(/(地方|地域|圏|ブロック)$/u, '');
  return regions.find((r) => r.code === k.toLowerCase() || r.label === k);
}
