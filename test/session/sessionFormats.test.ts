// What this proves: the formats in force come from the server's session.created/updated, GA and
// legacy shapes; interrupt_response follows turn detection; a session.update that sets an input
// format is recognised; interrupted responses and items are remembered for dropping late deltas.
import { describe, expect, it } from 'vitest';
import { ResponseTracker } from '../../src/session/responseTracker.js';
import { defaultSessionAudioConfig, readSessionAudioConfig, sessionUpdateSetsInputFormat } from '../../src/session/sessionFormats.js';
import { Pcm16ByteStream } from '../../src/audio/pcm16ByteStream.js';

describe('readSessionAudioConfig', () => {
  it('reads GA formats and interrupt_response', () => {
    const c = readSessionAudioConfig(
      { audio: { input: { format: { type: 'audio/pcmu' }, turn_detection: { type: 'server_vad', interrupt_response: false } }, output: { format: { type: 'audio/pcma' } } } },
      defaultSessionAudioConfig(),
    );
    expect(c).toEqual({ input: { encoding: 'pcmu', rate: 8000 }, output: { encoding: 'pcma', rate: 8000 }, interruptResponse: false });
    const back = readSessionAudioConfig({ audio: { input: { format: { type: 'audio/pcm', rate: 24000 }, turn_detection: { type: 'semantic_vad' } } } }, c);
    expect(back).toEqual({ input: { encoding: 'pcm', rate: 24000 }, output: { encoding: 'pcma', rate: 8000 }, interruptResponse: true });
    expect(readSessionAudioConfig({ audio: { input: { turn_detection: null } } }, back).interruptResponse).toBe(false);
  });
  it('reads the legacy beta fields and ignores junk', () => {
    const c = readSessionAudioConfig({ input_audio_format: 'g711_ulaw', output_audio_format: 'pcm16', turn_detection: null }, defaultSessionAudioConfig());
    expect(c).toEqual({ input: { encoding: 'pcmu', rate: 8000 }, output: { encoding: 'pcm', rate: 24000 }, interruptResponse: false });
    expect(readSessionAudioConfig('nope', c)).toBe(c);
    expect(readSessionAudioConfig({ audio: { input: { format: { type: 'audio/opus' } } } }, c).input).toEqual(c.input);
  });

  it('reads a PCM rate it cannot resample quickly, or not at all, as 24000 (found by fuzzing: 24000.5 ended the session)', () => {
    for (const rate of [24000.5, 9e-209, 1, 7, 12345, 999_999, -8000, Number.NaN, '16000', null]) {
      const c = readSessionAudioConfig({ audio: { output: { format: { type: 'audio/pcm', rate } } } }, defaultSessionAudioConfig());
      expect(c.output).toEqual({ encoding: 'pcm', rate: 24000 });
    }
    expect(readSessionAudioConfig({ audio: { output: { format: { type: 'audio/pcm', rate: 16000 } } } }, defaultSessionAudioConfig()).output).toEqual({ encoding: 'pcm', rate: 16000 });
  });
});

describe('sessionUpdateSetsInputFormat', () => {
  it('is true only when the update names an input format', () => {
    expect(sessionUpdateSetsInputFormat({ type: 'session.update', session: { audio: { input: { format: { type: 'audio/pcmu' } } } } })).toBe(true);
    expect(sessionUpdateSetsInputFormat({ type: 'session.update', session: { audio: { output: { voice: 'marin' } } } })).toBe(false);
    expect(sessionUpdateSetsInputFormat({ type: 'session.update', session: { instructions: 'x' } })).toBe(false);
  });
});

describe('ResponseTracker', () => {
  it('tracks the active response and drops interrupted ids', () => {
    const t = new ResponseTracker();
    t.created('r1');
    expect(t.activeResponseId).toBe('r1');
    t.interrupt('r1', ['i1']);
    expect(t.isDropped('r1', 'x')).toBe(true);
    expect(t.isDropped('r2', 'i1')).toBe(true);
    expect(t.isDropped('r2', 'i2')).toBe(false);
    t.done('r1');
    expect(t.activeResponseId).toBeNull();
  });
});

describe('Pcm16ByteStream', () => {
  it('carries an odd byte into the next frame', () => {
    const s = new Pcm16ByteStream();
    const out = new Int16Array(8);
    const bytes = Buffer.from(Int16Array.from([1, -2, 300, -32768]).buffer);
    expect(s.decode(bytes.subarray(0, 3), 3, out)).toBe(1);
    expect(s.hasPendingByte).toBe(true);
    expect(s.decode(bytes.subarray(3), 5, out.subarray(1))).toBe(3);
    expect(Array.from(out.subarray(0, 4))).toEqual([1, -2, 300, -32768]);
    expect(s.hasPendingByte).toBe(false);
  });
});
