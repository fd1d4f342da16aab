// LiveTrack: GPT-Live's continuous output track on the engine's Playout, with a channel in memory
// and a clock the test moves: playout starts startDelayMs after a delta finds nothing to play
// (first delta, after running dry), never faster than the media clock; a standing lag is trimmed;
// speech start/stop follow the voice in the played audio; the arrival → played delay is measured.
import { describe, expect, it } from 'vitest';
import { encodePcm16Base64 } from '../src/audio/pcm.js';
import { LiveTrack } from '../src/session/live/liveTrack.js';
import { LatencyMeter } from '../src/session/latencyMeter.js';
import { Playout } from '../src/session/playout.js';
import { log } from '../src/runtime/logger.js';
import { MemoryChannel } from './helpers/memoryChannel.js';

const RATE = 8000;
const FRAME = 160; // 20 ms

function delta(ms: number, level: number): string {
  const samples = new Int16Array((RATE * ms) / 1000).fill(level);
  return encodePcm16Base64(samples, samples.length);
}

function setup(startDelayMs = 40): { port: MemoryChannel; track: LiveTrack; clock: { now: number }; events: string[]; tick: (frames?: number) => number[] } {
  const port = new MemoryChannel({ sampleRate: RATE, frameSamples: FRAME, playbackCapacity: RATE });
  const events: string[] = [];
  const playout = new Playout(port, {
    playbackQueueMs: 60_000,
    raw: false,
    files: null,
    latency: new LatencyMeter(),
    log,
    events: { speechStarted: () => {}, speechStopped: () => {}, responsePlayback: () => {} },
  });
  const clock = { now: 0 };
  const track = new LiveTrack(playout, port, {
    startDelayMs,
    now: () => clock.now,
    events: { speechStarted: () => events.push('start'), speechStopped: () => events.push('stop') },
  });
  track.configure({ encoding: 'pcm', rate: RATE });
  // The media clock: one frame every 20 ms, the engine's onRoom after each.
  const tick = (frames = 1): number[] => {
    const heard: number[] = [];
    for (let i = 0; i < frames; i++) {
      clock.now += 20;
      heard.push(...port.tick(1));
      track.onRoom();
    }
    return heard;
  };
  track.onRoom();
  return { port, track, clock, events, tick };
}

describe('LiveTrack', () => {
  it('holds the first delta startDelayMs, then plays at the media clock; the delay is measured', () => {
    const { port, track, tick } = setup(40);
    track.delta(delta(100, 1000));
    expect(port.writtenPosition()).toBe(0);
    tick(1); // 20 ms: still priming
    expect(port.writtenPosition()).toBe(0);
    tick(1); // 40 ms: released
    expect(port.writtenPosition()).toBeGreaterThan(0);
    const heard = tick(6);
    expect(heard.filter((s) => s === 1000).length).toBe(800); // the whole 100 ms, once, in real time
    const status = track.status() as { primes: number; playoutDelayMs: { count: number; p50: number } };
    expect(status.primes).toBe(1);
    expect(status.playoutDelayMs.count).toBe(1);
    expect(status.playoutDelayMs.p50).toBeGreaterThanOrEqual(40);
    expect(status.playoutDelayMs.p50).toBeLessThanOrEqual(80);
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

  it('trims a standing lag left by a late delta', () => {
    const { track, tick } = setup(40);
    track.delta(delta(100, 500));
    tick(5);
    // Two deltas at once (one was late), then punctual ones: 100 ms more stays buffered for good.
    track.delta(delta(100, 500));
    track.delta(delta(100, 500));
    const waiting = (): number => track.bufferedMs;
    tick(5);
    track.delta(delta(100, 500));
    const lagBefore = waiting();
    for (let i = 0; i < 25; i++) {
      tick(5);
      track.delta(delta(100, 500));
    }
    const trimmed = (track.status() as { trimmedMs: number }).trimmedMs;
    expect(trimmed).toBeGreaterThanOrEqual(40);
    expect(waiting()).toBeLessThanOrEqual(lagBefore - 40);
  });
});
