// What this proves, with the whole app in process (test host media threads, the native command
// queue), real sockets and the GA realtime simulator making the model call functions: the module
// setting `tool-handlers` loads a JS module once into its own worker thread and, when a
// function_call item arrives for one of its exports, runs it and sends function_call_output then
// response.create itself — two frames, in order — with the example handler (examples/
// tool-handlers.mjs) answering from its canned data; a handler that throws, or that does not answer
// within tool-handler-timeout-ms, is reported to the model as {"error":…} and logged; one that
// blocks its thread is ended while the calls' audio goes on, and the next call works again; a
// function with no handler goes to the ESL application exactly as before (the ::json events are the
// same either way); ctx reads the channel's variables (never those holding credentials) and acts on
// the call through the same checks as the ready-made tools; `openai_realtime reload` loads edited
// handler code, and a module that does not load leaves the previous handlers in use.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { tempDir, type TempDir } from '../helpers/configFixtures.js';
import { b64json } from '../helpers/callerAudio.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'examples', 'tool-handlers.mjs');
let h: InProcessHost;
let t: TempDir;
let sim: RealtimeSimulator;
let handlersPath: string;

/** The example's handlers plus the misbehaving ones this test needs. */
function handlerModule(version: string): string {
  return `export { get_weather, caller_info } from ${JSON.stringify(EXAMPLE)};
export const version = async () => ({ version: ${JSON.stringify(version)} });
export const fails = async () => { throw new Error('the weather service is down'); };
export const hangs = () => new Promise(() => {});
export const spins = () => { const until = Date.now() + 3000; while (Date.now() < until) {} return 'never seen'; };
export const reads = async (_args, ctx) => ({ number: await ctx.getVariable('caller_id_number'), key: await ctx.getVariable('STREAM_OPENAI_API_KEY'), uuid: ctx.uuid, family: ctx.family });
export const leaves = async (_args, ctx) => { await ctx.setVariable('ai_outcome', 'resolved'); await ctx.hangup(); return { bye: true }; };
export const escapes = async (_args, ctx) => { await ctx.transfer('0900-premium'); return 'not reached'; };
`;
}

beforeAll(async () => {
  t = tempDir();
  handlersPath = t.write('handlers.mjs', handlerModule('one'));
  const configFile = t.write(
    'openai_realtime.conf.xml',
    `<configuration name="openai_realtime.conf">
  <settings>
    <param name="tool-handlers" value="handlers.mjs"/>
    <param name="tool-handler-timeout-ms" value="700"/>
  </settings>
</configuration>
`,
  );
  h = inProcessHost({ configFile });
  sim = await RealtimeSimulator.start({
    voice: 'tone',
    tone: { durationMs: 400 },
    functionCall: [{ name: 'get_weather', arguments: { location: 'Paris', scale: 'celsius' } }],
  });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
  t.remove();
});

const FUNCTIONS = ['get_weather', 'caller_info', 'version', 'fails', 'hangs', 'spins', 'reads', 'leaves', 'escapes', 'nobody_handles_this'];

const channel = (prefix: string, vars: Record<string, string> = {}): string =>
  createTaggedChannel(h, prefix, { seconds: 10, recordMs: 10_000, vars: { caller_id_number: '+15551230000', ...vars } });

const connectionOf = (uuid: string): SimulatedConnection | undefined => connectionsOfChannel(sim, uuid)[0];
const sendJson = (uuid: string, event: unknown): Promise<string> => h.command(API, `${uuid} send_json ${b64json(event)}`);

/** A stream whose session declares every test function to the model. */
async function stream(uuid: string): Promise<SimulatedConnection> {
  expect(await h.command(API, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
  h.host.startMedia(uuid);
  const c = await waitFor(() => connectionOf(uuid), 'connection');
  // Wait for the module's side too: the server records session.created before the client has read it.
  await waitFor(() => h.events(uuid).some((e) => e.body.includes('"session.created"')), 'session.created seen by the module');
  const tools = FUNCTIONS.map((name) => ({ type: 'function', name, description: name, parameters: { type: 'object', properties: {} } }));
  expect(await sendJson(uuid, { type: 'session.update', session: { type: 'realtime', tools } })).toBe('+OK Success');
  await waitFor(() => c.session.tools.length === FUNCTIONS.length, 'tools');
  return c;
}

const forceCall = (uuid: string, name: string): Promise<string> => sendJson(uuid, { type: 'response.create', response: { tool_choice: { type: 'function', name } } });
const nonAudio = (c: SimulatedConnection) => c.clientEvents.map((r) => r.event).filter((e) => e.type !== 'input_audio_buffer.append');
const outputs = (c: SimulatedConnection): string[] =>
  nonAudio(c)
    .filter((e) => e.type === 'conversation.item.create' && (e.item as { type?: string }).type === 'function_call_output')
    .map((e) => String((e.item as { output: string }).output));
/** What the module sent from the first function output on. */
const afterOutput = (c: SimulatedConnection): string[] => {
  const events = nonAudio(c);
  const i = events.findIndex((e) => e.type === 'conversation.item.create' && (e.item as { type?: string }).type === 'function_call_output');
  return i < 0 ? [] : events.slice(i).map((e) => e.type);
};
const controls = (uuid: string): string[] => h.host.records().controls.filter((l) => l.startsWith(`${uuid} `)).map((l) => l.slice(uuid.length + 1));

describe('tool handlers', () => {
  it('the example get_weather answers after a user turn: function_call_output then response.create, and the model speaks again', async () => {
    const uuid = channel('handler-ok');
    const c = await stream(uuid);
    // A user turn (text): the simulator's model calls get_weather, as configured.
    expect(await sendJson(uuid, { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] } })).toBe('+OK Success');
    expect(await sendJson(uuid, { type: 'response.create' })).toBe('+OK Success');
    await waitFor(() => outputs(c).length === 1, 'function output', 5000);
    expect(JSON.parse(outputs(c)[0]!)).toEqual({ location: 'Paris', temperature: 21, scale: 'celsius', conditions: 'sunny' });
    await waitFor(() => c.responses.length === 2, 'the model speaks about it', 5000);
    expect(afterOutput(c)).toEqual(['conversation.item.create', 'response.create']);
    const call = c.responses[0]!;
    const output = nonAudio(c).find((e) => e.type === 'conversation.item.create' && (e.item as { type?: string }).type === 'function_call_output')!;
    expect((output.item as { call_id: string }).call_id).toBe(call.callId);
    expect(c.responses[1]!.kind).toBe('message');
    expect(c.serverEventTypes()).not.toContain('error');
    // The app's events are unchanged: it still sees the function call.
    expect(h.events(uuid, 'mod_openai_audio_stream::json').some((e) => e.body.includes('"response.output_item.done"') && e.body.includes('get_weather'))).toBe(true);
    expect(h.logs(uuid).some((l) => l.includes('handler:get_weather: weather for Paris'))).toBe(true);
    expect(h.app.registry.get(uuid, 'audio_stream')!.status().functionCalls).toMatchObject({ handled: 1, handlerErrors: 0 });
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('a handler that throws: {"error": message} to the model, response.create, and the log', async () => {
    const uuid = channel('handler-throws');
    const c = await stream(uuid);
    expect(await forceCall(uuid, 'fails')).toBe('+OK Success');
    await waitFor(() => outputs(c).length === 1, 'function output', 5000);
    expect(JSON.parse(outputs(c)[0]!)).toEqual({ error: 'the weather service is down' });
    await waitFor(() => afterOutput(c).length === 2, 'response.create');
    expect(afterOutput(c)).toEqual(['conversation.item.create', 'response.create']);
    expect(h.logs(uuid).some((l) => l.includes('handler:fails failed: the weather service is down'))).toBe(true);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('a handler that never answers: a timeout error after tool-handler-timeout-ms', async () => {
    const uuid = channel('handler-hangs');
    const c = await stream(uuid);
    expect(await forceCall(uuid, 'hangs')).toBe('+OK Success');
    await waitFor(() => outputs(c).length === 1, 'function output', 5000);
    expect(JSON.parse(outputs(c)[0]!)).toEqual({ error: 'timed out after 700 ms' });
    await waitFor(() => afterOutput(c).length === 2, 'response.create');
    expect(h.logs(uuid).some((l) => l.includes('handler:hangs failed: timed out after 700 ms'))).toBe(true);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('a handler that blocks its thread: the calls\' audio goes on, the worker is ended, the next call works', async () => {
    const uuid = channel('handler-spins');
    const other = channel('handler-bystander');
    const c = await stream(uuid);
    const bystander = await stream(other);
    expect(await forceCall(uuid, 'spins')).toBe('+OK Success');
    const before = bystander.appendedAudioMs;
    await waitFor(() => outputs(c).length === 1, 'function output', 5000);
    expect(JSON.parse(outputs(c)[0]!)).toEqual({ error: 'timed out after 700 ms' });
    // The other call's caller audio kept flowing while the handler spun (the session thread was free).
    expect(bystander.appendedAudioMs - before).toBeGreaterThan(500);
    await waitFor(() => h.logs().some((l) => l.includes('a handler is blocking its thread')), 'worker ended', 5000);
    expect(await forceCall(other, 'version')).toBe('+OK Success');
    await waitFor(() => outputs(bystander).length === 1, 'a new worker answers', 8000);
    expect(JSON.parse(outputs(bystander)[0]!)).toEqual({ version: 'one' });
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
    expect(await h.command(API, `${other} stop`)).toBe('+OK Success');
  });

  it('no handler for the function: nothing from the module, the app gets the call as before', async () => {
    const uuid = channel('handler-none');
    const c = await stream(uuid);
    expect(await forceCall(uuid, 'nobody_handles_this')).toBe('+OK Success');
    await waitFor(() => h.events(uuid, 'mod_openai_audio_stream::json').some((e) => e.body.includes('"response.output_item.done"') && e.body.includes('nobody_handles_this')), 'the app sees the call');
    await sleep(500);
    expect(outputs(c)).toEqual([]);
    expect(afterOutput(c)).toEqual([]);
    expect(h.app.registry.get(uuid, 'audio_stream')!.status().functionCalls).toMatchObject({ forwardedToApp: 1, handled: 0 });
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('ctx: channel variables, never a credential; uuid and family', async () => {
    const uuid = channel('handler-reads', { STREAM_OPENAI_API_KEY: 'sk-must-never-reach-a-handler-000111' });
    const c = await stream(uuid);
    expect(await forceCall(uuid, 'reads')).toBe('+OK Success');
    await waitFor(() => outputs(c).length === 1, 'function output', 5000);
    expect(JSON.parse(outputs(c)[0]!)).toEqual({ number: '+15551230000', key: null, uuid, family: 'audio_stream' });
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('ctx call control: set a variable, hang up after the output (no response.create); a disallowed transfer is refused', async () => {
    const uuid = channel('handler-leaves');
    const c = await stream(uuid);
    expect(await forceCall(uuid, 'leaves')).toBe('+OK Success');
    await waitFor(() => controls(uuid).some((l) => l.startsWith('hangup')), 'hangup', 8000);
    expect(controls(uuid)).toEqual(['set_var ai_outcome resolved', 'hangup NORMAL_CLEARING']);
    expect(JSON.parse(outputs(c)[0]!)).toEqual({ bye: true });
    expect(afterOutput(c)).toEqual(['conversation.item.create']);
    const events = h.events(uuid, 'openai_realtime::call_control').map((e) => JSON.parse(e.body) as Record<string, unknown>);
    expect(events.map((e) => [e.action, e.source, e.result])).toEqual([
      ['set_variable', 'handler:leaves', 'ok'],
      ['hangup', 'handler:leaves', 'ok'],
    ]);

    const other = channel('handler-escapes');
    const c2 = await stream(other);
    expect(await forceCall(other, 'escapes')).toBe('+OK Success');
    await waitFor(() => outputs(c2).length === 1, 'function output', 5000);
    expect(JSON.parse(outputs(c2)[0]!)).toEqual({ error: 'destination not allowed' });
    expect(controls(other)).toEqual([]);
    expect(await h.command(API, `${other} stop`)).toBe('+OK Success');
  });

  it('openai_realtime reload loads edited handler code; a module that does not load keeps the previous handlers', async () => {
    t.write('handlers.mjs', handlerModule('two'));
    expect(await h.command('openai_realtime', 'reload')).toBe('+OK reloaded (0 profiles); tool handlers: caller_info, escapes, fails, get_weather, hangs, leaves, reads, spins, version');
    const uuid = channel('handler-reload');
    const c = await stream(uuid);
    expect(await forceCall(uuid, 'version')).toBe('+OK Success');
    await waitFor(() => outputs(c).length === 1, 'function output', 5000);
    expect(JSON.parse(outputs(c)[0]!)).toEqual({ version: 'two' });

    t.write('handlers.mjs', 'export const broken = 42;\n');
    const reply = await h.command('openai_realtime', 'reload');
    expect(reply).toContain('-ERR tool handlers not loaded from');
    expect(reply).toContain('export "broken" is not a function');
    expect(reply).toContain('the previous handlers stay in use');
    await waitFor(() => c.responses.length >= 2 && c.activeResponseId === undefined, 'idle');
    expect(await forceCall(uuid, 'version')).toBe('+OK Success');
    await waitFor(() => outputs(c).length === 2, 'second output', 5000);
    expect(JSON.parse(outputs(c)[1]!)).toEqual({ version: 'two' });
    const status = JSON.parse(await h.command('openai_realtime', 'status json')) as { module: { toolHandlers: { module: string; handlers: string[] } } };
    expect(status.module.toolHandlers.module).toBe(handlersPath);
    expect(status.module.toolHandlers.handlers).toContain('version');
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});
