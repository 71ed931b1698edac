import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import { ConfigError } from '../../../../shared/errors.js';
import { CircuitBreaker } from '../../../../shared/search/circuit-breaker.js';

function breakerAt(options: { failureThreshold?: number; coolDownMs?: number } = {}) {
  const clock = new FixedClock('2026-01-01T00:00:00Z');
  return { clock, breaker: new CircuitBreaker({ clock, failureThreshold: 3, coolDownMs: 10_000, ...options }) };
}

describe('CircuitBreaker', () => {
  it('lets requests through while fewer than failureThreshold failures follow each other', () => {
    const { breaker } = breakerAt();

    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();

    expect(breaker.state).toBe('closed');
    expect(breaker.acquire()).toEqual({ ok: true });
  });

  it('opens after failureThreshold consecutive failures and refuses with the time left of the cool-down', () => {
    const { clock, breaker } = breakerAt();
    for (let i = 0; i < 3; i++) breaker.failure();

    clock.advanceMs(4_000);
    const refused = breaker.acquire();

    expect(breaker.state).toBe('open');
    expect(refused).toEqual({ ok: false, retryAfterMs: 6_000 });
  });

  it('lets exactly one probe through after the cool-down and refuses the others until it reports', () => {
    const { clock, breaker } = breakerAt();
    for (let i = 0; i < 3; i++) breaker.failure();
    clock.advanceMs(10_000);

    const probe = breaker.acquire();
    const second = breaker.acquire();

    expect(probe).toEqual({ ok: true });
    expect(breaker.state).toBe('half-open');
    expect(second.ok).toBe(false);
  });

  it('closes when the probe succeeds', () => {
    const { clock, breaker } = breakerAt();
    for (let i = 0; i < 3; i++) breaker.failure();
    clock.advanceMs(10_000);
    breaker.acquire();

    breaker.success();

    expect(breaker.state).toBe('closed');
    expect(breaker.acquire()).toEqual({ ok: true });
    expect(breaker.acquire()).toEqual({ ok: true });
  });

  it('opens for a whole new cool-down when the probe fails', () => {
    const { clock, breaker } = breakerAt();
    for (let i = 0; i < 3; i++) breaker.failure();
    clock.advanceMs(15_000);
    breaker.acquire();

    breaker.failure();
    clock.advanceMs(9_999);

    expect(breaker.state).toBe('open');
    expect(breaker.acquire()).toEqual({ ok: false, retryAfterMs: 1 });
    clock.advanceMs(1);
    expect(breaker.acquire()).toEqual({ ok: true });
  });

  it('opens on the first failure with a threshold of 1', () => {
    const { breaker } = breakerAt({ failureThreshold: 1 });

    breaker.failure();

    expect(breaker.acquire()).toEqual({ ok: false, retryAfterMs: 10_000 });
  });

  it.each([
    [{ failureThreshold: 0 }, /failureThreshold 0/],
    [{ failureThreshold: 1.5 }, /failureThreshold 1.5/],
    [{ coolDownMs: 0 }, /coolDownMs 0/],
  ])('rejects the setting %o', (options, message) => {
    expect(() => breakerAt(options)).toThrow(ConfigError);
    expect(() => breakerAt(options)).toThrow(message);
  });
});
