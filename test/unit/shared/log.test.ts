import { describe, expect, it } from 'vitest';
import { StorageUnavailableError, UpstreamError } from '../../../shared/errors.js';
import { consoleLog, errorFields } from '../../../shared/log.js';

/** A console log that keeps its lines, parsed. */
function collected(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const log = consoleLog(level, (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { log, lines };
}

describe('consoleLog', () => {
  it('writes an error field with its name, message, stack, cause and own fields', () => {
    const { log, lines } = collected();
    const cause = new Error('EACCES: permission denied');
    const error = new StorageUnavailableError('cannot write the outbox', '/srv/outbox', 30, { cause });

    log.error('outbox write failed', { runId: 'r1', error });

    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'outbox write failed',
        runId: 'r1',
        error: expect.objectContaining({
          name: 'StorageUnavailableError',
          message: 'cannot write the outbox',
          stack: expect.stringMatching(/^StorageUnavailableError: cannot write the outbox\n\s+at /),
          folder: '/srv/outbox',
          retryAfterSec: 30,
          cause: expect.objectContaining({
            name: 'Error',
            message: 'EACCES: permission denied',
            stack: expect.stringContaining('\n    at '),
          }),
        }),
      }),
    ]);
  });

  it('writes an error given as the whole data under `error`, as Powertools does', () => {
    const { log, lines } = collected();

    log.error('retry not queued', new UpstreamError('no MessageId in the SES SendEmail answer', 'ses'));

    expect(lines[0]?.['error']).toMatchObject({ name: 'UpstreamError', upstream: 'ses', stack: expect.any(String) });
  });

  it('keeps a value thrown that is not an error as it is, and filters by level', () => {
    const { log, lines } = collected('warn');

    log.info('not written', { error: new Error('x') });
    log.warn('odd rejection', { error: 'a plain string' });

    expect(lines).toEqual([expect.objectContaining({ message: 'odd rejection', error: 'a plain string' })]);
  });
});

describe('errorFields', () => {
  it('cuts a cycle of causes after five levels', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.defineProperty(a, 'cause', { value: b });

    let depth = 0;
    let fields: unknown = errorFields(a);
    while (typeof fields === 'object' && fields !== null && 'cause' in fields) {
      fields = fields.cause;
      depth += 1;
    }

    expect(depth).toBe(6);
    expect(fields).toBe('Error: a');
    expect(() => JSON.stringify(errorFields(a))).not.toThrow();
  });
});
