/**
 * 漢数字 (kanji numerals) as ministry pages print them in dates: positional (二〇二五) and with
 * units (三十一, 二千二十五).
 */

const digits: Readonly<Record<string, number>> = {
  〇: 0,
  零: 0,
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const units: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };

/**
 * Reads a run of kanji numerals; `undefined` when the run holds anything else.
 *
 * @example kanjiToNumber('二〇二五') === 2025
 * @example kanjiToNumber('三十一') === 31
 * @example kanjiToNumber('十二') === 12
 */
export function kanjiToNumber(text: string): number | undefined {
  if (text.length === 0) return undefined;
  const chars = [...text];
  if (!chars.some((c) => c in units)) {
    let value = 0;
    for (const c of chars) {
      const d = digits[c];
      if (d === undefined) return undefined;
      value = value * 10 + d;
    }
    return value;
  }
  let total = 0;
  let current: number | undefined;
  for (const c of chars) {
    const d = digits[c];
    const unit = units[c];
    if (d !== undefined) {
      current = (current ?? 0) * 10 + d;
    } else if (unit !== undefined) {
      total += (current ?? 1) * unit;
      current = undefined;
    } else {
      return undefined;
    }
  }
  return total + (current ?? 0);
}

/**
 * Replaces kanji numeral runs that stand before a date or time unit (年, 月, 日, 時, 分) with
 * ASCII digits, leaving words such as 第一回 alone.
 *
 * @example kanjiNumeralsToDigits('令和七年五月三十日') === '令和7年5月30日'
 */
export function kanjiNumeralsToDigits(text: string): string {
  return text.replace(/[〇零一二三四五六七八九十百千]+(?=\s*[年月日時分])/gu, (run) => {
    const value = kanjiToNumber(run);
    return value === undefined ? run : String(value);
  });
}
