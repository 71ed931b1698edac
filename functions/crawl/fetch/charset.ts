import { PermanentFetchError } from '../../../shared/errors.js';
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
 *
 * Shift_JIS and EUC-JP decode almost any byte pairs without error, so a Korean (EUC-KR) or
 * Chinese page decodes "cleanly" as EUC-JP into kanji mojibake. Text decoded as Shift_JIS or
 * EUC-JP, whether declared or detected, must therefore also read as Japanese
 * (`implausibleJapanese`): a declared one that does not is treated like a mislabel (we go on to
 * the next step), and when detection finds nothing plausible either the body fails with
 * `body does not decode as Japanese text: tried …` and each candidate's evidence. Declared
 * non-Japanese charsets (EUC-KR, Big5, GB2312 …) that decode are believed: the text is then
 * correct, only not Japanese. UTF-8 that validates is believed too (mojibake is not valid
 * UTF-8), and an override is applied as the operator asked.
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
function japaneseScore(fullText: string): number {
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

/**
 * Kanji common in Japanese public text: numerals and dates, 和暦 eras, prefectures, ministries,
 * the words of calls and news (公募, 補助, 研究開発 …) and frequent everyday kanji. Genuine
 * Japanese, even a kana-less list of names and dates, is mostly made of these; Korean or Chinese
 * bytes decoded as EUC-JP or Shift_JIS land evenly on all 6,355 JIS kanji and rarely hit them.
 */
const commonKanjiList = [
  '一二三四五六七八九十百千万億兆零半両倍',
  '年月日時分秒曜週火水木金土午前後期間度末初旬今昨明毎翌',
  '明治大正昭和平成令元',
  '北海道青森岩手宮城秋田山形福島茨栃木群馬埼玉千葉東京神奈川新潟富石井梨長野岐阜静岡愛知重滋賀都阪兵庫奈良歌鳥取根広口徳香媛高佐崎熊本分鹿児沖縄',
  '内閣府総務法外財文部科学厚生労働農林水産経済業国土交通環境防衛復興庁省官房',
  '公募集応申請受付締切提出書類様式要領実施事補助成支援委託採択結果説会開催予定案概対象者資格条件審査選交決算額費上限以程必着郵送電問合先担当課係窓',
  '研究技術振革創拠点連携地域機関企中小製造情報通信医療健康福祉電力素脱炭気候変災害漁森観光化教育人材際宇宙洋原料物質命理数工社実証験調析評価告議員審第回号',
  '的性等及並又若可能要場各種行使用利提確認政県市町村区臣副務',
  '人出入見言思来作同古低多少短暗外自手所家名題表現意味',
  '上下左右方向中心点線面体計画策制度規則改施設備整推進展発表示公表者定報道資',
  '開始終了続新規追加変更更新掲載記録発行番号目次頁関係連絡確保持特別般全体主張',
  '会社企団法財協組合員議連盟組織運営管理事務局庁署所室班課長官職任命辞退就',
  '生活住宅地域都市街村道路港空鉄駅車船航輸物流通販売購買店商品価格費用料金税',
  '子供女男性老若者高齢障病院薬医師看護介保険年金給付援助相談',
  '水道電気熱油石炭太陽風原子核燃料廃棄物再循環資源',
  '農作物米畜産牧林業漁港魚食品安全衛生',
  '学校小中高校大学院校生徒児童教員授業習試験入卒',
  '報知周見込状況現在状態取組事例紹介参考資料詳細掲示添',
  '第一弾次回号版編集編作成執筆著者訳注',
  '基本方針原則指針計画戦略目標達成効果課題解決対策対応措置',
  '結論理由背景経緯目的内容範囲期限方法手順手続条例規定法律施行令',
  '佐藤鈴木橋伊渡辺松清斎吉池阿坂谷近遠西東南菅野太郎朗美恵彦雄介真紀智浩之健康博幸',
].join('');

/** 1 at the UTF-16 code of each common kanji (a table lookup is cheaper than a Set lookup). */
const commonKanji = new Uint8Array(0x10000);
for (let i = 0; i < commonKanjiList.length; i++) commonKanji[commonKanjiList.charCodeAt(i)] = 1;

/** What a decoded text holds that tells Japanese from mojibake (counted on the scoring sample). */
export interface JapaneseEvidence {
  /** Hiragana and full-width katakana. */
  readonly kana: number;
  /** CJK unified ideographs (with extension A and compatibility ideographs). */
  readonly kanji: number;
  /** Kanji in the common set above. */
  readonly commonKanji: number;
}

/** Counts kana, kanji and common kanji in the first 64 Ki characters, in one pass. */
function japaneseEvidence(fullText: string): JapaneseEvidence {
  const end = Math.min(fullText.length, 65_536);
  let kana = 0;
  let kanji = 0;
  let common = 0;
  for (let i = 0; i < end; i++) {
    const c = fullText.charCodeAt(i);
    if (c < 0x3041) continue;
    if (c <= 0x30ff) kana++;
    else if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff)) {
      kanji++;
      common += commonKanji[c] ?? 0;
    }
  }
  return { kana, kanji, commonKanji: common };
}

/** Fewer kana and kanji than this cannot be judged: the text is taken as it decodes. */
const minJudged = 20;

/**
 * Why a text decoded as Shift_JIS or EUC-JP is not plausible Japanese, or undefined when it is.
 * Real Japanese prose has kana (at least 1 in 20 of its kana and kanji); a kana-poor text (a list
 * of 和暦 dates and names) must be at least half common kanji. Korean or Chinese bytes decoded
 * as EUC-JP give almost no kana and scattered, rare kanji.
 *
 * @example implausibleJapanese(koreanPageDecodedAsEucJp) === '0 kana in 189 CJK characters, 20% common kanji'
 */
export function implausibleJapanese(text: string): string | undefined {
  const { kana, kanji, commonKanji: common } = japaneseEvidence(text);
  const cjk = kana + kanji;
  if (cjk < minJudged) return undefined;
  if (kana / cjk >= 0.05) return undefined;
  if (common / Math.max(kanji, 1) >= 0.5) return undefined;
  return `${kana} kana in ${cjk} CJK characters, ${Math.round((100 * common) / Math.max(kanji, 1))}% common kanji`;
}

interface Detected {
  readonly text: string;
  readonly charset: string;
}

/** ESC $ B, ESC $ @ (JIS X 0208) or ESC ( J (JIS X 0201 Roman): the escapes of ISO-2022-JP. */
const iso2022Escape = new RegExp(`${String.fromCharCode(0x1b)}(\\$[@B]|\\(J)`);

/** The legacy Japanese charsets, whose decoded text must be plausible Japanese to be believed. */
const legacyJapanese = ['shift_jis', 'euc-jp'];

/**
 * How each detection candidate fares on bytes none of them decodes plausibly, for the error:
 * `utf-8 (12 invalid sequences)`, `euc-jp (0 kana in 340 CJK characters, 9% common kanji)`.
 */
function candidateReport(bytes: Uint8Array): string[] {
  return ['utf-8', ...legacyJapanese].map((charset) => {
    const text = new TextDecoder(charset).decode(bytes);
    let invalid = 0;
    for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) invalid++;
    if (invalid > 0) return `${charset} (${invalid} invalid sequence${invalid === 1 ? '' : 's'})`;
    return `${charset} (${charset === 'utf-8' ? 'valid' : (implausibleJapanese(text) ?? 'plausible')})`;
  });
}

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
  for (const charset of legacyJapanese) {
    const text = tryDecode(bytes, charset);
    if (text === undefined) continue;
    // A plausible candidate always beats an implausible one (scores are within -1..1).
    const score = japaneseScore(text) + (implausibleJapanese(text) === undefined ? 2 : 0);
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
    const implausible = text !== undefined && legacyJapanese.includes(charset) ? implausibleJapanese(text) : undefined;
    if (text !== undefined && implausible === undefined) return { text, charset, charsetSource: source };
    tried.push(`${charset} from the ${source}${implausible ? ` (${implausible})` : ''}`);
  }

  const found = detect();
  if (found) {
    const implausible = legacyJapanese.includes(found.charset) ? implausibleJapanese(found.text) : undefined;
    if (implausible === undefined) return { text: found.text, charset: found.charset, charsetSource: 'detected' };
    throw new PermanentFetchError(
      `body does not decode as Japanese text: tried ${[...tried, ...candidateReport(body)].join(', ')}`,
      url,
    );
  }
  tried.push('utf-8, shift_jis and euc-jp by detection');
  throw new PermanentFetchError(`body cannot be decoded as text: tried ${tried.join(', ')}`, url);
}
