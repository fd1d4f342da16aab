// liveStart: the start as the Live engine sends it and what the channel's log says about its
// format — the format added for the channel, or what the application's own format costs on this
// channel (G.711 passed through says nothing; PCM on a G.711 channel names the conversion).
import { describe, expect, it } from 'vitest';
import { prepareLiveStart } from '../../../src/session/live/liveStart.js';

const PCMU = { codec: 'PCMU', sampleRate: 8000 };

describe('prepareLiveStart', () => {
  it('adds the channel format when the application named none, and says so', () => {
    const p = prepareLiveStart({ type: 'session.start', session: { model: 'gpt-live-1' } }, PCMU);
    expect(p.event.session.audio?.format).toEqual({ type: 'audio/pcmu', rate: 8000 });
    expect(p.format).toEqual({ encoding: 'pcmu', rate: 8000 });
    expect(p.note).toBe('session.start has no audio.format: added audio/pcmu at 8000 Hz for the PCMU channel');
  });

  it("keeps the application's format; a pass-through says nothing, a conversion is named", () => {
    const same = prepareLiveStart({ type: 'session.start', session: { model: 'gpt-live-1', audio: { format: { type: 'audio/pcmu', rate: 8000 } } } }, PCMU);
    expect(same.note).toBeNull();
    const pcm = prepareLiveStart({ type: 'session.start', session: { model: 'gpt-live-1', audio: { format: { type: 'audio/pcm', rate: 24000 } } } }, PCMU);
    expect(pcm.format).toEqual({ encoding: 'pcm', rate: 24000 });
    expect(pcm.note).toMatch(/^session\.start names audio\/pcm at 24000 Hz on a PCMU channel: decoded and resampled to 24000 Hz both ways/);
  });
});
