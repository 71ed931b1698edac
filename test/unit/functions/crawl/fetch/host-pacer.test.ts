import { describe, expect, it } from 'vitest';
import { HostPacer } from '../../../../../functions/crawl/fetch/host-pacer.js';

/** A pacer on a fake clock: sleeping moves the clock, so nothing really waits. */
function fakePacer() {
  let now = 0;
  const waits: number[] = [];
  const pacer = new HostPacer({
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  });
  return { pacer, waits, advance: (ms: number) => (now += ms), at: () => now };
}

describe('HostPacer', () => {
  it('runs tasks for one host one at a time, in call order', async () => {
    const { pacer } = fakePacer();
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`start ${name}`);
      await Promise.resolve();
      await Promise.resolve();
      events.push(`end ${name}`);
      return name;
    };

    const results = await Promise.all([pacer.run('a.example', 0, task('1')), pacer.run('a.example', 0, task('2'))]);

    expect(results).toEqual(['1', '2']);
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('waits the minimum delay after the previous task ended', async () => {
    const { pacer, waits, advance } = fakePacer();

    await pacer.run('a.example', 1000, async () => advance(200));
    advance(300);
    await pacer.run('a.example', 1000, async () => undefined);

    expect(waits).toEqual([700]);
  });

  it('does not wait before the first task or when the delay has already passed', async () => {
    const { pacer, waits, advance } = fakePacer();

    await pacer.run('a.example', 1000, async () => undefined);
    advance(5000);
    await pacer.run('a.example', 1000, async () => undefined);

    expect(waits).toEqual([]);
  });

  it('lets different hosts run side by side', async () => {
    const { pacer } = fakePacer();
    const events: string[] = [];
    let release: () => void = () => undefined;
    const blocker = new Promise<void>((done) => (release = done));

    const slow = pacer.run('a.example', 0, async () => {
      events.push('a start');
      await blocker;
      events.push('a end');
    });
    const other = pacer.run('b.example', 0, async () => {
      events.push('b');
    });
    await other;
    release();
    await slow;

    expect(events).toEqual(['a start', 'b', 'a end']);
  });

  it('treats host names case-insensitively', async () => {
    const { pacer, waits } = fakePacer();

    await pacer.run('WWW.MEXT.GO.JP', 500, async () => undefined);
    await pacer.run('www.mext.go.jp', 500, async () => undefined);

    expect(waits).toEqual([500]);
  });

  it('passes a failure through without blocking the next task', async () => {
    const { pacer } = fakePacer();

    const failed = pacer.run('a.example', 0, async () => {
      throw new Error('boom');
    });
    const next = pacer.run('a.example', 0, async () => 'next');

    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});
