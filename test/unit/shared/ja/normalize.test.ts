import { describe, expect, it } from 'vitest';
import { foldForMatch, normalizeText } from '../../../../shared/ja/normalize.js';

describe('normalizeText', () => {
  it.each([
    ['ＩｏＴ', 'IoT'],
    ['ｶﾅ', 'カナ'],
    ['２０２５年', '2025年'],
    ['　ＩｏＴ  ｶﾅ ', 'IoT カナ'],
    ['（公募）', '(公募)'],
    ['㍻', '平成'],
  ])('folds %s to %s', (text, expected) => {
    expect(normalizeText(text)).toBe(expected);
  });
});

describe('foldForMatch', () => {
  it('lower-cases after folding', () => {
    expect(foldForMatch('ＡＩ・ＩｏＴ')).toBe('ai・iot');
  });
});
