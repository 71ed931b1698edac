import { createHash, createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeBody } from '../../functions/crawl/fetch/charset.js';
import { extractFeed } from '../../functions/crawl/extract/feed.js';
import { ExtractionError } from '../../shared/errors.js';
import { RecentMap } from '../../shared/recent-map.js';
import { signRequest } from '../../shared/search/opensearch-client.js';

/**
 * `benchDependencies()`: the measurements behind docs/dependencies.md, each against a baseline in
 * the same run (the machines are shared; read the ratios).
 * 1. SigV4 signing of the requests the OpenSearch client sends (a search, a bulk of 100 items, an
 *    alias look-up): µs per request for `signRequest`, against the cryptographic floor of the same
 *    request (SHA-256 of the body and of a canonical request of the same length, five HMACs).
 * 2. The API's recent-entries maps (`RecentMap`) against `lru-cache` on their real access pattern
 *    (get, and set on a miss): the query-parse cache (512 entries, a hot set of queries and a tail
 *    of one-off ones) and the per-body caches (256 entries and a weight bound). lru-cache is not a
 *    dependency; the comparison runs when it is installed (`npm install --no-save lru-cache`).
 * 3. Feed parsing on the saved real feeds of REAL_WEB_DIR: our `extractFeed` (fast-xml-parser)
 *    against `rss-parser`, time per feed and what each extracts (items, items with a date), and
 *    how each takes the feedparser suite's encoding and well-formed cases.
 */
export async function benchDependencies(): Promise<void> {
  await benchSigning();
  await benchLru();
  await benchFeeds();
}

function timeUs(run: () => unknown, minMs = 400): number {
  for (let i = 0; i < 200; i++) run();
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < minMs) {
    for (let i = 0; i < 50; i++) run();
    n += 50;
  }
  return ((performance.now() - started) * 1000) / n;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function timeUsAsync(run: () => Promise<unknown>, minMs = 400): Promise<number> {
  for (let i = 0; i < 200; i++) await run();
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < minMs) {
    for (let i = 0; i < 50; i++) await run();
    n += 50;
  }
  return ((performance.now() - started) * 1000) / n;
}

async function benchSigning(): Promise<void> {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' };
  const host = 'https://search-chiiki-prod.ap-northeast-1.es.amazonaws.com';
  const bulk = Array.from(
    { length: 100 },
    (_, i) =>
      `{"index":{"_index":"chiiki-write","_id":"it_${i}"}}\n{"title":"令和8年度 公募 ${i}","body":"${'産学官連携'.repeat(40)}"}`,
  ).join('\n');
  const requests: [string, string, string][] = [
    [
      'search',
      `${host}/chiiki/_search`,
      JSON.stringify({ query: { match_phrase: { title: '産学官連携' } }, size: 20 }),
    ],
    ['bulk 100', `${host}/_bulk?refresh=false`, `${bulk}\n`],
    ['alias', `${host}/_alias/chiiki`, ''],
  ];
  const at = new Date('2026-11-28T09:15:30Z');
  console.log('sigv4 signing (µs per request; floor = SHA-256 of body and canonical request + 5 HMACs)');
  for (const [name, href, body] of requests) {
    const url = new URL(href);
    const headers = { accept: 'application/json', 'content-type': 'application/json' };
    const scope = { region: 'ap-northeast-1', service: 'es', credentials };
    const floor = timeUs(() => {
      createHash('sha256').update(body).digest('hex');
      createHash('sha256').update(href.padEnd(400)).digest('hex');
      let key: Buffer = createHmac('sha256', 'AWS4secret').update('20261128').digest();
      for (const part of ['ap-northeast-1', 'es', 'aws4_request', 'string-to-sign'])
        key = createHmac('sha256', key).update(part).digest();
    });
    // Awaited either way, so the hand-written (synchronous) and the SDK's (asynchronous) signer compare alike.
    const us = await timeUsAsync(async () => signRequest({ method: 'POST', url, headers, body }, scope, at));
    console.log(
      `  ${name.padEnd(9)} body ${String(body.length).padStart(6)} B: signRequest ${us.toFixed(1)} µs, floor ${floor.toFixed(1)} µs, ratio ${(us / floor).toFixed(2)}`,
    );
  }
}

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** What both caches offer: the one access pattern of every `RecentMap` site (get, and set on a miss). */
interface StringCache {
  get(key: string): unknown;
  set(key: string, value: object): unknown;
}
type LruCacheClass = new (options: {
  max: number;
  maxSize?: number;
  sizeCalculation?: (value: object, key: string) => number;
}) => StringCache;

async function loadLruCache(): Promise<LruCacheClass | undefined> {
  // Not a dependency of the project (docs/dependencies.md says why); install it to compare.
  const name = 'lru-cache';
  try {
    const module = (await import(name)) as { LRUCache: LruCacheClass };
    return module.LRUCache;
  } catch {
    return undefined;
  }
}

async function benchLru(): Promise<void> {
  const LRUCache = await loadLruCache();
  if (LRUCache === undefined) {
    console.log('\nlru-cache: not installed; `npm install --no-save lru-cache@11.5.3` to compare it with RecentMap');
    return;
  }
  const random = rng(7);
  const words = [
    '半導体',
    '量子',
    '水素',
    '蓄電池',
    'AI',
    'ロボット',
    '創薬',
    'ゲノム',
    '脱炭素',
    '防災',
    '農業',
    '海洋',
  ];
  // The API's query-parse cache: each request's query string is a fresh string; 90% are a hot set of 64.
  const queries = Array.from({ length: 200_000 }, (_, i) => {
    const k = random() < 0.9 ? Math.floor(random() * 64) : 1000 + i;
    return `q=${encodeURIComponent(words[k % words.length] ?? '')}&prefecture=${k % 47}&status=open&size=20&page=${k}`;
  });
  // The per-body caches (ETag, compressed forms): bodies of 0.1-4 KB, 85% from the 40 most asked.
  const bodies = Array.from({ length: 400 }, (_, i) =>
    JSON.stringify({
      items: Array.from({ length: 2 + (i % 40) }, (_, j) => ({
        id: `it_${i}_${j}`,
        title: `${words[j % 12]} 公募 ${i}`,
      })),
    }),
  );
  const bodyKeys = Array.from(
    { length: 200_000 },
    () => bodies[random() < 0.85 ? Math.floor(random() * 40) : Math.floor(random() * 400)] ?? '',
  );
  const maxWeight = 8 * 1024 * 1024;
  const weigh = (key: string) => key.length * 2;
  const cases: [string, string[], () => StringCache, () => StringCache][] = [
    [
      'queries, 512 entries',
      queries,
      () => new RecentMap<object>({ maxEntries: 512 }),
      () => new LRUCache({ max: 512 }),
    ],
    [
      'bodies, 256 entries + weight',
      bodyKeys,
      () => new RecentMap<object>({ maxEntries: 256, maxWeight, weigh }),
      () => new LRUCache({ max: 256, maxSize: maxWeight, sizeCalculation: (_value, key) => weigh(key) }),
    ],
  ];
  const run = (cache: StringCache, keys: string[]) => {
    let hits = 0;
    const started = performance.now();
    for (const key of keys) {
      if (cache.get(key) !== undefined) hits += 1;
      else cache.set(key, { key });
    }
    return { ns: ((performance.now() - started) * 1e6) / keys.length, hits };
  };
  console.log('\nrecent-entries maps: RecentMap vs lru-cache (ns per get-or-set, median of 7 interleaved rounds)');
  for (const [name, keys, ours, theirs] of cases) {
    const a: number[] = [];
    const b: number[] = [];
    let hits = [0, 0];
    for (let round = 0; round < 7; round++) {
      const x = run(ours(), keys);
      const y = run(theirs(), keys);
      a.push(x.ns);
      b.push(y.ns);
      hits = [x.hits, y.hits];
    }
    console.log(
      `  ${name.padEnd(28)} RecentMap ${median(a).toFixed(0)} ns (hits ${hits[0]}), lru-cache ${median(b).toFixed(0)} ns (hits ${hits[1]}), ratio ${(median(b) / median(a)).toFixed(2)}`,
    );
  }
}

async function benchFeeds(): Promise<void> {
  const dir = process.env['REAL_WEB_DIR'];
  const feeds = ['mext/news-index.rdf', 'meti/release-atom.xml', 'mlit/pressrelease.rdf', 'cao/news.rdf'];
  if (dir === undefined || !existsSync(join(dir, feeds[0] ?? ''))) {
    console.log('\nfeeds: REAL_WEB_DIR is not set (or has no feeds); skipped');
    return;
  }
  const { default: Parser } = await import('rss-parser');
  const rssParser = new Parser();
  console.log('\nreal feeds: extractFeed (fast-xml-parser) vs rss-parser, after the same decoding (µs per feed)');
  for (const feed of feeds) {
    const bytes = readFileSync(join(dir, feed));
    const text = decodeBody(bytes, { url: `file:///${feed}` }).text;
    const ours = extractFeed(text, 'https://feed.example/');
    const theirs = await rssParser.parseString(text);
    const oursUs = timeUs(() => extractFeed(text, 'https://feed.example/'));
    const theirsUs = await timeUsAsync(() => rssParser.parseString(text));
    const dated = theirs.items.filter((item) => item.isoDate !== undefined).length;
    console.log(
      `  ${feed.padEnd(24)} ${String(bytes.length).padStart(6)} B: extractFeed ${oursUs.toFixed(0)} µs, ${ours.items.length} items, ${ours.items.filter((item) => item.publishedAt !== undefined).length} dated; rss-parser ${theirsUs.toFixed(0)} µs (ratio ${(theirsUs / oursUs).toFixed(2)}), ${theirs.items.length} items, ${dated} dated`,
    );
  }
  // Robustness: the feedparser suite's encoding and well-formed cases, read by each parser.
  const outcomes = { ours: { read: 0, refused: 0 }, theirs: { read: 0, refused: 0, crashed: 0 } };
  for (const sub of ['encoding', 'wellformed/rdf', 'wellformed/http']) {
    const folder = join(dir, 'feedparser', sub);
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.xml'))) {
      let text: string;
      try {
        text = decodeBody(readFileSync(join(folder, file)), { url: `file:///${file}` }).text;
      } catch {
        continue; // refused before parsing (bytes that contradict their byte-order mark): the same for both
      }
      try {
        extractFeed(text, 'https://feed.example/');
        outcomes.ours.read += 1;
      } catch (error) {
        if (!(error instanceof ExtractionError)) throw error;
        outcomes.ours.refused += 1;
      }
      try {
        await rssParser.parseString(text);
        outcomes.theirs.read += 1;
      } catch (error) {
        // rss-parser names an unknown root; anything else is a crash inside it (a TypeError).
        if (error instanceof TypeError) outcomes.theirs.crashed += 1;
        else outcomes.theirs.refused += 1;
      }
    }
  }
  console.log(
    `  feedparser cases: extractFeed reads ${outcomes.ours.read}, refuses ${outcomes.ours.refused} (ExtractionError); rss-parser reads ${outcomes.theirs.read}, refuses ${outcomes.theirs.refused}, crashes on ${outcomes.theirs.crashed}`,
  );
}
