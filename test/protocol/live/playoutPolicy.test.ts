// What this proves: Live output starts playing a small fixed delay after the first delta (40 ms
// by default, configurable), a late delta shows as an underrun and re-primes, the standing lag it
// leaves is trimmed within about a second, a burst beyond the buffer limit is dropped from the
// oldest end so the caller never lags the model's timeline by more than the limit, and the
// arrival → first-sample delay of each delta is measured.
import { describe, expect, it } from 'vitest';
import { DEFAULT_START_DELAY_MS, PlayoutPolicy } from '../../../src/protocol/live/playoutPolicy.js';

/** Drive a policy with 100 ms deltas arriving at `arrivals` and 20 ms frames from t=0 to `untilMs`. */
function run(policy: PlayoutPolicy, arrivals: number[], untilMs: number): string[] {
  const log: string[] = [];
  let next = 0;
  for (let now = 0; now < untilMs; now += 20) {
    while (next < arrivals.length && arrivals[next]! <= now) policy.delta(arrivals[next++]!, 100);
    log.push(policy.frame(now, 20).action);
  }
  return log;
}

describe('PlayoutPolicy', () => {
  it('starts 40 ms after the first delta by default, well under 100 ms', () => {
    expect(DEFAULT_START_DELAY_MS).toBeLessThan(100);
    const policy = new PlayoutPolicy();
    const log = run(policy, [100, 200, 300, 400], 500);
    expect(log.indexOf('play')).toBe(7); // t=140: first delta at 100 + 40
    expect(log.slice(7).every((a) => a === 'play')).toBe(true);
    expect(policy.underruns).toBe(0);
  });

  it('absorbs jitter up to its margin with real-time deltas', () => {
    const delays: number[] = [];
    const policy = new PlayoutPolicy({ startDelayMs: 40 }, (d) => delays.push(d));
    // Nominal every 100 ms, each late by up to 30 ms.
    const arrivals = [0, 125, 210, 330, 400, 529, 600, 715];
    run(policy, arrivals, 800);
    expect(policy.underruns).toBe(0);
    expect(delays).toHaveLength(8);
    expect(Math.max(...delays)).toBeLessThanOrEqual(60);
  });

  it('shows a late delta as an underrun, then re-primes', () => {
    const policy = new PlayoutPolicy({ startDelayMs: 20 });
    const log = run(policy, [0, 250], 380);
    expect(log.slice(0, 1)).toEqual(['wait']);
    expect(log.filter((a) => a === 'underrun')).toHaveLength(1);
    const underrunAt = log.indexOf('underrun');
    expect(underrunAt).toBe(6); // t=120: 100 ms played from t=20
    // Waiting until the next delta (250) plus 20 ms.
    expect(log.slice(underrunAt + 1, 14).every((a) => a === 'wait')).toBe(true);
    expect(log[14]).toBe('play');
    expect(policy.underruns).toBe(1);
  });

  it('can start at once when configured with no delay', () => {
    const policy = new PlayoutPolicy({ startDelayMs: 0 });
    policy.delta(0, 100);
    expect(policy.frame(0, 20)).toEqual({ action: 'play' });
    expect(policy.bufferedMs).toBe(80);
  });

  it('drops the oldest audio beyond the buffer limit after a burst', () => {
    const delays: number[] = [];
    const policy = new PlayoutPolicy({ startDelayMs: 40, maxBufferedMs: 300 }, (d) => delays.push(d));
    let dropped = 0;
    for (let i = 0; i < 6; i++) dropped += policy.delta(1000, 100);
    expect(dropped).toBe(300);
    expect(policy.bufferedMs).toBe(300);
    expect(policy.droppedMs).toBe(300);
    expect(policy.frame(1040, 20)).toEqual({ action: 'play' });
    // Dropped deltas are never "played": only the newest three are measured, as they start.
    for (let t = 1060; t < 1400; t += 20) policy.frame(t, 20);
    expect(delays).toEqual([40, 140, 240]);
  });

  it('trims the standing lag a late delta leaves behind, back to the start delay within about a second', () => {
    const delays: number[] = [];
    const policy = new PlayoutPolicy({ startDelayMs: 40 }, (d) => delays.push(d));
    // On time every 100 ms, except one delta 70 ms late (t=370): an underrun, then playout resumes
    // 40 ms after it, and every later delta would wait 40 + 70 ms without trimming.
    const arrivals = Array.from({ length: 30 }, (_, i) => (i === 3 ? 370 : i * 100));
    run(policy, arrivals, 3000);
    expect(policy.underruns).toBe(1);
    expect(policy.trimmedMs).toBeGreaterThanOrEqual(50);
    expect(policy.trimmedMs).toBeLessThanOrEqual(90);
    // Right after the late delta, the lag is there…
    expect(Math.max(...delays.slice(4, 8))).toBeGreaterThanOrEqual(100);
    // …and a second later it is gone.
    expect(Math.max(...delays.slice(20))).toBeLessThanOrEqual(60);
  });

  it('keeps a standing level within the tolerance (no trimming on frame quantisation)', () => {
    const policy = new PlayoutPolicy({ startDelayMs: 40 });
    run(policy, Array.from({ length: 40 }, (_, i) => i * 100 + 5), 4000);
    expect(policy.trimmedMs).toBe(0);
    expect(policy.underruns).toBe(0);
  });

  it('reset forgets the buffer and primes again', () => {
    const policy = new PlayoutPolicy();
    policy.delta(0, 100);
    policy.frame(40, 20);
    policy.reset();
    expect(policy.bufferedMs).toBe(0);
    expect(policy.playing).toBe(false);
    expect(policy.frame(60, 20)).toEqual({ action: 'wait' });
  });
});
