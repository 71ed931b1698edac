import { describe, expect, it } from 'vitest';
import {
  indexTermsOf,
  lookupTermsOf,
  queryTermsOf,
  splitRuns,
  termNeedsVerify,
  termOccursIn,
  type QueryTerm,
} from '../../../../shared/search/analyze.js';

describe('analyze', () => {
  it.each([
    ['ＩｏＴ', [{ text: 'iot', cjk: false }]],
    [
      'IoT化 推進',
      [
        {
          text: 'iot化',
          cjk: false,
          parts: [
            { text: 'iot', cjk: false },
            { text: '化', cjk: true },
          ],
        },
        { text: '推進', cjk: true },
      ],
    ],
    [
      '第３期ＤＸ',
      [
        {
          text: '第3期dx',
          cjk: false,
          parts: [
            { text: '第', cjk: true },
            { text: '3', cjk: false },
            { text: '期', cjk: true },
            { text: 'dx', cjk: false },
          ],
        },
      ],
    ],
    [
      'DX・推進 ｄｘ推進 dx推進',
      [
        { text: 'dx', cjk: false },
        { text: '推進', cjk: true },
        {
          text: 'dx推進',
          cjk: false,
          parts: [
            { text: 'dx', cjk: false },
            { text: '推進', cjk: true },
          ],
        },
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

  it('looks a mixed term up by the lookups of all its parts and always verifies it', () => {
    const [term] = queryTermsOf('ＤＸ推進事業');

    expect(lookupTermsOf(term as QueryTerm)).toEqual(['dx', '推進', '進事', '事業']);
    expect(termNeedsVerify(term as QueryTerm)).toBe(true);
  });

  it.each([
    ['ＤＸ推進', '地域dx推進事業', true],
    ['ＤＸ推進', 'dx推進', true],
    ['ＤＸ推進', 'dx 推進', true],
    ['ＤＸ推進', 'dxの推進', false],
    ['ＤＸ推進', '推進dx', false],
    ['ＤＸ推進', 'dx推 進', false],
    ['ＤＸ推進', 'adx推進', false],
    ['IoT化', '製造現場のiot化支援', true],
    ['IoT化', 'iotを活用した化学', false],
    ['推進DX', '地域推進dx', true],
    ['推進DX', '推進事業dx', false],
    ['第3期', '第3期計画', true],
    ['第3期', '次第3期', true],
    ['第3期', '第3次期', false],
    ['第3期', '第33期', false],
  ])('matches the mixed term %s in %s: %s', (query, text, expected) => {
    const [term] = queryTermsOf(query);

    expect(termOccursIn(text, term as QueryTerm)).toBe(expected);
  });

  it('matches a Latin term only as a whole word', () => {
    expect(termOccursIn('iot center', { text: 'iot', cjk: false })).toBe(true);
    expect(termOccursIn('biotech', { text: 'iot', cjk: false })).toBe(false);
  });
});
