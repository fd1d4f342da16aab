// LiveEngine (src/session/live/liveEngine.ts) whole, on its two seams in memory — a channel and a
// socket — with no addon and no network: the order of the handshake (session.start first, held
// application events, their bound), caller audio only while the session is active and silence when
// muted, usage and context ratio in status, a non-fatal error that leaves the session running, and
// the bounded wait for session.closed when stopping.
import { describe, expect, it } from 'vitest';
import type { AttachOptions, MediaChannel, MediaHandler } from '../../../src/media/mediaChannel.js';
import type { EngineConfig } from '../../../src/session/engineConfig.js';
import { LiveEngine, type LiveEngineListener } from '../../../src/session/live/liveEngine.js';
import type { ConnectionListener } from '../../../src/session/realtimeConnection.js';
import { MemoryChannel, MemoryTransport } from '../../helpers/memoryChannel.js';

const RATE = 8000;
const FRAME = 160;

function config(): EngineConfig {
  return {
    uuid: 'live-engine-test',
    bugName: 'openai_audio_stream',
    label: 'audio stream',
    mix: 'mono',
    raw: null,
    connection: { url: 'ws://127.0.0.1:1/v1/live/sessions', headers: {}, deflate: false, tls: { rejectUnauthorized: true }, heartbeatS: 0, reconnect: false, reconnectAfterDrop: false, maxConnectAttempts: 1 },
    bufferSize: null,
    suppressLog: true,
    audioFiles: false,
    muteUser: false,
    uplinkGate: 'socket-open',
    initialSession: null,
    warnings: [],
  };
}

const STARTED = JSON.stringify({ type: 'session.started', event_id: 'e1', session: { id: 'live_1', expires_at: 2000000000, model: 'gpt-live-1', status: 'active' } });

function start(closeTimeoutMs = 5000) {
  const port = new MemoryChannel({ sampleRate: RATE, frameSamples: FRAME });
  const socket = new MemoryTransport();
  socket.state = 'connecting';
  const heard: string[] = [];
  let handler: MediaHandler | undefined;
  let server: ConnectionListener | undefined;
  const listener: LiveEngineListener = {
    connected: (reconnected) => heard.push(`connected ${reconnected}`),
    disconnected: (code, reason) => heard.push(`disconnected ${code} ${reason}`),
    connectFailed: () => heard.push('connect failed'),
    serverText: (_text, event) => heard.push(`event ${event ? String(event.type) : null}`),
    audioFile: () => {},
    speechStarted: () => heard.push('speech started'),
    speechStopped: () => heard.push('speech stopped'),
    responsePlayback: () => {},
    ended: (reason) => heard.push(`ended ${reason}`),
    liveError: (code, _message, fatal) => heard.push(`live error ${code} ${fatal}`),
    liveRestarted: () => heard.push('restarted'),
  };
  const engine = LiveEngine.attach(config(), { codec: 'PCMU', history: () => [], closeTimeoutMs }, listener, {
    pump: {
      attach(_options: AttachOptions, make: (channel: MediaChannel) => MediaHandler) {
        handler = make(port);
        return port;
      },
    },
    transport: (_options, l) => {
      server = l;
      return socket;
    },
  });
  engine.connect();
  const open = (): void => {
    socket.state = 'open';
    server!.onOpen(false);
  };
  const capture = (ms: number, level = 1000): void => handler!.onCapture(new Int16Array((RATE * ms) / 1000).fill(level), (RATE * ms) / 1000);
  return { engine, socket, heard, open, capture, server: () => server!, types: () => socket.events.map((e) => String(e.type)) };
}

describe('LiveEngine', () => {
  it('sends session.start first (format added), holds early events and audio until session.started, then flushes in order', () => {
    const t = start();
    expect(t.engine.sendJson('{"type":"session.commentary.append","content":"Hi","delegation_id":null}', { type: 'session.commentary.append', content: 'Hi', delegation_id: null })).toBe(true);
    expect(t.engine.sendJson('{}', { type: 'session.start', session: { model: 'gpt-live-1' } })).toBe(true);
    expect(t.engine.sendJson('{}', { type: 'session.start', session: { model: 'gpt-live-1' } })).toBe(false);
    expect(t.engine.sendRefusal()).toBe('the session has already been started (session.start is sent once)');
    t.open();
    t.capture(100);
    expect(t.socket.events).toEqual([{ type: 'session.start', session: { model: 'gpt-live-1', audio: { format: { type: 'audio/pcmu', rate: 8000 } } } }]);
    t.server().onText(STARTED);
    t.capture(100);
    expect(t.types()).toEqual(['session.start', 'session.commentary.append', ...Array(5).fill('session.input_audio.append')]);
    // 20 ms μ-law chunks: 160 bytes of audio each.
    const append = t.socket.events[2] as { audio: string };
    expect(Buffer.from(append.audio, 'base64').length).toBe(160);
  });

  it('refuses application events past the bound before session.started, with a reason', () => {
    const t = start();
    const event = { type: 'session.thinking.append', content: 'x', delegation_id: null };
    for (let i = 0; i < 64; i++) expect(t.engine.sendJson(JSON.stringify(event), event)).toBe(true);
    expect(t.engine.sendJson(JSON.stringify(event), event)).toBe(false);
    expect(t.engine.sendRefusal()).toBe('the session has not started yet and 64 events are already waiting');
  });

  it('mute user: session.input_audio.mute, and the timeline stays fed with silence', () => {
    const t = start();
    t.engine.sendJson('{}', { type: 'session.start', session: { model: 'gpt-live-1' } });
    t.open();
    t.server().onText(STARTED);
    t.engine.setMute('user', true);
    t.capture(40, 12000);
    expect(t.types()).toEqual(['session.start', 'session.input_audio.mute', 'session.input_audio.append', 'session.input_audio.append']);
    const silent = Buffer.from((t.socket.events[3] as { audio: string }).audio, 'base64');
    expect([...silent].every((b) => b === 0xff)).toBe(true); // μ-law silence
    t.engine.setPaused(true);
    t.engine.setMute('user', false);
    t.capture(20, 12000);
    expect(t.types().slice(-2)).toEqual(['session.input_audio.unmute', 'session.input_audio.append']);
  });

  it('status: usage seconds (latest, not summed) and the context ratio; a non-fatal error leaves the session running', () => {
    const t = start();
    t.engine.sendJson('{}', { type: 'session.start', session: { model: 'gpt-live-1' } });
    t.open();
    t.server().onText(STARTED);
    t.server().onText(JSON.stringify({ type: 'session.usage.updated', usage: { seconds: 15 }, context_window: { usage_ratio: 0.12 } }));
    t.server().onText(JSON.stringify({ type: 'session.usage.updated', usage: { seconds: 30 } }));
    t.server().onText(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', code: 'immutable_field_update', message: 'no' } }));
    const status = t.engine.status() as { protocol: string; live: { usageSeconds: number; contextUsageRatio: number; state: string } };
    expect(status.protocol).toBe('live');
    expect(status.live).toMatchObject({ usageSeconds: 30, contextUsageRatio: 0.12, state: 'active' });
    expect(t.engine.ending).toBe(false);
    expect(t.heard).not.toContain('live error immutable_field_update false');
  });

  it('stop sends session.close and gives up waiting for session.closed after the bound', async () => {
    const t = start(50);
    t.engine.sendJson('{}', { type: 'session.start', session: { model: 'gpt-live-1' } });
    t.open();
    t.server().onText(STARTED);
    const began = Date.now();
    const stopping = t.engine.stop('stop command');
    expect(t.engine.ending).toBe(true);
    expect(t.types().at(-1)).toBe('session.close');
    await stopping;
    expect(Date.now() - began).toBeGreaterThanOrEqual(45);
    expect(t.socket.closed).toBe(true);
  });
});
