// LiveTrack: GPT-Live's continuous output track on the engine's Playout, with a channel in memory
// and a clock the test moves: a delta that finds nothing to play (first delta, after running dry)
// is primed with whole frames of silence so the media thread takes it startDelayMs ± half a ptime
// after it arrived, whatever the frame clock's phase; never faster than the media clock; a standing
// lag is trimmed; speech start/stop follow the voice in the played audio; the arrival → taken delay
// is measured, dated by the media thread's tick.
import { describe, expect, it } from 'vitest';
import { encodePcm16Base64 } from '../../../src/audio/pcm.js';
import { LiveTrack } from '../../../src/session/live/liveTrack.js';
import { LatencyMeter } from '../../../src/session/latencyMeter.js';
import { Playout } from '../../../src/session/playout.js';
import { log } from '../../../src/runtime/logger.js';
import { MemoryChannel } from '../../helpers/memoryChannel.js';

const RATE = 8000;
const FRAME = 160; // 20 ms

function delta(ms: number, level: number): string {
  const samples = new Int16Array((RATE * ms) / 1000).fill(level);
  return encodePcm16Base64(samples, samples.length);
}

function setup(startDelayMs = 40): { port: MemoryChannel; track: LiveTrack; clock: { now: number }; events: string[]; tick: (frames?: number) => number[] } {
  const clock = { now: 0 };
  const port = new MemoryChannel({ sampleRate: RATE, frameSamples: FRAME, playbackCapacity: RATE, now: () => clock.now });
  const events: string[] = [];
  const playout = new Playout(port, {
    playbackQueueMs: 60_000,
    raw: false,
    files: null,
    latency: new LatencyMeter(),
    log,
    events: { speechStarted: () => {}, speechStopped: () => {}, responsePlayback: () => {} },
  });
  const track = new LiveTrack(playout, port, {
    startDelayMs,
    now: () => clock.now,
    events: { speechStarted: () => events.push('start'), speechStopped: () => events.push('stop') },
  });
  track.configure({ encoding: 'pcm', rate: RATE });
  // The media clock: one frame every 20 ms (at t = 20, 40, …), the engine's onRoom after each.
  const tick = (frames = 1): number[] => {
    const heard: number[] = [];
    for (let i = 0; i < frames; i++) {
      clock.now = (Math.floor(clock.now / 20) + 1) * 20;
      heard.push(...port.tick(1));
      track.onRoom();
    }
    return heard;
  };
  tick(1); // the media thread is running (at t = 20 ms)
  return { port, track, clock, events, tick };
}

describe('LiveTrack', () => {
  it('primes the first delta with silence so it is taken startDelayMs ± half a ptime after it arrived, at any clock phase', () => {
    for (let phase = 0; phase < 20; phase++) {
      const { port, track, clock, tick } = setup(40);
      clock.now += phase; // the delta arrives `phase` ms after the media thread's last frame
      const arrival = clock.now;
      track.delta(delta(100, 1000));
      // Nothing waits for a timer: the silence and the delta are queued at once.
      expect(port.writtenPosition()).toBeGreaterThan(0);
      const before = port.heard.length;
      let heard: number[] = [];
      let takenAt = -1;
      for (let i = 0; i < 10; i++) {
        const frame = tick(1);
        if (takenAt < 0 && frame.includes(1000)) takenAt = clock.now;
        heard = heard.concat(frame);
      }
      expect(Math.abs(takenAt - arrival - 40)).toBeLessThanOrEqual(10);
      expect(heard.filter((s) => s === 1000).length).toBe(800); // the whole 100 ms, once, in real time
      expect(heard.slice(0, heard.indexOf(1000)).every((s) => s === 0)).toBe(true); // only silence before it
      expect(port.heard.length - before).toBe(heard.length);
      const status = track.status() as { primes: number; playoutDelayMs: { count: number; p50: number } };
      expect(status.primes).toBe(1);
      expect(status.playoutDelayMs.count).toBe(1);
      expect(status.playoutDelayMs.p50).toBe(takenAt - arrival);
    }
  });

  it('the delay is dated by the media thread taking the frame, not by when the engine noticed', () => {
    const { port, track, clock } = setup(40);
    const arrival = clock.now;
    track.delta(delta(100, 1000));
    // The media thread takes frames every 20 ms; the engine looks only 15 ms after the second.
    clock.now += 20;
    port.tick(1);
    clock.now += 20;
    port.tick(1);
    clock.now += 15;
    track.onRoom();
    const status = track.status() as { playoutDelayMs: { p50: number } };
    expect(status.playoutDelayMs.p50).toBe(40);
    expect(clock.now - arrival).toBe(55);
  });

  it('a delta late but in time for its frame is not primed: no silence inside the track', () => {
    const { port, track, tick } = setup(40);
    track.delta(delta(100, 500)); // primed with one frame: taken at 40..120 ms
    tick(6); // t = 140: the ring has just run empty, no frame has missed it yet
    expect(port.playbackQueued()).toBe(0);
    track.delta(delta(100, 600)); // 20 ms late for the 40 ms margin, but before the next frame
    tick(6);
    const heard = port.heard.filter((_v, i, all) => i >= all.indexOf(500));
    const track500 = heard.slice(0, heard.lastIndexOf(600) + 1);
    expect(track500.every((v) => v !== 0)).toBe(true);
    expect(track500.length).toBe(1600);
    expect((track.status() as { primes: number }).primes).toBe(1);
  });

  it('a punctual track is not primed again; running dry primes again', () => {
    const { track, tick } = setup(40);
    for (let i = 0; i < 5; i++) {
      track.delta(delta(100, 500));
      tick(5);
    }
    expect((track.status() as { primes: number }).primes).toBe(1);
    tick(20); // the server is late: the buffer runs dry
    track.delta(delta(100, 500));
    expect((track.status() as { primes: number }).primes).toBe(2);
  });

  it('speech starts when voiced audio is played and stops after 300 ms of silent track', () => {
    const { track, tick, events } = setup(0);
    track.delta(delta(100, 0));
    tick(5);
    expect(events).toEqual([]);
    track.delta(delta(100, 4000));
    tick(5);
    expect(events).toEqual(['start']);
    for (let i = 0; i < 2; i++) {
      track.delta(delta(100, 0));
      tick(5);
    }
    expect(events).toEqual(['start']);
    track.delta(delta(100, 0));
    tick(5);
    track.delta(delta(100, 0));
    tick(5);
    expect(events).toEqual(['start', 'stop']);
  });

  it('a catch-up burst is trimmed at once, in whole frames, back to the primed delay', () => {
    const { track, tick, clock } = setup(40);
    track.delta(delta(100, 500));
    tick(5);
    // Two deltas at once (the server stalled, then caught up): 100 ms more would stay buffered.
    track.delta(delta(100, 500));
    track.delta(delta(100, 500));
    const status = track.status() as { trimmedMs: number; primes: number };
    expect(status.trimmedMs).toBeGreaterThanOrEqual(80);
    expect(status.trimmedMs % 20).toBe(0);
    expect(status.primes).toBe(1); // trimmed, never run dry
    expect(delaysOfNext(track, tick, clock, 5).every((d) => d <= 40 + 10 + 5)).toBe(true);
  });

  it('a smaller standing lag is trimmed after a window of deltas that all had it', () => {
    const { track, tick, clock } = setup(40);
    track.delta(delta(100, 500)); // t = 20, primed: taken at 60
    for (let i = 0; i < 3; i++) {
      tick(5);
      track.delta(delta(100, 500)); // punctual
    }
    tick(2);
    track.delta(delta(100, 500)); // 60 ms early: from now on every delta waits ~100 ms
    for (let i = 0; i < 5; i++) {
      tick(5);
      track.delta(delta(100, 500));
    }
    expect((track.status() as { trimmedMs: number }).trimmedMs).toBe(0); // not a burst: waits for a window all of it late
    for (let i = 0; i < 15; i++) {
      tick(5);
      track.delta(delta(100, 500));
    }
    expect((track.status() as { trimmedMs: number }).trimmedMs).toBe(60); // 100 ms waited, 40 ± 10 allowed
    expect(delaysOfNext(track, tick, clock, 5).every((d) => d <= 40 + 10 + 5)).toBe(true);
  });

  it('the delta after a priming one corrects a prime dated by a late arrival', () => {
    const { port, track, tick, clock } = setup(40);
    track.delta(delta(100, 500)); // t = 20: primed to be taken at 60
    tick(3); // t = 80
    clock.now += 17; // t = 97: the next delta comes 77 ms after the first (which was noticed 23 ms late)
    track.delta(delta(100, 501)); // it would wait 63 ms (160 − 97): one frame more than priming allows
    expect(track.status()).toMatchObject({ primes: 1, trimmedMs: 20 });
    // The track goes on at its pace (every 100 ms from 97): each delta is heard within 40 ± 10 ms (+5 slack).
    for (let i = 0; i < 5; i++) {
      const arrival = 197 + 100 * i;
      while (clock.now + 20 <= arrival) tick(1);
      clock.now = arrival;
      track.delta(delta(100, 700 + i));
      const before = port.heard.length;
      let heardAt = -1;
      for (let f = 0; f < 6 && heardAt < 0; f++) if (tick(1).includes(700 + i)) heardAt = clock.now;
      expect(heardAt - arrival).toBeLessThanOrEqual(55);
      expect(port.heard.length).toBeGreaterThan(before);
    }
  });
});

/** Sends `n` more punctual deltas (each marked) and returns how long after arrival each was first heard. */
function delaysOfNext(track: LiveTrack, tick: (frames?: number) => number[], clock: { now: number }, n: number): number[] {
  const heardAt: number[] = [];
  const arrivals: number[] = [];
  const listen = (frames: number): void => {
    for (let f = 0; f < frames; f++) {
      const mark = tick(1).find((v) => v >= 700 && v < 700 + n);
      if (mark !== undefined && heardAt[mark - 700] === undefined) heardAt[mark - 700] = clock.now;
    }
  };
  for (let i = 0; i < n; i++) {
    listen(5);
    arrivals.push(clock.now);
    track.delta(delta(100, 700 + i));
  }
  listen(10);
  return arrivals.map((at, i) => (heardAt[i] ?? Infinity) - at);
}
