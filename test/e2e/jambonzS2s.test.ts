// What this proves: jambonz's feature-server (lib/tasks/llm/llms/openai_s2s.js, v0.9.8), the
// largest application of uuid_openai_s2s, works on this module exactly as it drives it — every
// command an `api uuid_openai_s2s ^^|…` line as its media library sends it, in its order, against
// the realtime simulator, through the native command queue and the test host's media threads:
// - session.create with `bearer` (its `openai` vendor) and with `query` on Azure's retired preview
//   path (its `microsoft` vendor), which is rewritten to the GA path with the key as api-key;
// - on openai_s2s::connect: client.event response.create FIRST, then a beta-shaped session.update
//   (instructions, voice, turn_detection, input_audio_transcription, tools incl. MCP-derived function
//   tools) — both +OK, both reach the server in that order and are accepted;
// - a tool call (from response.output_item.done) answered with conversation.item.create
//   (function_call_output) then response.create; the answer is played;
// - mid-call session.update, conversation.item.delete, response.cancel;
// - session.delete on kill, and also after the server already closed the connection or sent an
//   error: +OK, the media hook detached, no audio and no event afterwards;
// - every event it gets carries the channel's uuid (its library filters on Unique-ID) and a body
//   that is JSON (it JSON.parses it), connect excepted (no body, as the module we replace).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { speechBursts } from '../helpers/callerAudio.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_s2s';
const EV = 'openai_s2s::';
const RATE = 8000;
const KEY = 'sk-jambonz-0123456789abcdef';
let h: InProcessHost;
let sim: RealtimeSimulator;

beforeAll(async () => {
  h = inProcessHost();
  sim = await RealtimeSimulator.start({
    voice: 'tone',
    tone: { durationMs: 600 },
    apiKey: KEY,
    functionCall: { name: 'get_weather', arguments: { location: 'Paris' } },
  });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
});

/** What its `_api(ep, args)` sends: `^^|` and the arguments joined by `|`. */
const api = (...args: string[]): Promise<string> => h.command(API, `^^|${args.join('|')}`);
const clientEvent = (uuid: string, event: unknown): Promise<string> => api(uuid, 'client.event', JSON.stringify(event));

/** Its llmOptions: response_create and a beta-shaped session_update with a function tool and an MCP-derived one. */
const RESPONSE_CREATE = { modalities: ['text', 'audio'], instructions: 'Greet the caller and ask how you can help.' };
const SESSION_UPDATE = {
  modalities: ['text', 'audio'],
  instructions: 'You are a helpful phone assistant.',
  voice: 'alloy',
  input_audio_format: 'pcm16',
  output_audio_format: 'pcm16',
  turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500 },
  input_audio_transcription: { model: 'whisper-1' },
  tools: [
    {
      type: 'function',
      name: 'get_weather',
      description: 'Get the weather at a location',
      parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
    },
    {
      // As jambonz derives tools from an MCP server's tool list (name, description, inputSchema).
      type: 'function',
      name: 'calendar_list_events',
      description: 'List calendar events (MCP)',
      parameters: { type: 'object', properties: { day: { type: 'string', format: 'date' } }, additionalProperties: false },
    },
  ],
  tool_choice: 'auto',
};

const channels: string[] = [];
function channel(prefix: string, source: Int16Array = new Int16Array(RATE * 12)): string {
  const uuid = createTaggedChannel(h, prefix, { rate: RATE, recordMs: 12_000, source });
  channels.push(uuid);
  return uuid;
}
const serverEvents = (uuid: string) => h.events(uuid, `${EV}server_event`).map((e) => JSON.parse(e.body) as Record<string, unknown> & { type: string });
const ofType = (uuid: string, type: string) => serverEvents(uuid).filter((e) => e.type === type);
const nonAudio = (c: SimulatedConnection) => c.clientEvents.map((r) => r.event).filter((e) => e.type !== 'input_audio_buffer.append');

/** Its _onConnect → _sendInitialMessage: response.create first, then session.update; each must be +OK. */
async function createAndGreet(uuid: string): Promise<SimulatedConnection> {
  expect(await api(uuid, 'session.create', `ws://127.0.0.1:${sim.port}`, 'v1/realtime?model=gpt-4o-realtime-preview-2024-12-17', 'bearer', KEY)).toBe('+OK Success');
  await waitFor(() => h.events(uuid, `${EV}connect`).length > 0, 'openai_s2s::connect');
  expect(await clientEvent(uuid, { type: 'response.create', response: RESPONSE_CREATE })).toMatch(/^\+OK/);
  expect(await clientEvent(uuid, { type: 'session.update', session: SESSION_UPDATE })).toMatch(/^\+OK/);
  return waitFor(() => connectionsOfChannel(sim, uuid)[0], 'connection');
}

/** Its event filter: every openai_s2s event names one of the channels (Unique-ID), and every body it parses is JSON. */
function expectWellFormedEvents(uuid: string): void {
  const all = h.events().filter((e) => e.subclass.startsWith(EV));
  for (const e of all) expect(channels).toContain(e.uuid);
  const events = all.filter((e) => e.uuid === uuid);
  expect(events.length).toBeGreaterThan(0);
  for (const e of events) {
    if (e.subclass === `${EV}connect`) continue;
    const body: unknown = JSON.parse(e.body);
    expect(typeof body === 'object' && body !== null && !Array.isArray(body)).toBe(true);
  }
}

/** After session.delete: nothing more is played and no event fires for the channel. */
async function expectNothingAfter(uuid: string): Promise<void> {
  const events = h.events(uuid).length;
  const played = h.host.played(uuid)!.length;
  expect(h.host.mediaStats(uuid)!.attached).toBe(false);
  expect(h.app.registry.get(uuid, 's2s')).toBeUndefined();
  await sleep(400);
  expect(h.events(uuid)).toHaveLength(events);
  expect(h.host.played(uuid)!.length).toBe(played);
}

describe("jambonz's uuid_openai_s2s sequence", () => {
  it('openai vendor: greet, configure, tool call, mid-call updates, kill with session.delete', async () => {
    const uuid = channel('jambonz', speechBursts(RATE, 12_000, [{ atMs: 1800, ms: 900 }]));
    const c = await createAndGreet(uuid);
    expect(c.handshake.auth).toBe('bearer');
    h.host.startMedia(uuid);

    // Response.create first, then the session.update, each accepted (GA-translated, not closed with 4000).
    await waitFor(() => ofType(uuid, 'session.updated').length > 0, 'session.updated', 20_000);
    expect(nonAudio(c).slice(0, 2).map((e) => e.type)).toEqual(['response.create', 'session.update']);
    expect(c.closed).toBeNull();
    expect(c.session.tools.map((t) => t.name)).toEqual(['get_weather', 'calendar_list_events']);
    expect(c.session.audio.output.voice).toBe('alloy');
    expect(c.session.audio.input.transcription).toEqual({ model: 'whisper-1' });
    await waitFor(() => ofType(uuid, 'output_audio.playback_stopped').length > 0, 'greeting played', 20_000);

    // The caller speaks; the model calls a tool (its _onServerEvent: response.output_item.done, function_call).
    const call = await waitFor(
      () => ofType(uuid, 'response.output_item.done').find((e) => (e.item as { type?: string }).type === 'function_call'),
      'function_call',
      20_000,
    );
    const item = call.item as { name: string; call_id: string; arguments: string };
    expect(item.name).toBe('get_weather');
    expect(JSON.parse(item.arguments)).toEqual({ location: 'Paris' });
    // Its processToolOutput: the conversation.item.create it got from the toolHook, then response.create.
    const output = { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: item.call_id, output: '{"temperature":21}' } };
    expect(await clientEvent(uuid, output)).toBe('+OK Success');
    expect(await clientEvent(uuid, { type: 'response.create' })).toBe('+OK Success');
    const answered = await waitFor(() => c.responses.find((r, i) => i > 0 && r.kind === 'message' && r.status === 'completed'), 'the answer', 20_000);
    await waitFor(() => ofType(uuid, 'output_audio.playback_stopped').some((e) => e.response_id === answered.id), 'answer played', 20_000);

    // Its processLlmUpdate: session.update, conversation.item.delete, response.cancel.
    expect(await clientEvent(uuid, { type: 'session.update', session: { instructions: 'Now speak French.' } })).toBe('+OK Success');
    await waitFor(() => c.session.instructions === 'Now speak French.', 'mid-call session.update');
    const outputItem = c.items.find((i) => i.type === 'function_call_output')!;
    expect(await clientEvent(uuid, { type: 'conversation.item.delete', item_id: outputItem.id })).toBe('+OK Success');
    await waitFor(() => ofType(uuid, 'conversation.item.deleted').some((e) => e.item_id === outputItem.id), 'conversation.item.deleted');
    expect(await clientEvent(uuid, { type: 'response.cancel' })).toBe('+OK Success');
    await waitFor(() => nonAudio(c).some((e) => e.type === 'response.cancel'), 'response.cancel received');
    // It ends the task on `error` and on a failed response.done: nothing of that kind so far, apart
    // from the server's answer to a cancel with nothing to cancel.
    expect(ofType(uuid, 'error').filter((e) => (e.error as { code?: string }).code !== 'response_cancel_not_active')).toEqual([]);
    expect(ofType(uuid, 'response.done').filter((e) => (e.response as { status?: string }).status === 'failed')).toEqual([]);

    // kill(): session.delete.
    expect(await api(uuid, 'session.delete')).toBe('+OK Success');
    expect(await c.waitForClose()).toMatchObject({ code: 1000, initiatedBy: 'client' });
    await expectNothingAfter(uuid);
    expect(h.events(uuid, `${EV}disconnect`)).toEqual([]);
    expectWellFormedEvents(uuid);
  });

  it('session.delete after the server closed the connection: +OK, nothing left, nothing afterwards', async () => {
    const uuid = channel('jambonzDropped');
    const c = await createAndGreet(uuid);
    h.host.startMedia(uuid);
    await waitFor(() => ofType(uuid, 'session.updated').length > 0, 'session.updated', 20_000);
    c.close(1011, 'server error');
    await waitFor(() => h.events(uuid, `${EV}disconnect`).length > 0, 'openai_s2s::disconnect');
    await waitFor(() => h.app.registry.get(uuid, 's2s') === undefined, 'session ended');
    expect(await api(uuid, 'session.delete')).toBe('+OK Success');
    await expectNothingAfter(uuid);
    expect(connectionsOfChannel(sim, uuid)).toHaveLength(1); // not reconnected
    // Only that one: a second delete has nothing to answer for.
    expect(await api(uuid, 'session.delete')).toBe('-ERR no s2s session on this channel');
    expectWellFormedEvents(uuid);
  });

  it('session.delete after the server sent an error: +OK, the socket closed, nothing afterwards', async () => {
    const uuid = channel('jambonzError');
    const c = await createAndGreet(uuid);
    h.host.startMedia(uuid);
    await waitFor(() => ofType(uuid, 'session.updated').length > 0, 'session.updated', 20_000);
    c.sendEvent({ type: 'error', error: { type: 'server_error', code: 'server_error', message: 'The server had an error', param: null, event_id: null } });
    await waitFor(() => ofType(uuid, 'error').length > 0, 'error delivered');
    // Its _onServerEvent ends the task on `error`; kill() sends session.delete.
    expect(await api(uuid, 'session.delete')).toBe('+OK Success');
    expect(await c.waitForClose()).toMatchObject({ code: 1000, initiatedBy: 'client' });
    await expectNothingAfter(uuid);
    expectWellFormedEvents(uuid);
  });

  it("microsoft vendor: the preview path with `query` reaches the GA path with the deployment and the key", async () => {
    const uuid = channel('jambonzAzure');
    expect(
      await api(uuid, 'session.create', `ws://127.0.0.1:${sim.port}`, 'openai/realtime?api-version=2024-10-01-preview&deployment=my-realtime', 'query', KEY),
    ).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${EV}connect`).length > 0, 'openai_s2s::connect');
    const c = await waitFor(() => connectionsOfChannel(sim, uuid)[0], 'connection');
    expect(c.handshake.path).toBe('/openai/v1/realtime');
    expect(c.handshake.query.model).toBe('my-realtime');
    expect(c.handshake.query['api-version']).toBeUndefined();
    expect(c.handshake.auth).toBe('api-key-query');
    const notes = h.logs(uuid).filter((l) => l.includes("Azure's preview path"));
    expect(notes).toEqual([expect.stringContaining('using the GA path openai/v1/realtime?model=my-realtime')]);
    expect(h.logs(uuid).join('\n')).not.toContain(KEY);
    expect(await clientEvent(uuid, { type: 'response.create', response: RESPONSE_CREATE })).toBe('+OK Success');
    expect(await clientEvent(uuid, { type: 'session.update', session: SESSION_UPDATE })).toBe('+OK Success');
    await waitFor(() => ofType(uuid, 'session.updated').length > 0, 'session.updated', 20_000);
    expect(await api(uuid, 'session.delete')).toBe('+OK Success');
    await expectNothingAfter(uuid);
  });
});
