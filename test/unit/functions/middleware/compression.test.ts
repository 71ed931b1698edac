import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, withVary } from '../../../../functions/middleware/compression.js';
import { corsOriginsFrom } from '../../../../functions/middleware/cors.js';
import { testApi } from '../api/api-test-deps.js';

const gunzipped = (body: string | undefined) => gunzipSync(Buffer.from(body ?? '', 'base64')).toString('utf8');

describe('compression', () => {
  it('gzips a search page for a client that accepts gzip: the same JSON, a fraction of the bytes, the same ETag', async () => {
    const api = await testApi();
    const url = `/v1/search?q=${encodeURIComponent('地域')}&size=20`;

    const plain = await api.call(url);
    const zipped = await api.call(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } });

    expect(plain.isBase64Encoded ?? false).toBe(false);
    expect(plain.headers?.['content-encoding']).toBeUndefined();
    expect(zipped.isBase64Encoded).toBe(true);
    expect(zipped.headers?.['content-encoding']).toBe('gzip');
    expect(gunzipped(zipped.body)).toBe(plain.body);
    expect(Buffer.from(zipped.body ?? '', 'base64').length).toBeLessThan(Buffer.byteLength(plain.body ?? '') / 3);
    expect(zipped.headers?.etag).toBe(plain.headers?.etag);
    for (const result of [plain, zipped]) expect(result.headers?.vary).toBe('Accept-Encoding');
  });

  it('compresses a page fast the first time and tighter once it is asked for again, with the same content', async () => {
    const api = await testApi();
    const url = `/v1/search?q=${encodeURIComponent('研究')}&size=50`;
    const gzip = { headers: { 'accept-encoding': 'gzip' } };

    const first = await api.call(url, gzip);
    const second = await api.call(url, gzip);
    const third = await api.call(url, gzip);

    expect(gunzipped(second.body)).toBe(gunzipped(first.body));
    expect(Buffer.from(second.body ?? '', 'base64').length).toBeLessThan(
      Buffer.from(first.body ?? '', 'base64').length,
    );
    expect(third.body).toBe(second.body);
  });

  it('keeps both Vary reasons when CORS lists origins', async () => {
    const api = await testApi({ corsOrigins: corsOriginsFrom('https://portal.example.jp') });

    const result = await api.call('/v1/search?size=20', {
      headers: { origin: 'https://portal.example.jp', 'accept-encoding': 'gzip' },
    });

    expect(result.headers?.['content-encoding']).toBe('gzip');
    expect(result.headers?.vary).toBe('Accept-Encoding, Origin');
  });

  it('leaves small bodies, refused gzip and 304 answers alone', async () => {
    const api = await testApi();
    const url = '/v1/search?size=20';

    const health = await api.call('/v1/health', { headers: { 'accept-encoding': 'gzip' } });
    const refused = await api.call(url, { headers: { 'accept-encoding': 'gzip;q=0, br' } });
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
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.8, *;q=0.1')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('*;q=0')).toBe(false);
    expect(acceptsGzip('gzip;q=0, *')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('GZIP; Q=0.5')).toBe(true);
    expect(withVary('Origin', 'Accept-Encoding')).toBe('Origin, Accept-Encoding');
    expect(withVary('origin, accept-encoding', 'Accept-Encoding')).toBe('origin, accept-encoding');
    expect(withVary('*', 'Origin')).toBe('*');
  });
});
