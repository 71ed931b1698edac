import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  canonicalCharset,
  charsetFromContentType,
  declaredCharset,
  decodeBody,
  detectJapanese,
} from '../../../../functions/crawl/charset.js';
import { PermanentFetchError } from '../../../../shared/errors.js';

const web = new URL('../../../fixtures/web/', import.meta.url);
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
