import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.js';
import { FixedClock } from '../../shared/clock.js';
import { StorageUnavailableError } from '../../shared/errors.js';
import { RecordingLog } from '../../shared/log.js';
import { EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import { makeDraft } from '../support/factories.js';

/**
 * Storage faults on the local stack: a full disk and a read-only data folder. Writes that fail
 * become 503s with Retry-After, `/v1/health` says `degraded` and why, the process stays up, and
 * nothing acknowledged is lost once space returns. The injected fault runs everywhere; the tmpfs
 * tests need root and `mount` and are skipped with a message without them.
 */
const clock = new FixedClock('2026-11-28T12:00:00+09:00');
const title = (i: number) => `蓄電池の研究開発支援 第${i}回公募 ${'説明'.repeat(200)}`;
const draft = (i: number) => makeDraft({ canonicalUrl: `https://www.example.go.jp/koubo/${i}.html`, title: title(i) });
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const subscribeBody = JSON.stringify({ email: 'reader@example.jp', searches: [{ q: '蓄電池' }] });

function startOptions(dataDir: string, log: RecordingLog) {
  return { dataDir, port: 0, registry: 'sample', crawlOnStart: false, schedule: false, clock, log } as const;
}

async function healthOf(stack: LocalStack): Promise<{ status: string; reason?: string; indexedItems: number }> {
  const response = await fetch(`${stack.apiUrl}/v1/health`);
  expect(response.status).toBe(200);
  return (await response.json()) as { status: string; reason?: string; indexedItems: number };
}

async function subscribe(stack: LocalStack): Promise<Response> {
  return fetch(`${stack.apiUrl}/v1/subscriptions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: subscribeBody,
  });
}

/** Every id is in the store and found by the index. */
async function expectAllThere(stack: LocalStack, ids: readonly string[]): Promise<void> {
  for (const id of ids) expect(await stack.store.get(id as never), `item ${id} in the store`).toBeDefined();
  expect(await stack.store.countItems()).toBe(ids.length);
  expect(await stack.waitForIndex(), 'the index caught up with the store').toBe(true);
  expect(await stack.search.count()).toBe(ids.length);
}

describe('storage faults (injected at the store boundary)', () => {
  let dataDir: string;
  let stack: LocalStack;
  const log = new RecordingLog();
  let fault: Error | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chiiki-storage-'));
    stack = await startLocalStack({ ...startOptions(dataDir, log), injectWriteFault: () => fault });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while writes fail, stays up, reports degraded, and loses nothing', async () => {
    const before = await stack.store.upsert([draft(1), draft(2)]);
    await stack.waitForIndex();

    fault = Object.assign(new Error(`IO error: ${dataDir}/dynalite/000003.log: No space left on device`), {
      code: 'LEVEL_IO_ERROR',
    });
    const refused = await subscribe(stack);
    const refusedBody = (await refused.json()) as { error: string; requestId: string };
    const crawlWrite = stack.store.upsert([draft(3)]);
    await expect(crawlWrite).rejects.toBeInstanceOf(StorageUnavailableError);
    const degraded = await healthOf(stack);
    const search = await fetch(`${stack.apiUrl}/v1/search?q=${encodeURIComponent('蓄電池')}`);

    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refusedBody).toMatchObject({ error: 'StorageUnavailableError', requestId: expect.stringMatching(/.+/) });
    expect(degraded.status).toBe('degraded');
    expect(degraded.reason).toContain(join(dataDir, 'dynalite'));
    expect(degraded.reason).toContain('ENOSPC');
    expect(search.status).toBe(200);
    expect(((await search.json()) as { total: number }).total).toBe(2);
    const logged = log.entries.find((e) => e.message.startsWith('storage write failed'));
    expect(logged?.data).toMatchObject({ folder: join(dataDir, 'dynalite'), code: 'ENOSPC' });

    fault = undefined;
    await sleep(1_100);
    const after = await stack.store.upsert([draft(3), draft(4)]);
    const accepted = await subscribe(stack);

    expect(accepted.status).toBe(202);
    expect((await healthOf(stack)).status).toBe('ok');
    await expectAllThere(
      stack,
      [...before, ...after].map((r) => r.id),
    );
  });

  it('keeps everything across a restart after the fault', async () => {
    const ids = (await stack.store.scanItems(undefined, 100)).items.map((i) => i.id);
    await stack.close();

    stack = await startLocalStack(startOptions(dataDir, log));

    expect(ids).toHaveLength(4);
    await expectAllThere(stack, ids);
  });
});

describe('index consistency at start', () => {
  let dataDir: string;
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('rebuilds an index whose documents differ from the store though the counts agree', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chiiki-index-check-'));
    const log = new RecordingLog();
    let stack = await startLocalStack(startOptions(dataDir, log));
    const [first] = await stack.store.upsert([draft(1), draft(2)]);
    await stack.close();
    // A stale document, as a crash between the store write and the index log leaves one.
    const stale = new EmbeddedSearchIndex({ dir: join(dataDir, 'search'), clock });
    const [hit] = (await stale.search({ text: '第1回' })).items;
    if (hit === undefined) throw new Error('the indexed item is missing');
    const staleDoc = { ...hit.doc, title: '古い題名' };
    await stale.upsert([staleDoc]);
    await stale.close();

    stack = await startLocalStack(startOptions(dataDir, log));
    const rebuilt = stack.indexOnStart;
    const found = await stack.search.search({ text: '第1回' });
    await stack.close();
    stack = await startLocalStack(startOptions(dataDir, log));
    const clean = stack.indexOnStart;
    await stack.close();

    expect(staleDoc.id).toBe(first?.id);
    expect(rebuilt).toEqual({ rebuilt: true, items: 2 });
    expect(found.items.map((h) => h.doc.title)).toEqual([title(1)]);
    expect(clean).toEqual({ rebuilt: false, items: 2 });
  });
});

describe('read-only or unusable data folder at start', () => {
  it('refuses to start with a message naming the folder', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'chiiki-notdir-'));
    // A file where the data folder should be: no folder can be made there (injected, runs everywhere).
    writeFileSync(join(parent, 'data'), 'not a folder\n');

    const start = startLocalStack(startOptions(join(parent, 'data'), new RecordingLog()));

    await expect(start).rejects.toThrow(`data folder ${join(parent, 'data')} is not writable`);
    rmSync(parent, { recursive: true, force: true });
  });
});

/** A small tmpfs, mounted for the test; undefined (and a warning) where mounting is not possible. */
function mountTmpfs(sizeKb: number): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'chiiki-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    console.warn(
      `storage-faults: skipping the tmpfs tests, cannot mount a tmpfs here (needs root): ${String(error).split('\n')[0]}`,
    );
    return undefined;
  }
}

function unmount(dir: string | undefined): void {
  if (dir === undefined) return;
  spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
}

/** Whether a tmpfs can be mounted here: tried once, at load, and unmounted at once. */
const canMount = ((probe) => {
  unmount(probe);
  return probe !== undefined;
})(mountTmpfs(64));

describe.skipIf(!canMount)('storage faults on a real full disk (tmpfs)', () => {
  const log = new RecordingLog();
  let stack: LocalStack | undefined;
  let mounted: string | undefined;
  afterAll(async () => {
    await stack?.close().catch(() => undefined);
    unmount(mounted);
  });

  it('stays up with 503s while the disk is full and keeps every acknowledged item after space returns', async () => {
    mounted = mountTmpfs(8 * 1024) as string;
    const dataDir = join(mounted, 'data');
    const filler = join(mounted, 'filler');
    stack = await startLocalStack(startOptions(dataDir, log));
    writeFileSync(filler, Buffer.alloc(6 * 1024 * 1024));
    const acknowledged: string[] = [];
    let refusedAt = -1;
    for (let i = 0; i < 2_000 && refusedAt < 0; i++) {
      try {
        acknowledged.push(...(await stack.store.upsert([draft(i)])).map((r) => r.id));
      } catch (error) {
        expect(error).toBeInstanceOf(StorageUnavailableError);
        refusedAt = i;
      }
    }
    const refused = await subscribe(stack);
    const degraded = await healthOf(stack);
    const search = await fetch(`${stack.apiUrl}/v1/search?q=${encodeURIComponent('蓄電池')}&size=1`);

    expect(refusedAt, 'the disk never filled').toBeGreaterThan(0);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(degraded.status).toBe('degraded');
    expect(degraded.reason).toMatch(/ENOSPC/);
    expect(degraded.reason).toContain(dataDir);
    expect(search.status).toBe(200);

    unlinkSync(filler);
    await sleep(1_100);
    const later: string[] = [];
    for (let i = 5_000; i < 5_010; i++) later.push(...(await stack.store.upsert([draft(i)])).map((r) => r.id));

    // The index change log retried (series linking reads and writes the store) while the disk was
    // full; its backoff is at most 5 s, so health is ok again within seconds, not at once.
    let health = await healthOf(stack);
    for (let waited = 0; health.status !== 'ok' && waited < 15_000; waited += 250) {
      await sleep(250);
      health = await healthOf(stack);
    }
    expect(health.status, JSON.stringify(health)).toBe('ok');
    expect((await subscribe(stack)).status).toBe(202);
    const all = [...acknowledged, ...later];
    for (const id of all) expect(await stack.store.get(id as never), `item ${id}`).toBeDefined();
    await stack.close();
    stack = await startLocalStack(startOptions(dataDir, log));
    for (const id of all) expect(await stack.store.get(id as never), `item ${id} after restart`).toBeDefined();
    expect(await stack.search.count()).toBeGreaterThanOrEqual(all.length);
  }, 120_000);
});

describe.skipIf(!canMount)('start on a read-only data folder (tmpfs mounted ro)', () => {
  let readOnly: string | undefined;
  afterAll(() => unmount(readOnly));

  it('exits with a message naming the folder, not "Database is closed"', () => {
    readOnly = mountTmpfs(1024) as string;
    const dataDir = join(readOnly as string, 'data');
    mkdirSync(join(dataDir, 'dynalite'), { recursive: true });
    execFileSync('mount', ['-o', 'remount,ro', readOnly as string]);

    const run = spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', '--no-crawl'], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`data folder ${dataDir} is not writable (EROFS)`);
    expect(run.stderr).not.toContain('Database is closed');
  }, 90_000);
});
