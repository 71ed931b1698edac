import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiHandler } from '../../functions/api/handler-builder.js';
import { searchParamNames } from '../../functions/api/schemas.js';
import { apiGatewayListener, type LambdaHttpHandler } from '../../infra/local/http-to-apigw.js';
import { testApi, type TestApi } from '../unit/functions/api/api-test-deps.js';

/**
 * Thousands of random query strings and parameter combinations at /v1/search: only 200 and 400
 * may come back, a 400 always names what was wrong, and a 200 is a search page.
 */

/** Yen bounds: whole numbers around the edges, and the forms the API must refuse with a 400. */
const yenValues = fc.oneof(
  fc.integer({ min: 0, max: 100_000_000 }).map(String),
  fc.bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) - 2n, max: BigInt(Number.MAX_SAFE_INTEGER) + 2n }).map(String),
  fc.constantFrom(
    '-1',
    '-0',
    '1.5',
    '1e6',
    '0x10',
    '1,000',
    '１０００',
    '100万円',
    ' 1',
    '',
    'NaN',
    'Infinity',
    '9'.repeat(400),
  ),
);

const knownValues: Record<string, fc.Arbitrary<string>> = {
  q: fc.oneof(
    fc.constantFrom('クラスター', '産学官', 'AI', 'e-Rad', '研究 開発', '"', '*', 'OR', '{"match_all":{}}'),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
  ),
  kind: fc.constantFrom('call', 'news', 'theme', 'call,news', 'grant', ''),
  ministry: fc.constantFrom('mext', 'jst', 'pref-13', '文部科学省', 'MEXT', 'a'.repeat(41)),
  prefecture: fc.constantFrom('13', '1', '01', '47', '48', '0', '東京都', '大阪', 'hokkaido', 'Atlantis', '１３'),
  region: fc.constantFrom('kanto', 'kinki', '九州', '関東地方', 'mars'),
  field: fc.constantFrom('ライフサイエンス', 'AI', 'x'.repeat(41), '\u0001'),
  status: fc.constantFrom(
    'open',
    'closed',
    'upcoming',
    'unknown',
    'open,closed',
    'expected',
    'expected,open',
    'Expected',
  ),
  applicant: fc.oneof(
    fc.constantFrom('sme', 'university,sme', 'consortium', 'SME', '中小企業', 'company', ',,', 'sme,', '\u0000'),
    fc
      .subarray(['university', 'public-research', 'sme', 'large-company', 'startup', 'nonprofit'])
      .map((v) => v.join(',')),
  ),
  amountMin: yenValues,
  amountMax: yenValues,
  opensAfter: fc.constantFrom('2025-04-01', '2025-02-30', '2025-04-01T00:00:00+09:00', 'yesterday', '99999-01-01'),
  closesBefore: fc.constantFrom('2025-05-30', '2025-13-01', '2025-05-30T17:00:00Z', ''),
  publishedSince: fc.constantFrom('2024-01-01', 'not-a-date', '2024-01-01T00:00:00.123456+09:00'),
  updatedSince: fc.constantFrom('2025-01-01', '0000-00-00'),
  sort: fc.constantFrom(
    'relevance',
    'newest',
    'deadline',
    'amount',
    'expected',
    'random',
    'RELEVANCE',
    'amount,expected',
  ),
  size: fc.oneof(fc.integer({ min: -5, max: 150 }).map(String), fc.constantFrom('1e2', '20.5', '0x10', ' 20', '')),
  cursor: fc.oneof(fc.string({ maxLength: 40 }), fc.base64String({ maxLength: 60 }), fc.constantFrom('x'.repeat(2001))),
};

const knownPair = fc
  .constantFrom(...searchParamNames)
  .chain((name) => (knownValues[name] ?? fc.string()).map((value) => [name, value] as const));
const anyPair = fc.tuple(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);
const encodedQuery = fc
  .array(fc.oneof({ weight: 4, arbitrary: knownPair }, { weight: 1, arbitrary: anyPair }), { maxLength: 8 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
/** Raw strings: broken percent escapes, stray `&` and `=`, `+`, unicode. */
const rawQuery = fc.string({
  unit: fc.constantFrom(
    '%',
    'E3',
    '82',
    'q',
    'kind',
    'size',
    '=',
    '&',
    '+',
    ',',
    'call',
    '9',
    'ク',
    ' ',
    '#',
    '\u0000',
  ),
  maxLength: 30,
});

let api: TestApi;
let server: Server;
let port: number;

beforeAll(async () => {
  api = await testApi();
  const handler = buildApiHandler(api.deps) as LambdaHttpHandler;
  server = createServer(apiGatewayListener(handler));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

function checkResult(status: number, bodyText: string): void {
  expect([200, 400]).toContain(status);
  const body = JSON.parse(bodyText) as {
    items?: unknown[];
    facets?: unknown;
    error?: string;
    issues?: { path: unknown[]; message: string }[];
  };
  if (status === 200) {
    expect(Array.isArray(body.items)).toBe(true);
    expect(body.facets).toBeDefined();
  } else {
    expect(body.error).toBe('InvalidInputError');
    expect(body.issues?.length).toBeGreaterThan(0);
    expect(body.issues?.every((issue) => issue.message.length > 0)).toBe(true);
  }
}

describe('/v1/search under random input', () => {
  it('answers only 200 or 400 to thousands of parameter combinations (through the handler)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 3, arbitrary: encodedQuery }, { weight: 1, arbitrary: rawQuery }),
        async (query) => {
          const result = await api.call(`/v1/search?${query}`);
          checkResult(result.statusCode ?? 0, result.body ?? '');
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('answers only 200 or 400 over HTTP, through the local API Gateway adapter', async () => {
    // Node refuses unescaped non-ASCII in a request path, as browsers do: escape only those bytes.
    const escapeForWire = (query: string) =>
      query.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c)).replace(/#/g, '%23');
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        req.end();
      });

    await fc.assert(
      fc.asyncProperty(fc.oneof(encodedQuery, rawQuery), async (query) => {
        const response = await get(`/v1/search?${escapeForWire(query)}`);
        checkResult(response.status, response.body);
      }),
      { numRuns: 400 },
    );
  });

  it('answers an amount range with 200 exactly when both bounds are whole yen and in order, else 400 naming amountMin', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60_000_000 }),
        fc.integer({ min: 0, max: 60_000_000 }),
        fc.constantFrom('', '&applicant=sme,university', '&status=expected&sort=expected', '&sort=amount'),
        async (min, max, rest) => {
          const result = await api.call(`/v1/search?amountMin=${min}&amountMax=${max}${rest}`);

          checkResult(result.statusCode ?? 0, result.body ?? '');
          expect(result.statusCode).toBe(min <= max ? 200 : 400);
          if (min > max)
            expect((JSON.parse(result.body ?? '{}') as { issues: { path: string[] }[] }).issues).toEqual([
              expect.objectContaining({ path: ['amountMin'] }),
            ]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers 400 to a cursor from another search or a tampered one, never 500', async () => {
    const page = JSON.parse((await api.call('/v1/search?kind=call&size=2')).body ?? '{}') as { nextCursor: string };

    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: page.nextCursor.length - 1 }),
        fc.constantFrom('A', '_', '-', '0', '='),
        fc.constantFrom(
          'sort=deadline',
          'sort=relevance&q=AI',
          'kind=news',
          'sort=amount',
          'sort=expected&status=expected',
        ),
        async (at, c, other) => {
          const tampered = page.nextCursor.slice(0, at) + c + page.nextCursor.slice(at + 1);
          const a = await api.call(`/v1/search?kind=call&size=2&cursor=${encodeURIComponent(tampered)}`);
          const b = await api.call(`/v1/search?${other}&cursor=${encodeURIComponent(page.nextCursor)}`);
          checkResult(a.statusCode ?? 0, a.body ?? '');
          checkResult(b.statusCode ?? 0, b.body ?? '');
        },
      ),
      { numRuns: 300 },
    );
  });
});
