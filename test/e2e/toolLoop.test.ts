// What this proves, with the whole app in process, real sockets and the realtime simulator as a
// model that calls its tool after every answer (tool_choice forced, as a model stuck on a failing
// tool does): a handler that throws is answered once per call with an error output, never run
// again by the module on its own; after OPENAI_REALTIME_MAX_TOOL_ROUND_TRIPS calls in a row
// without the caller speaking, the next call gets one "tools unavailable" output, the application
// gets one openai_realtime::tool_loop event, the log says why, and further calls are not answered
// (the loop ends instead of burning tokens); status shows the counts and the tokens; the caller
// speaking starts a new count. Without the variable the module setting (default 10) applies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { tempDir, type TempDir } from '../helpers/configFixtures.js';
import { b64json } from '../helpers/callerAudio.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
let h: InProcessHost;
let t: TempDir;
let sim: RealtimeSimulator;

beforeAll(async () => {
  t = tempDir();
  t.write('handlers.mjs', `export const fails = async () => { throw new Error('the weather service is down'); };\n`);
  const configFile = t.write(
    'openai_realtime.conf.xml',
    `<configuration name="openai_realtime.conf">
  <settings>
    <param name="tool-handlers" value="handlers.mjs"/>
  </settings>
</configuration>
`,
  );
  h = inProcessHost({ configFile });
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 100 } });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
  t.remove();
});

const outputs = (c: SimulatedConnection): string[] =>
  c.clientEvents
    .map((r) => r.event)
    .filter((e) => e.type === 'conversation.item.create' && (e.item as { type?: string }).type === 'function_call_output')
    .map((e) => String((e.item as { output: string }).output));

/** A stream whose session forces every response to call `fails`. */
async function loopingStream(vars: Record<string, string>): Promise<{ uuid: string; c: SimulatedConnection }> {
  const uuid = createTaggedChannel(h, 'loop', { seconds: 10, recordMs: 10_000, vars });
  expect(await h.command(API, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
  h.host.startMedia(uuid);
  const c = await waitFor(() => connectionsOfChannel(sim, uuid)[0], 'connection');
  const tools = [{ type: 'function', name: 'fails', description: 'weather', parameters: { type: 'object', properties: {} } }];
  const update = { type: 'session.update', session: { type: 'realtime', tools, tool_choice: { type: 'function', name: 'fails' } } };
  expect(await h.command(API, `${uuid} send_json ${b64json(update)}`)).toMatch(/^\+OK (Success|queued)$/);
  await waitFor(() => c.session.tools.length === 1, 'tools');
  return { uuid, c };
}

const status = (uuid: string) => h.app.registry.get(uuid, 'audio_stream')!.status() as { functionCalls: Record<string, unknown>; tokens: Record<string, number> };

describe('tool loops', () => {
  it('a failing tool the model keeps calling: bounded, one unavailable output, one event, then silence', async () => {
    const { uuid, c } = await loopingStream({ OPENAI_REALTIME_MAX_TOOL_ROUND_TRIPS: '3' });
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, 'openai_realtime::tool_loop').length > 0, 'tool_loop event', 8000);
    await sleep(600); // the model calls once more: nothing answers it
    const sent = outputs(c);
    expect(sent).toHaveLength(4);
    for (const o of sent.slice(0, 3)) expect(JSON.parse(o)).toEqual({ error: 'the weather service is down' });
    expect(JSON.parse(sent[3]!).error).toMatch(/^tool calls are unavailable: 3 function calls in a row without the caller speaking/);
    expect(c.responses.length).toBe(5); // the first, one after each of the 4 outputs; none after
    const event = JSON.parse(h.events(uuid, 'openai_realtime::tool_loop')[0]!.body) as Record<string, unknown>;
    expect(event).toMatchObject({ tool: 'fails', max_round_trips: 3, family: 'audio_stream' });
    expect(h.events(uuid, 'openai_realtime::tool_loop')).toHaveLength(1);
    expect(h.logs(uuid).filter((l) => l.includes('tool loop stopped: 3 function calls answered in a row'))).toHaveLength(1);
    const s = status(uuid);
    expect(s.functionCalls).toMatchObject({ maxRoundTrips: 3, roundTrips: 3, loopsStopped: 1, stoppedNow: true, handlerErrors: 3, notAnswered: 2 });
    expect(s.tokens.input).toBeGreaterThan(0);

    // The caller speaks: a new run of calls may be answered.
    c.sendEvent({ type: 'input_audio_buffer.speech_started', audio_start_ms: 0, item_id: 'item_caller' });
    await waitFor(() => status(uuid).functionCalls.stoppedNow === false, 'count reset');
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, 'openai_realtime::tool_loop').length === 2, 'second bound reached', 8000);
    expect(outputs(c)).toHaveLength(8);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('without the variable the max-tool-round-trips default (10) applies', async () => {
    const { uuid, c } = await loopingStream({});
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, 'openai_realtime::tool_loop').length > 0, 'tool_loop event', 10_000);
    await sleep(300);
    expect(outputs(c)).toHaveLength(11);
    expect(status(uuid).functionCalls).toMatchObject({ maxRoundTrips: 10, roundTrips: 10 });
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});
