// BargeIn (src/session/bargeIn.ts) over a real Playout on a channel in memory: the caller talks over
// the assistant, playout stops at once, the server is told what was heard, late audio is refused.
import { describe, expect, it } from 'vitest';
import { BargeIn } from '../../src/session/bargeIn.js';
import { LatencyMeter } from '../../src/session/latencyMeter.js';
import { Playout } from '../../src/session/playout.js';
import { ResponseTracker } from '../../src/session/responseTracker.js';
import { MemoryChannel, pcmDelta, ramp, recordingLog } from '../helpers/memoryChannel.js';

const RATE = 24000;
const FRAME = 480;

function setup() {
  const port = new MemoryChannel({ sampleRate: RATE, frameSamples: FRAME });
  const events: string[] = [];
  const sent: Array<Record<string, unknown>> = [];
  const log = recordingLog();
  const latency = new LatencyMeter();
  const playout = new Playout(port, {
    playbackQueueMs: 60_000,
    raw: false,
    files: null,
    latency,
    log,
    events: {
      speechStarted: () => events.push('speech started'),
      speechStopped: () => events.push('speech stopped'),
      responsePlayback: (id, state) => events.push(`${id} ${state}`),
    },
  });
  playout.configure({ encoding: 'pcm', rate: RATE });
  const responses = new ResponseTracker();
  let ids = 0;
  const bargeIn = new BargeIn({
    playout,
    responses,
    latency,
    log,
    send: (text) => sent.push(JSON.parse(text) as Record<string, unknown>),
    eventId: () => `oair_${++ids}`,
  });
  const play = (frames: number): void => {
    for (let i = 0; i < frames; i++) {
      port.tick(1);
      playout.onRoom();
    }
  };
  return { port, playout, responses, bargeIn, events, sent, play, log };
}

describe('BargeIn', () => {
  it('speech over a reply: the ring is flushed, the item truncated to what was heard, the active response cancelled', () => {
    const { port, playout, responses, bargeIn, events, sent, play } = setup();
    responses.created('resp_1');
    playout.playDelta('item_1', 'resp_1', pcmDelta(ramp(RATE)));
    play(10); // 200 ms heard
    bargeIn.speechStarted(false);
    expect(port.playbackQueued()).toBe(0);
    expect(sent).toEqual([
      { type: 'conversation.item.truncate', item_id: 'item_1', content_index: 0, audio_end_ms: 200, event_id: 'oair_1' },
      { type: 'response.cancel', event_id: 'oair_2', response_id: 'resp_1' },
    ]);
    expect(bargeIn.count).toBe(1);
    // The events of the cut come after what was sent, each once.
    expect(events).toEqual(['speech started', 'resp_1 started', 'speech stopped', 'resp_1 interrupted']);
    // Late deltas of the cut response are to be dropped.
    expect(responses.isDropped('resp_1', 'item_1')).toBe(true);
    const heard = port.heard.length;
    play(5);
    expect(port.heard.length).toBe(heard);
  });

  it('with interrupt_response the server cancels by itself: truncate only', () => {
    const { responses, playout, bargeIn, sent, play } = setup();
    responses.created('resp_1');
    playout.playDelta('item_1', 'resp_1', pcmDelta(ramp(RATE)));
    play(5);
    bargeIn.speechStarted(true);
    expect(sent.map((e) => e.type)).toEqual(['conversation.item.truncate']);
  });

  it('speech while the assistant is silent is an ordinary turn: nothing sent, nothing counted', () => {
    const { responses, playout, bargeIn, sent, play, events } = setup();
    responses.created('resp_1');
    playout.playDelta('item_1', 'resp_1', pcmDelta(ramp(FRAME * 2)));
    playout.endItemOf('item_1');
    play(4); // all heard
    bargeIn.speechStarted(false);
    expect(sent).toEqual([]);
    expect(bargeIn.count).toBe(0);
    expect(events).toEqual(['speech started', 'resp_1 started', 'speech stopped', 'resp_1 completed']);
  });
});
