// What this proves: the two latencies status reports are measured where documented — caller
// stopped (speech_stopped) → first audio delta of the answer, and first delta → first sample
// played — once per response, and a greeting or a flushed response does not produce a bogus value.
import { describe, expect, it } from 'vitest';
import { LatencyMeter } from '../../src/session/latencyMeter.js';
import { TokenUsage } from '../../src/session/tokenUsage.js';

describe('LatencyMeter', () => {
  it('measures response and playout latency per response', () => {
    const m = new LatencyMeter();
    m.audioDelta('greeting', 100); // no turn before it: not a response latency
    m.playbackStarted('greeting', 160);
    expect(m.snapshot()).toEqual({ responseMs: null, playoutMs: 60, responses: 0 });
    m.speechStopped(1000);
    m.audioDelta('r1', 1700);
    m.audioDelta('r1', 1710); // later deltas of the same response change nothing
    m.playbackStarted('r1', 1745);
    expect(m.snapshot()).toEqual({ responseMs: 700, playoutMs: 45, responses: 1 });
  });

  it('a barge-in forgets first samples that will never be played', () => {
    const m = new LatencyMeter();
    m.audioDelta('r1', 0);
    m.flushed();
    m.playbackStarted('r1', 500);
    expect(m.snapshot().playoutMs).toBeNull();
  });
});

describe('TokenUsage', () => {
  it('sums response.done usage with the audio/text split; missing fields count as 0', () => {
    const t = new TokenUsage();
    t.add({ input_tokens: 20, output_tokens: 10, total_tokens: 30, input_token_details: { audio_tokens: 15, text_tokens: 5, cached_tokens: 4 }, output_token_details: { audio_tokens: 8, text_tokens: 2 } });
    t.add({ input_tokens: 5, output_tokens: 'x', total_tokens: 5 });
    t.add(null);
    expect(t.snapshot()).toEqual({ input: 25, output: 10, total: 35, inputAudio: 15, inputText: 5, inputCached: 4, outputAudio: 8, outputText: 2 });
  });
});
