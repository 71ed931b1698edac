import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  callRunningStack,
  findRunningStack,
  newControlToken,
  removeRunningStack,
  runningStackFileName,
  withStackControl,
  writeRunningStack,
  type RunningStack,
} from '../../../../infra/local/stack-control.js';

const dirs: string[] = [];
const servers: Server[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chiiki-stack-control-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const server of servers.splice(0)) await new Promise((done) => server.close(done));
});

async function serve(token: string): Promise<string> {
  const server = createServer(
    withStackControl(
      (_req, res) => {
        res.writeHead(200);
        res.end('api');
      },
      token,
      {
        echo: async (body) => ({ got: body }),
        broken: async () => {
          throw new Error('store unavailable');
        },
      },
    ),
  );
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const record = (pid: number, apiUrl = 'http://localhost:3000'): RunningStack => ({
  pid,
  apiUrl,
  dynamodbEndpoint: 'http://127.0.0.1:4567',
  token: newControlToken(),
});

describe('running stack record', () => {
  it('is found while its process lives, readable by its owner only', () => {
    const dir = tempDir();
    writeRunningStack(dir, record(process.pid));

    expect(findRunningStack(dir)?.pid).toBe(process.pid);
    expect(statSync(join(dir, runningStackFileName)).mode & 0o077).toBe(0);
  });

  it('is ignored when the process that wrote it is gone (a killed npm start)', () => {
    const dir = tempDir();
    const exited = spawnSync(process.execPath, ['-e', '0']);
    writeRunningStack(dir, record(exited.pid));

    expect(findRunningStack(dir)).toBeUndefined();
  });

  it('is removed only by the process it names', () => {
    const dir = tempDir();
    writeRunningStack(dir, record(process.pid));

    removeRunningStack(dir, process.pid + 1);
    expect(findRunningStack(dir)).toBeDefined();
    removeRunningStack(dir, process.pid);
    expect(findRunningStack(dir)).toBeUndefined();
  });
});

describe('stack control endpoints', () => {
  it('run a command for the holder of the token and pass other requests on', async () => {
    const stack = record(process.pid, await serve('t'.repeat(32)));
    const holder = { ...stack, token: 't'.repeat(32) };

    expect(await callRunningStack(holder, 'echo', { trigger: 'schedule' })).toEqual({ got: { trigger: 'schedule' } });
    expect(await (await fetch(`${stack.apiUrl}/v1/search`)).text()).toBe('api');
  });

  it('refuse a wrong token and name the failure of a command', async () => {
    const apiUrl = await serve('t'.repeat(32));

    const forbidden = await fetch(`${apiUrl}/_local/echo`, { method: 'POST', headers: { authorization: 'Bearer x' } });
    expect(forbidden.status).toBe(403);
    const body = (await forbidden.json()) as { error: string; requestId: string };
    expect(body.error).toBe('ForbiddenError');
    expect(forbidden.headers.get('x-request-id')).toBe(body.requestId);
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(callRunningStack({ ...record(process.pid, apiUrl), token: 't'.repeat(32) }, 'broken')).rejects.toThrow(
      /could not run broken: store unavailable/,
    );
    await expect(
      callRunningStack({ ...record(process.pid, apiUrl), token: 't'.repeat(32) }, 'nothing'),
    ).rejects.toThrow(/no local command POST \/_local\/nothing/);
  });
});
