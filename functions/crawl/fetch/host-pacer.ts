/**
 * One request at a time per host, with a minimum pause between them. Several sources often live
 * on one host (MEXT's news feed and its 公募 list, say), and each gets its own fetcher, so the
 * pacer is shared: every `PoliteFetcher` in the process uses `sharedHostPacer` unless given
 * another one.
 */
export interface HostPacerOptions {
  /** Milliseconds clock; default `performance.now`. */
  readonly now?: () => number;
  /** How to wait; default a timer. Tests inject a recorder. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const timerSleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

export class HostPacer {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The last task queued per host; the next one starts after it settles. */
  private readonly tails = new Map<string, Promise<unknown>>();
  /** When the last task per host finished. */
  private readonly lastEnd = new Map<string, number>();

  constructor(options: HostPacerOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? timerSleep;
  }

  /**
   * Runs `task` once every earlier task for `host` has settled and at least `minDelayMs` have
   * passed since the last one ended. Tasks for one host run in call order (FIFO); different
   * hosts do not wait for each other. The task's result or error is passed through; a failing
   * task does not block the queue.
   */
  run<T>(host: string, minDelayMs: number, task: () => Promise<T>): Promise<T> {
    const key = host.toLowerCase();
    const previous = this.tails.get(key) ?? Promise.resolve();
    const mine = previous.then(async () => {
      const last = this.lastEnd.get(key);
      if (last !== undefined) {
        const wait = last + minDelayMs - this.now();
        if (wait > 0) await this.sleep(wait);
      }
      try {
        return await task();
      } finally {
        this.lastEnd.set(key, this.now());
      }
    });
    const tail = mine.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }
}

/** The process-wide pacer every fetcher uses by default. */
export const sharedHostPacer = new HostPacer();
