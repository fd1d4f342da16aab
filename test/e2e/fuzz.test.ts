// What this proves, with property-based fuzzing (fast-check): the command grammars turn any text
// into a well-formed command or a clean one-line -ERR and never throw; the whole command path
// answers fuzzed arguments with a clean -ERR; and the server-event handler of live sessions (audio
// stream in JSON and raw mode, s2s) survives arbitrary frames — realtime events with hostile
// fields, any JSON, any text, binary — still reading, still open, no internal error, and still
// answering a real response afterwards. OAIR_FUZZ_RUNS sets the runs per property (default 150).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { fuzzCommands, fuzzGrammars } from '../helpers/fuzzGrammars.js';
import { fuzzServerFrames, type FrameFuzzTarget } from '../helpers/fuzzServerFrames.js';
import { connectionsOfChannel, inProcessHost, newUuid, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const RUNS = Number(process.env.OAIR_FUZZ_RUNS ?? 150);

/**
 * The fuzzed sessions run without permessage-deflate: with it, ws and zlib (both ends in this
 * process) wedge one connection every few thousand batches — neither side sends nor reads again —
 * which is not the handler under test (see the reliability notes; the engine bounds the teardown
 * of such a connection).
 */
const FUZZ_VARS = (uuid: string): Record<string, string> => ({ STREAM_EXTRA_HEADERS: JSON.stringify({ 'X-Test-Channel': uuid }), STREAM_DISABLE_AUDIOFILES: 'true', STREAM_MESSAGE_DEFLATE: 'true' });

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

describe('grammars', () => {
  it('any text is a well-formed command or one clean -ERR line; nothing throws', () => {
    const outcome = fuzzGrammars(RUNS * 4);
    expect(outcome.failures).toEqual([]);
    expect(outcome.iterations).toBe(RUNS * 4 * 3);
  });

  it('the command path answers fuzzed arguments for no channel with a clean -ERR', async () => {
    const outcome = await fuzzCommands((api, args) => h.command(api, args), RUNS);
    expect(outcome.failures).toEqual([]);
    expect(h.app.registry.size).toBe(0);
  });
});

describe('server-event handler', () => {
  it('live sessions of both APIs survive arbitrary frames and still answer', async () => {
    const targets: FrameFuzzTarget[] = [];
    const family = { stream: 'audio_stream', raw: 'audio_stream', s2s: 's2s' } as const;
    for (const kind of ['stream', 'raw', 's2s'] as const) {
      const uuid = newUuid(`fuzz-${kind}`);
      h.host.createChannel(uuid, { rate: 8000, ptimeMs: 20, source: new Int16Array(8000 * 30), vars: FUZZ_VARS(uuid) });
      const reply =
        kind === 's2s'
          ? await h.command('uuid_openai_s2s', `${uuid} session.create ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`)
          : await h.command(kind === 'raw' ? 'uuid_raw_audio_stream' : 'uuid_openai_audio_stream', `${uuid} start ${sim.url} mono 16k 16k`);
      expect(reply).toBe('+OK Success');
      const connection: SimulatedConnection = await waitFor(() => connectionsOfChannel(sim, uuid)[0], 'connection');
      const subclass = kind === 's2s' ? 'openai_s2s::server_event' : 'mod_openai_audio_stream::json';
      await waitFor(() => h.events(uuid, subclass).length > 0, 'session.created forwarded');
      h.host.startMedia(uuid);
      targets.push({
        name: `${kind} ${uuid}`,
        connection,
        texts: () => h.events(uuid, subclass).map((e) => e.body),
        status: () => h.app.registry.get(uuid, family[kind])?.status(),
      });
    }
    const outcome = await fuzzServerFrames(targets, RUNS);
    expect(outcome.failures).toEqual([]);
    expect(outcome.iterations).toBeGreaterThanOrEqual(RUNS);
    // Still a working session: a real response is asked for and answered.
    for (const target of targets) {
      const uuid = target.name.split(' ')[1]!;
      const done = target.texts().filter((t) => t.includes('"response.done"')).length;
      const reply = target.name.startsWith('s2s')
        ? await h.command('uuid_openai_s2s', `${uuid} client.event {"type":"response.create"}`)
        : await h.command('uuid_openai_audio_stream', `${uuid} send_json ${Buffer.from('{"type":"response.create"}').toString('base64')}`);
      expect(reply).toBe('+OK Success');
      await waitFor(() => target.texts().filter((t) => t.includes('"response.done"')).length > done, `${target.name} answers`);
    }
  }, 60_000 + RUNS * 100);
});
