// What this proves, through the native test host's media threads and real sockets, for the two
// tests of a peer's FreeSWITCH suite (issue #18) that the module we replace passed and this one
// failed, as a caller would notice them:
// - a server that reuses a response_id after a barge-in: the second reply is heard in full, while
//   deltas still in flight for the cut response stay unheard until the server ends it
//   (`response.done`) or announces a new response under the id (`response.created`).
// - `start <url> stereo 8k|24k` in JSON mode to a server of the app's own: each
//   input_audio_buffer.append carries 20 ms of interleaved PCM16 at the asked rate, the caller on
//   the left and nothing of the caller on the right.
// - the server closing for good with audio still queued: the caller hears all of it before the
//   stream ends (a hangup meanwhile still ends it at once).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { toneBase64 } from '../helpers/callerAudio.js';
import { createTaggedChannel, inProcessHost, startAudioStream, newUuid, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
const EV = 'mod_openai_audio_stream::';
let h: InProcessHost;
let sim: RealtimeSimulator;

beforeAll(async () => {
  h = inProcessHost();
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 300 } });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
});

const channel = (prefix: string): string => createTaggedChannel(h, prefix, { rate: 8000, recordMs: 8000, source: new Int16Array(8000) });

/** Samples heard (|s| above a noise floor) since `from`. */
function heardSince(uuid: string, from: number): number {
  const played = h.host.played(uuid)!;
  let n = 0;
  for (let i = from; i < played.length; i++) if (Math.abs(played[i]!) > 200) n++;
  return n;
}

/** `ms` of a tone at 24 kHz, as a delta's base64. */
const toneMs = (ms: number, hz: number): string => toneBase64((24000 * ms) / 1000, hz);

const delta = (responseId: string, b64: string) => ({ type: 'response.output_audio.delta', response_id: responseId, delta: b64 });

describe('a response_id reused after a barge-in', () => {
  it("the peer suite's sequence: the second reply under the first one's id is heard in full", async () => {
    const uuid = channel('reusedId');
    const c = await startAudioStream(h, sim, uuid);
    h.host.startMedia(uuid);
    // Exactly what the peer's mock sends: a 40 ms reply, its audio done, the caller speaks (cutting
    // it), then a 600 ms reply under the same id (no response.created, no item ids).
    c.sendEvent(delta('reused-response-id', toneMs(40, 700)));
    c.sendEvent({ type: 'response.output_audio.done', response_id: 'reused-response-id' });
    c.sendEvent({ type: 'input_audio_buffer.speech_started' });
    c.sendEvent({ type: 'input_audio_buffer.speech_stopped' });
    c.sendEvent(delta('reused-response-id', toneMs(600, 1400)));
    c.sendEvent({ type: 'response.output_audio.done', response_id: 'reused-response-id' });
    await waitFor(() => h.app.registry.get(uuid, 'audio_stream')!.status().bargeIns === 1, 'the barge-in cut the first reply');
    // The first reply may be cut before a sample of it was heard (then it never started).
    await sleep(1200);
    const stops = h.events(uuid, `${EV}openai_speech_stop`).length;
    expect(stops).toBeGreaterThanOrEqual(1);
    expect(h.events(uuid, `${EV}openai_speech_start`)).toHaveLength(stops);
    // 600 ms at 8 kHz = 4800 samples (the tone's zero crossings fall under the floor now and then).
    expect(heardSince(uuid, 0)).toBeGreaterThan(4300);
    expect(h.app.registry.get(uuid, 'audio_stream')!.status().lateDeltasDropped).toBe(0);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('deltas in flight for a reply cut while it streamed stay unheard; response.created under its id plays again', async () => {
    const uuid = channel('inFlight');
    const c = await startAudioStream(h, sim, uuid);
    h.host.startMedia(uuid);
    c.sendEvent(delta('resp_cut', toneMs(1000, 700))); // still streaming: no done
    await waitFor(() => h.events(uuid, `${EV}openai_speech_start`).length === 1, 'reply started');
    c.sendEvent({ type: 'input_audio_buffer.speech_started' });
    await waitFor(() => h.events(uuid, `${EV}openai_speech_stop`).length === 1, 'cut');
    // Up to a frame in flight at the cut may still come out.
    const atCut = h.host.played(uuid)!.length + 160;
    const status = () => h.app.registry.get(uuid, 'audio_stream')!.status();
    // In flight: a delta of the cut reply, and its audio done. Neither makes it play again.
    c.sendEvent(delta('resp_cut', toneMs(400, 700)));
    c.sendEvent({ type: 'response.output_audio.done', response_id: 'resp_cut' });
    c.sendEvent(delta('resp_cut', toneMs(400, 700)));
    await waitFor(() => status().lateDeltasDropped === 2, 'late deltas dropped');
    await sleep(300);
    const afterCut = h.host.played(uuid)!.length;
    expect(heardSince(uuid, atCut)).toBe(0);
    // A new response announced under the same id is a new reply: heard.
    c.sendEvent({ type: 'response.created', response: { id: 'resp_cut', object: 'realtime.response', status: 'in_progress', output: [] } });
    c.sendEvent(delta('resp_cut', toneMs(400, 1400)));
    c.sendEvent({ type: 'response.output_audio.done', response_id: 'resp_cut' });
    c.sendEvent({ type: 'response.done', response: { id: 'resp_cut', object: 'realtime.response', status: 'completed', output: [] } });
    await waitFor(() => h.events(uuid, `${EV}openai_speech_stop`).length === 2, 'the new reply ended', 4000);
    expect(heardSince(uuid, afterCut)).toBeGreaterThan(2800);
    expect(status().lateDeltasDropped).toBe(2);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('response.done of the cut reply ends the drop: a later delta under its id plays', async () => {
    const uuid = channel('doneLifts');
    const c = await startAudioStream(h, sim, uuid);
    h.host.startMedia(uuid);
    c.sendEvent({ type: 'response.created', response: { id: 'resp_x', object: 'realtime.response', status: 'in_progress', output: [] } });
    c.sendEvent({ ...delta('resp_x', toneMs(1000, 700)), item_id: 'item_x' });
    await waitFor(() => h.events(uuid, `${EV}openai_speech_start`).length === 1, 'reply started');
    c.sendEvent({ type: 'input_audio_buffer.speech_started' });
    await waitFor(() => h.events(uuid, `${EV}openai_speech_stop`).length === 1, 'cut');
    c.sendEvent({ ...delta('resp_x', toneMs(400, 700)), item_id: 'item_x' }); // in flight: dropped
    c.sendEvent({ type: 'response.done', response: { id: 'resp_x', object: 'realtime.response', status: 'cancelled', output: [] } });
    const status = () => h.app.registry.get(uuid, 'audio_stream')!.status();
    await waitFor(() => status().lateDeltasDropped === 1, 'late delta dropped');
    await sleep(200);
    const from = h.host.played(uuid)!.length;
    // The cut item stays dropped by its id; a new item under the finished response's id plays.
    c.sendEvent({ ...delta('resp_x', toneMs(400, 700)), item_id: 'item_x' });
    c.sendEvent({ ...delta('resp_x', toneMs(400, 1400)), item_id: 'item_y' });
    c.sendEvent({ type: 'response.output_audio.done', response_id: 'resp_x', item_id: 'item_y' });
    await waitFor(() => h.events(uuid, `${EV}openai_speech_stop`).length === 2, 'the new item ended', 4000);
    expect(heardSince(uuid, from)).toBeGreaterThan(2800);
    expect(heardSince(uuid, from)).toBeLessThan(3300);
    expect(status().lateDeltasDropped).toBe(2);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});

describe('stereo capture in JSON mode, to a server of our own', () => {
  let server: WebSocketServer;
  let url: string;
  const appends: { socket: WebSocket; audio: Buffer }[] = [];
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/stereo-capture`;
    server.on('connection', (ws) => {
      sockets.push(ws);
      ws.on('message', (data, binary) => {
        if (binary) return;
        const event = JSON.parse(String(data)) as { type?: string; audio?: string };
        if (event.type === 'input_audio_buffer.append') appends.push({ socket: ws, audio: Buffer.from(event.audio ?? '', 'base64') });
      });
    });
  });

  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  for (const rate of [8000, 24000]) {
    it(`stereo ${rate / 1000}k: 20 ms of interleaved PCM16 at ${rate} Hz per append, caller left, right silent`, async () => {
      // The caller says a 700 Hz tone (left); the other leg is silent (right).
      const frames = 8000 * 4;
      const source = new Int16Array(frames * 2);
      for (let i = 0; i < frames; i++) source[2 * i] = Math.round(12000 * Math.sin((2 * Math.PI * 700 * i) / 8000));
      const uuid = newUuid(`stereo${rate}`);
      h.host.createChannel(uuid, { rate: 8000, ptimeMs: 20, source });
      expect(await h.command(API, `${uuid} start ${url} stereo ${rate / 1000}k`)).toBe('+OK Success');
      await waitFor(() => h.events(uuid, `${EV}connect`).length > 0, 'connect');
      const socket = sockets[sockets.length - 1]!;
      h.host.startMedia(uuid);
      const mine = () => appends.filter((a) => a.socket === socket);
      await waitFor(() => mine().length >= 5, 'appends');
      expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
      const chunks = mine().slice(1, -1); // the resampler's start and the stop's flush aside
      expect(chunks.length).toBeGreaterThanOrEqual(3);
      for (const { audio } of chunks) {
        expect(audio.length).toBe((rate * 20) / 1000 * 2 * 2);
        const pcm = new Int16Array(audio.buffer.slice(audio.byteOffset, audio.byteOffset + audio.length));
        let left = 0;
        let right = 0;
        for (let i = 0; i < pcm.length; i += 2) {
          left = Math.max(left, Math.abs(pcm[i]!));
          right = Math.max(right, Math.abs(pcm[i + 1]!));
        }
        expect(left).toBeGreaterThan(8000);
        expect(right).toBeLessThan(100);
      }
      expect(h.logs(uuid).some((l) => l.includes('mixed down to mono'))).toBe(false);
    });
  }
});

describe('the server closes for good with audio still queued', () => {
  it('what it sent is heard to the end, then the stream ends', async () => {
    const uuid = createTaggedChannel(h, 'drainClose', { rate: 8000, recordMs: 8000, source: new Int16Array(8000), vars: { STREAM_NO_RECONNECT: 'true' } });
    const c = await startAudioStream(h, sim, uuid);
    h.host.startMedia(uuid);
    c.sendEvent(delta('resp_last', toneMs(1000, 700)));
    c.sendEvent({ type: 'response.output_audio.done', response_id: 'resp_last' });
    await waitFor(() => h.events(uuid, `${EV}openai_speech_start`).length === 1, 'reply started');
    c.close(1000, 'goodbye');
    await waitFor(() => h.events(uuid, `${EV}disconnect`).length === 1, '::disconnect');
    // The end waits for the playout: 1 s at 8 kHz = 8000 samples heard, then the hook goes.
    await waitFor(() => h.host.mediaStats(uuid)?.attached === false, 'hook detached', 4000);
    expect(heardSince(uuid, 0)).toBeGreaterThan(7200);
    expect(h.events(uuid, `${EV}openai_speech_stop`)).toHaveLength(1);
    expect(h.app.registry.get(uuid, 'audio_stream')).toBeUndefined();
  });

  it('nothing queued: the stream ends at once', async () => {
    const uuid = createTaggedChannel(h, 'closeIdle', { rate: 8000, source: new Int16Array(8000), vars: { STREAM_NO_RECONNECT: 'true' } });
    const c = await startAudioStream(h, sim, uuid);
    h.host.startMedia(uuid);
    c.close(1000, 'goodbye');
    await waitFor(() => h.host.mediaStats(uuid)?.attached === false, 'hook detached', 1000);
  });
});
