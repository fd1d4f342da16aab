// What this proves, through the native command queue exactly as fs_cli calls it, with real
// sessions talking to the GA realtime simulator: `openai_realtime status json` has the module totals
// (active sessions by family, sessions started/ended, uptime, memory) and, for every session, its
// uuid, family, state, server (host and path — never a key, never the query that carries one),
// formats and rates, seconds connected, frames, underruns, overruns, reconnects, the last measured
// latency (caller stopped → first audio; first audio → first sample played) and the token usage
// summed from response.done; `openai_realtime status` prints the same as a table; and with
// `stats-interval-s` the module fires `openai_realtime::stats` per session with that same entry,
// switched off again by a reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { tempDir, type TempDir } from '../helpers/configFixtures.js';
import { speechBursts } from '../helpers/callerAudio.js';
import { connectionsOfChannel, inProcessHost, newUuid, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
const KEY = 'azure-status-QUERYKEY-0123456789';
let h: InProcessHost;
let t: TempDir;
let sim: RealtimeSimulator;
let configFile: string;

function config(statsIntervalS: number): string {
  return `<configuration name="openai_realtime.conf">
  <settings>
    <param name="stats-interval-s" value="${statsIntervalS}"/>
  </settings>
  <profiles>
    <profile name="azure">
      <param name="url" value="${sim.url.replace(/&/g, '&amp;')}"/>
      <param name="auth" value="api-key-query"/>
      <param name="api-key" value="${KEY}"/>
    </profile>
  </profiles>
</configuration>
`;
}

beforeAll(async () => {
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 600 }, apiKey: KEY });
  t = tempDir();
  configFile = t.write('openai_realtime.conf.xml', config(1));
  h = inProcessHost({ configFile });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
  t.remove();
});

interface SessionEntry {
  uuid: string;
  family: string;
  state: string;
  server: string;
  inputFormat: string;
  outputFormat: string;
  inputRate: number;
  outputRate: number;
  secondsConnected: number;
  framesIn: number;
  framesOut: number;
  underruns: number;
  serverGaps: number;
  overruns: number;
  reconnects: number;
  latency: { responseMs: number | null; playoutMs: number | null; responses: number };
  tokens: Record<string, number>;
  connection: { host: string; url: string };
}

interface StatusJson {
  totals: Record<string, number>;
  module: { uptimeS: number; sessions: Record<string, number>; started: Record<string, number>; ended: Record<string, number>; memory: Record<string, number>; toolHandlers: unknown };
  sessions: SessionEntry[];
}

const statusJson = async (): Promise<StatusJson> => JSON.parse(await h.command('openai_realtime', 'status json')) as StatusJson;
const connectionOf = (uuid: string): SimulatedConnection | undefined => connectionsOfChannel(sim, uuid)[0];

describe('openai_realtime status', () => {
  let uuid: string;
  let c: SimulatedConnection;

  beforeAll(async () => {
    uuid = newUuid('status');
    // Two turns of the caller: the server answers each, so latency and token usage are measured.
    const source = speechBursts(8000, 9000, [
      { atMs: 300, ms: 700 },
      { atMs: 3500, ms: 700 },
    ]);
    h.host.createChannel(uuid, { rate: 8000, ptimeMs: 20, recordMs: 10_000, source, vars: { STREAM_EXTRA_HEADERS: JSON.stringify({ 'X-Test-Channel': uuid }) } });
    expect(await h.command(API, `${uuid} start profile:azure mono`)).toBe('+OK Success');
    h.host.startMedia(uuid);
    c = await waitFor(() => connectionOf(uuid), 'connection');
    await waitFor(() => c.responses.filter((r) => r.status === 'completed').length === 2, 'two answers', 15_000);
    await waitFor(() => h.events(uuid, 'mod_openai_audio_stream::openai_speech_stop').length === 2, 'both heard', 5000);
  });

  it('json: module totals and the session\'s entry, with latency and summed token usage', async () => {
    const s = await statusJson();
    expect(s.totals).toMatchObject({ sessions: 1, mediaHooks: 1, uncaughtErrors: 0 });
    expect(s.module.sessions).toEqual({ audio_stream: 1 });
    expect(s.module.started.audio_stream).toBeGreaterThanOrEqual(1);
    expect(s.module.uptimeS).toBeGreaterThan(0);
    expect(s.module.memory.rssMb).toBeGreaterThan(s.module.memory.heapUsedMb);
    expect(s.module.memory.heapUsedMb).toBeGreaterThan(0);
    expect(s.module.toolHandlers).toBeNull();
    const e = s.sessions.find((x) => x.uuid === uuid)!;
    expect(e).toMatchObject({ family: 'audio_stream', state: 'open', inputFormat: 'audio/pcm@24000', outputFormat: 'audio/pcm@24000', inputRate: 24000, outputRate: 24000, reconnects: 0, overruns: 0 });
    expect(e.server).toBe(`ws://127.0.0.1:${sim.port}/v1/realtime`);
    expect(e.connection.host).toBe(`127.0.0.1:${sim.port}`);
    expect(e.secondsConnected).toBeGreaterThan(3);
    expect(e.framesIn).toBeGreaterThan(100);
    expect(e.framesOut).toBeGreaterThan(50);
    expect(typeof e.underruns).toBe('number');
    expect(typeof e.serverGaps).toBe('number');
    // Latency: both parts measured and plausible (no wall-clock bound asserted).
    expect(e.latency.responses).toBe(2);
    expect(e.latency.responseMs).toBeGreaterThanOrEqual(0);
    expect(e.latency.playoutMs).toBeGreaterThanOrEqual(0);
    // Token usage: the sum of what the server reported in response.done.
    const usage = c.serverEvents.filter((x) => x.type === 'response.done').map((x) => (x as unknown as { response: { usage: Record<string, number> & { input_token_details: Record<string, number>; output_token_details: Record<string, number> } } }).response.usage);
    const sum = (f: (u: (typeof usage)[number]) => number): number => usage.reduce((a, u) => a + f(u), 0);
    expect(e.tokens).toMatchObject({
      input: sum((u) => u.input_tokens!),
      output: sum((u) => u.output_tokens!),
      total: sum((u) => u.total_tokens!),
      inputAudio: sum((u) => u.input_token_details.audio_tokens!),
      outputAudio: sum((u) => u.output_token_details.audio_tokens!),
      outputText: sum((u) => u.output_token_details.text_tokens!),
    });
    expect(e.tokens.total).toBeGreaterThan(0);
  });

  it('text: totals, then a table row per session', async () => {
    const text = await h.command('openai_realtime', 'status');
    const lines = text.split('\n');
    expect(lines[0]).toBe('sessions: 1  media hooks: 1  uncaught errors: 0');
    expect(lines[1]).toMatch(/^active: audio_stream 1  started: \d+  ended: \d+  up: \d+m\d\ds  command timeouts: 0$/);
    expect(lines[2]).toMatch(/^memory: rss [\d.]+ MB \(whole FreeSWITCH process\)  JS heap [\d.]+ of [\d.]+ MB  external [\d.]+ MB$/);
    const header = lines.find((l) => l.startsWith('uuid'))!;
    expect(header.split(/\s{2,}/)).toEqual(['uuid', 'family', 'state', 'server', 'in', 'out', 'conn s', 'frames in/out', 'under', 'gaps', 'over', 'recon', 'latency ms', 'tokens in/out/total']);
    const row = lines.find((l) => l.startsWith(uuid))!.split(/\s{2,}/);
    const e = (await statusJson()).sessions.find((x) => x.uuid === uuid)!;
    expect(row.slice(0, 6)).toEqual([uuid, 'audio_stream', 'open', `127.0.0.1:${sim.port}`, 'pcm@24000', 'pcm@24000']);
    expect(row[10]).toBe('0'); // overruns
    expect(row[12]).toMatch(/^\d+\/\d+$/); // latency response/playout
    expect(row[13]).toBe(`${e.tokens.input}/${e.tokens.output}/${e.tokens.total}`);
  });

  it('never shows the key, not even the query parameter that carries it', async () => {
    expect(c.handshake.query['api-key']).toBe(KEY); // it really went in the URL
    const json = await h.command('openai_realtime', 'status json');
    const text = await h.command('openai_realtime', 'status');
    for (const out of [json, text]) {
      expect(out).not.toContain(KEY);
      expect(out).not.toContain('api-key=azure');
    }
  });

  it('openai_realtime::stats: one event per session every stats-interval-s, the status entry as its body; a reload turns it off', async () => {
    const before = h.events(uuid, 'openai_realtime::stats').length;
    await waitFor(() => h.events(uuid, 'openai_realtime::stats').length >= before + 2, 'two stats events', 5000);
    const bodies = h.events(uuid, 'openai_realtime::stats').map((e) => JSON.parse(e.body) as SessionEntry);
    const last = bodies[bodies.length - 1]!;
    expect(last).toMatchObject({ uuid, family: 'audio_stream', state: 'open', inputRate: 24000 });
    expect(last.tokens.total).toBeGreaterThan(0);
    expect(Object.keys(last).sort()).toEqual(Object.keys((await statusJson()).sessions[0]!).sort());
    for (const e of h.events(undefined, 'openai_realtime::stats')) expect(e.body).not.toContain(KEY);

    t.write('openai_realtime.conf.xml', config(0));
    expect(await h.command('openai_realtime', 'reload')).toBe('+OK reloaded (1 profile)');
    const after = h.events(uuid, 'openai_realtime::stats').length;
    await sleep(2300);
    expect(h.events(uuid, 'openai_realtime::stats').length).toBe(after);
  });

  it('a session that ended is counted, and gone from the table', async () => {
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
    const s = await statusJson();
    expect(s.sessions.find((x) => x.uuid === uuid)).toBeUndefined();
    expect(s.module.ended.audio_stream).toBeGreaterThanOrEqual(1);
    expect(s.module.sessions).toEqual({});
    expect((await h.command('openai_realtime', 'status')).split('\n')[1]).toMatch(/^active: none  /);
  });
});
