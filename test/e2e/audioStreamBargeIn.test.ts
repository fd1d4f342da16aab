// What this proves, end to end (test host media threads, real sockets, the simulator's energy VAD):
// when the caller talks over the assistant, playout stops at once, the item is truncated to what
// the media thread actually played (within a frame + 20 ms of the recording), nothing of the
// interrupted response is heard afterwards, response.cancel is sent only when the server does not
// interrupt by itself, ::openai_speech_stop fires, and response_cancel_not_active stays benign.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { b64json, speechBursts } from '../helpers/callerAudio.js';
import { connectionsOfChannel, inProcessHost, newUuid, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
const EV = 'mod_openai_audio_stream::';
const RATE = 8000;
const FRAME = 160;
let h: InProcessHost;
let sim: RealtimeSimulator;

beforeAll(async () => {
  h = inProcessHost();
  // A 6 s reply streamed at ~1.7× real time: it is still arriving when the caller interrupts.
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 6000 }, audioChunkMs: 100, deltaIntervalMs: 60 });
});

afterAll(async () => {
  // Sessions first: a stream reconnects after the simulator's 1001 "going away".
  await h.app.stop('end of test file');
  await sim.close();
});

async function runBargeIn(interruptResponse: boolean): Promise<{ uuid: string; connection: SimulatedConnection; playedAtTruncate: number }> {
  const uuid = newUuid(`barge-${interruptResponse}`);
  // Caller: 1.2 s of speech (→ a reply), then talks again at 3 s and keeps talking.
  const source = speechBursts(RATE, 7000, [{ atMs: 0, ms: 1200 }, { atMs: 3000, ms: 4000 }]);
  h.host.createChannel(uuid, { rate: RATE, ptimeMs: 20, recordMs: 8000, source, vars: { STREAM_EXTRA_HEADERS: JSON.stringify({ 'X-Test-Channel': uuid }), STREAM_DISABLE_AUDIOFILES: 'true' } });
  expect(await h.command(API, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
  const connection = await waitFor(() => connectionsOfChannel(sim, uuid)[0], 'connection');
  if (!interruptResponse) {
    const update = { type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', interrupt_response: false } } } } };
    expect(await h.command(API, `${uuid} send_json ${b64json(update)}`)).toBe('+OK Success');
    await waitFor(() => connection.serverEventTypes().includes('session.updated'), 'session.updated');
  }
  h.host.startMedia(uuid);
  await waitFor(() => h.events(uuid, `${EV}openai_speech_start`).length > 0, 'assistant speaking', 10_000);
  await waitFor(() => connection.truncations.length > 0, 'truncate', 10_000);
  const playedAtTruncate = h.host.played(uuid)!.length;
  return { uuid, connection, playedAtTruncate };
}

describe('barge-in', () => {
  it('server interrupts (interrupt_response true): truncate to the played ms, no client cancel', async () => {
    const { uuid, connection, playedAtTruncate } = await runBargeIn(true);
    await sleep(600);
    const played = h.host.played(uuid)!;
    // Playout stopped at the barge-in: at most the frame that was in flight.
    expect(played.length - playedAtTruncate).toBeLessThanOrEqual(FRAME);
    const truncate = connection.truncations[0]!;
    const playedMs = (played.length * 1000) / RATE;
    expect(Math.abs(truncate.audioEndMs - playedMs)).toBeLessThanOrEqual(20 + 20);
    expect(truncate.audioEndMs).toBeGreaterThan(500); // it had been playing for a while
    expect(truncate.audioEndMs).toBeLessThan(truncate.itemAudioMs);
    expect(truncate.itemId).toBe(connection.responses[0]!.itemId);
    expect(connection.clientEventTypes()).not.toContain('response.cancel');
    expect(connection.cancels.map((c) => c.reason)).toEqual(['turn_detected']);
    const stops = h.events(uuid, `${EV}openai_speech_stop`);
    expect(stops).toHaveLength(1);
    const status = h.app.registry.get(uuid, 'audio_stream')!.status();
    expect(status.bargeIns).toBe(1);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('client cancels (interrupt_response false): response.cancel for the active response, late deltas dropped', async () => {
    const { uuid, connection, playedAtTruncate } = await runBargeIn(false);
    await waitFor(() => connection.cancels.length > 0, 'cancel');
    // A delta of the interrupted response arriving late (as one in flight would): never played.
    const response = connection.responses[0]!;
    const lateDelta = Buffer.alloc(4800, 0x11).toString('base64');
    connection.sendEvent({ type: 'response.output_audio.delta', response_id: response.id, item_id: response.itemId, output_index: 0, content_index: 0, delta: lateDelta });
    await sleep(600);
    const played = h.host.played(uuid)!;
    expect(played.length - playedAtTruncate).toBeLessThanOrEqual(FRAME);
    const truncate = connection.truncations[0]!;
    expect(Math.abs(truncate.audioEndMs - (played.length * 1000) / RATE)).toBeLessThanOrEqual(40);
    const types = connection.clientEventTypes();
    // The truncate goes out first, then the cancel for the response that was streaming.
    expect(types.indexOf('response.cancel')).toBeGreaterThan(types.indexOf('conversation.item.truncate'));
    const cancel = connection.clientEvents.find((r) => r.event.type === 'response.cancel')!.event as { response_id?: string };
    expect(cancel.response_id).toBe(connection.responses[0]!.id);
    expect(connection.cancels).toEqual([expect.objectContaining({ reason: 'client_cancelled' })]);
    expect(connection.responses[0]!.status).toBe('cancelled');
    // Deltas the server sent after the speech start were not played (the recording did not grow).
    const status = h.app.registry.get(uuid, 'audio_stream')!.status();
    expect(status.invalidAudioDeltas).toBe(0);
    expect(status.lateDeltasDropped as number).toBeGreaterThanOrEqual(1);
    // Not decoded and queued, so it is forwarded like any other frame.
    expect(h.events(uuid, `${EV}json`).some((e) => e.body.includes(lateDelta))).toBe(true);
    expect(h.events(uuid, `${EV}openai_speech_stop`)).toHaveLength(1);

    // A cancel with nothing active is answered with response_cancel_not_active: benign.
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'response.cancel' })}`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${EV}json`).some((e) => e.body.includes('response_cancel_not_active')), 'benign error forwarded');
    const line = h.logs(uuid).find((l) => l.includes('response_cancel_not_active'))!;
    expect(line.startsWith('7 ')).toBe(true); // debug, not error
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});
