// What this proves, with the test host standing in for FreeSWITCH (its media threads, its record
// of every call-control action), real sockets and the GA realtime simulator making the model call
// the tools: the ready-made tools (end_call, transfer_call, send_dtmf) are offered to the model only
// when the call enables them (OPENAI_REALTIME_TOOLS or the profile's `tools`), merged into the
// application's own session.update without dropping its tools, and sent by the module after
// session.created when nobody else configures the session; when the model calls one, the module
// acts on the channel through the host's control operation, fires openai_realtime::call_control,
// and answers with function_call_output (then response.create, except after a hang-up or a
// transfer). Bad arguments and destinations outside the allow-list are answered with an error
// output and nothing happens on the call. end_call hangs up only after the caller has heard the
// whole utterance; transfer_call ends the stream cleanly (close 1000, ::disconnect) first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import type { FunctionCallSpec } from '../../src/simulator/functionCallRule.js';
import { tempDir, type TempDir } from '../helpers/configFixtures.js';
import { b64json } from '../helpers/callerAudio.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
const S2S = 'uuid_openai_s2s';
const CONTROL = 'openai_realtime::call_control';
const RATE = 8000;
const TONE_MS = 1500;
let h: InProcessHost;
let t: TempDir;
const sims: RealtimeSimulator[] = [];

/** A simulator whose model calls `spec` when a response is forced to a function (or after a user turn). */
async function simCalling(spec: FunctionCallSpec | FunctionCallSpec[]): Promise<RealtimeSimulator> {
  // A reply streamed at about real time: still playing for a while after it has all arrived.
  const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: TONE_MS }, audioChunkMs: 100, deltaIntervalMs: 20, functionCall: spec });
  sims.push(sim);
  return sim;
}

beforeAll(() => {
  t = tempDir();
  const configFile = t.write(
    'openai_realtime.conf.xml',
    `<configuration name="openai_realtime.conf">
  <profiles>
    <profile name="callcenter">
      <param name="url" value="ws://127.0.0.1:1/v1/realtime?model=gpt-realtime"/>
      <param name="auth" value="none"/>
      <param name="tools" value="end_call,transfer_call"/>
      <param name="allowed-transfer-destinations" value="1000,sip:support@example.com"/>
    </profile>
  </profiles>
</configuration>
`,
  );
  h = inProcessHost({ configFile });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await Promise.all(sims.map((s) => s.close()));
  t.remove();
});

const channel = (prefix: string, vars: Record<string, string> = {}): string =>
  createTaggedChannel(h, prefix, { rate: RATE, seconds: 10, recordMs: 10_000, vars });

const connectionOf = (sim: RealtimeSimulator, uuid: string): SimulatedConnection | undefined => connectionsOfChannel(sim, uuid)[0];

async function stream(sim: RealtimeSimulator, uuid: string, target = sim.url): Promise<SimulatedConnection> {
  expect(await h.command(API, `${uuid} start ${target} mono`)).toBe('+OK Success');
  h.host.startMedia(uuid);
  const c = await waitFor(() => connectionOf(sim, uuid), 'connection');
  // Wait for the module's side too: the server records session.created before the client has read it.
  await waitFor(() => h.events(uuid).some((e) => e.body.includes('"session.created"')), 'session.created seen by the module');
  return c;
}

const sendJson = (uuid: string, event: unknown): Promise<string> => h.command(API, `${uuid} send_json ${b64json(event)}`);
/** The model calls `name` now (the simulator honours a forced tool_choice). */
const forceCall = (uuid: string, name: string): Promise<string> => sendJson(uuid, { type: 'response.create', response: { tool_choice: { type: 'function', name } } });
const toolNames = (c: SimulatedConnection): string[] => c.session.tools.map((tool) => String((tool as { name?: string }).name));
const controls = (uuid: string): string[] => h.host.records().controls.filter((l) => l.startsWith(`${uuid} `)).map((l) => l.slice(uuid.length + 1));
const controlEvents = (uuid: string) => h.events(uuid, CONTROL).map((e) => JSON.parse(e.body) as Record<string, unknown>);
const outputs = (c: SimulatedConnection): Array<Record<string, unknown>> =>
  c.clientEvents
    .map((r) => r.event as { type: string; item?: { type?: string; output?: string } })
    .filter((e) => e.type === 'conversation.item.create' && e.item?.type === 'function_call_output')
    .map((e) => JSON.parse(e.item!.output!) as Record<string, unknown>);
/** Client event types from the function_call_output on (appends left out). */
const afterOutput = (c: SimulatedConnection): string[] => {
  const types = c.clientEvents.map((r) => r.event.type).filter((type) => type !== 'input_audio_buffer.append');
  const i = types.findIndex((type, k) => type === 'conversation.item.create' && (c.clientEvents.filter((r) => r.event.type !== 'input_audio_buffer.append')[k]!.event as { item?: { type?: string } }).item?.type === 'function_call_output');
  return i < 0 ? [] : types.slice(i);
};
/** From the first to the last sample of the assistant the caller heard, in samples. */
function heardSpan(uuid: string): number {
  const played = h.host.played(uuid)!;
  let first = -1;
  let last = -1;
  for (let i = 0; i < played.length; i++) {
    if (played[i] === 0) continue;
    if (first < 0) first = i;
    last = i;
  }
  return first < 0 ? 0 : last - first + 1;
}

describe('offering the tools', () => {
  it('disabled by default: no tools added, no session.update of the module, a model call of the name goes to the app', async () => {
    const sim = await simCalling({ name: 'end_call' });
    const uuid = channel('tools-off');
    const c = await stream(sim, uuid);
    await sleep(300);
    expect(c.clientEventTypes()).not.toContain('session.update');
    // The app declares an end_call of its own: the module leaves it to the app.
    expect(await sendJson(uuid, { type: 'session.update', session: { type: 'realtime', tools: [{ type: 'function', name: 'end_call', parameters: {} }] } })).toBe('+OK Success');
    await waitFor(() => c.serverEventTypes().includes('session.updated'), 'session.updated');
    expect(toolNames(c)).toEqual(['end_call']);
    expect(await forceCall(uuid, 'end_call')).toBe('+OK Success');
    await waitFor(() => h.events(uuid, 'mod_openai_audio_stream::json').some((e) => e.body.includes('"function_call"') && e.body.includes('response.output_item.done')), 'the call reaches the app');
    await sleep(400);
    expect(outputs(c)).toEqual([]);
    expect(controls(uuid)).toEqual([]);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('enabled by OPENAI_REALTIME_TOOLS: sent after session.created, then merged into the app\'s update (its tools kept)', async () => {
    const sim = await simCalling([]);
    const uuid = channel('tools-on', { OPENAI_REALTIME_TOOLS: 'end_call,send_dtmf' });
    const c = await stream(sim, uuid);
    await waitFor(() => c.clientEventTypes().includes('session.update'), 'the module\'s session.update');
    await waitFor(() => toolNames(c).length === 2, 'tools applied');
    expect(toolNames(c)).toEqual(['end_call', 'send_dtmf']);
    const schema = c.session.tools[1] as { parameters: { required: string[] } };
    expect(schema.parameters.required).toEqual(['digits']);
    const weather = { type: 'function', name: 'get_weather', description: 'weather', parameters: { type: 'object', properties: {} } };
    expect(await sendJson(uuid, { type: 'session.update', session: { type: 'realtime', instructions: 'Be brief.', tools: [weather] } })).toBe('+OK Success');
    await waitFor(() => toolNames(c).length === 3, 'merged tools');
    expect(toolNames(c)).toEqual(['get_weather', 'end_call', 'send_dtmf']);
    expect(c.session.instructions).toBe('Be brief.');
    // An update without tools leaves the server's list alone.
    expect(await sendJson(uuid, { type: 'session.update', session: { type: 'realtime', instructions: 'Be kind.' } })).toBe('+OK Success');
    await waitFor(() => c.session.instructions === 'Be kind.', 'instructions');
    expect(toolNames(c)).toEqual(['get_weather', 'end_call', 'send_dtmf']);
    expect(h.app.registry.get(uuid, 'audio_stream')!.status().tools).toEqual(['end_call', 'send_dtmf']);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('enabled by the profile, with its allow-list in the transfer_call schema; OPENAI_REALTIME_TOOLS=none turns them off', async () => {
    const sim = await simCalling([]);
    const uuid = channel('tools-profile', { OPENAI_REALTIME_PROFILE: 'callcenter' });
    const c = await stream(sim, uuid);
    await waitFor(() => toolNames(c).length === 2, 'tools applied');
    expect(toolNames(c)).toEqual(['end_call', 'transfer_call']);
    const transfer = c.session.tools[1] as { parameters: { properties: { destination: { enum: string[] } } } };
    expect(transfer.parameters.properties.destination.enum).toEqual(['1000', 'sip:support@example.com']);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');

    const off = channel('tools-none', { OPENAI_REALTIME_PROFILE: 'callcenter', OPENAI_REALTIME_TOOLS: 'none' });
    const c2 = await stream(sim, off);
    await sleep(300);
    expect(c2.clientEventTypes()).not.toContain('session.update');
    expect(await h.command(API, `${off} stop`)).toBe('+OK Success');
  });
});

describe('end_call', () => {
  it('hangs up with the configured cause after the caller heard the whole utterance; output without response.create', async () => {
    const sim = await simCalling({ name: 'end_call', arguments: { reason: 'caller said goodbye' } });
    const uuid = channel('end-call', { OPENAI_REALTIME_TOOLS: 'end_call', OPENAI_REALTIME_HANGUP_CAUSE: 'USER_BUSY' });
    const c = await stream(sim, uuid);
    await waitFor(() => toolNames(c).includes('end_call'), 'tools applied');
    // A goodbye (the tone) that is still playing when the model asks to hang up.
    expect(await sendJson(uuid, { type: 'response.create' })).toBe('+OK Success');
    await waitFor(() => c.responses[0]?.status === 'completed', 'the goodbye has arrived');
    expect(await forceCall(uuid, 'end_call')).toBe('+OK Success');
    await waitFor(() => outputs(c).length === 1, 'function output', 5000);
    expect(controls(uuid)).toEqual([]); // still speaking: not yet
    await waitFor(() => controls(uuid).length === 1, 'hangup', 8000);
    expect(controls(uuid)).toEqual(['hangup USER_BUSY']);
    // Everything the assistant said reached the caller: the whole tone (its 5 ms ramps fade to zero at the edges).
    expect(heardSpan(uuid)).toBeGreaterThanOrEqual((RATE * (TONE_MS - 5)) / 1000);
    expect(outputs(c)[0]).toMatchObject({ ok: true });
    expect(afterOutput(c)).toEqual(['conversation.item.create']);
    expect(controlEvents(uuid)).toEqual([
      { action: 'hangup', args: { cause: 'USER_BUSY', reason: 'caller said goodbye' }, source: 'tool:end_call', result: 'ok', family: 'audio_stream' },
    ]);
    await waitFor(() => h.app.registry.get(uuid, 'audio_stream') === undefined, 'session ended by the hangup');
  });

  it('bad arguments: an error output, response.create, no hang-up', async () => {
    const sim = await simCalling({ name: 'end_call', arguments: '{"reason": 42' });
    const uuid = channel('end-call-bad', { OPENAI_REALTIME_TOOLS: 'end_call' });
    const c = await stream(sim, uuid);
    await waitFor(() => toolNames(c).includes('end_call'), 'tools applied');
    expect(await forceCall(uuid, 'end_call')).toBe('+OK Success');
    await waitFor(() => outputs(c).length === 1, 'function output');
    expect(outputs(c)[0]).toEqual({ error: 'arguments are not valid JSON' });
    await waitFor(() => afterOutput(c).length === 2, 'response.create');
    expect(afterOutput(c)).toEqual(['conversation.item.create', 'response.create']);
    await sleep(500);
    expect(controls(uuid)).toEqual([]);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});

describe('transfer_call', () => {
  it('an allowed extension: the stream ends cleanly first (close 1000, ::disconnect), then the blind transfer', async () => {
    const sim = await simCalling({ name: 'transfer_call', arguments: { destination: '1000' } });
    const uuid = channel('transfer', { OPENAI_REALTIME_PROFILE: 'callcenter' });
    const c = await stream(sim, uuid);
    await waitFor(() => toolNames(c).includes('transfer_call'), 'tools applied');
    expect(await forceCall(uuid, 'transfer_call')).toBe('+OK Success');
    await waitFor(() => controls(uuid).length === 1, 'transfer', 8000);
    expect(controls(uuid)).toEqual(['transfer 1000']);
    expect(outputs(c)[0]).toMatchObject({ ok: true });
    expect(afterOutput(c)).toEqual(['conversation.item.create']);
    const close = await c.waitForClose();
    expect(close.code).toBe(1000);
    expect(h.events(uuid, 'mod_openai_audio_stream::disconnect').map((e) => JSON.parse(e.body).message.code)).toEqual([1000]);
    expect(h.app.registry.get(uuid, 'audio_stream')).toBeUndefined();
    expect(controlEvents(uuid)).toEqual([{ action: 'transfer', args: { destination: '1000' }, source: 'tool:transfer_call', result: 'ok', family: 'audio_stream' }]);
  });

  it('an allowed SIP URI is bridged through the call\'s SIP profile (inline dialplan)', async () => {
    const sim = await simCalling({ name: 'transfer_call', arguments: { destination: 'sip:support@example.com' } });
    const uuid = channel('transfer-sip', { OPENAI_REALTIME_PROFILE: 'callcenter', sofia_profile_name: 'internal' });
    const c = await stream(sim, uuid);
    await waitFor(() => toolNames(c).includes('transfer_call'), 'tools applied');
    expect(await forceCall(uuid, 'transfer_call')).toBe('+OK Success');
    await waitFor(() => controls(uuid).length === 1, 'transfer', 8000);
    expect(controls(uuid)).toEqual(['transfer bridge:sofia/internal/sip:support@example.com inline']);
  });

  it('a destination the model made up: an error output, response.create, a refused event, nothing else', async () => {
    const sim = await simCalling({ name: 'transfer_call', arguments: { destination: 'sip:attacker@evil.example' } });
    const uuid = channel('transfer-refused', { OPENAI_REALTIME_PROFILE: 'callcenter' });
    const c = await stream(sim, uuid);
    await waitFor(() => toolNames(c).includes('transfer_call'), 'tools applied');
    expect(await forceCall(uuid, 'transfer_call')).toBe('+OK Success');
    await waitFor(() => outputs(c).length === 1, 'function output');
    expect(outputs(c)[0]).toEqual({ error: 'destination not allowed' });
    await waitFor(() => afterOutput(c).length === 2, 'response.create');
    expect(afterOutput(c)).toEqual(['conversation.item.create', 'response.create']);
    await sleep(500);
    expect(controls(uuid)).toEqual([]);
    expect(controlEvents(uuid)).toEqual([
      { action: 'transfer', args: { destination: 'sip:attacker@evil.example' }, source: 'tool:transfer_call', result: 'refused', error: 'destination not allowed', family: 'audio_stream' },
    ]);
    expect(h.app.registry.get(uuid, 'audio_stream')).toBeDefined(); // the conversation goes on
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('a per-call allow-list (OPENAI_REALTIME_TRANSFER_DESTINATIONS) replaces the profile\'s', async () => {
    const sim = await simCalling({ name: 'transfer_call', arguments: { destination: '1000' } });
    const uuid = channel('transfer-var', { OPENAI_REALTIME_PROFILE: 'callcenter', OPENAI_REALTIME_TRANSFER_DESTINATIONS: '2000' });
    const c = await stream(sim, uuid);
    await waitFor(() => toolNames(c).includes('transfer_call'), 'tools applied');
    const transfer = c.session.tools.find((tool) => (tool as { name?: string }).name === 'transfer_call') as { parameters: { properties: { destination: { enum: string[] } } } };
    expect(transfer.parameters.properties.destination.enum).toEqual(['2000']);
    expect(await forceCall(uuid, 'transfer_call')).toBe('+OK Success');
    await waitFor(() => outputs(c).length === 1, 'function output');
    expect(outputs(c)[0]).toEqual({ error: 'destination not allowed' });
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});

describe('send_dtmf', () => {
  it('valid digits are generated on the channel; the model gets the output and a response.create', async () => {
    const sim = await simCalling({ name: 'send_dtmf', arguments: { digits: '12#*A' } });
    const uuid = channel('send-dtmf', { OPENAI_REALTIME_TOOLS: 'send_dtmf' });
    const c = await stream(sim, uuid);
    await waitFor(() => toolNames(c).includes('send_dtmf'), 'tools applied');
    expect(await forceCall(uuid, 'send_dtmf')).toBe('+OK Success');
    await waitFor(() => controls(uuid).length === 1, 'send_dtmf');
    expect(controls(uuid)).toEqual(['send_dtmf 12#*A']);
    await waitFor(() => afterOutput(c).length === 2, 'response.create');
    expect(outputs(c)[0]).toEqual({ ok: true, sent: '12#*A' });
    expect(afterOutput(c)).toEqual(['conversation.item.create', 'response.create']);
    expect(controlEvents(uuid)).toEqual([{ action: 'send_dtmf', args: { digits: '12#*A' }, source: 'tool:send_dtmf', result: 'ok', family: 'audio_stream' }]);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it.each([
    ['12x', 'a character that is no key'],
    ['1'.repeat(33), 'more than 32 digits'],
    ['', 'nothing'],
  ])('%j (%s) is refused: error output, no tones', async (digits) => {
    const sim = await simCalling({ name: 'send_dtmf', arguments: { digits } });
    const uuid = channel('send-dtmf-bad', { OPENAI_REALTIME_TOOLS: 'send_dtmf' });
    const c = await stream(sim, uuid);
    await waitFor(() => toolNames(c).includes('send_dtmf'), 'tools applied');
    expect(await forceCall(uuid, 'send_dtmf')).toBe('+OK Success');
    await waitFor(() => outputs(c).length === 1, 'function output');
    expect(outputs(c)[0]).toEqual({ error: 'digits must be 1 to 32 of 0-9 * # A-D' });
    expect(controls(uuid)).toEqual([]);
    expect(controlEvents(uuid)[0]).toMatchObject({ action: 'send_dtmf', result: 'refused' });
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});

describe('uuid_openai_s2s', () => {
  it('tools merged into the app\'s beta session.update; the module\'s own update does not open the uplink; end_call hangs up', async () => {
    const sim = await simCalling({ name: 'end_call' });
    const uuid = channel('s2s-tools', { OPENAI_REALTIME_TOOLS: 'end_call' });
    expect(await h.command(S2S, `${uuid} session.create ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`)).toBe('+OK Success');
    h.host.startMedia(uuid);
    const c = await waitFor(() => connectionOf(sim, uuid), 'connection');
    await waitFor(() => toolNames(c).includes('end_call'), 'tools applied');
    const status = () => h.app.registry.get(uuid, 's2s')!.status();
    expect(status().uplinkOpen).toBe(false); // the app has not configured the session yet
    const beta = { type: 'session.update', session: { voice: 'alloy', tools: [{ type: 'function', name: 'lookup', parameters: {} }] } };
    expect(await h.command(S2S, `^^|${uuid}|client.event|${JSON.stringify(beta)}`)).toBe('+OK Success');
    await waitFor(() => toolNames(c).length === 2, 'merged');
    expect(toolNames(c)).toEqual(['lookup', 'end_call']);
    expect(status().uplinkOpen).toBe(true);
    expect(await h.command(S2S, `^^|${uuid}|client.event|${JSON.stringify({ type: 'response.create', response: { tool_choice: { type: 'function', name: 'end_call' } } })}`)).toBe('+OK Success');
    await waitFor(() => controls(uuid).length === 1, 'hangup', 8000);
    expect(controls(uuid)).toEqual(['hangup NORMAL_CLEARING']);
    expect(controlEvents(uuid)[0]).toMatchObject({ action: 'hangup', source: 'tool:end_call', result: 'ok', family: 's2s' });
  });
});
