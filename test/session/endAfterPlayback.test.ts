// EndAfterPlayback (src/session/endAfterPlayback.ts): the end after the server closed for good
// waits for the playout to be idle, at most the cap, and not at all once the stream ended otherwise.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EndAfterPlayback } from '../../src/session/endAfterPlayback.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('EndAfterPlayback', () => {
  it('idle: ends at once; else when the playout is idle, once', () => {
    const ended: string[] = [];
    const a = new EndAfterPlayback((r) => ended.push(r));
    a.begin('closed', true, 1000);
    expect(ended).toEqual(['closed']);
    const b = new EndAfterPlayback((r) => ended.push(r));
    b.begin('gone', false, 1000);
    expect(b.waiting).toBe(true);
    b.check(false);
    expect(ended).toEqual(['closed']);
    b.check(true);
    b.check(true);
    expect(ended).toEqual(['closed', 'gone']);
    expect(b.waiting).toBe(false);
  });

  it('a playout that never drains (paused, held) ends at the cap; a cancel ends nothing', () => {
    vi.useFakeTimers();
    const ended: string[] = [];
    const a = new EndAfterPlayback((r) => ended.push(r));
    a.begin('closed', false, 3000);
    vi.advanceTimersByTime(2999);
    expect(ended).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ended).toEqual(['closed']);
    const b = new EndAfterPlayback((r) => ended.push(r));
    b.begin('closed', false, 3000);
    b.cancel();
    vi.advanceTimersByTime(5000);
    b.check(true);
    expect(ended).toEqual(['closed']);
  });
});
