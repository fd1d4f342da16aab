// What this proves, through the native test host's media threads and real sockets, for the
// findings a peer's FreeSWITCH test suite made in this module (issue #18), as a caller or an
// application would notice them:
// - `response.output_audio.done` without `item_id`, and no `response.done` (OpenAI-compatible
//   servers): the reply's last partial frame is played, ::openai_speech_stop fires and the debug
//   WAV is complete;
// - STREAM_SUPPRESS_LOG=true keeps the server's error.message out of the log (the code stays);
// - send_rate / playback_rate in JSON mode: one warning says what is sent instead (on GPT-Live an
//   informational line, true for Live: the session's one format, G.711 passed through);
// - raw mode: a binary frame over 8 MiB is refused (logged, counted), never queued;
// - a delta shorter than a frame is played without waiting for the next one (or for the item's
//   end); many 5 ms deltas play back to back, not stretched.
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { readWav } from '../../src/audio/wav.js';
import { MAX_RAW_FRAME_BYTES } from '../../src/session/engineLimits.js';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { toneBase64 } from '../helpers/callerAudio.js';
import { createTaggedChannel, inProcessHost, startAudioStream, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

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

const channel = (prefix: string, vars: Record<string, string> = {}): string =>
  createTaggedChannel(h, prefix, { rate: 8000, recordMs: 6000, source: new Int16Array(8000), vars });

describe('response.output_audio.done without item_id, no response.done', () => {
  for (const withItemIds of [true, false]) {
    it(`ends the reply: last partial frame played, speech stop, debug WAV complete (${withItemIds ? 'deltas with' : 'no'} item_id)`, async () => {
      const uuid = channel(`doneNoId${withItemIds ? 'A' : 'B'}`);
      const connection = await startAudioStream(h, sim, uuid);
      h.host.startMedia(uuid);
      const ids = withItemIds ? { response_id: 'resp_compat', item_id: 'item_compat' } : {};
      // 2500 samples at 24 kHz = 833 at 8 kHz: five 20 ms frames and a partial one of 33 samples.
      for (const n of [1000, 1000, 500]) connection.sendEvent({ type: 'response.output_audio.delta', ...ids, delta: toneBase64(n) });
      const file = await waitFor(() => h.events(uuid, `${EV}play`)[0], '::play');
      const path = (JSON.parse(file.body) as { file: string }).file;
      connection.sendEvent({ type: 'response.output_audio.done', ...(withItemIds ? { response_id: 'resp_compat' } : {}) });
      await waitFor(() => h.events(uuid, `${EV}openai_speech_stop`).length === 1, '::openai_speech_stop', 3000);
      const played = h.host.played(uuid)!;
      const heard = played.reduce((n, s) => n + (Math.abs(s) > 200 ? 1 : 0), 0);
      expect(heard).toBeGreaterThan(800); // the sixth, partial frame was played too
      expect(played.length % 160).toBe(0);
      await sleep(100);
      expect(existsSync(path)).toBe(true);
      const wav = readWav(readFileSync(path));
      expect(wav.sampleRate).toBe(24000);
      expect(wav.samples.length).toBe(2500); // finished: the header declares every sample received
      expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
    });
  }
});

describe('deltas shorter than a frame', () => {
  it('a lone 5 ms delta is heard although no more audio and no done follow', async () => {
    const uuid = channel('shortDelta');
    const connection = await startAudioStream(h, sim, uuid);
    h.host.startMedia(uuid);
    connection.sendEvent({ type: 'response.output_audio.delta', response_id: 'resp_short', item_id: 'item_short', delta: toneBase64(120) });
    await waitFor(() => h.events(uuid, `${EV}openai_speech_start`).length === 1, '::openai_speech_start', 2000);
    await sleep(100);
    // The 40 samples at 8 kHz, less the few the resampler's filter holds until the item ends.
    const played = h.host.played(uuid)!;
    expect(played.reduce((n, s) => n + (s !== 0 ? 1 : 0), 0)).toBeGreaterThanOrEqual(10);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('forty 5 ms deltas play back to back: 200 ms of audio in 200 ms, padded once at the end', async () => {
    const uuid = channel('manyShort');
    const connection = await startAudioStream(h, sim, uuid);
    h.host.startMedia(uuid);
    for (let i = 0; i < 40; i++) {
      connection.sendEvent({ type: 'response.output_audio.delta', response_id: 'resp_many', item_id: 'item_many', delta: toneBase64(120) });
    }
    connection.sendEvent({ type: 'response.output_audio.done', response_id: 'resp_many', item_id: 'item_many' });
    await waitFor(() => h.events(uuid, `${EV}openai_speech_stop`).length === 1, '::openai_speech_stop', 3000);
    const played = h.host.played(uuid)!;
    let first = -1;
    let last = -1;
    played.forEach((s, i) => {
      if (s === 0) return;
      if (first < 0) first = i;
      last = i;
    });
    // 200 ms at 8 kHz = 1600 samples, plus the resampler's ringing at the end; no gap inside.
    expect(last - first + 1).toBeGreaterThan(1500);
    expect(last - first + 1).toBeLessThanOrEqual(1600 + 40);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});

describe('STREAM_SUPPRESS_LOG', () => {
  const serverError = {
    type: 'error',
    error: { type: 'invalid_request_error', code: 'invalid_value', message: 'Invalid value: "the caller said 4111 1111"', param: null },
  };

  it('keeps the server error message out of the log, but logs its code', async () => {
    const uuid = channel('suppress', { STREAM_SUPPRESS_LOG: 'true' });
    const connection = await startAudioStream(h, sim, uuid);
    connection.sendEvent(serverError);
    await waitFor(() => h.events(uuid, `${EV}json`).some((e) => e.body.includes('"type":"error"')), 'error forwarded');
    await sleep(50);
    const logs = h.logs(uuid).join('\n');
    expect(logs).toContain('processMessage - error: invalid_value');
    expect(logs).not.toContain('4111');
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('without it the message is logged', async () => {
    const uuid = channel('nosuppress');
    const connection = await startAudioStream(h, sim, uuid);
    connection.sendEvent(serverError);
    await waitFor(() => h.logs(uuid).some((l) => l.includes('4111')), 'error message logged');
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});

describe('send_rate and playback_rate in JSON mode', () => {
  it('a warning says they apply to raw mode only and what is sent', async () => {
    const uuid = channel('rates');
    await startAudioStream(h, sim, uuid, 'mono 16k 8k');
    expect(h.logs(uuid).filter((l) => l.includes('apply to raw mode only'))).toEqual([
      expect.stringMatching(/send_rate 16000 \/ playback_rate 8000 apply to raw mode only: in JSON mode the audio goes in the session's formats/),
    ]);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
    const plain = channel('ratesDefault');
    await startAudioStream(h, sim, plain, 'mono 24k 24k');
    expect(h.logs(plain).some((l) => l.includes('apply to raw mode only'))).toBe(false);
    expect(await h.command(API, `${plain} stop`)).toBe('+OK Success');
  });

  it('on GPT-Live an informational line says the rates are not used and what is sent instead; never the Realtime warning', async () => {
    const uuid = channel('ratesLive', { read_codec: 'PCMU' });
    expect(await h.command(API, `${uuid} start ${sim.liveUrl} mono 8k`)).toBe('+OK Success');
    await waitFor(() => h.logs(uuid).some((l) => l.includes('GPT-Live')), 'the note');
    const notes = h.logs(uuid).filter((l) => l.includes('send_rate'));
    // Level 6 is INFO (FreeSWITCH numbering; a warning would be 4).
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^6 .*send_rate 8000 \/ playback_rate 24000 are not used on GPT-Live: both directions go in the session's one format, session\.start's audio\.format .*audio\/pcmu or audio\/pcma at 8000 for a G\.711 channel, passed through/);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});

describe('raw mode frame limit', () => {
  let server: WebSocketServer;
  let url: string;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/raw`;
    server.on('connection', (ws) => sockets.push(ws));
  });

  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a binary frame of 8 MiB + 1 byte is refused and nothing is queued; a normal frame plays', async () => {
    const uuid = channel('rawbig');
    expect(await h.command('uuid_raw_audio_stream', `${uuid} start ${url} mono 8k 8k`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${EV}connect`).length > 0, 'connect');
    const ws = await waitFor(() => sockets[sockets.length - 1], 'raw connection');
    h.host.startMedia(uuid);
    ws.send(Buffer.alloc(MAX_RAW_FRAME_BYTES + 1, 0x11));
    await waitFor(() => h.logs(uuid).some((l) => l.includes(`raw audio frame of ${MAX_RAW_FRAME_BYTES + 1} bytes refused`)), 'refusal logged');
    const status = () => h.app.registry.get(uuid, 'audio_stream')!.status();
    expect(status()).toMatchObject({ playbackQueuedMs: 0, invalidAudioDeltas: 1, state: 'open' });
    const tone = Int16Array.from({ length: 1600 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
    ws.send(Buffer.from(tone.buffer));
    await waitFor(() => h.events(uuid, `${EV}openai_speech_stop`).length === 1, 'normal frame played', 3000);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});
