import { describe, expect, it, vi } from 'vitest';
import { UpstreamError } from '../../../../shared/errors.js';
import { powertoolsLog } from '../../../../shared/wiring/powertools-log.js';

/** The JSON lines Powertools' Logger writes to stdout and stderr while `run` runs. */
function linesWritten(run: () => void): Record<string, unknown>[] {
  const written: string[] = [];
  const keep = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  try {
    run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('powertoolsLog', () => {
  it('writes an error passed as { error } with its name, message, stack, cause and own fields', () => {
    const log = powertoolsLog('chiiki-test', 'info');
    const error = new UpstreamError('no MessageId in the SES SendEmail answer', 'ses', { cause: new Error('inner') });

    const lines = linesWritten(() => log.error('digest delivery failed', { subscriptionId: 's1', error }));

    expect(lines).toEqual([
      expect.objectContaining({
        message: 'digest delivery failed',
        subscriptionId: 's1',
        error: expect.objectContaining({
          name: 'UpstreamError',
          message: 'no MessageId in the SES SendEmail answer',
          stack: expect.stringMatching(/^UpstreamError: no MessageId/),
          upstream: 'ses',
          cause: expect.objectContaining({ name: 'Error', message: 'inner', stack: expect.any(String) }),
        }),
      }),
    ]);
  });
});
