import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.js';
import { findRunningStack } from '../../infra/local/stack-control.js';

/**
 * `chiiki digest`, `reindex` and `crawl` run as separate processes beside a running local stack
 * on the same DATA_DIR, as an operator runs them beside `npm start` (whose process holds
 * dynalite's LevelDB lock and the embedded index).
 */
let dataDir: string;
let stack: LocalStack;

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function chiiki(...args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DYNAMODB_ENDPOINT;
  delete env.SEARCH_ENGINE;
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['bin/chiiki.js', ...args],
      { env, cwd: process.cwd(), timeout: 90_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

async function total(): Promise<number> {
  const body = (await (await fetch(`${stack.apiUrl}/v1/search?size=1`)).json()) as { total: number };
  return body.total;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'chiiki-cli-beside-'));
  stack = await startLocalStack({ dataDir, port: 0, registry: 'sample', schedule: false });
  await stack.firstCrawl;
}, 180_000);

afterAll(async () => {
  await stack?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('operator commands beside a running local stack', () => {
  it('finds the running stack through its record in DATA_DIR', () => {
    expect(findRunningStack(dataDir)).toMatchObject({ pid: process.pid, apiUrl: stack.apiUrl });
  });

  it('runs chiiki digest in the running stack instead of failing on the locked database', async () => {
    const result = await chiiki('digest');

    expect(result.stderr).not.toContain('Database is closed');
    expect(result.stderr).toContain(`(pid ${process.pid}): the digest runs in it`);
    expect(result.stdout).toMatch(
      /^subscriptions \d+, due \d+, sent \d+, resent \d+, empty \d+, raced \d+, held \d+, failed 0;/,
    );
    expect(result.code).toBe(0);
  }, 120_000);

  it('runs chiiki reindex in the running stack, which keeps serving every item', async () => {
    const before = await total();

    const result = await chiiki('reindex');

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`store ${before} = index ${before}`);
    expect(await total()).toBe(before);
  }, 120_000);

  it('runs chiiki crawl in the running stack, so new items are searchable at once', async () => {
    stack.sampleSites?.advance('changing');
    const before = await total();

    const result = await chiiki('crawl', '--source', 'sample-changing');

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^sample-changing\s+succeeded\s/m);
    expect(await total()).toBeGreaterThan(before);
  }, 120_000);

  it('names an unknown source of the running stack and exits 1', async () => {
    const result = await chiiki('crawl', '--source', 'no-such-source');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no source "no-such-source" in the running stack's registry`);
  }, 120_000);
});

describe('operator commands after the stack stopped', () => {
  it('opens the store folder itself again', async () => {
    const count = await stack.store.countItems();
    await stack.close();

    expect(findRunningStack(dataDir)).toBeUndefined();
    const result = await chiiki('reindex');

    expect(result.stderr).not.toContain('npm start is running');
    expect(result.stdout).toContain(`store ${count} = index ${count}`);
    expect(result.code).toBe(0);
  }, 120_000);
});
