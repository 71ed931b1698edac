import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { contentCodingFor, withVary } from '../../../../functions/middleware/compression.js';
import { corsOriginsFrom } from '../../../../functions/middleware/cors.js';
import { testApi } from '../api/api-test-deps.js';

const gunzipped = (body: string | undefined) => gunzipSync(Buffer.from(body ?? '', 'base64')).toString('utf8');
const unbrotlied = (body: string | undefined) =>
  brotliDecompressSync(Buffer.from(body ?? '', 'base64')).toString('utf8');
const decoded = (result: { body?: string; headers?: Record<string, unknown> }) =>
  result.headers?.['content-encoding'] === 'br' ? unbrotlied(result.body) : gunzipped(result.body);

describe('compression', () => {
  it('compresses a search page with Brotli for a browser and gzip for an older client: the same JSON, a fraction of the bytes, the same ETag', async () => {
    const api = await testApi();
    const url = `/v1/search?q=${encodeURIComponent('地域')}&size=20`;

    const plain = await api.call(url);
    const browser = await api.call(url, { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    const older = await api.call(url, { headers: { 'accept-encoding': 'gzip, deflate' } });

    expect(plain.isBase64Encoded ?? false).toBe(false);
    expect(plain.headers?.['content-encoding']).toBeUndefined();
    expect(browser.isBase64Encoded).toBe(true);
    expect(browser.headers?.['content-encoding']).toBe('br');
    expect(unbrotlied(browser.body)).toBe(plain.body);
    expect(older.headers?.['content-encoding']).toBe('gzip');
    expect(gunzipped(older.body)).toBe(plain.body);
    for (const zipped of [browser, older]) {
      expect(Buffer.from(zipped.body ?? '', 'base64').length).toBeLessThan(Buffer.byteLength(plain.body ?? '') / 3);
      expect(zipped.headers?.etag).toBe(plain.headers?.etag);
    }
    for (const result of [plain, browser, older]) expect(result.headers?.vary).toBe('Accept-Encoding');
  });

  it.each(['br', 'gzip'])(
    'compresses a page fast the first time and tighter once it is asked for again, with the same content (%s)',
    async (coding) => {
      const api = await testApi();
      const url = `/v1/search?q=${encodeURIComponent('研究')}&size=50`;
      const accept = { headers: { 'accept-encoding': coding } };

      const first = await api.call(url, accept);
      const second = await api.call(url, accept);
      const third = await api.call(url, accept);

      expect(first.headers?.['content-encoding']).toBe(coding);
      expect(decoded(second)).toBe(decoded(first));
      expect(Buffer.from(second.body ?? '', 'base64').length).toBeLessThan(
        Buffer.from(first.body ?? '', 'base64').length,
      );
      expect(third.body).toBe(second.body);
    },
  );

  it('keeps both Vary reasons when CORS lists origins', async () => {
    const api = await testApi({ corsOrigins: corsOriginsFrom('https://portal.example.jp') });

    const result = await api.call('/v1/search?size=20', {
      headers: { origin: 'https://portal.example.jp', 'accept-encoding': 'gzip' },
    });

    expect(result.headers?.['content-encoding']).toBe('gzip');
    expect(result.headers?.vary).toBe('Accept-Encoding, Origin');
  });

  it('leaves small bodies, refused codings and 304 answers alone', async () => {
    const api = await testApi();
    const url = '/v1/search?size=20';

    const health = await api.call('/v1/health', { headers: { 'accept-encoding': 'gzip' } });
    const refused = await api.call(url, { headers: { 'accept-encoding': 'gzip;q=0, br;q=0, deflate' } });
    const first = await api.call(url, { headers: { 'accept-encoding': 'gzip' } });
    const notModified = await api.call(url, {
      headers: { 'accept-encoding': 'gzip', 'if-none-match': String(first.headers?.etag) },
    });

    expect(health.headers?.['content-encoding']).toBeUndefined();
    expect(refused.headers?.['content-encoding']).toBeUndefined();
    expect(JSON.parse(refused.body ?? '')).toHaveProperty('total');
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
    expect(notModified.headers?.['content-encoding']).toBeUndefined();
  });

  it('reads Accept-Encoding as RFC 9110 says', () => {
    expect(contentCodingFor(undefined)).toBeUndefined();
    expect(contentCodingFor('gzip')).toBe('gzip');
    expect(contentCodingFor('x-gzip')).toBe('gzip');
    expect(contentCodingFor('gzip, deflate, br, zstd')).toBe('br');
    expect(contentCodingFor('br;q=1.0, gzip;q=0.8, *;q=0.1')).toBe('br');
    expect(contentCodingFor('br;q=0.5, gzip')).toBe('gzip');
    expect(contentCodingFor('gzip;q=0, br')).toBe('br');
    expect(contentCodingFor('*')).toBe('br');
    expect(contentCodingFor('gzip;q=0.9, *;q=0.1')).toBe('gzip');
    expect(contentCodingFor('*;q=0')).toBeUndefined();
    expect(contentCodingFor('gzip;q=0, *')).toBe('br');
    expect(contentCodingFor('gzip;q=0, br;q=0, *')).toBeUndefined();
    expect(contentCodingFor('identity')).toBeUndefined();
    expect(contentCodingFor('deflate')).toBeUndefined();
    expect(contentCodingFor('GZIP; Q=0.5')).toBe('gzip');
    expect(contentCodingFor('BR;q=abc, gzip;q=0.1')).toBe('gzip');
    expect(withVary('Origin', 'Accept-Encoding')).toBe('Origin, Accept-Encoding');
    expect(withVary('origin, accept-encoding', 'Accept-Encoding')).toBe('origin, accept-encoding');
    expect(withVary('*', 'Origin')).toBe('*');
  });
});
