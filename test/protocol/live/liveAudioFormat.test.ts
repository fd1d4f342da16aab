// What this proves: a Live session started without audio.format gets the format that fits the
// channel (G.711 passed through at 8 kHz, else PCM at 16 or 24 kHz), the application's own choice
// is never overridden, and the application's event object is not modified.
import { describe, expect, it } from 'vitest';
import { bytesPerMs, formatNote, isPassThrough, liveFormatForChannel, withChannelAudioFormat } from '../../../src/protocol/live/liveAudioFormat.js';
import { sessionStart } from '../../../src/protocol/live/liveClientBuilders.js';

describe('liveFormatForChannel', () => {
  it('passes G.711 channels through at 8000', () => {
    expect(liveFormatForChannel({ codec: 'PCMU', sampleRate: 8000 })).toEqual({ type: 'audio/pcmu', rate: 8000 });
    expect(liveFormatForChannel({ codec: 'pcma', sampleRate: 8000 })).toEqual({ type: 'audio/pcma', rate: 8000 });
    expect(isPassThrough({ type: 'audio/pcmu', rate: 8000 }, { codec: 'PCMU', sampleRate: 8000 })).toBe(true);
    expect(isPassThrough({ type: 'audio/pcma', rate: 8000 }, { codec: 'PCMU', sampleRate: 8000 })).toBe(false);
  });

  it('uses PCM at 16000 up to wideband and 24000 above', () => {
    expect(liveFormatForChannel({ codec: 'L16', sampleRate: 8000 })).toEqual({ type: 'audio/pcm', rate: 16000 });
    expect(liveFormatForChannel({ codec: 'G722', sampleRate: 16000 })).toEqual({ type: 'audio/pcm', rate: 16000 });
    expect(liveFormatForChannel({ codec: 'OPUS', sampleRate: 48000 })).toEqual({ type: 'audio/pcm', rate: 24000 });
    expect(liveFormatForChannel({ codec: 'L16', sampleRate: 24000 })).toEqual({ type: 'audio/pcm', rate: 24000 });
    expect(isPassThrough({ type: 'audio/pcm', rate: 16000 }, { codec: 'L16', sampleRate: 16000 })).toBe(false);
  });

  it('knows the byte rate of each format', () => {
    expect(bytesPerMs({ type: 'audio/pcmu', rate: 8000 })).toBe(8);
    expect(bytesPerMs({ type: 'audio/pcm', rate: 16000 })).toBe(32);
    expect(bytesPerMs({ type: 'audio/pcm', rate: 24000 })).toBe(48);
  });
});

describe('withChannelAudioFormat', () => {
  it('adds the channel format when the start has none, keeping the voice and not touching the original', () => {
    const original = sessionStart({ model: 'gpt-live-1', audio: { output: { voice: 'cedar' } } }, 'start_1');
    const frozen = JSON.stringify(original);
    const { event, added } = withChannelAudioFormat(original, { codec: 'PCMA', sampleRate: 8000 });
    expect(added).toEqual({ type: 'audio/pcma', rate: 8000 });
    expect(event).toEqual({ type: 'session.start', event_id: 'start_1', session: { model: 'gpt-live-1', audio: { output: { voice: 'cedar' }, format: { type: 'audio/pcma', rate: 8000 } } } });
    expect(JSON.stringify(original)).toBe(frozen);
  });

  it('adds audio when the start has no audio object at all', () => {
    const { event, added } = withChannelAudioFormat(sessionStart({ model: 'gpt-live-1' }), { codec: 'OPUS', sampleRate: 48000 });
    expect(added).toEqual({ type: 'audio/pcm', rate: 24000 });
    expect(event.session.audio).toEqual({ format: { type: 'audio/pcm', rate: 24000 } });
  });

  it("keeps the application's format", () => {
    const start = sessionStart({ model: 'gpt-live-1', audio: { format: { type: 'audio/pcm', rate: 24000 } } });
    expect(withChannelAudioFormat(start, { codec: 'PCMU', sampleRate: 8000 })).toEqual({ event: start, added: null });
  });
});

describe('formatNote', () => {
  it('says nothing for pass-through or PCM at the channel rate', () => {
    expect(formatNote({ type: 'audio/pcmu', rate: 8000 }, { codec: 'PCMU', sampleRate: 8000 })).toBeNull();
    expect(formatNote({ type: 'audio/pcm', rate: 16000 }, { codec: 'L16', sampleRate: 16000 })).toBeNull();
  });

  it("names the conversion an application's format costs on the channel, and the pass-through alternative", () => {
    expect(formatNote({ type: 'audio/pcm', rate: 24000 }, { codec: 'PCMU', sampleRate: 8000 })).toBe(
      "session.start names audio/pcm at 24000 Hz on a PCMU channel: decoded and resampled to 24000 Hz both ways (audio/pcmu at 8000 would pass the channel's audio through untouched)",
    );
    expect(formatNote({ type: 'audio/pcma', rate: 8000 }, { codec: 'PCMU', sampleRate: 8000 })).toMatch(/transcoded between the two G\.711 laws/);
    expect(formatNote({ type: 'audio/pcm', rate: 24000 }, { codec: 'L16', sampleRate: 16000 })).toBe('session.start names audio/pcm at 24000 Hz on a L16 channel at 16000 Hz: resampled both ways');
    expect(formatNote({ type: 'audio/pcmu', rate: 8000 }, { codec: 'OPUS', sampleRate: 48000 })).toMatch(/G\.711-encoded and resampled both ways/);
  });
});
