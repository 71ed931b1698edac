import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalCharset, decodeBody } from '../../functions/crawl/fetch/charset.js';
import { PermanentFetchError } from '../../shared/errors.js';

/**
 * Charset decisions against real bytes: the Python feedparser encoding cases and MLIT's
 * Shift_JIS feed, read from REAL_WEB_DIR (CI sets REAL_WEB_DIR=../shared/real-web). Each
 * feedparser file states in a comment the HTTP header it was served with and what feedparser
 * expects. We do not share feedparser's RFC 3023 rule (text/xml without a charset means
 * US-ASCII), so an expected `us-ascii` is checked as "decoded identically to ASCII"; every file
 * must decode or fail with our PermanentFetchError, never anything else.
 */
const realWebDir = process.env.REAL_WEB_DIR;
const encodingDir = realWebDir ? resolve(realWebDir, 'feedparser/encoding') : undefined;
const available = encodingDir !== undefined && existsSync(encodingDir);

if (!available) {
  console.warn(
    `real-web charset tests skipped: set REAL_WEB_DIR to the real-web folder (e.g. REAL_WEB_DIR=../shared/real-web)` +
      (realWebDir ? `; ${realWebDir}/feedparser/encoding does not exist` : ''),
  );
}

interface Case {
  readonly file: string;
  readonly body: Buffer;
  readonly contentType?: string;
  readonly expect?: string;
}

function loadCases(dir: string): Case[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((file) => {
      const body = readFileSync(join(dir, file));
      // The comment may be UTF-16/32: dropping NULs makes its ASCII readable either way.
      const head = body.subarray(0, 2000).toString('latin1').replace(/\0/g, '');
      const contentType = /^Header:\s*Content-type:\s*(.*)$/im.exec(head)?.[1]?.trim();
      const expectation = /^Expect:\s*(.*)$/im.exec(head)?.[1]?.trim();
      return { file, body, ...(contentType ? { contentType } : {}), ...(expectation ? { expect: expectation } : {}) };
    });
}

const cases = available && encodingDir ? loadCases(encodingDir) : [];

describe.skipIf(!available)('feedparser encoding cases (REAL_WEB_DIR)', () => {
  it('finds the cases', () => {
    expect(cases.length).toBeGreaterThan(50);
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s decodes or fails with a clear PermanentFetchError', (_, c) => {
    let outcome: 'decoded' | 'refused';
    try {
      const decoded = decodeBody(c.body, {
        url: `file:///${c.file}`,
        ...(c.contentType ? { contentType: c.contentType } : {}),
      });
      expect(decoded.text.length).toBeGreaterThan(0);
      outcome = 'decoded';
    } catch (error) {
      expect(error).toBeInstanceOf(PermanentFetchError);
      expect((error as PermanentFetchError).message).toMatch(/^body /);
      outcome = 'refused';
    }

    // Only the deliberately broken cases may be refused.
    if (outcome === 'refused') expect(c.file).toMatch(/^bozo/);
  });

  const withEncoding = cases.flatMap((c) => {
    const m = /^not bozo and encoding == '([^']+)'$/.exec(c.expect ?? '');
    return m?.[1] ? [[c.file, m[1], c] as const] : [];
  });

  it.each(withEncoding)('%s decodes as feedparser expects (%s)', (_, expected, c) => {
    const decoded = decodeBody(c.body, { url: c.file, ...(c.contentType ? { contentType: c.contentType } : {}) });

    if (expected === 'us-ascii') {
      expect(decoded.text).toBe(c.body.toString('ascii').replace(/^\uFEFF/, ''));
    } else {
      // gb18030 is what feedparser reports for gb2312; TextDecoder calls the same family gbk.
      const want = expected === 'gb18030' ? ['gb18030', 'gbk'] : [canonicalCharset(expected)];
      expect(want).toContain(decoded.charset);
    }
  });

  it.each(cases.filter((c) => /^\s*not bozo and .*== '\\ub144'/.test(c.expect ?? '')).map((c) => [c.file, c] as const))(
    '%s yields the Korean syllable the case expects',
    (_, c) => {
      expect(decodeBody(c.body, { url: c.file }).text).toContain('\ub144');
    },
  );

  it.each([
    'utf-16le.xml',
    'utf-16be.xml',
    'utf-16le-bom.xml',
    'utf-16be-bom.xml',
    'utf-16le-autodetect.xml',
    'utf-16be-autodetect.xml',
  ])('%s is read as UTF-16', (file) => {
    const c = cases.find((x) => x.file === file);
    if (!c) throw new Error(`missing case ${file}`);

    const decoded = decodeBody(c.body, { url: file });

    expect(decoded.charset).toMatch(/^utf-16(le|be)$/);
    expect(decoded.text).toContain('<');
  });
});

const mlit = realWebDir ? resolve(realWebDir, 'mlit/pressrelease.rdf') : undefined;

describe.skipIf(!mlit || !existsSync(mlit))('MLIT Shift_JIS feed (REAL_WEB_DIR)', () => {
  it('decodes as Shift_JIS from the XML declaration, with Japanese text intact', () => {
    const body = readFileSync(mlit ?? '');

    const decoded = decodeBody(body, {
      url: 'https://www.mlit.go.jp/pressrelease.rdf',
      contentType: 'application/rdf+xml',
    });

    expect(decoded).toMatchObject({ charset: 'shift_jis', charsetSource: 'declaration' });
    expect(decoded.text).toContain('国土交通省');
    expect(decoded.text).not.toContain('\ufffd');
  });

  it('is also detected as Shift_JIS by content alone when the declaration is stripped', () => {
    const body = readFileSync(mlit ?? '');
    const stripped = Buffer.from(body.toString('latin1').replace(/encoding="Shift_JIS"/i, ''), 'latin1');

    expect(decodeBody(stripped, { url: 'x' })).toMatchObject({ charset: 'shift_jis', charsetSource: 'detected' });
  });
});
