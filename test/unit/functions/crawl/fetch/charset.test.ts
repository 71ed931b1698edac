import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  canonicalCharset,
  charsetFromContentType,
  declaredCharset,
  decodeBody,
  detectJapanese,
  implausibleJapanese,
} from '../../../../../functions/crawl/fetch/charset.js';
import { PermanentFetchError } from '../../../../../shared/errors.js';

const web = new URL('../../../../fixtures/web/', import.meta.url);
const bytes = (path: string) => readFileSync(new URL(path, web));
const url = 'http://example.localhost/page';
const sjisFeed = bytes('sjis/feed.rdf');
const sjisUndeclared = bytes('sjis/undeclared.rdf');
const eucPage = bytes('euc/index.html');
const eucUndeclared = bytes('euc/undeclared.html');
const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('canonicalCharset', () => {
  it.each([
    ['Shift_JIS', 'shift_jis'],
    ['x-sjis', 'shift_jis'],
    ['Shift-JIS', 'shift_jis'],
    ['CP932', 'shift_jis'],
    ['Windows-31J', 'shift_jis'],
    ['EUC-JP', 'euc-jp'],
    ['x-euc-jp', 'euc-jp'],
    ['"utf-8"', 'utf-8'],
    ['UTF8', 'utf-8'],
    ['ISO-2022-JP', 'iso-2022-jp'],
    ['latin1', 'windows-1252'],
  ])('maps %s to %s', (label, expected) => {
    expect(canonicalCharset(label)).toBe(expected);
  });

  it('returns undefined for a label nobody knows', () => {
    expect(canonicalCharset('bogus')).toBeUndefined();
  });
});

describe('charsetFromContentType', () => {
  it.each([
    ['text/html; charset=Shift_JIS', 'Shift_JIS'],
    ["application/atom+xml;charset='us-ascii'", 'us-ascii'],
    ['application/xml; charset="euc-jp"; q=1', 'euc-jp'],
    ['text/xml;', undefined],
    ['text/xml; qs=0.9', undefined],
  ])('reads %s', (header, expected) => {
    expect(charsetFromContentType(header)).toBe(expected);
  });
});

describe('declaredCharset', () => {
  it('reads the XML declaration', () => {
    expect(declaredCharset(sjisFeed)).toBe('Shift_JIS');
  });

  it('reads an http-equiv meta tag', () => {
    expect(declaredCharset(eucPage)).toBe('EUC-JP');
  });

  it('reads a meta charset tag', () => {
    expect(declaredCharset(utf8('<!doctype html><html><head><meta charset="utf-8"><title>x</title>'))).toBe('utf-8');
  });
});

describe('decodeBody', () => {
  it('decodes a Shift_JIS feed named by the HTTP header, including NEC and IBM extension characters', () => {
    const decoded = decodeBody(sjisFeed, { url, contentType: 'application/rdf+xml; charset=Shift_JIS' });

    expect(decoded.charset).toBe('shift_jis');
    expect(decoded.charsetSource).toBe('header');
    expect(decoded.text).toContain('「都市エリア産学官連携促進事業」の公募を開始します');
    expect(decoded.text).toContain('①、髙');
  });

  it('decodes a Shift_JIS feed from its XML declaration when the header names no charset', () => {
    const decoded = decodeBody(sjisFeed, { url, contentType: 'application/rdf+xml' });

    expect(decoded).toMatchObject({ charset: 'shift_jis', charsetSource: 'declaration' });
  });

  it('detects Shift_JIS when nothing declares it', () => {
    const decoded = decodeBody(sjisUndeclared, { url });

    expect(decoded).toMatchObject({ charset: 'shift_jis', charsetSource: 'detected' });
    expect(decoded.text).toContain('国土交通省風 報道発表資料');
  });

  it('decodes an EUC-JP page from its meta tag', () => {
    const decoded = decodeBody(eucPage, { url, contentType: 'text/html' });

    expect(decoded).toMatchObject({ charset: 'euc-jp', charsetSource: 'declaration' });
    expect(decoded.text).toContain('地域新生コンソーシアム研究開発事業の募集について');
  });

  it('detects EUC-JP when nothing declares it', () => {
    const decoded = decodeBody(eucUndeclared, { url, contentType: 'text/html' });

    expect(decoded).toMatchObject({ charset: 'euc-jp', charsetSource: 'detected' });
    expect(decoded.text).toContain('知的クラスター創成事業（第II期）説明会のご案内');
  });

  it('never decodes a Japanese page as Latin-1, even when the server says ISO-8859-1', () => {
    const decoded = decodeBody(eucPage, { url, contentType: 'text/html; charset=ISO-8859-1' });

    expect(decoded).toMatchObject({ charset: 'euc-jp', charsetSource: 'detected' });
  });

  it('reads UTF-8 Japanese served as windows-1252 as UTF-8', () => {
    const decoded = decodeBody(utf8('<p>令和8年度 補助金の公募について</p>'), {
      url,
      contentType: 'text/html; charset=windows-1252',
    });

    expect(decoded).toMatchObject({
      charset: 'utf-8',
      charsetSource: 'detected',
      text: '<p>令和8年度 補助金の公募について</p>',
    });
  });

  it('believes ISO-8859-1 for a page that really is Latin-1', () => {
    const latin1 = Buffer.from('<p>Café crème, señor</p>', 'latin1');

    const decoded = decodeBody(latin1, { url, contentType: 'text/html; charset=ISO-8859-1' });

    expect(decoded).toMatchObject({
      charset: 'windows-1252',
      charsetSource: 'header',
      text: '<p>Café crème, señor</p>',
    });
  });

  it('falls back to detection when the declared charset does not fit the bytes', () => {
    const decoded = decodeBody(sjisUndeclared, { url, contentType: 'text/xml; charset=utf-8' });

    expect(decoded).toMatchObject({ charset: 'shift_jis', charsetSource: 'detected' });
  });

  it('lets the per-source override win over the header', () => {
    const decoded = decodeBody(eucPage, { url, contentType: 'text/html; charset=utf-8', override: 'x-euc-jp' });

    expect(decoded).toMatchObject({ charset: 'euc-jp', charsetSource: 'override' });
  });

  it('fails clearly when the override does not fit the bytes', () => {
    expect(() => decodeBody(eucPage, { url, override: 'utf-8' })).toThrow(
      new PermanentFetchError('body is not valid utf-8, which the source definition requires', url),
    );
  });

  it('fails clearly on an unknown override', () => {
    expect(() => decodeBody(eucPage, { url, override: 'klingon' })).toThrow(/unknown charset override "klingon"/);
  });

  it('uses a UTF-8 byte-order mark over a contradicting header and strips it', () => {
    const decoded = decodeBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('公募')]), {
      url,
      contentType: 'text/html; charset=shift_jis',
    });

    expect(decoded).toEqual({ text: '公募', charset: 'utf-8', charsetSource: 'bom' });
  });

  it('decodes UTF-16LE announced by a byte-order mark', () => {
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<rss>補助金</rss>', 'utf16le')]);

    expect(decodeBody(body, { url })).toEqual({ text: '<rss>補助金</rss>', charset: 'utf-16le', charsetSource: 'bom' });
  });

  it('decodes UTF-32 (which TextDecoder lacks) by hand', () => {
    const body = Buffer.from([0xff, 0xfe, 0, 0, 0x3c, 0, 0, 0, 0x6c, 0x51, 0, 0, 0x3e, 0, 0, 0]);

    expect(decodeBody(body, { url })).toEqual({ text: '<公>', charset: 'utf-32le', charsetSource: 'bom' });
  });

  it('reports bytes that contradict their byte-order mark', () => {
    const body = Buffer.from([0xef, 0xbb, 0xbf, 0xff, 0x41]);

    expect(() => decodeBody(body, { url })).toThrow(
      new PermanentFetchError('body starts with a utf-8 byte-order mark but is not valid utf-8', url),
    );
  });

  it('reports bytes that are no known Japanese charset with what it tried', () => {
    const garbage = Buffer.from([0x3c, 0x70, 0x3e, 0xff, 0xff, 0xfe, 0x80, 0x3c]);

    expect(() => decodeBody(garbage, { url, contentType: 'text/html; charset=utf-8' })).toThrow(
      /body cannot be decoded as text: tried utf-8 from the header, utf-8, shift_jis and euc-jp by detection/,
    );
  });

  it('decodes ISO-2022-JP mail-style text held in 7-bit bytes', () => {
    const body = Buffer.from('1b244224332473244b2441244f1b2842', 'hex');

    expect(decodeBody(body, { url })).toMatchObject({ text: 'こんにちは', charset: 'iso-2022-jp' });
  });
});

describe('detectJapanese', () => {
  it('reads pure ASCII as UTF-8', () => {
    expect(detectJapanese(utf8('<rss></rss>'))).toEqual({ text: '<rss></rss>', charset: 'utf-8' });
  });
});

const ours = new URL('../../../../fixtures/charset/', import.meta.url);
const ourBytes = (path: string) => readFileSync(new URL(path, ours));
/** Korean sentences of our own in EUC-KR, in an HTML page that declares no charset. */
const eucKr = ourBytes('euc-kr-undeclared.html');

describe('implausibleJapanese', () => {
  it.each([
    ['prose', '令和8年度地域科学技術振興事業の公募を開始します。応募される方は、募集要領をご確認ください。'],
    [
      'a kana-less list of 和暦 dates, offices and names',
      new TextDecoder('euc-jp').decode(ourBytes('kanji-list.euc-jp.html')),
    ],
    ['prefectures', '北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都'],
    ['ministries and eras', '文部科学省 経済産業省 国土交通省 農林水産省 令和元年 平成三十一年 昭和六十四年'],
    ['too little to judge', '<p>潅</p>'],
    ['ASCII', '<rss version="2.0"><channel><title>news</title></channel></rss>'],
  ])('accepts %s', (_name, text) => {
    expect(implausibleJapanese(text)).toBeUndefined();
  });

  it('rejects Korean decoded as EUC-JP, with the evidence', () => {
    const mojibake = new TextDecoder('euc-jp').decode(eucKr);

    expect(implausibleJapanese(mojibake)).toMatch(/^0 kana in \d+ CJK characters, \d+% common kanji$/);
  });
});

describe('decodeBody on text that is not Japanese', () => {
  it('refuses an undeclared EUC-KR page instead of storing it as EUC-JP mojibake, naming what it tried', () => {
    expect(() => decodeBody(eucKr, { url, contentType: 'text/html' })).toThrow(
      /^body does not decode as Japanese text: tried utf-8 \(\d+ invalid sequences\), shift_jis \(\d+ invalid sequences\), euc-jp \(0 kana in \d+ CJK characters, \d+% common kanji\)$/,
    );
    expect(() => decodeBody(eucKr, { url })).toThrow(PermanentFetchError);
  });

  it.each(['EUC-JP', 'Shift_JIS'])('refuses an EUC-KR page that claims to be %s', (label) => {
    expect(() => decodeBody(eucKr, { url, contentType: `text/html; charset=${label}` })).toThrow(
      /^body does not decode as Japanese text: tried (euc-jp from the header \(0 kana|shift_jis from the header, utf-8)/,
    );
  });

  it('believes a page that declares EUC-KR: the text is then right, only not Japanese', () => {
    const decoded = decodeBody(eucKr, { url, contentType: 'text/html; charset=euc-kr' });

    expect(decoded).toMatchObject({ charset: 'euc-kr', charsetSource: 'header' });
    expect(decoded.text).toContain('지역 과학기술 지원사업 공모 안내');
  });

  it('still applies an override as asked', () => {
    expect(decodeBody(eucKr, { url, override: 'euc-jp' })).toMatchObject({ charset: 'euc-jp' });
  });

  it.each([
    ['kanji-list.euc-jp.html', 'euc-jp'],
    ['kanji-list.shift_jis.html', 'shift_jis'],
  ])('detects the kana-less Japanese list %s', (file, charset) => {
    const decoded = decodeBody(ourBytes(file), { url });

    expect(decoded).toMatchObject({ charset, charsetSource: 'detected' });
    expect(decoded.text).toContain('国土交通省北海道開発局長');
  });
});

describe('decodeBody on our sample sites', () => {
  const root = new URL('../../../../../infra/local/sample-sites/', import.meta.url);
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => /\.(html|rdf|xml)$/.test(f));

  it('has sample pages to decode', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files)('decodes %s', (file) => {
    expect(() => decodeBody(readFileSync(new URL(file, root)), { url })).not.toThrow();
  });

  it.each([
    ['pref-euc/sangyo/hojo/index.html', 'euc-jp'],
    ['mlit-sjis/pressrelease.rdf', 'shift_jis'],
  ])('decodes %s as %s', (file, charset) => {
    expect(decodeBody(readFileSync(new URL(file, root)), { url }).charset).toBe(charset);
  });
});

const realWebDir = process.env.REAL_WEB_DIR ? resolve(process.env.REAL_WEB_DIR) : undefined;
const realWeb = realWebDir !== undefined && existsSync(join(realWebDir, 'README.md'));
if (!realWeb) {
  console.warn(
    'real-web charset tests skipped: set REAL_WEB_DIR to the real-web folder (e.g. REAL_WEB_DIR=../shared/real-web)' +
      (realWebDir ? `; ${realWebDir}/README.md does not exist` : ''),
  );
}

describe.runIf(realWeb)('decodeBody on the saved real pages (REAL_WEB_DIR)', () => {
  const dir = realWebDir ?? '';
  const pages = realWeb
    ? (readdirSync(dir, { recursive: true }) as string[]).filter(
        (f) => /\.(html|rdf|xml)$/.test(f) && !f.startsWith('feedparser'),
      )
    : [];
  const euckr = realWeb
    ? readdirSync(join(dir, 'feedparser', 'encoding')).filter((f) => /^euc-kr.*\.xml$/.test(f))
    : [];

  it('finds the real pages', () => {
    expect(pages.length).toBeGreaterThanOrEqual(7);
  });

  it.each(pages)('decodes %s as plausible Japanese', (file) => {
    const decoded = decodeBody(readFileSync(join(dir, file)), { url });

    expect(decoded.charset).toBe(file.startsWith('mlit') ? 'shift_jis' : 'utf-8');
    expect(implausibleJapanese(decoded.text)).toBeUndefined();
  });

  it.each(euckr)('believes the EUC-KR declaration of feedparser %s and reads its Hangul', (file) => {
    const decoded = decodeBody(readFileSync(join(dir, 'feedparser', 'encoding', file)), { url });

    expect(decoded).toMatchObject({ charset: 'euc-kr', charsetSource: 'declaration' });
    expect(decoded.text).toContain('\ub144');
  });
});
