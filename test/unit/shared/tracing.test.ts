import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import middy from '@middy/core';
import { Tracer } from '@aws-lambda-powertools/tracer';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { noTracing, RecordingTracing } from '../../../shared/tracing.js';
import { batchSpan, powertoolsTracing, sqsJobSpan, traced } from '../../../shared/wiring/tracer.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Repository files reachable from `entries` through relative imports (`.js` read as `.ts`), and the packages they import. */
function reachable(...entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop() ?? '';
    if (files.has(file) || !existsSync(posix.join(root, file))) continue;
    files.add(file);
    const source = readFileSync(posix.join(root, file), 'utf8');
    for (const ref of ts.preProcessFile(source, true, true).importedFiles) {
      if (!ref.fileName.startsWith('.')) packages.add(ref.fileName);
      else pending.push(posix.normalize(posix.join(posix.dirname(file), ref.fileName)).replace(/\.js$/u, '.ts'));
    }
  }
  return { files, packages };
}

describe('Tracing ports', () => {
  it('noTracing only runs the work', async () => {
    await expect(noTracing.span('crawl source', async () => 42, { sourceId: 'x' })).resolves.toBe(42);
    await expect(noTracing.span('crawl source', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('RecordingTracing keeps spans in order with their parents, annotations and failures', async () => {
    const tracing = new RecordingTracing();

    await tracing.span('digest run', async () => {
      await tracing.span('digest shard group', async () => undefined, { shards: '0' });
      await tracing.span('digest shard group', () => Promise.reject(new Error('x')), { shards: '1' }).catch(() => {});
    });

    expect(tracing.spans).toEqual([
      { name: 'digest run', annotations: {}, parents: [], failed: false },
      { name: 'digest shard group', annotations: { shards: '0' }, parents: ['digest run'], failed: false },
      { name: 'digest shard group', annotations: { shards: '1' }, parents: ['digest run'], failed: true },
    ]);
  });
});

describe('tracing outside Lambda', () => {
  it('is off: the Tracer is disabled and its spans and middleware only run the work', async () => {
    const tracer = new Tracer({ serviceName: 'test' });
    const tracing = powertoolsTracing(tracer);
    const handler = middy<{ Records: unknown[] }>()
      .use(traced(batchSpan('index batch'), tracer))
      .handler(async (event) => tracing.span('route', async () => event.Records.length));

    const result: unknown = await handler({ Records: [1, 2, 3] }, {} as never, {} as never);

    expect(tracer.isTracingEnabled()).toBe(false);
    expect(result).toBe(3);
    await expect(tracing.span('x', () => Promise.reject(new Error('kept')))).rejects.toThrow('kept');
  });

  it('never loads the X-Ray SDK in the local stack or the CLI: only handler modules import the tracer', () => {
    // The CLI loads `commands/<name>.ts` by name, so each command module is an entry of its own.
    const commands = readdirSync(posix.join(root, 'infra/cli/commands')).map((f) => `infra/cli/commands/${f}`);
    for (const [entry, ...more] of [['infra/local/main.ts'], ['infra/cli/main.ts', ...commands]] as const) {
      const { files, packages } = reachable(entry, ...more);

      expect(files.size, entry).toBeGreaterThan(20);
      expect(
        [...files].filter((f) => f === 'shared/wiring/tracer.ts'),
        entry,
      ).toEqual([]);
      expect(
        [...packages].filter((p) => /^@aws-lambda-powertools\/tracer|^aws-xray-sdk/u.test(p)),
        entry,
      ).toEqual([]);
    }
  });
});

describe('event spans', () => {
  it.each([
    [
      'one crawl job',
      { Records: [{ body: '{"sourceId":"mext-koubo","requestedAt":"2026-12-07T06:00:00Z"}' }] },
      { sourceId: 'mext-koubo', jobs: 1 },
    ],
    [
      'two jobs',
      { Records: [{ body: '{"sourceId":"a"}' }, { body: '{"sourceId":"b"}' }] },
      { sourceId: 'a,b', jobs: 2 },
    ],
    ['a body that is not a job', { Records: [{ body: 'not json' }, { body: '[1]' }] }, { sourceId: '', jobs: 2 }],
    ['not an SQS event', { detail: {} }, { sourceId: '', jobs: 0 }],
  ])('annotates %s', (_what, event, annotations) => {
    expect(sqsJobSpan('crawl source', 'sourceId')(event)).toEqual({ name: 'crawl source', annotations });
  });

  it('counts the records of a batch', () => {
    expect(batchSpan('index batch')({ Records: [{}, {}] })).toEqual({
      name: 'index batch',
      annotations: { records: 2 },
    });
    expect(batchSpan('index batch')(undefined)).toEqual({ name: 'index batch', annotations: { records: 0 } });
  });
});
