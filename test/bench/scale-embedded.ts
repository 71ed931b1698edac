import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { latencyLines, type ClassLatency } from './scale-queries.js';
import { fmt, folderMb, loadAverage, rssOfPid } from './scale-system.js';

/**
 * The embedded engine at scale, in child processes under a heap cap (test/support/embedded-scale-child.ts):
 * a build up to the target (or the time budget), then a restart with queries. A build that runs
 * out of heap is reported with the last size it reached and the RSS it had then.
 */

const repoRoot = new URL('../../', import.meta.url).pathname;

interface ChildRun {
  readonly code: number;
  readonly lines: Record<string, unknown>[];
  /** Largest RSS sampled every second, in MB. */
  readonly peakRssMb: number;
  readonly stderrTail: string[];
}

function runChild(heapMb: number, args: string[], onLine: (line: Record<string, unknown>) => void): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${heapMb}`, '--import', 'tsx', 'test/support/embedded-scale-child.ts', ...args],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: Record<string, unknown>[] = [];
    const stderrTail: string[] = [];
    let peakRssMb = 0;
    const sampler = setInterval(() => {
      peakRssMb = Math.max(peakRssMb, (child.pid && rssOfPid(child.pid)) || 0);
    }, 1000);
    createInterface({ input: child.stdout }).on('line', (text) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      onLine(line);
    });
    createInterface({ input: child.stderr }).on('line', (text) => {
      stderrTail.push(text);
      if (stderrTail.length > 20) stderrTail.shift();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(sampler);
      resolve({ code: code ?? (signal ? 128 : 1), lines, peakRssMb, stderrTail });
    });
  });
}

export async function embeddedPart(target: number, heapMb: number, minutes: number, rounds: number): Promise<void> {
  const dir = `${repoRoot}.scratch-scale/embedded`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    console.log(`embedded: building up to ${fmt(target)} items, heap cap ${fmt(heapMb)} MB, budget ${minutes} min`);
    const build = await runChild(heapMb, ['build', dir, String(target), String(minutes)], (line) =>
      console.error(
        `embedded: ${fmt(Number(line['docs']))} docs, ${fmt(Number(line['sec'] ?? line['buildSec']))} s, ` +
          `RSS ${fmt(Number(line['rssMb']))} MB (heap ${fmt(Number(line['heapMb']))}, buffers ${fmt(Number(line['externalMb']))}), load ${loadAverage()}`,
      ),
    );
    const progress = build.lines.filter((l) => l['event'] === 'progress');
    const built = build.lines.find((l) => l['event'] === 'built');
    if (progress.length >= 2) {
      const [a, b] = [progress[0], progress.at(-1)] as Record<string, number>[];
      const kbPerDoc = (((b?.['rssMb'] ?? 0) - (a?.['rssMb'] ?? 0)) * 1024) / ((b?.['docs'] ?? 0) - (a?.['docs'] ?? 1));
      console.log(`  RSS grows ~${fmt(kbPerDoc, 1)} KB per document while building`);
    }
    if (build.code !== 0 || !built) {
      const last = progress.at(-1);
      console.log(
        `  build FAILED (exit ${build.code}) under a ${fmt(heapMb)} MB heap cap; last size reached ` +
          `${fmt(Number(last?.['docs'] ?? 0))} docs at RSS ${fmt(Number(last?.['rssMb'] ?? 0))} MB; peak RSS sampled ${fmt(build.peakRssMb)} MB`,
      );
      for (const line of build.stderrTail.slice(-5)) console.log(`  | ${line}`);
      return;
    }
    const docs = Number(built['docs']);
    console.log(
      `  built ${fmt(docs)} docs in ${fmt(Number(built['buildSec']), 1)} s (${fmt(docs / Number(built['buildSec']))} docs/s), ` +
        `commit (spills merged into the snapshot) ${fmt(Number(built['closeSec']), 1)} s; peak RSS ${fmt(Math.max(Number(built['peakRssMb']), build.peakRssMb))} MB; ` +
        `on disk ${fmt(folderMb(dir) ?? 0)} MB` +
        (docs < target ? `; STOPPED at the ${minutes}-minute budget before ${fmt(target)}` : ''),
    );
    const serve = await runChild(heapMb, ['serve', dir, String(rounds)], () => undefined);
    const served = serve.lines.find((l) => l['event'] === 'served');
    if (serve.code !== 0 || !served) {
      console.log(`  restart FAILED (exit ${serve.code}): ${serve.stderrTail.slice(-3).join(' | ')}`);
      return;
    }
    const opened = served['opened'] as Record<string, number>;
    console.log(
      `  restart: ${fmt(Number(served['count']))} docs open in ${fmt(Number(served['restartMs']))} ms, ` +
        `RSS ${fmt(opened['rssMb'] ?? 0)} MB after open (heap ${fmt(opened['heapMb'] ?? 0)}, buffers ${fmt(opened['externalMb'] ?? 0)}); ` +
        `peak RSS while serving ${fmt(serve.peakRssMb)} MB; load ${loadAverage()}`,
    );
    for (const line of latencyLines(served['latency'] as Record<string, ClassLatency>)) console.log(`  ${line}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
