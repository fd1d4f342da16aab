// What this proves, with the whole app in process, real sockets and the realtime simulator:
// - OPENAI_REALTIME_MAX_CALL_DURATION_S (else the max-call-duration-s setting) hangs the call up
//   when it passes, through call control: not in the middle of the assistant's utterance, with an
//   openai_realtime::call_control event of source `max-call-duration` and a log line;
// - Realtime GA's idle timeout reaches the server as the application wrote it (turn_detection
//   `idle_timeout_ms`, GA shape on the audio stream, beta shape on s2s), and the server's
//   `input_audio_buffer.timeout_triggered` reaches the application (::json / server_event).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { b64json } from '../helpers/callerAudio.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
const EV = 'mod_openai_audio_stream::';
let h: InProcessHost;
let sim: RealtimeSimulator;

beforeAll(async () => {
  h = inProcessHost();
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 2000 }, audioChunkMs: 100, deltaIntervalMs: 80 });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
});

const idleTimeoutMs = (c: SimulatedConnection): unknown => {
  const vad = c.session.audio.input.turn_detection;
  return vad !== null && 'idle_timeout_ms' in vad ? vad.idle_timeout_ms : undefined;
};
const controls = (uuid: string): string[] => h.host.records().controls.filter((l) => l.startsWith(`${uuid} `)).map((l) => l.slice(uuid.length + 1));

describe('max-call-duration-s', () => {
  it('hangs up when the time is up, once the assistant has finished speaking', async () => {
    const uuid = createTaggedChannel(h, 'length', { seconds: 10, recordMs: 10_000, vars: { OPENAI_REALTIME_MAX_CALL_DURATION_S: '1' } });
    expect(await h.command(API, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
    h.host.startMedia(uuid);
    await waitFor(() => h.events(uuid, `${EV}connect`).length > 0, 'connect');
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toMatch(/^\+OK/);
    await waitFor(() => h.events(uuid, `${EV}openai_speech_start`).length > 0, 'assistant speaking');
    await sleep(1200);
    // The limit has passed, but the 2 s reply is still playing: not yet.
    expect(h.events(uuid, `${EV}openai_speech_stop`)).toHaveLength(0);
    expect(controls(uuid)).toEqual([]);
    await waitFor(() => controls(uuid).length === 1, 'hangup', 8000);
    expect(controls(uuid)).toEqual(['hangup NORMAL_CLEARING']);
    expect(h.events(uuid, `${EV}openai_speech_stop`)).toHaveLength(1);
    const event = JSON.parse(h.events(uuid, 'openai_realtime::call_control')[0]!.body) as Record<string, unknown>;
    expect(event).toMatchObject({ action: 'hangup', source: 'max-call-duration', result: 'ok', family: 'audio_stream' });
    expect(h.logs(uuid).some((l) => l.includes('reached max-call-duration-s (1 s)'))).toBe(true);
  });

  it('no limit by default', async () => {
    const uuid = createTaggedChannel(h, 'nolength', { seconds: 3, recordMs: 3000 });
    expect(await h.command(API, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
    h.host.startMedia(uuid);
    await sleep(1500);
    expect(controls(uuid)).toEqual([]);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});

describe('idle timeout (Realtime GA)', () => {
  it('audio stream: idle_timeout_ms reaches the server; timeout_triggered reaches the application', async () => {
    const uuid = createTaggedChannel(h, 'idle', { seconds: 3, recordMs: 3000 });
    expect(await h.command(API, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
    const c = await waitFor(() => connectionsOfChannel(sim, uuid)[0], 'connection');
    const update = { type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: 6000 } } } } };
    expect(await h.command(API, `${uuid} send_json ${b64json(update)}`)).toMatch(/^\+OK/);
    await waitFor(() => idleTimeoutMs(c) === 6000, 'idle_timeout_ms in the server session');
    c.sendEvent({ type: 'input_audio_buffer.timeout_triggered', audio_start_ms: 1000, audio_end_ms: 7000, item_id: 'item_idle' });
    await waitFor(() => h.events(uuid, `${EV}json`).some((e) => e.body.includes('"input_audio_buffer.timeout_triggered"')), 'timeout_triggered delivered');
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('s2s: a beta turn_detection with idle_timeout_ms reaches the server; timeout_triggered reaches the application', async () => {
    const uuid = createTaggedChannel(h, 'idleS2s', { seconds: 3, recordMs: 3000 });
    expect(await h.command('uuid_openai_s2s', `^^|${uuid}|session.create|ws://127.0.0.1:${sim.port}|v1/realtime?model=m|bearer|sk-idle`)).toBe('+OK Success');
    const c = await waitFor(() => connectionsOfChannel(sim, uuid)[0], 'connection');
    const update = { type: 'session.update', session: { turn_detection: { type: 'server_vad', idle_timeout_ms: 7000 } } };
    expect(await h.command('uuid_openai_s2s', `^^|${uuid}|client.event|${JSON.stringify(update)}`)).toMatch(/^\+OK/);
    await waitFor(() => idleTimeoutMs(c) === 7000, 'idle_timeout_ms in the server session');
    c.sendEvent({ type: 'input_audio_buffer.timeout_triggered', audio_start_ms: 0, audio_end_ms: 7000, item_id: 'item_idle' });
    await waitFor(
      () => h.events(uuid, 'openai_s2s::server_event').some((e) => (JSON.parse(e.body) as { type: string }).type === 'input_audio_buffer.timeout_triggered'),
      'timeout_triggered delivered',
    );
    expect(await h.command('uuid_openai_s2s', `${uuid} session.delete`)).toBe('+OK Success');
  });
});
