// What this proves, with the whole app in process (test host media threads), real sockets and the
// GA realtime simulator:
// - the idle policy: after idle-prompt-s of caller silence the module asks the model to check in
//   (a response.create with instructions), the assistant's answer is played, and after idle-hangup-s
//   more of silence — counted once the answer has finished playing — the call is hung up through
//   call control with an openai_realtime::call_control event of source `idle-policy` and a log line;
//   the caller speaking (speech_started) starts the silence again;
// - the same on GPT-Live: the check-in is a session.commentary.append, the caller's words
//   (session.input_transcript.delta) start the silence again;
// - the override order for idle-prompt-s, idle-hangup-s and max-call-duration-s: channel variable >
//   profile param > module setting (each level below is set here to something the test would see).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { IDLE_PROMPT_INSTRUCTIONS } from '../../src/call/idlePolicy.js';
import { tempDir, type TempDir } from '../helpers/configFixtures.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
const EV = 'mod_openai_audio_stream::';
const REPLY_MS = 600;
let h: InProcessHost;
let t: TempDir;
let sim: RealtimeSimulator;

beforeAll(async () => {
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: REPLY_MS }, audioChunkMs: 100, deltaIntervalMs: 40 });
  t = tempDir();
  const configFile = t.write(
    'openai_realtime.conf.xml',
    `<configuration name="openai_realtime.conf">
  <settings>
    <param name="idle-hangup-s" value="1"/>
  </settings>
  <profiles>
    <profile name="idle">
      <param name="url" value="${sim.url}"/>
      <param name="auth" value="none"/>
      <param name="idle-prompt-s" value="1"/>
      <param name="idle-hangup-s" value="2"/>
    </profile>
    <profile name="live">
      <param name="url" value="${sim.liveUrl}"/>
      <param name="auth" value="none"/>
      <param name="idle-prompt-s" value="1"/>
      <param name="idle-hangup-s" value="1"/>
      <session><![CDATA[ {"model":"gpt-live-1","instructions":"Be brief."} ]]></session>
    </profile>
    <profile name="quiet">
      <param name="url" value="${sim.url}"/>
      <param name="auth" value="none"/>
      <param name="idle-hangup-s" value="0"/>
      <param name="max-call-duration-s" value="2"/>
    </profile>
  </profiles>
</configuration>
`,
  );
  h = inProcessHost({ configFile });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
  t.remove();
});

const controls = (uuid: string): string[] => h.host.records().controls.filter((l) => l.startsWith(`${uuid} `)).map((l) => l.slice(uuid.length + 1));
const controlEvents = (uuid: string): Array<Record<string, unknown>> =>
  h.events(uuid, 'openai_realtime::call_control').map((e) => JSON.parse(e.body) as Record<string, unknown>);
/** The module's idle prompts, as the server received them. */
const prompts = (c: SimulatedConnection): Array<{ at: number }> =>
  c.clientEvents
    .filter((r) => r.event.type === 'response.create')
    .filter((r) => {
      const response = (r.event as { response?: { instructions?: unknown } }).response;
      return response?.instructions === IDLE_PROMPT_INSTRUCTIONS;
    })
    .map((r) => ({ at: r.receivedAt }));

async function start(prefix: string, target: string, vars: Record<string, string> = {}): Promise<{ uuid: string; c: SimulatedConnection; startedAt: number }> {
  const uuid = createTaggedChannel(h, prefix, { seconds: 12, recordMs: 12_000, vars });
  const startedAt = Date.now();
  expect(await h.command(API, `${uuid} start ${target} mono`)).toBe('+OK Success');
  h.host.startMedia(uuid);
  const c = await waitFor(() => connectionsOfChannel(sim, uuid)[0], 'connection');
  return { uuid, c, startedAt };
}

describe('idle policy', () => {
  it('prompts after idle-prompt-s, then hangs up idle-hangup-s after the prompt has been heard (profile params)', async () => {
    const { uuid, c, startedAt } = await start('idlePrompt', 'profile:idle');
    await waitFor(() => prompts(c).length === 1, 'idle prompt', 4000);
    expect(prompts(c)[0]!.at - startedAt).toBeGreaterThanOrEqual(1000);
    expect(controls(uuid)).toEqual([]);
    // The model answers; the hang-up clock starts only once that answer has been played.
    await waitFor(() => h.events(uuid, `${EV}openai_speech_stop`).length === 1, 'prompt answered and played', 4000);
    const playedAt = Date.now();
    await sleep(1500);
    expect(controls(uuid)).toEqual([]);
    await waitFor(() => controls(uuid).length === 1, 'hangup', 4000);
    expect(Date.now() - playedAt).toBeGreaterThanOrEqual(1900);
    expect(controls(uuid)).toEqual(['hangup NORMAL_CLEARING']);
    expect(controlEvents(uuid)).toEqual([
      expect.objectContaining({ action: 'hangup', source: 'idle-policy', result: 'ok', family: 'audio_stream', args: { cause: 'NORMAL_CLEARING', reason: 'caller silent for 2 s' } }),
    ]);
    expect(prompts(c)).toHaveLength(1);
    expect(h.logs(uuid).some((l) => l.includes('idle-policy: the caller has said nothing for 1 s: asking the model to check in'))).toBe(true);
    expect(h.logs(uuid).some((l) => l.includes('idle-policy: the caller has said nothing for 1 s, then 2 s after the prompt: hanging up'))).toBe(true);
  });

  it('caller speech starts the silence again: no prompt while the caller keeps talking, no hang-up after they answer the prompt', async () => {
    const { uuid, c } = await start('idleSpeech', 'profile:idle');
    for (let i = 0; i < 4; i++) {
      await sleep(600);
      c.sendEvent({ type: 'input_audio_buffer.speech_started', audio_start_ms: i * 600, item_id: `item_talk${i}` });
    }
    // 2.4 s into the call, never 1 s without speech: no prompt yet.
    expect(prompts(c)).toHaveLength(0);
    const lastSpokeAt = Date.now();
    await waitFor(() => prompts(c).length === 1, 'idle prompt after the caller stopped', 4000);
    expect(prompts(c)[0]!.at - lastSpokeAt).toBeGreaterThanOrEqual(900);
    await waitFor(() => h.events(uuid, `${EV}openai_speech_stop`).length === 1, 'prompt answered', 4000);
    // The caller answers the check-in: the hang-up clock is off, the policy waits for silence again.
    c.sendEvent({ type: 'input_audio_buffer.speech_started', audio_start_ms: 5000, item_id: 'item_answer' });
    await sleep(2300);
    expect(controls(uuid)).toEqual([]);
    expect(prompts(c)).toHaveLength(2);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('the module setting applies with no profile: idle-hangup-s alone hangs up without a prompt', async () => {
    const { uuid, c, startedAt } = await start('idleModule', sim.url);
    await waitFor(() => controls(uuid).length === 1, 'hangup', 4000);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1000);
    expect(prompts(c)).toHaveLength(0);
    expect(controlEvents(uuid)[0]).toMatchObject({ action: 'hangup', source: 'idle-policy', result: 'ok' });
  });

  it('a profile beats the module setting: idle-hangup-s 0 turns it off, its max-call-duration-s applies', async () => {
    const { uuid, c, startedAt } = await start('idleQuiet', 'profile:quiet');
    await sleep(1500);
    expect(controls(uuid)).toEqual([]);
    await waitFor(() => controls(uuid).length === 1, 'hangup', 4000);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2000);
    expect(controlEvents(uuid)[0]).toMatchObject({ action: 'hangup', source: 'max-call-duration', result: 'ok' });
    expect(prompts(c)).toHaveLength(0);
  });

  it('channel variables beat the profile', async () => {
    const { uuid, c } = await start('idleVars', 'profile:quiet', { OPENAI_REALTIME_MAX_CALL_DURATION_S: '0', OPENAI_REALTIME_IDLE_PROMPT_S: '1', OPENAI_REALTIME_IDLE_HANGUP_S: '1' });
    await waitFor(() => prompts(c).length === 1, 'idle prompt', 4000);
    await waitFor(() => controls(uuid).length === 1, 'hangup', 5000);
    expect(controlEvents(uuid)[0]).toMatchObject({ action: 'hangup', source: 'idle-policy', result: 'ok', args: { cause: 'NORMAL_CLEARING', reason: 'caller silent for 1 s' } });
  });
});

describe('idle policy on uuid_openai_s2s', () => {
  it('prompts, then hangs up through call control with family s2s', async () => {
    const uuid = createTaggedChannel(h, 'idleS2s', { seconds: 12, recordMs: 12_000, vars: { OPENAI_REALTIME_IDLE_PROMPT_S: '1', OPENAI_REALTIME_IDLE_HANGUP_S: '1' } });
    expect(await h.command('uuid_openai_s2s', `^^|${uuid}|session.create|ws://127.0.0.1:${sim.port}|v1/realtime?model=m|bearer|sk-idle`)).toBe('+OK Success');
    h.host.startMedia(uuid);
    const c = await waitFor(() => connectionsOfChannel(sim, uuid)[0], 'connection');
    await waitFor(() => prompts(c).length === 1, 'idle prompt', 4000);
    await waitFor(() => controls(uuid).length === 1, 'hangup', 5000);
    expect(Date.now() - prompts(c)[0]!.at).toBeGreaterThanOrEqual(1000 + REPLY_MS - 200);
    expect(controlEvents(uuid)).toEqual([expect.objectContaining({ action: 'hangup', source: 'idle-policy', result: 'ok', family: 's2s' })]);
  });
});

describe('idle policy on GPT-Live', () => {
  it('the check-in is a session.commentary.append; the caller\'s words start the silence again; then the hang-up', async () => {
    const uuid = createTaggedChannel(h, 'idleLive', { seconds: 12, recordMs: 12_000, vars: { read_codec: 'PCMU' } });
    expect(await h.command(API, `${uuid} start profile:live mono`)).toBe('+OK Success');
    h.host.startMedia(uuid);
    const c = await waitFor(() => sim.live.connections.find((x) => x.clientEvents.some((r) => r.event.type === 'session.start')), 'Live connection');
    const checkIns = (): number[] =>
      c.clientEvents.filter((r) => r.event.type === 'session.commentary.append' && (r.event as { content?: unknown }).content === IDLE_PROMPT_INSTRUCTIONS).map((r) => r.receivedAt);
    await sleep(700);
    c.sendEvent({ type: 'session.input_transcript.delta', delta: 'hello', start_ms: 100, end_ms: 600 });
    const spokeAt = Date.now();
    await sleep(600);
    expect(checkIns()).toHaveLength(0);
    await waitFor(() => checkIns().length === 1, 'check-in', 4000);
    expect(checkIns()[0]! - spokeAt).toBeGreaterThanOrEqual(900);
    await waitFor(() => controls(uuid).length === 1, 'hangup', 5000);
    // The check-in was spoken (600 ms of tone) before the 1 s of silence that ends the call.
    expect(Date.now() - checkIns()[0]!).toBeGreaterThanOrEqual(1500);
    expect(c.spoken.map((s) => s.situation)).toContain('greeting');
    expect(controlEvents(uuid)).toEqual([expect.objectContaining({ action: 'hangup', source: 'idle-policy', result: 'ok', family: 'audio_stream' })]);
  });
});
