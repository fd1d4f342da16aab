// What this proves: the back-off follows 100 ms × 2^n capped at 10 s with ±20 % jitter, stops
// after the configured attempts, restarts after a success, and only abnormal closes reconnect.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, shouldReconnectAfterClose } from '../../src/session/reconnectPolicy.js';

describe('backoffDelay', () => {
  it('is 100 ms × 2^n without jitter (random = 0.5), capped at 10 s', () => {
    expect([0, 1, 2, 3, 6, 7, 8, 50].map((n) => backoffDelay(n, 0.5))).toEqual([100, 200, 400, 800, 6400, 10000, 10000, 10000]);
  });
  it('stays within ±20 %', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (n, r) => {
        const nominal = Math.min(10_000, 100 * 2 ** n);
        const d = backoffDelay(n, r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(nominal * 0.8));
        expect(d).toBeLessThanOrEqual(Math.ceil(nominal * 1.2));
      }),
    );
  });
});

describe('Backoff', () => {
  it('allows maxAttempts attempts, then says stop; reset starts over', () => {
    const b = new Backoff(10, () => 0.5);
    const waits: Array<number | null> = [];
    for (let i = 0; i < 10; i++) waits.push(b.fail());
    expect(waits).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000, null]);
    expect(b.failures).toBe(10);
    b.reset();
    expect(b.fail()).toBe(100);
  });
  it('a single attempt (STREAM_NO_RECONNECT) stops at the first failure', () => {
    expect(new Backoff(1).fail()).toBeNull();
  });
});

describe('shouldReconnectAfterClose', () => {
  it('reconnects after abnormal closes only', () => {
    for (const code of [1001, 1005, 1006, 1011, 1012, 1013, 1014, 3000]) expect(shouldReconnectAfterClose(code)).toBe(true);
    for (const code of [1000, 1002, 1003, 1007, 1008, 1009, 1010, 4000, 4999]) expect(shouldReconnectAfterClose(code)).toBe(false);
  });
});
