// Playout (src/session/playout.ts) on a channel in memory: what the caller hears of the assistant's
// audio, in order and whole; the ring kept only a little ahead of the media thread; the speech and
// per-response playback events following what was actually played; a barge-in cut.
import { describe, expect, it } from 'vitest';
import { PlaybackMode } from '../../src/bridge.js';
import { LatencyMeter } from '../../src/session/latencyMeter.js';
import { PLAYBACK_AHEAD_MS, Playout, type PlaybackState } from '../../src/session/playout.js';
import { MemoryChannel, pcmDelta, ramp, recordingLog } from '../helpers/memoryChannel.js';

const RATE = 24000;
const FRAME = 480; // 20 ms

function setup(options: { playbackQueueMs?: number; raw?: boolean } = {}) {
  const port = new MemoryChannel({ sampleRate: RATE, frameSamples: FRAME });
  const events: string[] = [];
  const log = recordingLog();
  const playout = new Playout(port, {
    playbackQueueMs: options.playbackQueueMs ?? 60_000,
    raw: options.raw ?? false,
    files: null,
    latency: new LatencyMeter(),
    log,
    events: {
      speechStarted: () => events.push('speech started'),
      speechStopped: () => events.push('speech stopped'),
      responsePlayback: (id: string, state: PlaybackState) => events.push(`${id} ${state}`),
    },
  });
  playout.configure({ encoding: 'pcm', rate: RATE });
  /** The media thread plays `frames` frames, the pump offering room after each. */
  const play = (frames: number): void => {
    for (let i = 0; i < frames; i++) {
      port.tick(1);
      playout.onRoom();
    }
  };
  return { port, playout, events, log, play };
}

describe('Playout', () => {
  it('the caller hears every sample of an item in order, padded to a whole frame, and the events follow what was played', () => {
    const { port, playout, events, play } = setup();
    const audio = ramp(FRAME * 10 + 100); // ends mid-frame
    expect(playout.playDelta('item_1', 'resp_1', pcmDelta(audio))).toEqual({ queued: true, file: null });
    // Only ~80 ms go into the ring: the rest waits in the queue, so a cut is instant.
    expect(port.playbackQueued()).toBeLessThanOrEqual(Math.max((RATE * PLAYBACK_AHEAD_MS) / 1000, 2 * FRAME));
    expect(port.mode).toBe(PlaybackMode.queued);
    expect(events).toEqual([]); // nothing played yet
    play(1);
    expect(events).toEqual(['speech started', 'resp_1 started']);
    playout.endItemOf('item_1');
    play(20);
    expect(port.heard.slice(0, audio.length)).toEqual(audio);
    // The padding: zeros up to the frame boundary, so the last partial frame is played too.
    expect(port.heard).toHaveLength(FRAME * 11);
    expect(port.heard.slice(audio.length).every((s) => s === 0)).toBe(true);
    expect(events).toEqual(['speech started', 'resp_1 started', 'speech stopped', 'resp_1 completed']);
    expect(playout.idle).toBe(true);
    expect(port.mode).toBe(PlaybackMode.idle);
  });

  it('while an item streams with nothing queued, an empty ring is the server\'s gap, not an underrun', () => {
    const { port, playout, play } = setup();
    playout.playDelta('item_1', 'resp_1', pcmDelta(ramp(FRAME)));
    play(2);
    expect(playout.idle).toBe(false);
    expect(port.mode).toBe(PlaybackMode.awaitingServer);
  });

  it('muted: the caller hears silence, the timeline and its events go on', () => {
    const { port, playout, events, play } = setup();
    playout.setMuted(true);
    playout.playDelta('item_1', 'resp_1', pcmDelta(ramp(FRAME * 2)));
    playout.endItemOf('item_1');
    play(3);
    expect(port.heard).toHaveLength(FRAME * 2);
    expect(port.heard.every((s) => s === 0)).toBe(true);
    // No speech start while muted; the response's playback is still reported.
    expect(events).toEqual(['resp_1 started', 'resp_1 completed']);
  });

  it('paused: nothing moves into the ring until resumed', () => {
    const { port, playout, play } = setup();
    playout.setPaused(true);
    playout.playDelta('item_1', 'resp_1', pcmDelta(ramp(FRAME * 4)));
    expect(port.playbackQueued()).toBe(0);
    expect(port.mode).toBe(PlaybackMode.idle);
    playout.setPaused(false);
    play(2); // the first room offered after the resume fills the ring; the next frame plays from it
    expect(port.heard).toEqual(ramp(FRAME));
  });

  it('a full queue drops the newest audio, counts it and says so once per item', () => {
    const { playout, log } = setup({ playbackQueueMs: 200 });
    for (let i = 0; i < 5; i++) playout.playDelta('item_1', 'resp_1', pcmDelta(ramp(RATE / 10)));
    expect(playout.droppedSamples).toBeGreaterThan(0);
    expect(log.messages('warning').filter((m) => m.includes('playback queue full'))).toHaveLength(1);
  });

  it('invalid base64 is a result with the reason, nothing queued', () => {
    const { port, playout } = setup();
    const result = playout.playDelta('item_1', 'resp_1', '!!!not base64!!!');
    expect(result.queued).toBe(false);
    expect(port.playbackQueued()).toBe(0);
    expect(playout.queuedSamples).toBe(0);
  });

  it('a cut silences the ring and the queue at once and reports what each item had been heard of', () => {
    const { port, playout, events, play } = setup();
    playout.playDelta('item_1', 'resp_1', pcmDelta(ramp(RATE))); // 1 s
    play(5); // 100 ms heard
    expect(playout.pending).toBe(true);
    const cut = playout.cut();
    expect(port.playbackQueued()).toBe(0);
    expect(playout.queuedSamples).toBe(0);
    expect(cut.items).toEqual([{ itemId: 'item_1', playedMs: 100, receivedMs: 1000, complete: false }]);
    expect([...cut.responseIds]).toEqual(['resp_1']);
    playout.finishCut(cut);
    expect(events).toEqual(['speech started', 'resp_1 started', 'speech stopped', 'resp_1 interrupted']);
    expect(playout.pending).toBe(false);
    expect(playout.idle).toBe(true);
    // The next item starts clean and plays from its first sample.
    playout.playDelta('item_2', 'resp_2', pcmDelta(ramp(FRAME, 7)));
    const before = port.heard.length;
    play(1);
    expect(port.heard.slice(before)).toEqual(ramp(FRAME, 7));
  });

  it('raw mode: a burst ends when binary frames stop coming, and its playback completes', async () => {
    const { port, playout, events, play } = setup({ raw: true });
    playout.configure({ encoding: 'pcm', rate: RATE });
    const bytes = Buffer.from(pcmDelta(ramp(FRAME * 2)), 'base64');
    playout.playBinary(bytes, RATE);
    play(2);
    expect(port.heard).toEqual(ramp(FRAME * 2));
    await new Promise((resolve) => setTimeout(resolve, 120)); // > the 100 ms burst gap
    play(1);
    expect(playout.idle).toBe(true);
    expect(events).toEqual(['speech started', 'speech stopped']); // raw bursts have no response id
  });
});
