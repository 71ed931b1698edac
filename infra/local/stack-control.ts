import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { join } from 'node:path';
import * as z from 'zod';
import { UpstreamError } from '../../shared/errors.js';

/**
 * How operator commands (`chiiki digest`, `crawl`, `reindex`) work beside a running `npm start`.
 * The running stack owns DATA_DIR: dynalite's LevelDB folder is locked by its process (a second
 * opener fails with "Database is closed") and the embedded index lives in its memory. So the stack
 * writes `DATA_DIR/local-stack.json` (its pid, API URL, dynalite endpoint and a random control
 * token, readable only by its owner) and answers `POST /_local/<command>` with that token as a
 * bearer; a command that finds a live stack there asks it to do the work, with the same plain
 * functions it would have run itself, or opens the stack's dynalite endpoint instead of the folder.
 */

/** The file a running local stack leaves in its data folder. */
export const runningStackFileName = 'local-stack.json';

export const RunningStackSchema = z.strictObject({
  pid: z.number().int().positive(),
  apiUrl: z.string().url(),
  dynamodbEndpoint: z.string().url(),
  token: z.string().min(32),
});
export type RunningStack = z.infer<typeof RunningStackSchema>;

/** A fresh control token. */
export function newControlToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Records the running stack in `dataDir` (owner-only). */
export function writeRunningStack(dataDir: string, stack: RunningStack): void {
  writeFileSync(join(dataDir, runningStackFileName), `${JSON.stringify(stack, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the record, if it is still this process's. */
export function removeRunningStack(dataDir: string, pid: number): void {
  const found = readRunningStack(dataDir);
  if (found?.pid === pid) rmSync(join(dataDir, runningStackFileName), { force: true });
}

function readRunningStack(dataDir: string): RunningStack | undefined {
  const file = join(dataDir, runningStackFileName);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = RunningStackSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // An unreadable or half-written file is no running stack.
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The local stack running on `dataDir`, when its record is there and its process is alive; a
 * record left by a stack that was killed is ignored.
 */
export function findRunningStack(dataDir: string): RunningStack | undefined {
  const found = readRunningStack(dataDir);
  return found && processAlive(found.pid) ? found : undefined;
}

/** What the control endpoints run; each returns a JSON-serialisable result. */
export interface StackControlHandlers {
  readonly [command: string]: (body: Record<string, unknown>) => Promise<unknown>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  const parsed: unknown = JSON.parse(text);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}

function send(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': String(text.length),
    ...extraHeaders,
  });
  res.end(text);
}

/** An error answer quoting a request id, in the body and in `X-Request-Id`, as the API's errors do. */
function sendError(res: ServerResponse, status: number, error: string, message: string): void {
  const requestId = randomUUID();
  send(res, status, { error, message, requestId }, { 'x-request-id': requestId });
}

/**
 * Serves `POST /_local/<command>` (bearer `token`) from `handlers` in front of `next`; every other
 * request goes to `next`. A wrong or missing token is a 403 that names nothing.
 */
export function withStackControl(
  next: RequestListener,
  token: string,
  handlers: StackControlHandlers,
): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith('/_local/')) {
      next(req, res);
      return;
    }
    const command = path.slice('/_local/'.length);
    const handler = Object.hasOwn(handlers, command) ? handlers[command] : undefined;
    if (req.method !== 'POST' || handler === undefined) {
      sendError(res, 404, 'NotFoundError', `no local command ${req.method ?? ''} ${path.slice(0, 80)}`);
      return;
    }
    if (!sameSecret(req.headers.authorization ?? '', `Bearer ${token}`)) {
      sendError(res, 403, 'ForbiddenError', 'expected the control token of this stack');
      return;
    }
    readJson(req)
      .then((body) => handler(body))
      .then(
        (result) => send(res, 200, result),
        (error: unknown) =>
          sendError(res, 500, 'InternalError', error instanceof Error ? error.message : String(error)),
      );
  };
}

/** Constant-time comparison, so the token cannot be guessed a character at a time. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Asks the running stack to run `command`; throws with the stack's message when it fails.
 */
export async function callRunningStack<T>(stack: RunningStack, command: string, body: object = {}): Promise<T> {
  const response = await fetch(`${stack.apiUrl}/_local/${command}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    const parsed = z.object({ message: z.string() }).safeParse(safeJson(text));
    const reason = parsed.success ? parsed.data.message : `status ${response.status}: ${text.slice(0, 200)}`;
    throw new UpstreamError(
      `the running local stack (pid ${stack.pid}) could not run ${command}: ${reason}`,
      'local stack',
    );
  }
  return JSON.parse(text) as T;
}
