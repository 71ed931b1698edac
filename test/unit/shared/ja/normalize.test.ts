import { describe, expect, it } from 'vitest';
import { foldForMatch, normalizeText, stripControls } from '../../../../shared/ja/normalize.js';

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

describe('stripControls', () => {
  it.each([
    ['ESC', 'お知らせ\u001b[0m', 'お知らせ[0m'],
    ['NUL and BEL', '公\u0000募\u0007', '公募'],
    ['VT and FF', '公募\u000b\u000c', '公募'],
    ['DEL', '公募\u007f情報', '公募情報'],
    ['NEL', '第1回\u0085会議', '第1回会議'],
    ['other C1 controls', '\u0080研究\u009f', '研究'],
  ])('drops %s', (_name, text, expected) => {
    expect(stripControls(text)).toBe(expected);
  });

  it('keeps TAB, LF and CR, which are white space', () => {
    expect(stripControls('一\t二\n三\r\n四')).toBe('一\t二\n三\r\n四');
  });

  it('keeps display characters exactly as printed', () => {
    const printed = '「第２回\u3000気候変動」～令和８年度～\u00a0ＩｏＴ ｶﾅ ①';

    expect(stripControls(printed)).toBe(printed);
  });
});
