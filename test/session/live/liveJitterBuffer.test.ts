// liveJitterBuffer: the arithmetic of GPT-Live's jitter buffer on a frame clock — when a delta is
// taken given what waits ahead of it, how much silence primes the buffer so the delay is
// startDelayMs ± half a ptime at any clock phase, and when a standing lag is trimmed.
import { describe, expect, it } from 'vitest';
import { expectedDelayMs, nextFrameInMs, primeFrames, StandingLag } from '../../../src/session/live/liveJitterBuffer.js';

const clock = (next: number) => ({ frameSamples: 160, sampleRate: 8000, nextFrameInMs: next });

describe('liveJitterBuffer', () => {
  it('the next frame is one ptime after the last tick; unknown or overdue clocks are handled', () => {
    expect(nextFrameInMs(0, 20)).toBe(20);
    expect(nextFrameInMs(7, 20)).toBe(13);
    expect(nextFrameInMs(35, 20)).toBe(0); // the host missed a tick: due now
    expect(nextFrameInMs(-1, 20)).toBe(20); // never ticked: the later end
  });

  it('a delta is taken at the next frame plus one ptime per whole frame waiting (a partial frame adds nothing)', () => {
    expect(expectedDelayMs(0, clock(13))).toBe(13);
    expect(expectedDelayMs(159, clock(13))).toBe(13);
    expect(expectedDelayMs(320, clock(13))).toBe(53);
    expect(expectedDelayMs(400, clock(5))).toBe(45);
  });

  it('priming puts the first sample within half a ptime of startDelayMs at every phase of the clock', () => {
    for (const startDelayMs of [0, 20, 40, 60, 100]) {
      for (let next = 0; next <= 20; next += 0.5) {
        const frames = primeFrames(startDelayMs, clock(next));
        expect(frames).toBeGreaterThanOrEqual(0);
        const delay = expectedDelayMs(frames * 160, clock(next));
        if (startDelayMs >= 20) {
          expect(Math.abs(delay - startDelayMs)).toBeLessThanOrEqual(10);
        } else {
          expect(delay).toBeLessThanOrEqual(Math.max(startDelayMs + 10, next)); // cannot be sooner than the next frame
        }
      }
    }
  });

  it('the delta right after a priming one is judged alone: a prime dated by a late arrival is corrected at once', () => {
    const lag = new StandingLag(40, 5);
    expect(lag.observe(63, 20)).toBe(1); // 8 ms beyond 55: one frame
    expect(lag.observe(63, 20)).toBe(0); // then windows again
    lag.restart();
    expect(lag.observe(50, 20)).toBe(0);
    for (let i = 0; i < 4; i++) expect(lag.observe(63, 20)).toBe(0);
    expect(lag.observe(63, 20)).toBe(1);
  });

  it('a standing lag is trimmed only when every delta of a window is later than priming allows', () => {
    const lag = new StandingLag(40, 5);
    expect(lag.observe(40, 20)).toBe(0); // the first after priming
    // Within startDelay + ptime/2 + slack (55 ms): nothing, however long.
    for (let i = 0; i < 20; i++) expect(lag.observe(i % 5 === 4 ? 40 : 54, 20)).toBe(0);
    // One delta of the window at 50 ms: the margin it had is fine; nothing.
    for (let i = 0; i < 5; i++) expect(lag.observe(i === 2 ? 50 : 95, 20)).toBe(0);
    // Every delta at 95..100 ms: 40 ms of lag → two frames, the window starts again.
    const drops = [95, 97, 100, 96, 98].map((d) => lag.observe(d, 20));
    expect(drops).toEqual([0, 0, 0, 0, 2]);
    // A burst (a delta 100 ms beyond the primed delay) goes at once: 100 ms → five frames.
    expect(lag.observe(155, 20)).toBe(5);
    expect(lag.observe(104, 20)).toBe(0); // 49 ms beyond: a window's matter
    // A restart (a new priming) forgets the window.
    for (let i = 0; i < 4; i++) lag.observe(200, 20);
    lag.restart();
    for (let i = 0; i < 4; i++) expect(lag.observe(45, 20)).toBe(0);
    expect(lag.observe(45, 20)).toBe(0);
    expect(lag.observe(200, 20)).toBe(8); // a burst still goes at once
  });
});
