// What this proves, end to end (test host media threads on a real clock, real sockets, the GA
// realtime simulator with its energy VAD): a jambonz-style application written for the beta works
// unchanged on uuid_openai_s2s — its beta session.update and response.create are accepted by a
// server that refuses any beta shape, and it hears back beta event names; caller audio starts
// only after the first session.update, with no stale burst; the module plays the reply itself and
// reports output_audio.playback_started / playback_stopped once per response (`completed`, or
// `interrupted` when the caller barges in, after which truncate is sent); the seed README's tool
// round trip (function_call → function_call_output with an object output + response.create, back
// to back) reaches the server as two valid frames and the assistant speaks again; errors about the
// module's own events are not handed to the app; a profile's <session> is sent for
// `session.create profile:<name>` only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BETA_EVENT_NAMES } from '../../src/protocol/realtime/betaServerEvents.js';
import type { S2sSession } from '../../src/session/s2sSession.js';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { speechBursts } from '../helpers/callerAudio.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';
import { tempDir, type TempDir } from '../helpers/configFixtures.js';

const API = 'uuid_openai_s2s';
const EV = 'openai_s2s::';
const RATE = 8000;
const KEY = 'sk-s2s-conversation-key-5566778899';
let h: InProcessHost;
let sim: RealtimeSimulator;
let tools: RealtimeSimulator;
let t: TempDir;

/** The seed README's session.update (beta shape), as a jambonz app sends it. */
const SEED_SESSION_UPDATE = {
  type: 'session.update',
  session: {
    input_audio_transcription: { model: 'whisper-1' },
    turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500 },
    voice: 'alloy',
    temperature: 0.8,
    tools: [
      {
        name: 'get_weather',
        type: 'function',
        description: 'Get the weather at a given location',
        parameters: {
          type: 'object',
          properties: { location: { type: 'string', description: 'Location to get the weather from' }, scale: { type: 'string', enum: ['fahrenheit', 'celsius'] } },
          required: ['location', 'scale'],
        },
      },
    ],
    tool_choice: 'auto',
  },
};

/** The seed README's response.create (beta shape). */
const SEED_RESPONSE_CREATE = {
  type: 'response.create',
  response: { modalities: ['text', 'audio'], instructions: 'Please assist the user with their request.', voice: 'alloy', output_audio_format: 'pcm16', temperature: 0.8, max_output_tokens: 4096 },
};

beforeAll(async () => {
  // A 2 s reply streamed at ~1.7× real time: still arriving when the caller talks over it.
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 2000 }, audioChunkMs: 100, deltaIntervalMs: 60, apiKey: KEY });
  tools = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 600 }, apiKey: KEY, functionCall: { name: 'get_weather', arguments: { location: 'Paris', scale: 'celsius' } } });
  t = tempDir();
  const url = sim.url.replace(/&/g, '&amp;');
  const configFile = t.write(
    'openai_realtime.conf.xml',
    `<configuration name="openai_realtime.conf">
  <profiles>
    <profile name="s2s">
      <param name="url" value="${url}"/>
      <param name="api-key" value="${KEY}"/>
      <session><![CDATA[ {"type":"realtime","instructions":"Configured by the profile.","audio":{"input":{"turn_detection":null}}} ]]></session>
    </profile>
  </profiles>
</configuration>
`,
  );
  h = inProcessHost({ configFile });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await Promise.all([sim.close(), tools.close()]);
  t.remove();
});

const channel = (prefix: string, source: Int16Array, vars: Record<string, string> = {}): string =>
  createTaggedChannel(h, prefix, { rate: RATE, recordMs: 12_000, source, vars });

const connectionOf = (s: RealtimeSimulator, uuid: string): SimulatedConnection | undefined => connectionsOfChannel(s, uuid)[0];
const serverEvents = (uuid: string) => h.events(uuid, `${EV}server_event`).map((e) => JSON.parse(e.body) as Record<string, unknown> & { type: string });
const ofType = (uuid: string, type: string) => serverEvents(uuid).filter((e) => e.type === type);
const status = (uuid: string) => h.app.registry.get(uuid, 's2s')?.status();
const heard = (uuid: string): number => h.host.played(uuid)!.reduce((n, s) => n + (s !== 0 ? 1 : 0), 0);

async function create(uuid: string, s: RealtimeSimulator): Promise<SimulatedConnection> {
  expect(await h.command(API, `^^|${uuid}|session.create|ws://127.0.0.1:${s.port}|v1/realtime?model=gpt-realtime|bearer|${KEY}`)).toBe('+OK Success');
  await waitFor(() => h.events(uuid, `${EV}connect`).length > 0, 'connect');
  return waitFor(() => connectionOf(s, uuid), 'connection');
}

/** As jambonz: `^^|uuid|client.event|<json>`. */
const clientEvent = (uuid: string, event: unknown): Promise<string> => h.command(API, `^^|${uuid}|client.event|${JSON.stringify(event)}`);

describe('the seed flow, beta-shaped, on the GA server', () => {
  it('caller audio waits for the first session.update, then streams from that moment (no stale burst)', async () => {
    const uuid = channel('gate', speechBursts(RATE, 10_000, [{ atMs: 0, ms: 10_000 }], -30));
    const c = await create(uuid, sim);
    h.host.startMedia(uuid);
    await sleep(700);
    expect(c.clientEventTypes()).not.toContain('input_audio_buffer.append');
    expect(c.appendedAudioMs).toBe(0);
    expect(status(uuid)).toMatchObject({ uplinkOpen: false });
    expect(status(uuid)!.droppedUplinkMs as number).toBeGreaterThanOrEqual(500);

    const update = { type: 'session.update', session: { ...SEED_SESSION_UPDATE.session, turn_detection: null } };
    const sentAt = Date.now();
    expect(await clientEvent(uuid, update)).toBe('+OK Success');
    await waitFor(() => c.appendedAudioMs >= 300, 'appends');
    const elapsed = Date.now() - sentAt;
    const types = c.clientEventTypes();
    expect(types.indexOf('session.update')).toBeLessThan(types.indexOf('input_audio_buffer.append'));
    // What arrived is what was captured since the update, not the 700 ms before it.
    expect(c.appendedAudioMs).toBeLessThanOrEqual(elapsed + 60);
    expect(status(uuid)).toMatchObject({ uplinkOpen: true });
    expect(await h.command(API, `${uuid} session.delete`)).toBe('+OK Success');
  });

  it('audio captured before the gate opened but still waiting for JS is not sent either', async () => {
    const uuid = channel('stale', speechBursts(RATE, 10_000, [{ atMs: 0, ms: 10_000 }], -30));
    const c = await create(uuid, sim);
    h.host.startMedia(uuid);
    await sleep(200);
    // Keep this (the only JS) thread busy: the media thread fills the capture ring meanwhile.
    const until = Date.now() + 500;
    while (Date.now() < until) {
      // busy on purpose
    }
    const session = h.app.registry.get(uuid, 's2s') as S2sSession;
    const update = { type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } };
    const openedAt = Date.now();
    expect(session.sendClientEvent(JSON.stringify(update), update, false)).toBe('sent');
    await waitFor(() => c.appendedAudioMs >= 300, 'appends');
    // ~500 ms were waiting in the ring when the gate opened: none of it went out.
    expect(c.appendedAudioMs).toBeLessThanOrEqual(Date.now() - openedAt + 60);
    expect(session.status().droppedUplinkMs as number).toBeGreaterThanOrEqual(600); // 200 ms gated + ~500 ms stale
    expect(await h.command(API, `${uuid} session.delete`)).toBe('+OK Success');
  });

  it('beta session.update and response.create are accepted; the reply plays; events come back under beta names', async () => {
    const uuid = channel('seedflow', new Int16Array(RATE * 10));
    const c = await create(uuid, sim);
    h.host.startMedia(uuid);
    expect(await clientEvent(uuid, SEED_SESSION_UPDATE)).toBe('+OK Success');
    await waitFor(() => ofType(uuid, 'session.updated').length > 0, 'session.updated');
    expect(c.closed).toBeNull(); // a beta shape would have been closed with 4000
    expect(c.serverEventTypes()).not.toContain('error');
    expect(c.session.audio.output.voice).toBe('alloy');
    expect(c.session.audio.input.transcription).toEqual({ model: 'whisper-1' });
    const updated = ofType(uuid, 'session.updated')[0]!.session as Record<string, unknown>;
    expect(updated).toMatchObject({ voice: 'alloy', modalities: ['text', 'audio'], input_audio_format: 'pcm16', output_audio_format: 'pcm16', input_audio_transcription: { model: 'whisper-1' } });
    expect(updated.turn_detection).toMatchObject({ type: 'server_vad', silence_duration_ms: 500 });
    expect(updated).not.toHaveProperty('audio');

    expect(await clientEvent(uuid, SEED_RESPONSE_CREATE)).toBe('+OK Success');
    await waitFor(() => ofType(uuid, 'output_audio.playback_stopped').length > 0, 'playback finished', 15_000);
    const responseId = c.responses[0]!.id;
    const types = serverEvents(uuid).map((e) => e.type);
    for (const beta of ['response.created', 'conversation.item.created', 'response.audio_transcript.delta', 'response.audio.done', 'response.audio_transcript.done', 'response.output_item.done', 'response.done']) {
      expect(types).toContain(beta);
    }
    for (const ga of Object.keys(BETA_EVENT_NAMES)) expect(types).not.toContain(ga);
    expect(types).not.toContain('response.audio.delta'); // played, not delivered
    const done = ofType(uuid, 'response.done')[0]!.response as { modalities: string[]; output: Array<{ content: Array<{ type: string }> }> };
    expect(done.modalities).toEqual(['text', 'audio']);
    expect(done.output[0]!.content[0]!.type).toBe('audio');
    expect((ofType(uuid, 'response.output_item.done')[0]!.item as { content: Array<{ type: string }> }).content[0]!.type).toBe('audio');

    // Played by the module, and reported once, well-formed.
    expect(heard(uuid)).toBeGreaterThan(RATE); // more than a second of the 2 s reply so far
    expect(ofType(uuid, 'output_audio.playback_started')).toEqual([expect.objectContaining({ type: 'output_audio.playback_started', response_id: responseId })]);
    expect(ofType(uuid, 'output_audio.playback_stopped')).toEqual([{ type: 'output_audio.playback_stopped', completion_reason: 'completed', response_id: responseId }]);
    const types2 = serverEvents(uuid).map((e) => e.type);
    expect(types2.indexOf('output_audio.playback_started')).toBeLessThan(types2.indexOf('output_audio.playback_stopped'));
    expect(await h.command(API, `${uuid} session.delete`)).toBe('+OK Success');
  });
});

describe('playback events', () => {
  it('a reply that arrives slower than real time (the ring runs dry between deltas) is still one started, one completed', async () => {
    const slow = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 1000 }, audioChunkMs: 100, deltaIntervalMs: 160, apiKey: KEY });
    try {
      const uuid = channel('slow', new Int16Array(RATE * 10));
      const c = await create(uuid, slow);
      h.host.startMedia(uuid);
      expect(await clientEvent(uuid, { type: 'session.update', session: { type: 'realtime' } })).toBe('+OK Success');
      expect(await clientEvent(uuid, { type: 'response.create' })).toBe('+OK Success');
      await waitFor(() => c.responses[0]?.status === 'completed', 'response done', 10_000);
      await waitFor(() => ofType(uuid, 'output_audio.playback_stopped').length > 0, 'playback_stopped', 5000);
      await sleep(400);
      const id = c.responses[0]!.id;
      // The gaps the seed reported as "completed": the server's audio was late, so they count as
      // server gaps, not as the module's underruns.
      const { underruns, serverGaps } = status(uuid) as { underruns: number; serverGaps: number };
      expect(serverGaps).toBeGreaterThan(0);
      expect(underruns).toBeLessThan(serverGaps);
      expect(ofType(uuid, 'output_audio.playback_started')).toEqual([{ type: 'output_audio.playback_started', response_id: id }]);
      expect(ofType(uuid, 'output_audio.playback_stopped')).toEqual([{ type: 'output_audio.playback_stopped', completion_reason: 'completed', response_id: id }]);
      expect(await h.command(API, `${uuid} session.delete`)).toBe('+OK Success');
    } finally {
      await slow.close();
    }
  });
});

describe('barge-in', () => {
  it('the caller talks over the reply: playback stops, truncate goes out, playback_stopped "interrupted" once', async () => {
    // Silence, then the caller talks 700 ms into the reply and keeps talking for a second.
    const uuid = channel('barge', speechBursts(RATE, 10_000, [{ atMs: 700, ms: 1000 }]));
    const c = await create(uuid, sim);
    const update = { type: 'session.update', session: { turn_detection: { type: 'server_vad', create_response: false } } };
    expect(await clientEvent(uuid, update)).toBe('+OK Success');
    await waitFor(() => ofType(uuid, 'session.updated').length > 0, 'session.updated');
    expect(await clientEvent(uuid, { type: 'response.create' })).toBe('+OK Success');
    await waitFor(() => c.responses.length > 0, 'response started');
    h.host.startMedia(uuid);
    await waitFor(() => c.truncations.length > 0, 'truncate', 10_000);
    const responseId = c.responses[0]!.id;
    await waitFor(() => ofType(uuid, 'output_audio.playback_stopped').length > 0, 'playback_stopped');
    expect(ofType(uuid, 'input_audio_buffer.speech_started').length).toBeGreaterThan(0);
    expect(ofType(uuid, 'output_audio.playback_stopped')).toEqual([{ type: 'output_audio.playback_stopped', completion_reason: 'interrupted', response_id: responseId }]);
    const truncate = c.truncations[0]!;
    expect(truncate.itemId).toBe(c.responses[0]!.itemId);
    expect(truncate.audioEndMs).toBeGreaterThan(300);
    expect(truncate.audioEndMs).toBeLessThan(truncate.itemAudioMs);
    // The server interrupts by itself (interrupt_response defaults to true): no client cancel.
    expect(c.clientEventTypes()).not.toContain('response.cancel');
    // Nothing more of the interrupted reply is heard.
    const heardAtCut = heard(uuid);
    await sleep(500);
    expect(heard(uuid) - heardAtCut).toBeLessThanOrEqual(2 * 160);
    await sleep(300);
    expect(ofType(uuid, 'output_audio.playback_stopped')).toHaveLength(1);
    expect(status(uuid)).toMatchObject({ bargeIns: 1 });
    expect(await h.command(API, `${uuid} session.delete`)).toBe('+OK Success');
  });

  it("errors about the module's own events are logged, not handed to the app", async () => {
    const uuid = channel('ownerror', new Int16Array(RATE));
    const c = await create(uuid, sim);
    c.sendEvent({ type: 'error', error: { type: 'invalid_request_error', code: 'item_truncate_invalid', message: 'about our truncate', param: null, event_id: 'oair_7' } });
    c.sendEvent({ type: 'error', error: { type: 'invalid_request_error', code: 'invalid_value', message: 'about the app', param: null, event_id: 'app-1' } });
    await waitFor(() => ofType(uuid, 'error').length > 0, 'app error delivered');
    await sleep(100);
    expect(ofType(uuid, 'error').map((e) => (e.error as { event_id: string }).event_id)).toEqual(['app-1']);
    expect(h.logs(uuid).some((l) => l.startsWith('3 ') && l.includes('about our truncate'))).toBe(true);
    expect(status(uuid)).toMatchObject({ ownErrorsNotDelivered: 1 });
    expect(await h.command(API, `${uuid} session.delete`)).toBe('+OK Success');
  });
});

describe('the tool round trip of the seed README', () => {
  it('function_call → function_call_output (object output) + response.create back to back → two valid frames, then the assistant speaks', async () => {
    const uuid = channel('tools', speechBursts(RATE, 12_000, [{ atMs: 300, ms: 900 }]));
    const c = await create(uuid, tools);
    expect(await clientEvent(uuid, SEED_SESSION_UPDATE)).toBe('+OK Success');
    await waitFor(() => ofType(uuid, 'session.updated').length > 0, 'session.updated');
    h.host.startMedia(uuid);

    const call = await waitFor(
      () => ofType(uuid, 'response.output_item.done').find((e) => (e.item as { type: string }).type === 'function_call'),
      'function_call item',
      10_000,
    );
    const item = call.item as { name: string; call_id: string; arguments: string };
    expect(item.name).toBe('get_weather');
    expect(JSON.parse(item.arguments)).toEqual({ location: 'Paris', scale: 'celsius' });
    const heardBefore = heard(uuid);

    // What jambonz's processToolOutput does: the second command right after the first's reply.
    const output = { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: item.call_id, output: { temperature: 21, scale: 'celsius' } } };
    expect(await clientEvent(uuid, output)).toBe('+OK Success');
    expect(await clientEvent(uuid, { type: 'response.create' })).toBe('+OK Success');

    await waitFor(() => c.responses.length >= 2 && c.responses[1]!.status === 'completed', 'the spoken answer', 10_000);
    expect(c.invalidFrames).toBe(0);
    const sent = c.clientEvents.map((r) => r.event);
    const at = sent.findIndex((e) => e.type === 'conversation.item.create');
    expect(sent[at]).toEqual({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: item.call_id, output: '{"temperature":21,"scale":"celsius"}' } });
    expect(sent.slice(at + 1).map((e) => e.type)).toContain('response.create');
    expect(c.responses[1]!.kind).toBe('message');
    expect(c.items.some((i) => i.type === 'function_call_output')).toBe(true);

    await waitFor(() => ofType(uuid, 'output_audio.playback_stopped').some((e) => e.response_id === c.responses[1]!.id), 'answer heard', 10_000);
    expect(heard(uuid) - heardBefore).toBeGreaterThan(RATE / 4);
    expect(ofType(uuid, 'output_audio.playback_stopped').filter((e) => e.response_id === c.responses[1]!.id)).toEqual([
      { type: 'output_audio.playback_stopped', completion_reason: 'completed', response_id: c.responses[1]!.id },
    ]);
    // The function-call response had no audio: no playback events for it.
    expect(serverEvents(uuid).filter((e) => e.response_id === c.responses[0]!.id && String(e.type).startsWith('output_audio.'))).toEqual([]);
    expect(await h.command(API, `${uuid} session.delete`)).toBe('+OK Success');
  });
});

describe('profiles', () => {
  it("session.create profile:<name>: the profile's key and <session>, which also opens the caller audio", async () => {
    const uuid = channel('profile', speechBursts(RATE, 6000, [{ atMs: 0, ms: 6000 }], -30));
    expect(await h.command(API, `${uuid} session.create profile:s2s`)).toBe('+OK Success');
    const c = await waitFor(() => connectionOf(sim, uuid), 'connection');
    expect(c.handshake.headers.authorization).toBe(`Bearer ${KEY}`);
    await waitFor(() => ofType(uuid, 'session.updated').length > 0, 'profile session applied');
    expect(c.clientEvents[0]!.event).toEqual({ type: 'session.update', session: { type: 'realtime', instructions: 'Configured by the profile.', audio: { input: { turn_detection: null } } } });
    h.host.startMedia(uuid);
    await waitFor(() => c.appendedAudioMs > 200, 'caller audio');
    expect(status(uuid)).toMatchObject({ profile: 's2s', uplinkOpen: true });
    expect(await h.command(API, `${uuid} session.delete`)).toBe('+OK Success');
  });

  it('a profile chosen by OPENAI_REALTIME_PROFILE gives the connection, not its <session>', async () => {
    const uuid = channel('byvar', new Int16Array(RATE), { OPENAI_REALTIME_PROFILE: 's2s' });
    // No key argument: the profile's key applies on its own origin.
    expect(await h.command(API, `${uuid} session.create ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`)).toBe('+OK Success');
    const c = await waitFor(() => connectionOf(sim, uuid), 'connection');
    expect(c.handshake.headers.authorization).toBe(`Bearer ${KEY}`);
    await sleep(300);
    expect(c.clientEventTypes()).not.toContain('session.update');
    expect(status(uuid)).toMatchObject({ profile: 's2s', uplinkOpen: false });
    expect(await h.command(API, `${uuid} session.delete`)).toBe('+OK Success');
  });
});

describe('secrets', () => {
  it('the key is in no event or log line', () => {
    const everything = [...h.events().map((e) => e.body), ...h.logs()].join('\n');
    expect(everything).toContain('output_audio.playback_stopped');
    expect(everything).not.toContain(KEY);
  });
});
