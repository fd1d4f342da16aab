// What this proves, with the test host's media threads delivering the keys exactly as FreeSWITCH's
// media bug would (one DTMF frame per tick), real sockets and the GA realtime simulator: every key
// the caller presses fires `openai_realtime::dtmf` with its digit, duration and API family, for an
// audio stream and for an s2s session; the model hears nothing of it unless the call says
// OPENAI_REALTIME_DTMF=forward; then keys pressed in one go (each within the batch window of the
// previous one) become ONE user message "The caller pressed …", followed by response.create (not
// with OPENAI_REALTIME_DTMF_RESPONSE=false), and a response.create never collides with a response
// in progress: it waits for response.done.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { b64json } from '../helpers/callerAudio.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
const DTMF = 'openai_realtime::dtmf';
let h: InProcessHost;
let sim: RealtimeSimulator;

beforeAll(async () => {
  h = inProcessHost();
  // A 1.5 s reply streamed slowly (≈ real time): still in progress when a key is pressed.
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 1500 }, audioChunkMs: 100, deltaIntervalMs: 90 });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
});

const channel = (prefix: string, vars: Record<string, string> = {}): string =>
  createTaggedChannel(h, prefix, { seconds: 8, recordMs: 8000, vars });

const connectionOf = (uuid: string): SimulatedConnection | undefined => connectionsOfChannel(sim, uuid)[0];

async function stream(uuid: string): Promise<SimulatedConnection> {
  expect(await h.command(API, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
  h.host.startMedia(uuid);
  const c = await waitFor(() => connectionOf(uuid), 'connection');
  // Wait for the module's side too: the server records session.created before the client has read it.
  await waitFor(() => h.events(uuid).some((e) => e.body.includes('"session.created"')), 'session.created seen by the module');
  return c;
}

const dtmfBodies = (uuid: string) => h.events(uuid, DTMF).map((e) => JSON.parse(e.body) as Record<string, unknown>);
const userTexts = (c: SimulatedConnection): string[] =>
  c.clientEvents
    .map((r) => r.event as { type: string; item?: { type?: string; role?: string; content?: Array<{ type: string; text?: string }> } })
    .filter((e) => e.type === 'conversation.item.create' && e.item?.role === 'user')
    .map((e) => e.item!.content![0]!.text!);

describe('openai_realtime::dtmf', () => {
  it('fires one event per key with digit, duration and family; nothing reaches the model by default', async () => {
    const uuid = channel('dtmf-event');
    const c = await stream(uuid);
    h.host.pressDtmf(uuid, '5#');
    await waitFor(() => dtmfBodies(uuid).length === 2, 'two dtmf events');
    expect(dtmfBodies(uuid)).toEqual([
      { digit: '5', duration_ms: 100, family: 'audio_stream' },
      { digit: '#', duration_ms: 100, family: 'audio_stream' },
    ]);
    await sleep(1800); // longer than the batch window
    expect(userTexts(c)).toEqual([]);
    expect(c.clientEventTypes()).not.toContain('response.create');
    const status = h.app.registry.get(uuid, 'audio_stream')!.status();
    expect(status.dtmf).toEqual({ pressed: 2, forward: false, messages: 0 });
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('s2s sessions fire it too, with family s2s', async () => {
    const uuid = channel('dtmf-s2s');
    expect(await h.command('uuid_openai_s2s', `${uuid} session.create ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`)).toBe('+OK Success');
    h.host.startMedia(uuid);
    await waitFor(() => connectionOf(uuid), 'connection');
    h.host.pressDtmf(uuid, '7');
    await waitFor(() => dtmfBodies(uuid).length === 1, 'dtmf event');
    expect(dtmfBodies(uuid)[0]).toEqual({ digit: '7', duration_ms: 100, family: 's2s' });
    expect(await h.command('uuid_openai_s2s', `${uuid} session.delete`)).toBe('+OK Success');
  });
});

describe('OPENAI_REALTIME_DTMF=forward', () => {
  it('keys pressed in one go become one user message, then response.create; the model answers', async () => {
    const uuid = channel('dtmf-fwd', { OPENAI_REALTIME_DTMF: 'forward' });
    const c = await stream(uuid);
    h.host.pressDtmf(uuid, '12');
    await sleep(400); // a pause well inside the 1.5 s window
    h.host.pressDtmf(uuid, '3#');
    await waitFor(() => userTexts(c).length > 0, 'forwarded message', 5000);
    expect(userTexts(c)).toEqual(['The caller pressed 123#']);
    await waitFor(() => c.responses.length > 0, 'a response');
    const types = c.clientEventTypes().filter((t) => t !== 'input_audio_buffer.append');
    expect(types.slice(types.indexOf('conversation.item.create'))).toEqual(['conversation.item.create', 'response.create']);
    // The module's own events carry its event_id prefix (so an s2s app never sees errors about them).
    const create = c.clientEvents.find((r) => r.event.type === 'conversation.item.create')!.event;
    expect(String(create.event_id)).toMatch(/^oair_/);
    expect(c.serverEventTypes()).not.toContain('error');
    // Two batches: a gap longer than the window starts a new message.
    await sleep(300);
    h.host.pressDtmf(uuid, '9');
    await waitFor(() => userTexts(c).length === 2, 'second message', 5000);
    expect(userTexts(c)[1]).toBe('The caller pressed 9');
    expect(h.app.registry.get(uuid, 'audio_stream')!.status().dtmf).toEqual({ pressed: 5, forward: true, messages: 2 });
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('OPENAI_REALTIME_DTMF_RESPONSE=false: the message only; a short batch window', async () => {
    const uuid = channel('dtmf-quiet', { OPENAI_REALTIME_DTMF: 'forward', OPENAI_REALTIME_DTMF_RESPONSE: 'false', OPENAI_REALTIME_DTMF_BATCH_MS: '200' });
    const c = await stream(uuid);
    h.host.pressDtmf(uuid, '4');
    await waitFor(() => userTexts(c).length > 0, 'forwarded message', 3000);
    await sleep(500);
    expect(userTexts(c)).toEqual(['The caller pressed 4']);
    expect(c.clientEventTypes()).not.toContain('response.create');
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('a key pressed while a response is in progress: its response.create waits for response.done', async () => {
    const uuid = channel('dtmf-busy', { OPENAI_REALTIME_DTMF: 'forward', OPENAI_REALTIME_DTMF_BATCH_MS: '100' });
    const c = await stream(uuid);
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toBe('+OK Success');
    await waitFor(() => c.activeResponseId !== undefined, 'a response in progress');
    h.host.pressDtmf(uuid, '0');
    await waitFor(() => userTexts(c).length > 0, 'forwarded message', 3000);
    expect(c.activeResponseId).toBeDefined(); // the message went in while the greeting was still streaming
    await waitFor(() => c.responses.length === 2, 'the response asked for by the key', 8000);
    expect(c.serverEventTypes()).not.toContain('error');
    const events = c.clientEvents.map((r) => r.event.type).filter((t) => t === 'response.create');
    expect(events).toHaveLength(2);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('a bad value forwards nothing and says why in the channel log', async () => {
    const uuid = channel('dtmf-bad', { OPENAI_REALTIME_DTMF: 'yes please' });
    const c = await stream(uuid);
    h.host.pressDtmf(uuid, '1');
    await waitFor(() => dtmfBodies(uuid).length === 1, 'dtmf event');
    await sleep(1700);
    expect(userTexts(c)).toEqual([]);
    expect(h.logs(uuid).some((l) => l.includes('OPENAI_REALTIME_DTMF') && l.includes('not forwarded'))).toBe(true);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});
