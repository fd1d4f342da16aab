// What this proves, over real sockets against the realtime simulator and the native test host's
// media threads: no uplink audio is lost at 8/16/48 kHz with 10–60 ms ptime (what the simulator
// received equals what was captured, within a frame); assistant audio is played at the channel
// rate at its level, padded to whole frames, and the speech start/stop events frame it; G.711
// sessions pass μ-law through untouched both ways; raw mode sends and plays plain PCM16 frames
// (odd byte splits included); stereo capture to a server of our own stays two channels in JSON mode.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeMulaw, encodeMulaw } from '../../src/audio/g711.js';
import { toneLevelDb } from '../../src/audio/signal.js';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { b64json, speechBursts } from '../helpers/callerAudio.js';
import { connectionsOfChannel, inProcessHost, newUuid, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
const EV = 'mod_openai_audio_stream::';
let h: InProcessHost;
let sim: RealtimeSimulator;

beforeAll(async () => {
  h = inProcessHost();
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 1000, frequencyHz: 440 } });
});

afterAll(async () => {
  // Sessions first: a stream reconnects after the simulator's 1001 "going away".
  await h.app.stop('end of test file');
  await sim.close();
});

/** The simulator connection whose handshake carried this channel's tag header. */
function connectionOf(uuid: string, index = 0): SimulatedConnection | undefined {
  return connectionsOfChannel(sim, uuid)[index];
}

function appendedBytes(connection: SimulatedConnection): Buffer {
  return Buffer.concat(
    connection.clientEvents
      .filter((r) => r.event.type === 'input_audio_buffer.append')
      .map((r) => Buffer.from(String((r.event as { audio?: unknown }).audio), 'base64')),
  );
}

async function startStream(uuid: string): Promise<SimulatedConnection> {
  expect(await h.command(API, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
  await waitFor(() => h.events(uuid, `${EV}connect`).length > 0, `${uuid} connect`);
  return waitFor(() => connectionOf(uuid), `${uuid} simulator connection`);
}

describe('rates and ptimes', () => {
  const cases = [
    { rate: 8000, ptimeMs: 10 },
    { rate: 16000, ptimeMs: 30 },
    { rate: 48000, ptimeMs: 60 },
    { rate: 16000, ptimeMs: 20 },
    { rate: 48000, ptimeMs: 20 },
    { rate: 8000, ptimeMs: 60 },
  ];

  it('loses no uplink audio and plays the reply at the channel rate', async () => {
    const channels = cases.map((c) => ({ ...c, uuid: newUuid(`rate${c.rate}-${c.ptimeMs}`) }));
    for (const c of channels) {
      h.host.createChannel(c.uuid, {
        rate: c.rate,
        ptimeMs: c.ptimeMs,
        recordMs: 5000,
        vars: { STREAM_EXTRA_HEADERS: JSON.stringify({ 'X-Test-Channel': c.uuid }), STREAM_DISABLE_AUDIOFILES: 'true' },
        source: speechBursts(c.rate, 3000, [{ atMs: 0, ms: 1200 }]),
      });
    }
    await Promise.all(channels.map((c) => startStream(c.uuid)));
    for (const c of channels) h.host.startMedia(c.uuid);
    await Promise.all(channels.map((c) => waitFor(() => h.events(c.uuid, `${EV}openai_speech_stop`).length > 0, `${c.uuid} speech stop`, 15_000)));
    for (const c of channels) h.host.stopMedia(c.uuid);
    await sleep(150);

    for (const c of channels) {
      const connection = connectionOf(c.uuid)!;
      const capturedMs = (h.host.mediaStats(c.uuid)!.capturedSamples * 1000) / c.rate;
      const frameMs = c.ptimeMs;
      // Everything captured while connected reached the server, give or take the partial chunk.
      expect(Math.abs(connection.appendedAudioMs - capturedMs), `${c.rate}/${c.ptimeMs}`).toBeLessThanOrEqual(frameMs);
      const status = h.app.registry.get(c.uuid, 'audio_stream')!.status();
      expect(status.droppedUplinkMs).toBe(0);
      expect(status.overruns).toBe(0);
      // The 1 s tone at −12 dBFS, resampled to the channel rate, in whole frames.
      const played = h.host.played(c.uuid)!;
      const frame = (c.rate * c.ptimeMs) / 1000;
      // The ring is kept ahead of the media thread: no gaps while the reply plays. (Normally zero;
      // a stalled JS thread on a loaded box can cost a few, which is what the counter is for.)
      expect(status.underruns as number).toBeLessThan(played.length / frame / 10);
      expect(played.length % frame).toBe(0);
      expect(played.length).toBeGreaterThanOrEqual(c.rate);
      expect(played.length).toBeLessThanOrEqual(c.rate + frame + Math.ceil(c.rate * 0.01));
      expect(toneLevelDb(played, c.rate, 440, Math.round(c.rate * 0.1), Math.round(c.rate * 0.9))).toBeGreaterThan(-13);
      expect(toneLevelDb(played, c.rate, 440, Math.round(c.rate * 0.1), Math.round(c.rate * 0.9))).toBeLessThan(-11);

      const starts = h.events(c.uuid, `${EV}openai_speech_start`);
      const stops = h.events(c.uuid, `${EV}openai_speech_stop`);
      expect(starts.map((e) => e.body)).toEqual(['{"status":"started"}']);
      expect(stops.map((e) => e.body)).toEqual(['{"status":"stopped"}']);
      expect(h.events(c.uuid, `${EV}play`)).toHaveLength(0); // STREAM_DISABLE_AUDIOFILES
      expect(await h.command(API, `${c.uuid} stop`)).toBe('+OK Success');
    }
  });
});

describe('G.711 sessions', () => {
  it('pcmu in and out: the uplink is μ-law of the caller audio, the played audio is the decoded deltas', async () => {
    const uuid = newUuid('pcmu');
    const source = speechBursts(8000, 3000, [{ atMs: 0, ms: 1200, freq: 500 }]);
    h.host.createChannel(uuid, { rate: 8000, ptimeMs: 20, recordMs: 5000, source, vars: { STREAM_EXTRA_HEADERS: JSON.stringify({ 'X-Test-Channel': uuid }) } });
    const connection = await startStream(uuid);
    const update = { type: 'session.update', session: { type: 'realtime', audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' } } } } };
    expect(await h.command(API, `${uuid} send_json ${b64json(update)}`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${EV}json`).some((e) => e.body.includes('"session.updated"')), 'session.updated');
    h.host.startMedia(uuid);
    await waitFor(() => h.events(uuid, `${EV}openai_speech_stop`).length > 0, 'speech stop', 15_000);
    h.host.stopMedia(uuid);
    await sleep(100);

    const status = h.app.registry.get(uuid, 'audio_stream')!.status();
    expect(status).toMatchObject({ inputFormat: 'audio/pcmu', outputFormat: 'audio/pcmu' });
    const sent = appendedBytes(connection);
    expect(sent.length).toBeGreaterThan(8000);
    const expected = new Uint8Array(sent.length);
    encodeMulaw(source.subarray(0, sent.length), sent.length, expected);
    expect(Buffer.from(expected).equals(sent)).toBe(true);

    const deltas = connection.serverEvents
      .filter((e) => e.type === 'response.output_audio.delta')
      .map((e) => Buffer.from(String((e as { delta?: unknown }).delta), 'base64'));
    const wire = Buffer.concat(deltas);
    const decoded = new Int16Array(wire.length);
    decodeMulaw(wire, wire.length, decoded);
    const played = h.host.played(uuid)!;
    expect(played.length).toBe(Math.ceil(decoded.length / 160) * 160); // padded to a whole frame
    expect(Array.from(played.subarray(0, decoded.length))).toEqual(Array.from(decoded));
    expect(played.subarray(decoded.length).every((s) => s === 0)).toBe(true);

    // Every server frame is a ::json event, except the deltas that were decoded and queued.
    expect(h.events(uuid, `${EV}json`).map((e) => (JSON.parse(e.body) as { type: string }).type)).toEqual(
      connection.serverEventTypes().filter((t) => t !== 'response.output_audio.delta'),
    );

    // Debug files on (the default): one ::play per delta, each the delta event plus the file.
    const plays = h.events(uuid, `${EV}play`).map((e) => JSON.parse(e.body) as Record<string, unknown>);
    expect(plays).toHaveLength(deltas.length);
    expect(plays[0]).toMatchObject({ type: 'response.output_audio.delta', file: expect.stringMatching(new RegExp(`${uuid}_0\\.tmp\\.wav$`)) });
    expect(typeof plays[0]!.delta).toBe('string');
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});

describe('bad and legacy deltas', () => {
  it('an invalid base64 delta is dropped, logged and counted; the legacy response.audio.delta plays', async () => {
    const uuid = newUuid('baddelta');
    h.host.createChannel(uuid, { rate: 8000, ptimeMs: 20, recordMs: 5000, source: new Int16Array(8000), vars: { STREAM_EXTRA_HEADERS: JSON.stringify({ 'X-Test-Channel': uuid }), STREAM_DISABLE_AUDIOFILES: 'true' } });
    const connection = await startStream(uuid);
    connection.applyFaults({ badAudio: { kind: 'invalidBase64', atDelta: 3 } });
    h.host.startMedia(uuid);
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${EV}openai_speech_stop`).length === 1, 'reply played', 5000);
    const status = h.app.registry.get(uuid, 'audio_stream')!.status();
    expect(status.invalidAudioDeltas).toBe(1);
    expect(h.logs(uuid).some((l) => l.startsWith('3 ') && l.includes('dropped: invalid base64'))).toBe(true);
    expect(h.events(uuid, `${EV}error`)).toHaveLength(0); // a log, not an ::error event
    const afterFirst = h.host.played(uuid)!.length;
    expect(afterFirst).toBeGreaterThanOrEqual(7200); // 9 of the 10 deltas of 100 ms
    expect(afterFirst).toBeLessThanOrEqual(7200 + 320);

    // Endpoints that still speak the beta names: response.audio.delta / response.audio.done.
    const legacy = Int16Array.from({ length: 2400 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 24000)));
    connection.sendEvent({ type: 'response.audio.delta', response_id: 'resp_legacy', item_id: 'item_legacy', delta: Buffer.from(legacy.buffer).toString('base64') });
    connection.sendEvent({ type: 'response.audio.done', response_id: 'resp_legacy', item_id: 'item_legacy' });
    await waitFor(() => h.events(uuid, `${EV}openai_speech_stop`).length === 2, 'legacy reply played', 5000);
    const added = h.host.played(uuid)!.length - afterFirst;
    expect(added).toBeGreaterThanOrEqual(800); // 100 ms at 8 kHz, padded to a frame
    expect(added).toBeLessThanOrEqual(800 + 160 + 160);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});

describe('raw mode', () => {
  let server: WebSocketServer;
  let url: string;
  const sockets: WebSocket[] = [];
  const received: Array<{ binary: boolean; data: Buffer }> = [];

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/raw`;
    server.on('connection', (ws) => {
      sockets.push(ws);
      ws.on('message', (data, binary) => received.push({ binary, data: Buffer.from(data as Buffer) }));
    });
  });

  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends binary PCM16 at the send rate and plays binary PCM16 at the playback rate', async () => {
    const uuid = newUuid('raw');
    const source = speechBursts(16000, 2000, [{ atMs: 0, ms: 800 }]);
    h.host.createChannel(uuid, { rate: 16000, ptimeMs: 20, recordMs: 3000, source, vars: { STREAM_BUFFER_SIZE: '40' } });
    expect(await h.command('uuid_raw_audio_stream', `${uuid} start ${url} mono 16k 16k`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${EV}connect`).length > 0, 'connect');
    expect(h.logs(uuid).join('\n')).toContain('Raw audio mode enabled via API, bypassing JSON+base64 encoding.');
    h.host.startMedia(uuid);
    await sleep(500);

    // Downlink: 300 ms of a ramp in three frames split mid-sample.
    const reply = Int16Array.from({ length: 4800 }, (_, i) => (i * 7) % 20000 - 10000);
    const bytes = Buffer.from(reply.buffer);
    const ws = sockets[sockets.length - 1]!;
    ws.send(bytes.subarray(0, 1001), { binary: true });
    ws.send(bytes.subarray(1001, 5000), { binary: true });
    ws.send(bytes.subarray(5000), { binary: true });
    await waitFor(() => (h.host.played(uuid)?.length ?? 0) >= reply.length, 'raw reply played', 5000);
    await sleep(200);
    h.host.stopMedia(uuid);
    await sleep(100);

    const frames = received.filter((r) => r.binary);
    expect(received.every((r) => r.binary)).toBe(true); // no JSON in raw mode
    expect(frames.length).toBeGreaterThan(10);
    expect(frames.every((f) => f.data.length === 40 * 16 * 2)).toBe(true);
    const uplink = Buffer.concat(frames.map((f) => f.data));
    expect(uplink.equals(Buffer.from(source.buffer, 0, uplink.length))).toBe(true);

    const played = h.host.played(uuid)!;
    expect(played.length).toBe(Math.ceil(reply.length / 320) * 320);
    expect(Array.from(played.subarray(0, reply.length))).toEqual(Array.from(reply));
    // Raw mode ::play bodies are just the file.
    const plays = h.events(uuid, `${EV}play`);
    expect(plays.length).toBe(3);
    expect(Object.keys(JSON.parse(plays[0]!.body) as object)).toEqual(['file']);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('STREAM_RAW_AUDIO still enables raw mode, with the deprecation warning; the send rate is honoured', async () => {
    const uuid = newUuid('rawvar');
    received.length = 0;
    h.host.createChannel(uuid, { rate: 16000, ptimeMs: 20, vars: { STREAM_RAW_AUDIO: 'true', STREAM_DISABLE_AUDIOFILES: 'true' } });
    expect(await h.command(API, `${uuid} start ${url} mono 8k`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${EV}connect`).length > 0, 'connect');
    const logs = h.logs(uuid).join('\n');
    expect(logs).toContain(
      'STREAM_RAW_AUDIO is deprecated and will be removed in the next major release. Use uuid_raw_audio_stream <uuid> start ... to enable raw audio mode.',
    );
    expect(logs).toContain('Raw audio mode enabled via deprecated channel variable');
    h.host.startMedia(uuid);
    await waitFor(() => received.filter((r) => r.binary).length >= 5, 'raw frames');
    expect(received.every((r) => r.binary && r.data.length === 20 * 8 * 2)).toBe(true);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('stereo to a server of our own (not OpenAI or Azure): JSON mode sends both channels, no mixdown warning', async () => {
    const uuid = newUuid('stereo');
    h.host.createChannel(uuid, { rate: 8000, ptimeMs: 20, vars: { STREAM_EXTRA_HEADERS: JSON.stringify({ 'X-Test-Channel': uuid }) } });
    expect(await h.command(API, `${uuid} start ${sim.url} stereo`)).toBe('+OK Success');
    const connection = await waitFor(() => connectionOf(uuid), 'connection');
    h.host.startMedia(uuid);
    await waitFor(() => connection.appendedAudioMs >= 200, 'audio appended');
    expect(h.logs(uuid).filter((l) => l.includes('mixed down to mono'))).toHaveLength(0);
    expect(h.logs(uuid).filter((l) => l.includes('stereo capture sent as two channels: PCM16 at 24000 Hz'))).toHaveLength(1);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});
