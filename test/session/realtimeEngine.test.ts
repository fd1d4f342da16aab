// RealtimeEngine (src/session/realtimeEngine.ts) whole, on its two seams in memory — a channel
// (MediaAttacher/MediaChannel) and a socket (TransportFactory) — with no native addon and no
// network: the server's events steer the formats, play the audio and cut it on barge-in; the
// module settings size the rings; the end runs once and reports last.
import { describe, expect, it } from 'vitest';
import type { AttachOptions, MediaChannel, MediaHandler } from '../../src/media/mediaChannel.js';
import type { ConnectionListener } from '../../src/session/realtimeConnection.js';
import { engineLimits } from '../../src/session/engineLimits.js';
import { DEFAULT_SETTINGS } from '../../src/config/moduleSettings.js';
import { RealtimeEngine, type EngineConfig, type EngineListener } from '../../src/session/realtimeEngine.js';
import { MemoryChannel, MemoryTransport, pcmDelta, ramp } from '../helpers/memoryChannel.js';

const RATE = 24000;
const FRAME = 480;

function config(overrides: Partial<EngineConfig> = {}): EngineConfig {
  return {
    uuid: 'engine-test',
    bugName: 'openai_audio_stream',
    label: 'audio stream',
    mix: 'mono',
    raw: null,
    connection: {
      url: 'ws://127.0.0.1:1/v1/realtime',
      headers: {},
      deflate: false,
      tls: { rejectUnauthorized: true },
      heartbeatS: 0,
      reconnect: true,
      reconnectAfterDrop: true,
      maxConnectAttempts: 1,
    },
    bufferSize: null,
    suppressLog: true,
    audioFiles: false,
    muteUser: false,
    uplinkGate: 'socket-open',
    initialSession: null,
    warnings: [],
    ...overrides,
  };
}

function start(overrides: Partial<EngineConfig> = {}) {
  const port = new MemoryChannel({ sampleRate: RATE, frameSamples: FRAME });
  const socket = new MemoryTransport();
  socket.state = 'connecting';
  const heard: string[] = [];
  const forwarded: Array<string | null> = [];
  let attachOptions: AttachOptions | undefined;
  let handler: MediaHandler | undefined;
  let server: ConnectionListener | undefined;
  const listener: EngineListener = {
    connected: (reconnected) => heard.push(`connected ${reconnected}`),
    disconnected: (code) => heard.push(`disconnected ${code}`),
    connectFailed: () => heard.push('connect failed'),
    serverText: (_text, event) => forwarded.push(event ? String(event.type) : null),
    audioFile: () => {},
    speechStarted: () => heard.push('speech started'),
    speechStopped: () => heard.push('speech stopped'),
    responsePlayback: (id, state) => heard.push(`${id} ${state}`),
    ended: (reason) => heard.push(`ended ${reason}`),
    failed: (reason) => heard.push(`failed ${reason}`),
  };
  const engine = RealtimeEngine.attach(config(overrides), listener, {
    pump: {
      attach(options: AttachOptions, make: (channel: MediaChannel) => MediaHandler) {
        attachOptions = options;
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
  const send = (event: Record<string, unknown>): void => server!.onText(JSON.stringify(event));
  const play = (frames: number): void => {
    for (let i = 0; i < frames; i++) {
      port.tick(1);
      handler!.onPlaybackRoom();
    }
  };
  return { engine, port, socket, heard, forwarded, open, send, play, attachOptions: () => attachOptions!, handler: () => handler! };
}

describe('RealtimeEngine', () => {
  it('asks the host for rings of the sizes the module settings give (capture-ring-ms, playback-ring-ms)', () => {
    const limits = engineLimits({ ...DEFAULT_SETTINGS, captureRingMs: 3000, playbackRingMs: 250 });
    const { attachOptions, socket } = start({ limits });
    expect(attachOptions()).toMatchObject({ captureRingMs: 3000, playbackRingMs: 250, bugName: 'openai_audio_stream' });
    expect(socket.started).toBe(true);
  });

  it('caller audio flows once the socket is open, in the format the server announced', () => {
    const { engine, open, send, socket, handler, heard } = start();
    handler().onCapture(new Int16Array(FRAME).fill(100), FRAME); // socket not open: dropped
    open();
    expect(heard).toEqual(['connected false']);
    send({ type: 'session.created', session: { audio: { input: { format: { type: 'audio/pcmu' } } } } });
    handler().onCapture(new Int16Array(FRAME).fill(100), FRAME);
    const appends = socket.events.filter((e) => e.type === 'input_audio_buffer.append');
    expect(appends).toHaveLength(1);
    // 20 ms of μ-law at 8 kHz: 160 bytes.
    expect(Buffer.from(String(appends[0]!.audio), 'base64')).toHaveLength(160);
    expect(engine.status()).toMatchObject({ inputFormat: 'audio/pcmu', droppedUplinkMs: 20, uplinkChunks: 1 });
  });

  it('audio deltas play on the channel and are not forwarded; every other event is, parsed', () => {
    const { open, send, port, play, forwarded, heard, engine } = start();
    open();
    send({ type: 'response.created', response: { id: 'resp_1' } });
    send({ type: 'response.output_audio.delta', response_id: 'resp_1', item_id: 'item_1', delta: pcmDelta(ramp(FRAME * 3)) });
    send({ type: 'response.output_audio.done', response_id: 'resp_1', item_id: 'item_1' });
    send({ type: 'response.done', response: { id: 'resp_1', usage: { total_tokens: 5 } } });
    play(4);
    expect(port.heard).toEqual(ramp(FRAME * 3));
    expect(forwarded).toEqual(['response.created', 'response.output_audio.done', 'response.done']);
    expect(heard).toEqual(['connected false', 'speech started', 'resp_1 started', 'speech stopped', 'resp_1 completed']);
    expect(engine.playbackIdle).toBe(true);
    expect(engine.status()).toMatchObject({ responses: 1 });
  });

  it('speech over the reply: playout cut, the item truncated to what was heard, late deltas dropped', () => {
    const { open, send, play, socket, port, engine } = start();
    open();
    send({ type: 'session.created', session: { audio: { input: { turn_detection: { type: 'server_vad', interrupt_response: false } } } } });
    send({ type: 'response.created', response: { id: 'resp_1' } });
    send({ type: 'response.output_audio.delta', response_id: 'resp_1', item_id: 'item_1', delta: pcmDelta(ramp(RATE)) });
    play(10);
    send({ type: 'input_audio_buffer.speech_started' });
    const sent = socket.events.filter((e) => e.type !== 'input_audio_buffer.append');
    expect(sent).toEqual([
      { type: 'conversation.item.truncate', item_id: 'item_1', content_index: 0, audio_end_ms: 200, event_id: 'oair_1' },
      { type: 'response.cancel', event_id: 'oair_2', response_id: 'resp_1' },
    ]);
    const before = port.heard.length;
    send({ type: 'response.output_audio.delta', response_id: 'resp_1', item_id: 'item_1', delta: pcmDelta(ramp(FRAME)) });
    play(3);
    expect(port.heard.length).toBe(before);
    expect(engine.status()).toMatchObject({ bargeIns: 1, lateDeltasDropped: 1 });
  });

  it('stop sends the final message, detaches the hook, closes the socket and reports the end once, last', async () => {
    const { engine, open, socket, port, heard, handler } = start();
    open();
    const stopped = engine.stop('stop', '{"type":"response.create"}');
    expect(socket.texts.at(-1)).toBe('{"type":"response.create"}');
    expect(port.detached).toBe(true);
    expect(engine.ending).toBe(true);
    handler().onClosed(); // the host confirms the hook is gone
    await stopped;
    await engine.stop('again');
    expect(socket.closed).toBe(true);
    expect(heard.filter((h) => h.startsWith('ended'))).toEqual(['ended stop']);
  });

  it('an exception in the session\'s own code ends this session with "internal error", reported once', async () => {
    const { engine, open, heard, handler } = start();
    open();
    handler().onFault(new Error('bug'));
    handler().onClosed();
    await engine.stop('later');
    expect(heard).toEqual(['connected false', 'failed internal error', 'ended internal error']);
  });
});
