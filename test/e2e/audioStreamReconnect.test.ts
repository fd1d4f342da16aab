// What this proves against the simulator's faults: an abnormal drop (no close frame, 1011, 1001
// session expiry) is followed by ::disconnect, a reconnect, ::connect and the replay of the app's
// session.update, with no stale audio burst; a clean 1000 from the server and STREAM_NO_RECONNECT
// end the stream (hook detached); failed connects are retried with back-off, each an ::error
// with its HTTP status, and with STREAM_NO_RECONNECT the first failure ends the stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { b64json, speechBursts } from '../helpers/callerAudio.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
const EV = 'mod_openai_audio_stream::';
let h: InProcessHost;
let sim: RealtimeSimulator;

beforeAll(async () => {
  h = inProcessHost();
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 2000 }, deltaIntervalMs: 50 });
});

afterAll(async () => {
  // Sessions first: a stream reconnects after the simulator's 1001 "going away".
  await h.app.stop('end of test file');
  await sim.close();
});

const channel = (prefix: string, vars: Record<string, string> = {}, source?: Int16Array): string =>
  createTaggedChannel(h, prefix, { recordMs: 8000, ...(source ? { source } : {}), vars: { STREAM_DISABLE_AUDIOFILES: 'true', ...vars } });

const connectionsOf = (s: RealtimeSimulator, uuid: string): SimulatedConnection[] => connectionsOfChannel(s, uuid);
const status = (uuid: string) => h.app.registry.get(uuid, 'audio_stream')?.status();
const bodies = (uuid: string, name: string) => h.events(uuid, `${EV}${name}`).map((e) => JSON.parse(e.body) as Record<string, unknown>);

const UPDATE = {
  type: 'session.update',
  session: { type: 'realtime', instructions: 'You are a test.', audio: { output: { voice: 'cedar' }, input: { turn_detection: { type: 'server_vad', silence_duration_ms: 400 } } } },
};

async function startConfigured(s: RealtimeSimulator, uuid: string): Promise<SimulatedConnection> {
  expect(await h.command(API, `${uuid} start ${s.url} mono`)).toBe('+OK Success');
  const first = await waitFor(() => connectionsOf(s, uuid)[0], 'first connection');
  await waitFor(() => h.events(uuid, `${EV}connect`).length === 1, 'connect');
  expect(await h.command(API, `${uuid} send_json ${b64json(UPDATE)}`)).toBe('+OK Success');
  await waitFor(() => first.serverEventTypes().includes('session.updated'), 'session.updated');
  return first;
}

async function expectReplayed(s: RealtimeSimulator, uuid: string): Promise<SimulatedConnection> {
  const second = await waitFor(() => connectionsOf(s, uuid)[1], 'second connection', 5000);
  await waitFor(() => h.events(uuid, `${EV}connect`).length === 2, 'second ::connect');
  await waitFor(() => second.clientEvents.length > 0, 'replay');
  // The first thing the new session hears is the app's configuration.
  expect(second.clientEvents[0]!.event).toEqual(UPDATE);
  await waitFor(() => second.serverEventTypes().includes('session.updated'), 'replayed session.updated');
  expect(second.session.instructions).toBe('You are a test.');
  expect(second.session.audio.output.voice).toBe('cedar');
  return second;
}

describe('reconnect after an abnormal drop', () => {
  it('TCP drop mid-response (1006): ::disconnect, reconnect, replay, audio received so far still plays, no stale burst', async () => {
    const uuid = channel('drop', {}, speechBursts(8000, 8000, [{ atMs: 0, ms: 1000 }]));
    const first = await startConfigured(sim, uuid);
    first.applyFaults({ dropMidResponse: { afterDeltas: 4 } });
    h.host.startMedia(uuid);
    await waitFor(() => first.closed !== null, 'dropped', 8000);
    const second = await expectReplayed(sim, uuid);
    const disconnect = bodies(uuid, 'disconnect');
    expect(disconnect).toEqual([{ status: 'disconnected', message: { code: 1006, reason: '' } }]);
    // What arrived before the drop is played out, padded to whole frames: the deltas the
    // simulator got onto the wire before it destroyed the socket (3 or 4 of 100 ms each).
    await waitFor(() => h.events(uuid, `${EV}openai_speech_stop`).length > 0, 'speech stop', 5000);
    const played = h.host.played(uuid)!;
    expect(played.length % 160).toBe(0);
    expect(played.length).toBeGreaterThanOrEqual(3 * 800);
    expect(played.length).toBeLessThanOrEqual(4 * 800 + 320);
    // The new connection gets live audio only: nothing captured during the outage is sent as a burst.
    await sleep(300);
    const openFor = Date.now() - second.handshake.at;
    expect(second.appendedAudioMs).toBeLessThanOrEqual(openFor + 60);
    expect(status(uuid)).toMatchObject({ reconnects: 1, state: 'open' });
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('close 1011 from the server: reconnect with replay', async () => {
    const uuid = channel('c1011');
    const first = await startConfigured(sim, uuid);
    first.applyFaults({ closeWith: { code: 1011, reason: 'internal error', afterMs: 0 } });
    await expectReplayed(sim, uuid);
    expect(bodies(uuid, 'disconnect')).toEqual([{ status: 'disconnected', message: { code: 1011, reason: 'internal error' } }]);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('session expiry (1001 after session_expired): reconnect with replay', async () => {
    const short = await RealtimeSimulator.start({ voice: 'tone', sessionLimitMs: 700 });
    try {
      const uuid = channel('expiry');
      await startConfigured(short, uuid);
      await expectReplayed(short, uuid);
      expect(bodies(uuid, 'disconnect')[0]).toMatchObject({ message: { code: 1001 } });
      expect(h.events(uuid, `${EV}json`).some((e) => e.body.includes('session_expired'))).toBe(true);
      expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
    } finally {
      await short.close();
    }
  });
});

describe('no reconnect', () => {
  it('a clean 1000 close by the server ends the stream', async () => {
    const uuid = channel('c1000');
    const first = await startConfigured(sim, uuid);
    h.host.startMedia(uuid);
    first.close(1000, 'bye');
    await waitFor(() => status(uuid) === undefined, 'stream ended');
    expect(bodies(uuid, 'disconnect')).toEqual([{ status: 'disconnected', message: { code: 1000, reason: 'bye' } }]);
    await sleep(300);
    expect(connectionsOf(sim, uuid)).toHaveLength(1);
    expect(h.host.mediaStats(uuid)!.attached).toBe(false);
    expect(await h.command(API, `${uuid} pause`)).toBe('-ERR no stream on this channel');
  });

  it('STREAM_NO_RECONNECT: an abnormal drop ends the stream too', async () => {
    const uuid = channel('noreconnect', { STREAM_NO_RECONNECT: 'true' });
    const first = await startConfigured(sim, uuid);
    first.terminate();
    await waitFor(() => status(uuid) === undefined, 'stream ended');
    expect(bodies(uuid, 'disconnect')).toEqual([{ status: 'disconnected', message: { code: 1006, reason: '' } }]);
    await sleep(300);
    expect(connectionsOf(sim, uuid)).toHaveLength(1);
    expect(h.host.mediaStats(uuid)!.attached).toBe(false);
  });
});

describe('connect failures', () => {
  it('are retried with back-off, one ::error per attempt with its HTTP status', async () => {
    sim.queueFaults({ refuseHandshake: { status: 401 } });
    sim.queueFaults({ refuseHandshake: { status: 500 } });
    const uuid = channel('retry');
    expect(await h.command(API, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${EV}connect`).length === 1, 'connected on the third attempt', 5000);
    const errors = bodies(uuid, 'error').map((e) => e.message as Record<string, number>);
    expect(errors.map((e) => [e.retries, e.http_status])).toEqual([[1, 401], [2, 500]]);
    expect(errors[0]!.wait_time).toBeGreaterThanOrEqual(80);
    expect(errors[0]!.wait_time).toBeLessThanOrEqual(120);
    expect(errors[1]!.wait_time).toBeGreaterThanOrEqual(160);
    expect(errors[1]!.wait_time).toBeLessThanOrEqual(240);
    expect(status(uuid)).toMatchObject({ state: 'open', reconnects: 0 });
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('with STREAM_NO_RECONNECT the first failure ends the stream', async () => {
    sim.queueFaults({ refuseHandshake: { status: 403 } });
    const uuid = channel('noretry', { STREAM_NO_RECONNECT: '1' });
    expect(await h.command(API, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
    await waitFor(() => status(uuid) === undefined, 'stream ended');
    const errors = bodies(uuid, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatchObject({ retries: 1, wait_time: 0, http_status: 403 });
    expect(h.events(uuid, `${EV}connect`)).toHaveLength(0);
    expect(h.host.mediaStats(uuid)!.attached).toBe(false);
  });
});
