import { PermanentFetchError } from '../../shared/errors.js';
import type { FetchedPage } from './http-fetcher.js';

/**
 * Turning a fetched body into text. Japanese government sites still serve Shift_JIS and EUC-JP,
 * often with a Content-Type that says nothing or something wrong, so the charset is decided in
 * this order:
 *
 * 1. the per-source override (`FetchRequest.charset`) — strict: if the body is not valid in
 *    that charset the fetch fails, because an operator asked for exactly this;
 * 2. a byte-order mark (UTF-8, UTF-16LE/BE, UTF-32LE/BE). The BOM is checked before the HTTP header, as the
 *    WHATWG Encoding standard does: a BOM cannot be there by accident, a server default can;
 * 3. the HTTP `Content-Type` charset;
 * 4. the document's own declaration: `<?xml … encoding="…"?>`, `<meta charset>` or
 *    `<meta http-equiv="Content-Type" content="…; charset=…">` (first 4 KiB);
 * 5. detection: pure 7-bit bytes are UTF-8 (or ISO-2022-JP when they hold its escapes);
 *    otherwise valid UTF-8 wins; otherwise the candidate among Shift_JIS and EUC-JP that
 *    decodes without error and reads most like Japanese.
 *
 * Every step decodes with `TextDecoder({ fatal: true })`. A declared charset (header or
 * document) that is unknown or fails to decode is not fatal: real sites mislabel pages, so we
 * fall through to the next step and finally to detection. A declared single-byte Western
 * charset (windows-1252, ISO-8859-x; `us-ascii` and `latin1` are windows-1252 to TextDecoder)
 * is only believed when the bytes do not read as Japanese: we never decode a Japanese page as
 * Latin-1. When nothing decodes cleanly the body is undecodable and we throw
 * `PermanentFetchError` naming what was tried; nothing else is ever thrown.
 */

export type CharsetSource = FetchedPage['charsetSource'];

export interface DecodedText {
  readonly text: string;
  /** The canonical WHATWG name TextDecoder used: `utf-8`, `shift_jis`, `euc-jp`, `utf-16le` … */
  readonly charset: string;
  readonly charsetSource: CharsetSource;
}

export interface DecodeOptions {
  /** For error messages. */
  readonly url: string;
  /** The HTTP Content-Type header, if any. */
  readonly contentType?: string;
  /** Per-source override; wins over everything and is applied strictly. */
  readonly override?: string;
}

/** Names TextDecoder does not know but Japanese sites and operators use. */
const aliases: Record<string, string> = {
  cp932: 'shift_jis',
  'ms-kanji': 'shift_jis',
  'shift-jisx0213': 'shift_jis',
  shift_jisx0213: 'shift_jis',
  'x-ms-cp932': 'shift_jis',
  'sjis-win': 'shift_jis',
  'sjis-open': 'shift_jis',
  'windows-932': 'shift_jis',
  eucjp: 'euc-jp',
  'euc-jp-ms': 'euc-jp',
  'x-euc': 'euc-jp',
  eucjpms: 'euc-jp',
  'euc-jis-2004': 'euc-jp',
  ujis: 'euc-jp',
  utf8: 'utf-8',
  jis: 'iso-2022-jp',
};

/**
 * The canonical TextDecoder name for a charset label, or undefined when neither TextDecoder nor
 * our alias table knows it.
 *
 * @example canonicalCharset('x-sjis') === 'shift_jis'; canonicalCharset('CP932') === 'shift_jis'
 */
export function canonicalCharset(label: string): string | undefined {
  const clean = label
    .trim()
    .replace(/^["']|["']$/g, '')
    .trim()
    .toLowerCase();
  if (clean === '') return undefined;
  const mapped = aliases[clean] ?? clean;
  if (mapped === 'utf-32le' || mapped === 'utf-32be') return mapped;
  try {
    return new TextDecoder(mapped).encoding;
  } catch {
    return undefined;
  }
}

/** The `charset` parameter of a Content-Type header value, unquoted, or undefined. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*charset\s*=\s*("[^"]*"|'[^']*'|[^;\s]*)/i.exec(contentType);
  const value = match?.[1]?.replace(/^["']|["']$/g, '').trim();
  return value ? value : undefined;
}

/** Single-byte charsets that can decode any bytes and so never fail loudly on Japanese text. */
function isWesternSingleByte(charset: string): boolean {
  return charset === 'windows-1252' || /^(iso-8859-\d+|windows-125\d|koi8-[ru]|macintosh|ibm866)$/.test(charset);
}

function tryDecode(bytes: Uint8Array, charset: string): string | undefined {
  if (charset === 'utf-32le' || charset === 'utf-32be') return decodeUtf32(bytes, charset === 'utf-32le');
  try {
    return new TextDecoder(charset, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** TextDecoder has no UTF-32; it is rare but legal for XML, so we decode it by hand (BOM dropped). */
function decodeUtf32(bytes: Uint8Array, littleEndian: boolean): string | undefined {
  if (bytes.length % 4 !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const cp = view.getUint32(i, littleEndian);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    if (i === 0 && cp === 0xfeff) continue;
    parts.push(String.fromCodePoint(cp));
  }
  return parts.join('');
}

interface Bom {
  readonly charset: string;
  readonly length: number;
}

function sniffBom(bytes: Uint8Array): Bom | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0xff && b === 0xfe && c === 0 && d === 0) return { charset: 'utf-32le', length: 4 };
  if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return { charset: 'utf-32be', length: 4 };
  if (a === 0xef && b === 0xbb && c === 0xbf) return { charset: 'utf-8', length: 3 };
  if (a === 0xff && b === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (a === 0xfe && b === 0xff) return { charset: 'utf-16be', length: 2 };
  return undefined;
}

/** UTF-16/32 without a BOM, recognised by how `<?` is laid out (XML 1.0 appendix F). */
function sniffWideXml(bytes: Uint8Array): string | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0 && b === 0 && c === 0 && d === 0x3c) return 'utf-32be';
  if (a === 0x3c && b === 0 && c === 0 && d === 0) return 'utf-32le';
  if (a === 0 && b === 0x3c && c === 0 && d === 0x3f) return 'utf-16be';
  if (a === 0x3c && b === 0 && c === 0x3f && d === 0) return 'utf-16le';
  return undefined;
}

/** The charset the document declares in its first 4 KiB (XML declaration or HTML meta). */
export function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  const xml = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']+)["']/i.exec(head);
  if (xml?.[1]) return xml[1];
  const meta = /<meta\s[^>]*?charset\s*=\s*["']?\s*([^"'\s/>;]+)/i.exec(head);
  return meta?.[1];
}

/** Scoring reads the first 64 Ki characters: enough to judge, cheap on a 10 MB page. */
function sample(text: string): string {
  return text.length > 65_536 ? text.slice(0, 65_536) : text;
}

const hiraganaOrKatakana = /[\u3041-\u309f\u30a0-\u30ff]/g;
const cjk = /[\u4e00-\u9fff\u3000-\u303f\uff01-\uff60]/g;
const implausible = /[\uff61-\uff9f\ue000-\uf8ff\u0080-\u009f\u2500-\u257f\u0400-\u04ff\u0370-\u03ff]/g;

/**
 * How much a decoded text reads like Japanese, from -1 to 1: kana and common kanji count for it;
 * half-width katakana, private-use characters, C1 controls, box drawing, Cyrillic and Greek
 * (what Shift_JIS/EUC-JP mix-ups produce) count against it. Only non-ASCII characters are scored.
 */
export function japaneseScore(fullText: string): number {
  const text = sample(fullText);
  let nonAscii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) nonAscii++;
  if (nonAscii === 0) return 0;
  const kana = text.match(hiraganaOrKatakana)?.length ?? 0;
  const kanji = text.match(cjk)?.length ?? 0;
  const bad = text.match(implausible)?.length ?? 0;
  return (kana * 1.5 + kanji - bad * 3) / nonAscii / 1.5;
}

/** Reads as Japanese: enough kana among the non-ASCII characters and few mix-up artefacts. */
function looksJapanese(fullText: string): boolean {
  const text = sample(fullText);
  let nonAscii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) nonAscii++;
  if (nonAscii === 0) return false;
  const kana = text.match(hiraganaOrKatakana)?.length ?? 0;
  return kana / nonAscii >= 0.1 && japaneseScore(text) > 0.5;
}

interface Detected {
  readonly text: string;
  readonly charset: string;
}

/** ESC $ B, ESC $ @ (JIS X 0208) or ESC ( J (JIS X 0201 Roman): the escapes of ISO-2022-JP. */
const iso2022Escape = new RegExp(`${String.fromCharCode(0x1b)}(\\$[@B]|\\(J)`);

/** Step 5: detection among UTF-8, ISO-2022-JP, Shift_JIS and EUC-JP; undefined if none decodes. */
export function detectJapanese(bytes: Uint8Array): Detected | undefined {
  let sevenBit = true;
  for (const byte of bytes) {
    if (byte > 0x7f) {
      sevenBit = false;
      break;
    }
  }
  if (sevenBit) {
    if (iso2022Escape.test(Buffer.from(bytes.subarray(0, 65536)).toString('latin1'))) {
      const text = tryDecode(bytes, 'iso-2022-jp');
      if (text !== undefined) return { text, charset: 'iso-2022-jp' };
    }
    return { text: Buffer.from(bytes).toString('latin1'), charset: 'utf-8' };
  }
  const utf8 = tryDecode(bytes, 'utf-8');
  if (utf8 !== undefined) return { text: utf8, charset: 'utf-8' };
  let best: (Detected & { score: number }) | undefined;
  for (const charset of ['shift_jis', 'euc-jp']) {
    const text = tryDecode(bytes, charset);
    if (text === undefined) continue;
    const score = japaneseScore(text);
    if (!best || score > best.score) best = { text, charset, score };
  }
  return best ? { text: best.text, charset: best.charset } : undefined;
}

/**
 * Decodes a body following the order in the module comment. Throws only `PermanentFetchError`:
 * for an unknown or failing override, for bytes that contradict their byte-order mark, and when
 * no candidate decodes cleanly.
 */
export function decodeBody(body: Uint8Array, options: DecodeOptions): DecodedText {
  const { url } = options;

  if (options.override !== undefined) {
    const charset = canonicalCharset(options.override);
    if (!charset) {
      throw new PermanentFetchError(
        `unknown charset override "${options.override}", expected a label such as shift_jis, euc-jp or utf-8`,
        url,
      );
    }
    const text = tryDecode(body, charset);
    if (text === undefined) {
      throw new PermanentFetchError(`body is not valid ${charset}, which the source definition requires`, url);
    }
    return { text, charset, charsetSource: 'override' };
  }

  const bom = sniffBom(body);
  if (bom) {
    const text = tryDecode(body, bom.charset);
    if (text !== undefined) return { text, charset: bom.charset, charsetSource: 'bom' };
    throw new PermanentFetchError(
      `body starts with a ${bom.charset} byte-order mark but is not valid ${bom.charset}`,
      url,
    );
  }

  const wide = sniffWideXml(body);
  if (wide) {
    const text = tryDecode(body, wide);
    if (text !== undefined) return { text, charset: wide, charsetSource: 'declaration' };
  }

  const tried: string[] = [];
  let detection: Detected | undefined | null = null;
  const detect = () => (detection === null ? (detection = detectJapanese(body)) : detection);

  const declared: [string | undefined, CharsetSource][] = [
    [charsetFromContentType(options.contentType), 'header'],
    [declaredCharset(body), 'declaration'],
  ];
  for (const [label, source] of declared) {
    if (label === undefined) continue;
    let charset = canonicalCharset(label);
    // A meta tag found by an ASCII scan cannot truthfully say UTF-16 (WHATWG: treat it as UTF-8).
    if (source === 'declaration' && charset?.startsWith('utf-16')) charset = 'utf-8';
    if (!charset) {
      tried.push(`unknown charset "${label}" from the ${source}`);
      continue;
    }
    if (isWesternSingleByte(charset)) {
      const found = detect();
      if (found && found.charset !== 'utf-8' && looksJapanese(found.text)) {
        return { text: found.text, charset: found.charset, charsetSource: 'detected' };
      }
      if (found?.charset === 'utf-8' && looksJapanese(found.text)) {
        return { text: found.text, charset: 'utf-8', charsetSource: 'detected' };
      }
    }
    const text = tryDecode(body, charset);
    if (text !== undefined) return { text, charset, charsetSource: source };
    tried.push(`${charset} from the ${source}`);
  }

  const found = detect();
  if (found) return { text: found.text, charset: found.charset, charsetSource: 'detected' };
  tried.push('utf-8, shift_jis and euc-jp by detection');
  throw new PermanentFetchError(`body cannot be decoded as text: tried ${tried.join(', ')}`, url);
}
