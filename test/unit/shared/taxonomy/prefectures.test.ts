import { describe, expect, it } from 'vitest';
import { PrefectureCodeSchema } from '../../../../shared/domain/item.js';
import { detectPrefectures, prefectureBy, prefectures } from '../../../../shared/taxonomy/prefectures.js';

describe('prefectures', () => {
  it('lists 47 prefectures with JIS codes 01-47 in order', () => {
    expect(prefectures).toHaveLength(47);
    expect(prefectures.map((p) => p.code)).toEqual(
      Array.from({ length: 47 }, (_, i) => String(i + 1).padStart(2, '0')),
    );
    for (const p of prefectures) expect(PrefectureCodeSchema.parse(p.code)).toBe(p.code);
  });

  it('has unique names, short names and slugs', () => {
    for (const key of ['name', 'short', 'slug'] as const) {
      expect(new Set(prefectures.map((p) => p[key])).size).toBe(47);
    }
  });

  it.each([
    ['北海道', '01'],
    ['東京', '13'],
    ['東京都', '13'],
    ['大阪', '27'],
    ['大阪府', '27'],
    ['京都', '26'],
    ['京都府', '26'],
    ['沖縄県', '47'],
    ['kagoshima', '46'],
    ['Tokyo', '13'],
    ['JP-01', '01'],
    ['jp-47', '47'],
    ['13', '13'],
    ['1', '01'],
    ['ｈｏｋｋａｉｄｏ', '01'],
  ])('finds %s as %s', (key, code) => {
    expect(prefectureBy(key)?.code).toBe(code);
  });

  it('finds nothing for a name that is not a prefecture', () => {
    expect(prefectureBy('関東')).toBeUndefined();
  });
});

describe('detectPrefectures', () => {
  it.each([
    ['東京都千代田区霞が関', ['13']],
    ['東京都と京都府の共同事業', ['13', '26']],
    ['京都市内の大学', ['26']],
    ['大阪・関西万博に向けて大阪府が', ['27']],
    ['北海道大学と北海道庁', ['01']],
    ['福岡県、佐賀県、長崎県の九州北部', ['40', '41', '42']],
    ['大分類：ものづくり 大分県の中小企業', ['44']],
    ['大分類：ものづくり', []],
    ['神奈川県川崎市', ['14']],
    ['和歌山県と山口県', ['30', '35']],
    ['ＴＯＫＹＯではなく東京', ['13']],
    ['全国の中小企業', []],
    ['鹿児島県及び沖縄県', ['46', '47']],
    ['名古屋市と横浜市の共同研究', ['14', '23']],
    ['北九州市の中小企業', ['40']],
    ['川崎重工業の川崎さん', []],
    ['堺市内', ['27']],
  ])('finds in %s the codes %j', (text, codes) => {
    expect(detectPrefectures(text)).toEqual(codes);
  });
});
