/**
 * Child process of the scale benchmark (test/bench/scale.ts) for the embedded engine, run under a
 * heap cap (`--max-old-space-size`) so running out of memory ends this process, not the benchmark.
 * Uses only the engine's public API (`EmbeddedSearchIndex`), so it runs on any version of it.
 *
 *   build <dir> <items> <minutes>   indexes the scale corpus into <dir> chunk by chunk as a reindex
 *                                   does (`beginReindex`, as `chiiki reindex` and the start-up
 *                                   rebuild build a whole index), printing a JSON line per 50,000
 *                                   items; stops at <items> or after <minutes>, then commits (writes
 *                                   the snapshot) and prints a last JSON line
 *   serve <dir> <rounds>            opens <dir> (the restart), prints count, RSS and query latency
 */
import { EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import { toSearchDoc } from '../../shared/search/search-index.js';
import { scaleChunk, scaleChunkSize } from '../bench/scale-corpus.js';
import { scaleClock, timeQueries } from '../bench/scale-queries.js';

const clock = scaleClock;
const memory = () => {
  const m = process.memoryUsage();
  return {
    rssMb: Math.round(m.rss / 2 ** 20),
    heapMb: Math.round(m.heapUsed / 2 ** 20),
    externalMb: Math.round((m.external + m.arrayBuffers) / 2 ** 20),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
};

const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function build(dir: string, target: number, minutes: number): Promise<void> {
  const index = new EmbeddedSearchIndex({ dir, clock });
  await index.ensureIndex();
  const writer = await index.beginReindex();
  const started = performance.now();
  let docs = 0;
  for (let chunk = 0; docs < target; chunk++) {
    if (performance.now() - started > minutes * 60_000) break;
    const items = scaleChunk(chunk, Math.min(scaleChunkSize, target - docs));
    for (let i = 0; i < items.length; i += 1000)
      await writer.upsert(items.slice(i, i + 1000).map((item) => toSearchDoc(item)));
    docs += items.length;
    if (docs % 50_000 === 0) print({ event: 'progress', docs, sec: (performance.now() - started) / 1000, ...memory() });
  }
  const buildSec = (performance.now() - started) / 1000;
  const closing = performance.now();
  await writer.commit();
  await index.close();
  print({ event: 'built', docs, buildSec, closeSec: (performance.now() - closing) / 1000, ...memory() });
}

async function serve(dir: string, rounds: number): Promise<void> {
  const before = memory();
  const started = performance.now();
  const index = new EmbeddedSearchIndex({ dir, clock });
  const count = await index.count();
  const restartMs = performance.now() - started;
  const opened = memory();
  const latency = await timeQueries((q) => index.search(q), rounds);
  print({ event: 'served', count, restartMs, before, opened, latency, after: memory() });
  await index.close();
}

const [mode, dir, a, b] = process.argv.slice(2);
if (mode === 'build' && dir) await build(dir, Number(a), Number(b));
else if (mode === 'serve' && dir) await serve(dir, Number(a));
else {
  console.error('usage: embedded-scale-child.ts build <dir> <items> <minutes> | serve <dir> <rounds>');
  process.exit(2);
}
