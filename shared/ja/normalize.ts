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

// C0 controls other than TAB, LF and CR (which are white space), DEL, and the C1 controls
// U+0080-U+009F (NEL U+0085 among them): invisible in a browser, harmful in a stored title.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * Removes control characters from crawled text: C0 controls except TAB, LF and CR, DEL, and C1
 * controls (U+0080-U+009F, including NEL). Everything else stays exactly as printed: 全角 digits,
 * U+3000 ideographic spaces, ～, no-break spaces (folding belongs to the search analyzer).
 *
 * @example stripControls('公募\u001b\u007f\u0085情報') === '公募情報'
 */
export function stripControls(text: string): string {
  return text.replace(controls, '');
}
