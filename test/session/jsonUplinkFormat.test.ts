// decideJsonUplink (src/session/jsonUplinkFormat.ts): what mix and send_rate mean in JSON mode.
import { describe, expect, it } from 'vitest';
import { decideJsonUplink } from '../../src/session/jsonUplinkFormat.js';

const base = { sendRate: 24000, playbackRate: 24000, protocol: 'realtime' as const };

describe('decideJsonUplink', () => {
  it('stereo to a server of our own: two channels at send_rate, no warning', () => {
    expect(decideJsonUplink({ ...base, mix: 'stereo', sendRate: 8000, url: 'ws://10.0.0.5:8080/rec' })).toEqual({ stereoRate: 8000, warning: null });
    expect(decideJsonUplink({ ...base, mix: 'stereo', url: 'wss://proxy.example.com/v1/realtime' })).toEqual({ stereoRate: 24000, warning: null });
  });

  it('stereo to OpenAI or Azure: mono in the session format (they take one channel), send_rate warned about', () => {
    for (const url of [
      'wss://api.openai.com/v1/realtime?model=gpt-realtime',
      'wss://res.openai.azure.com/openai/v1/realtime?model=d',
      'wss://res.cognitiveservices.azure.com/openai/v1/realtime?model=d',
    ]) {
      expect(decideJsonUplink({ ...base, mix: 'stereo', url })).toEqual({ stereoRate: null, warning: null });
      const d = decideJsonUplink({ ...base, mix: 'stereo', sendRate: 8000, url });
      expect(d.stereoRate).toBeNull();
      expect(d.warning).toMatch(/^send_rate 8000 \/ playback_rate 24000 apply to raw mode only/);
    }
  });

  it('GPT-Live, mono and mixed: one channel in the session format', () => {
    expect(decideJsonUplink({ ...base, mix: 'stereo', protocol: 'live', url: 'ws://127.0.0.1/v1/live/sessions' }).stereoRate).toBeNull();
    expect(decideJsonUplink({ ...base, mix: 'mono', url: 'ws://127.0.0.1/' })).toEqual({ stereoRate: null, warning: null });
    expect(decideJsonUplink({ ...base, mix: 'mixed', sendRate: 16000, url: 'ws://127.0.0.1/' }).warning).toMatch(/send_rate 16000/);
  });

  it('stereo to our own server with another playback_rate: only that is warned about', () => {
    expect(decideJsonUplink({ ...base, mix: 'stereo', playbackRate: 8000, url: 'ws://127.0.0.1/' }).warning).toMatch(/^playback_rate 8000 applies to raw mode only/);
  });
});
