/**
 * NFKC + width folding: ＩｏＴ → IoT, ｶﾅ → カナ, full-width digits → ASCII, and runs of white
 * space (including 全角 spaces) collapsed to one ASCII space, trimmed.
 *
 * @example normalizeText('\u3000ＩｏＴ  ｶﾅ ') === 'IoT カナ'
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/** `normalizeText`, lower-cased: the form search and title matching compare. */
export function foldForMatch(text: string): string {
  return normalizeText(text).toLowerCase();
}
