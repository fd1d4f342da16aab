// What this proves, through the host simulator (the embedded runtime, real media threads) against
// the realtime simulator's GPT-Live endpoint under `responses` delegation: the ready-made
// transfer_call and send_dtmf tools are offered to the backend in the session.start, the backend's
// calls (inside response.event) are answered in Live's shape (response.item.create, then one
// response.create), and the call control happens: the caller hears the model's words after the
// transfer output and is transferred afterwards; the digits go out on the channel and the
// conversation goes on. Under `client` delegation, a `live_delegation` export of the tool-handlers
// module answers session.delegation.created with silent (thinking) and spoken (commentary) context.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { b64json, speechBursts } from '../helpers/callerAudio.js';
import { runHostSimulator, simulatorBinary, type SimRun } from '../helpers/hostSimulator.js';

const RATE = 8000;
const responsesStart = { type: 'session.start', session: { model: 'gpt-live-1', delegation: { type: 'responses', responses: { model: 'gpt-5-mini', instructions: 'Use the tools.' } } } };
type Body = Record<string, unknown>;
const bodies = (run: SimRun, subclass: string): Body[] => run.events(subclass).map((e) => JSON.parse(String(e.body)) as Body);
const controls = (run: SimRun) => run.record.filter((l) => l.kind === 'control') as unknown as Array<{ t: number; action: string; args: string[] }>;
const loudSamples = (samples: Int16Array): number => samples.reduce((n, s) => (Math.abs(s) > 1000 ? n + 1 : n), 0);
const toolNames = (event: unknown): string[] =>
  (event as { session: { delegation: { responses: { tools: Array<{ name: string }> } } } }).session.delegation.responses.tools.map((t) => t.name);

describe.skipIf(!existsSync(simulatorBinary))('GPT-Live ready-made tools under responses delegation (host simulator)', () => {
  it('transfer_call: offered to the backend, answered in Live shape; the caller hears the words after it, then the call is transferred', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 400 }, functionCall: { name: 'transfer_call', arguments: { destination: '1000' } } });
    try {
      const run = await runHostSimulator({
        caller: speechBursts(RATE, 8000, [{ atMs: 1000, ms: 800 }]),
        tailMs: 300,
        vars: { OPENAI_REALTIME_TOOLS: 'transfer_call', OPENAI_REALTIME_TRANSFER_DESTINATIONS: '1000' },
        script: [`0 start ${sim.liveUrl} mono 8k`, `5 send_json ${b64json(responsesStart)}`],
      });
      expect(run.code).toBe(0);
      const connection = sim.live.connections[0]!;
      expect(toolNames(connection.clientEvents[0]!.event)).toEqual(['transfer_call']);
      expect(connection.backend!.calls).toEqual([expect.objectContaining({ name: 'transfer_call', output: expect.stringContaining('"ok":true') })]);
      const types = connection.clientEventTypes().filter((t) => t !== 'session.input_audio.append');
      expect(types.slice(0, 3)).toEqual(['session.start', 'response.item.create', 'response.create']);
      // The words after the output were spoken and heard before the call left.
      expect(connection.spoken.map((s) => s.situation)).toEqual(['afterToolOutput']);
      expect(loudSamples(run.replies[0]!)).toBeGreaterThan(RATE * 0.4 * 0.9);
      expect(controls(run).map((c) => [c.action, ...c.args])).toEqual([['transfer', '1000']]);
      expect(bodies(run, 'openai_realtime::call_control')).toEqual([expect.objectContaining({ action: 'transfer', result: 'ok', source: 'tool:transfer_call' })]);
      expect(run.record.filter((l) => l.kind === 'channel')).toEqual([expect.objectContaining({ cause: 'TRANSFERRED' })]);
    } finally {
      await sim.close();
    }
  });

  it('send_dtmf: the digits go out on the channel, the backend gets the output and one response.create, and the model speaks on', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 400 }, functionCall: { name: 'send_dtmf', arguments: { digits: '12#' } } });
    try {
      const run = await runHostSimulator({
        caller: speechBursts(RATE, 6000, [{ atMs: 1000, ms: 800 }]),
        tailMs: 300,
        vars: { OPENAI_REALTIME_TOOLS: 'send_dtmf' },
        script: [`0 start ${sim.liveUrl} mono 8k`, `5 send_json ${b64json(responsesStart)}`, '5500 stop'],
      });
      expect(run.code).toBe(0);
      const connection = sim.live.connections[0]!;
      expect(toolNames(connection.clientEvents[0]!.event)).toEqual(['send_dtmf']);
      expect(connection.backend!.calls).toEqual([expect.objectContaining({ name: 'send_dtmf', output: expect.stringContaining('"sent":"12#"') })]);
      const types = connection.clientEventTypes().filter((t) => t !== 'session.input_audio.append');
      expect(types).toEqual(['session.start', 'response.item.create', 'response.create', 'session.close']);
      expect(controls(run).map((c) => c.action)).toContain('send_dtmf');
      expect(controls(run).find((c) => c.action === 'send_dtmf')!.args).toEqual(['12#']);
      expect(connection.spoken.map((s) => s.situation)).toEqual(['afterToolOutput']);
      expect(loudSamples(run.replies[0]!)).toBeGreaterThan(RATE * 0.4 * 0.9);
      // The call stays up: the only call control is the digits; the channel ends with the caller's audio (6 s).
      expect(bodies(run, 'openai_realtime::call_control').map((b) => [b.action, b.result])).toEqual([['send_dtmf', 'ok']]);
      expect((run.record.filter((l) => l.kind === 'channel') as Array<{ t: number }>).every((l) => l.t >= 6000)).toBe(true);
    } finally {
      await sim.close();
    }
  });
});

describe.skipIf(!existsSync(simulatorBinary))('GPT-Live client delegation answered by an in-process tool handler (host simulator)', () => {
  it('live_delegation gets the caller transcript, its thinking and commentary go out naming the delegation, and the model speaks the result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oair-live-deleg-'));
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 400 }, live: { delegateAfterTurns: [1] } });
    try {
      const handlers = join(dir, 'handlers.mjs');
      writeFileSync(
        handlers,
        `export async function live_delegation(args, ctx) {
  ctx.log.info('delegation ' + args.delegation_id);
  return { thinking: 'Looking up the order for: ' + args.transcript, commentary: 'The order ships tomorrow.' };
}
`,
      );
      const config = join(dir, 'openai_realtime.conf.xml');
      writeFileSync(config, `<configuration name="openai_realtime.conf"><settings><param name="tool-handlers" value="${handlers}"/></settings></configuration>\n`);
      const clientStart = { type: 'session.start', session: { model: 'gpt-live-1', instructions: 'Be brief.' } };
      const run = await runHostSimulator({
        // The call lasts long enough for the handler's worker, the delegation and the spoken result
        // to finish on a loaded machine (an ASan build beside other jobs cut the reply at 5.5 s).
        caller: speechBursts(RATE, 8000, [{ atMs: 500, ms: 800 }]),
        tailMs: 300,
        config,
        script: [`0 start ${sim.liveUrl} mono 8k`, `5 send_json ${b64json(clientStart)}`, '7500 stop'],
      });
      expect(run.code).toBe(0);
      const connection = sim.live.connections[0]!;
      expect(connection.clientDelegations).toHaveLength(1);
      const delegation = connection.clientDelegations[0]!;
      expect(delegation.thinking).toEqual([expect.stringMatching(/^Looking up the order for: \[simulated transcript of \d\.\d s of audio\]$/)]);
      expect(delegation.commentary).toEqual(['The order ships tomorrow.']);
      const sent = connection.clientEvents.map((r) => r.event as { type: string; delegation_id?: string }).filter((e) => e.type !== 'session.input_audio.append');
      expect(sent.map((e) => e.type)).toEqual(['session.start', 'session.thinking.append', 'session.commentary.append', 'session.close']);
      expect(sent[1]!.delegation_id).toBe(delegation.id);
      // The model spoke the result, and the caller heard it.
      expect(connection.spoken.map((s) => s.situation)).toEqual(['afterToolOutput']);
      expect(loudSamples(run.replies[0]!)).toBeGreaterThan(RATE * 0.4 * 0.9);
      // The application still sees the delegation; no error came back from the server.
      const json = bodies(run, 'mod_openai_audio_stream::json').map((b) => b.type);
      expect(json).toContain('session.delegation.created');
      expect(json).not.toContain('error');
    } finally {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
