// engineStatus (src/session/engineStatus.ts): what `openai_realtime status` shows of one session,
// read from its parts — the rings as the host made them, the formats in force (or the raw rates),
// the state, and the counters of the uplink and the playout.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_LIMITS } from '../../src/session/engineLimits.js';
import { BargeIn } from '../../src/session/bargeIn.js';
import { engineStatus, type EngineStatusSources } from '../../src/session/engineStatus.js';
import { LatencyMeter } from '../../src/session/latencyMeter.js';
import { Playout } from '../../src/session/playout.js';
import { ResponseTracker } from '../../src/session/responseTracker.js';
import { defaultSessionAudioConfig } from '../../src/session/sessionFormats.js';
import { TokenUsage } from '../../src/session/tokenUsage.js';
import { Uplink } from '../../src/session/uplink.js';
import type { EngineConfig } from '../../src/session/engineConfig.js';
import { MemoryChannel, MemoryTransport, recordingLog } from '../helpers/memoryChannel.js';

const CONFIG = {
  uuid: 'u',
  bugName: 'openai_audio_stream',
  label: 'audio stream',
  mix: 'stereo',
  raw: null,
  connection: { url: 'wss://api.example.com/v1/realtime?model=x&key=secret', headers: {}, deflate: false, tls: { rejectUnauthorized: true }, heartbeatS: 0, reconnect: true, reconnectAfterDrop: true, maxConnectAttempts: 1 },
  bufferSize: null,
  suppressLog: false,
  audioFiles: false,
  muteUser: true,
  uplinkGate: 'socket-open',
  initialSession: null,
  warnings: [],
} satisfies EngineConfig;

function sources(overrides: Partial<EngineStatusSources> = {}): EngineStatusSources {
  return {
    config: CONFIG,
    limits: DEFAULT_ENGINE_LIMITS,
    connection: new MemoryTransport(),
    parts: null,
    formats: defaultSessionAudioConfig(),
    ending: false,
    endReason: '',
    mutedOpenai: false,
    startedAt: Date.now(),
    counters: { appEventsRefused: 1, clientEventsQueued: 0, clientEventsQueuedTotal: 0, invalidAudioDeltas: 2, lateDeltasDropped: 3, responses: 4, internalErrors: 0 },
    tokens: new TokenUsage(),
    latency: new LatencyMeter(),
    ...overrides,
  };
}

describe('engineStatus', () => {
  it('before the hook is attached: the configuration, no channel figures, and never the URL\'s query', () => {
    const s = engineStatus(sources());
    expect(s).toMatchObject({ state: 'open', server: 'wss://api.example.com/v1/realtime', mix: 'stereo', mutedUser: true, inputFormat: 'audio/pcm@24000' });
    expect(s.channelRate).toBeUndefined();
    expect(s.captureRingMs).toBeUndefined();
    expect(JSON.stringify(s)).not.toContain('secret');
  });

  it('with the parts: the rings in ms (stereo capture counts both channels), the ptime and the counters', () => {
    const port = new MemoryChannel({ sampleRate: 16000, frameSamples: 320, captureChannels: 2, captureCapacity: 65536, playbackCapacity: 16384 });
    const transport = new MemoryTransport();
    const log = recordingLog();
    const uplink = new Uplink(port, transport, { bufferMs: 20, backlogMs: 1000, openAtStart: true, mutedUser: true, log });
    const latency = new LatencyMeter();
    const playout = new Playout(port, { playbackQueueMs: 1000, raw: false, files: null, latency, log, events: { speechStarted() {}, speechStopped() {}, responsePlayback() {} } });
    const bargeIn = new BargeIn({ playout, responses: new ResponseTracker(), latency, log, send: () => {}, eventId: () => 'x' });
    const s = engineStatus(sources({ parts: { port, uplink, playout, bargeIn, bufferMs: 20 }, connection: transport, ending: true, endReason: 'stop' }));
    expect(s).toMatchObject({
      state: 'ending',
      endReason: 'stop',
      channelRate: 16000,
      ptimeMs: 20,
      bufferMs: 20,
      captureRingMs: 2048,
      playbackRingMs: 1024,
      appEventsRefused: 1,
      invalidAudioDeltas: 2,
      lateDeltasDropped: 3,
      responses: 4,
      bargeIns: 0,
    });
  });

  it('raw mode names the raw rates, not the session formats', () => {
    const s = engineStatus(sources({ config: { ...CONFIG, raw: { sendRate: 16000, playbackRate: 8000 } } }));
    expect(s).toMatchObject({ inputFormat: 'raw pcm@16000', outputFormat: 'raw pcm@8000', inputRate: 16000, outputRate: 8000 });
  });
});
