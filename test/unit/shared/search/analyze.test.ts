import { describe, expect, it } from 'vitest';
import {
  indexTermsOf,
  lookupTermsOf,
  queryTermsOf,
  splitRuns,
  termOccursIn,
} from '../../../../shared/search/analyze.js';

describe('analyze', () => {
  it.each([
    ['ＩｏＴ', [{ text: 'iot', cjk: false }]],
    [
      'IoT化 推進',
      [
        { text: 'iot', cjk: false },
        { text: '化', cjk: true },
        { text: '推進', cjk: true },
      ],
    ],
    [
      '産学官・連携',
      [
        { text: '産学官', cjk: true },
        { text: '連携', cjk: true },
      ],
    ],
    ['ｽﾏｰﾄ農業', [{ text: 'スマート農業', cjk: true }]],
    ['研究 研究', [{ text: '研究', cjk: true }]],
    [
      '"title:(研究)" AND',
      [
        { text: 'title', cjk: false },
        { text: '研究', cjk: true },
        { text: 'and', cjk: false },
      ],
    ],
  ])('cuts the query %s into required terms', (text, terms) => {
    expect(queryTermsOf(text)).toEqual(terms);
  });

  it('indexes CJK characters and bigrams of adjacent characters, and Latin words', () => {
    expect([...indexTermsOf('研究開発 e-Rad')].sort()).toEqual(
      ['e', 'rad', '開', '開発', '研', '研究', '発', '究', '究開'].sort(),
    );
  });

  it('keeps numbers and dotted names whole, as the standard tokenizer does', () => {
    expect(splitRuns('1,000万円 www.jst.go.jp 3.5g').map((r) => r.text)).toEqual([
      '1,000',
      '万円',
      'www.jst.go.jp',
      '3.5g',
    ]);
  });

  it('looks a long CJK term up by its bigrams and a short one by itself', () => {
    expect(lookupTermsOf({ text: '産学官', cjk: true })).toEqual(['産学', '学官']);
    expect(lookupTermsOf({ text: '水', cjk: true })).toEqual(['水']);
  });

  it('matches a CJK term only where its characters stand together', () => {
    expect(termOccursIn('産学官連携', { text: '産学官', cjk: true })).toBe(true);
    expect(termOccursIn('産学連携と大学官舎', { text: '産学官', cjk: true })).toBe(false);
  });

  it('matches a Latin term only as a whole word', () => {
    expect(termOccursIn('iot center', { text: 'iot', cjk: false })).toBe(true);
    expect(termOccursIn('biotech', { text: 'iot', cjk: false })).toBe(false);
  });
});
