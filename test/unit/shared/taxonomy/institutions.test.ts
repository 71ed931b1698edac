import { describe, expect, it } from 'vitest';
import { prefectureOfInstitution } from '../../../../shared/taxonomy/institutions.js';

describe('prefectureOfInstitution', () => {
  it.each([
    ['東北大学', '04'],
    ['筑波大学', '08'],
    ['九州大学', '40'],
    ['名古屋大学', '23'],
    ['北陸先端科学技術大学院大学', '17'],
    ['慶應義塾大学', '13'],
    ['立命館大学', '25'],
    ['理化学研究所', '11'],
    ['国立研究開発法人理化学研究所', '11'],
    ['国立大学法人 東京大学', '13'],
    ['沖縄科学技術大学院大学', '47'],
    ['ＫＥＫ', undefined],
  ])('puts %s in prefecture %s', (name, code) => {
    expect(prefectureOfInstitution(name)).toBe(code);
  });

  it('falls back to the one prefecture a name mentions', () => {
    expect(prefectureOfInstitution('福井県立大学')).toBe('18');
    expect(prefectureOfInstitution('青森県産業技術センター')).toBe('02');
  });

  it('does not guess from a known name inside an unknown one', () => {
    // 南九州大学 is in 宮崎県, not where 九州大学 is.
    expect(prefectureOfInstitution('南九州大学')).toBeUndefined();
  });

  it('gives nothing for an empty name or one that mentions two prefectures', () => {
    expect(prefectureOfInstitution('  ')).toBeUndefined();
    expect(prefectureOfInstitution('東京・大阪合同研究所')).toBeUndefined();
  });
});
