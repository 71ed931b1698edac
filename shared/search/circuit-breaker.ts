import type { Clock } from '../clock.js';
import { ConfigError } from '../errors.js';

export interface CircuitBreakerOptions {
  readonly clock: Clock;
  /** Consecutive failures (errors or timeouts) that open the breaker; default 3. */
  readonly failureThreshold?: number;
  /** How long an open breaker fails fast before it lets one probe through; default 10 000 ms. */
  readonly coolDownMs?: number;
}

/** `closed`: requests go through. `open`: they fail fast. `half-open`: one probe is in flight. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** The answer of `acquire()`: go ahead, or fail fast and tell the caller when to try again. */
export type CircuitPermit = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

/**
 * A circuit breaker for one remote dependency (the search engine), so a hung or dead engine
 * costs callers milliseconds instead of a timeout each.
 *
 * Contract: call `acquire()` before each request; when it allows the request, report its outcome
 * with exactly one `success()` or `failure()`. After `failureThreshold` consecutive failures the
 * breaker opens and `acquire()` refuses for `coolDownMs`. The first `acquire()` after the
 * cool-down lets one probe through (half-open) and refuses the others until the probe reports:
 * a success closes the breaker, a failure opens it for another cool-down. Only the engine being
 * unreachable counts as a failure; an error the engine answered with (a bad query) is a success.
 * Pure and synchronous; time comes from the injected clock.
 *
 * @example
 * const permit = breaker.acquire();
 * if (!permit.ok) throw new SearchUnavailableError('search engine circuit open', permit.retryAfterMs / 1000);
 * try { const answer = await send(); breaker.success(); return answer; }
 * catch (error) { breaker.failure(); throw error; }
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly coolDownMs: number;
  private readonly clock: Clock;
  private failures = 0;
  private openedAtMs: number | undefined;
  private probing = false;

  constructor(options: CircuitBreakerOptions) {
    this.clock = options.clock;
    this.failureThreshold = options.failureThreshold ?? 3;
    this.coolDownMs = options.coolDownMs ?? 10_000;
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1)
      throw new ConfigError(`circuit breaker failureThreshold ${this.failureThreshold}, expected an integer >= 1`);
    if (!(this.coolDownMs > 0))
      throw new ConfigError(`circuit breaker coolDownMs ${this.coolDownMs}, expected a positive number`);
  }

  get state(): CircuitState {
    if (this.probing) return 'half-open';
    return this.openedAtMs === undefined ? 'closed' : 'open';
  }

  /** Whether a request may go now; refusals say how long until the next probe may. */
  acquire(): CircuitPermit {
    if (this.openedAtMs === undefined) return { ok: true };
    if (this.probing) return { ok: false, retryAfterMs: this.coolDownMs };
    const waitMs = this.openedAtMs + this.coolDownMs - this.clock.now().getTime();
    if (waitMs > 0) return { ok: false, retryAfterMs: waitMs };
    this.probing = true;
    return { ok: true };
  }

  /** The engine answered: the breaker closes and the failure count starts again. */
  success(): void {
    this.failures = 0;
    this.openedAtMs = undefined;
    this.probing = false;
  }

  /** The engine could not be reached or did not answer in time. */
  failure(): void {
    this.failures++;
    if (this.probing || this.failures >= this.failureThreshold) {
      this.openedAtMs = this.clock.now().getTime();
      this.probing = false;
    }
  }
}
