// What this proves, through the host simulator (the embedded libnode 18 runtime FreeSWITCH loads,
// real media threads on a 20 ms clock, every call-control action in its JSONL record, a hang-up
// ending the simulated call):
//  - keys pressed by the script's `<ms> dtmf <digits>` lines fire openai_realtime::dtmf on the
//    channel (with its headers) and, with OPENAI_REALTIME_DTMF=forward, reach the model as one
//    "The caller pressed …" message;
//  - end_call finishes the utterance first: measured on the reply WAV, the hang-up comes after the
//    last sample of the assistant's tone was played, and every sample of the tone was played;
//  - transfer_call to an allowed destination ends the stream cleanly and the call leaves as
//    TRANSFERRED; a destination outside the allow-list does nothing;
//  - tool handlers run on libnode 18 in a worker thread of each session worker thread.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { b64json } from '../helpers/callerAudio.js';
import { runHostSimulator, simulatorBinary, type SimRun } from '../helpers/hostSimulator.js';

const RATE = 8000;
const TONE_MS = 2000;

/** Where the assistant's audio starts and ends in the reply WAV (samples), or null when silent. */
function assistantSpan(reply: Int16Array): { first: number; last: number } | null {
  let first = -1;
  let last = -1;
  for (let i = 0; i < reply.length; i++) {
    if (reply[i] === 0) continue;
    if (first < 0) first = i;
    last = i;
  }
  return first < 0 ? null : { first, last };
}

const controls = (run: SimRun) => run.record.filter((l) => l.kind === 'control') as unknown as Array<{ t: number; action: string; args: string[] }>;

describe.skipIf(!existsSync(simulatorBinary))('call features through the host simulator', () => {
  let sim: RealtimeSimulator;
  let endCall: RealtimeSimulator;
  let transfer: RealtimeSimulator;

  beforeAll(async () => {
    sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 600 } });
    // The goodbye: a 2 s tone that arrives in ~0.2 s and plays for 2 s.
    endCall = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: TONE_MS }, functionCall: { name: 'end_call', arguments: { reason: 'done' } } });
    transfer = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 600 }, functionCall: [{ name: 'transfer_call', arguments: { destination: '1000' } }] });
  });

  afterAll(async () => {
    await Promise.all([sim.close(), endCall.close(), transfer.close()]);
  });

  it('script dtmf lines: one openai_realtime::dtmf per key, and with forward one message to the model', async () => {
    const run = await runHostSimulator({
      caller: new Int16Array(RATE * 4),
      tailMs: 300,
      url: sim.url,
      vars: { OPENAI_REALTIME_DTMF: 'forward', OPENAI_REALTIME_DTMF_RESPONSE: 'false' },
      script: ['0 start ${url} mono', '800 dtmf 42', '1000 dtmf #', '3600 stop'],
    });
    expect(run.code).toBe(0);
    const dtmf = run.events('openai_realtime::dtmf');
    expect(dtmf.map((e) => JSON.parse(String(e.body)))).toEqual([
      { digit: '4', duration_ms: 100, family: 'audio_stream' },
      { digit: '2', duration_ms: 100, family: 'audio_stream' },
      { digit: '#', duration_ms: 100, family: 'audio_stream' },
    ]);
    for (const e of dtmf) expect(e.headers).toMatchObject({ 'Unique-ID': e.uuid, 'Event-Subclass': 'openai_realtime::dtmf' });
    const texts = sim.connections[0]!.clientEvents
      .map((r) => r.event as { type: string; item?: { role?: string; content?: Array<{ text?: string }> } })
      .filter((e) => e.type === 'conversation.item.create' && e.item?.role === 'user')
      .map((e) => e.item!.content![0]!.text);
    expect(texts).toEqual(['The caller pressed 42#']);
  });

  it('end_call: the hang-up comes after the last sample of the goodbye was played, and all of it was', async () => {
    const run = await runHostSimulator({
      caller: new Int16Array(RATE * 8),
      tailMs: 300,
      url: endCall.url,
      vars: { OPENAI_REALTIME_TOOLS: 'end_call' },
      script: [
        '0 start ${url} mono',
        `800 send_json ${b64json({ type: 'response.create' })}`,
        // The model asks to hang up while its goodbye is still playing (it arrived faster than real time).
        `1400 send_json ${b64json({ type: 'response.create', response: { tool_choice: { type: 'function', name: 'end_call' } } })}`,
      ],
    });
    expect(run.code).toBe(0);
    const hangups = controls(run).filter((c) => c.action === 'hangup');
    expect(hangups).toHaveLength(1);
    expect(hangups[0]!.args).toEqual(['NORMAL_CLEARING']);
    const span = assistantSpan(run.replies[0]!);
    expect(span).not.toBeNull();
    // Every sample of the 2 s goodbye was played (its 5 ms ramps fade to zero at the very edges).
    expect(span!.last - span!.first + 1).toBeGreaterThanOrEqual((RATE * (TONE_MS - 5)) / 1000);
    // Sample k of the reply WAV was played at k / rate on the call's clock; the record's times are on the same clock.
    const lastPlayedMs = ((span!.last + 1) * 1000) / RATE;
    expect(hangups[0]!.t).toBeGreaterThanOrEqual(lastPlayedMs);
    // The model asked long before the goodbye ended: it really waited.
    const asked = run.events('mod_openai_audio_stream::json').find((e) => String(e.body).includes('"response.output_item.done"') && String(e.body).includes('end_call'))!;
    expect(asked.t).toBeLessThan(lastPlayedMs - 500);
    // The hang-up ended the simulated call, with the cause.
    expect(run.record.filter((l) => l.kind === 'channel')).toEqual([expect.objectContaining({ state: 'hangup', cause: 'NORMAL_CLEARING' })]);
    const control = run.events('openai_realtime::call_control').map((e) => JSON.parse(String(e.body)));
    expect(control).toEqual([{ action: 'hangup', args: { cause: 'NORMAL_CLEARING', reason: 'done' }, source: 'tool:end_call', result: 'ok', family: 'audio_stream' }]);
    expect(run.summary()!.liveChannelRecords).toBe(0);
  });

  it('transfer_call: allowed → the stream ends (close 1000), then the call is transferred; not allowed → nothing', async () => {
    const forced = b64json({ type: 'response.create', response: { tool_choice: { type: 'function', name: 'transfer_call' } } });
    const allowed = await runHostSimulator({
      caller: new Int16Array(RATE * 4),
      tailMs: 300,
      url: transfer.url,
      vars: { OPENAI_REALTIME_TOOLS: 'transfer_call', OPENAI_REALTIME_TRANSFER_DESTINATIONS: '1000,sip:desk@example.com' },
      script: ['0 start ${url} mono', `700 send_json ${forced}`],
    });
    expect(allowed.code).toBe(0);
    expect(controls(allowed).map((c) => [c.action, ...c.args])).toEqual([['transfer', '1000']]);
    expect(allowed.events('mod_openai_audio_stream::disconnect').map((e) => JSON.parse(String(e.body)).message.code)).toEqual([1000]);
    const disconnectAt = allowed.events('mod_openai_audio_stream::disconnect')[0]!.t;
    expect(controls(allowed)[0]!.t).toBeGreaterThanOrEqual(disconnectAt);
    expect(allowed.record.filter((l) => l.kind === 'channel')).toEqual([expect.objectContaining({ cause: 'TRANSFERRED' })]);

    const refused = await runHostSimulator({
      caller: new Int16Array(RATE * 3),
      tailMs: 300,
      url: transfer.url,
      vars: { OPENAI_REALTIME_TOOLS: 'transfer_call', OPENAI_REALTIME_TRANSFER_DESTINATIONS: '2000' },
      script: ['0 start ${url} mono', `700 send_json ${forced}`, '2500 stop'],
    });
    expect(refused.code).toBe(0);
    expect(controls(refused)).toEqual([]);
    expect(refused.events('openai_realtime::call_control').map((e) => JSON.parse(String(e.body)))).toEqual([
      { action: 'transfer', args: { destination: '1000' }, source: 'tool:transfer_call', result: 'refused', error: 'destination not allowed', family: 'audio_stream' },
    ]);
    expect(refused.api().map((a) => a.reply)).toEqual(['+OK Success\n', '+OK Success\n', '+OK Success\n']);
  });
});

describe.skipIf(!existsSync(simulatorBinary))('tool handlers on the embedded runtime (libnode 18)', () => {
  it('the example handler answers from a worker thread of each session worker; status names the module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oair-handlers-'));
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 500 }, functionCall: { name: 'get_weather', arguments: { location: 'London' } } });
    try {
      const config = join(dir, 'openai_realtime.conf.xml');
      writeFileSync(
        config,
        `<configuration name="openai_realtime.conf">
  <settings>
    <param name="workers" value="2"/>
    <param name="tool-handlers" value="${resolve(import.meta.dirname, '..', '..', 'examples', 'tool-handlers.mjs')}"/>
  </settings>
</configuration>
`,
      );
      const tools = [{ type: 'function', name: 'get_weather', description: 'weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } }];
      const run = await runHostSimulator({
        caller: new Int16Array(RATE * 4),
        channels: 2,
        tailMs: 300,
        url: sim.url,
        config,
        script: [
          '0 start ${url} mono',
          `500 send_json ${b64json({ type: 'session.update', session: { type: 'realtime', tools } })}`,
          `900 send_json ${b64json({ type: 'response.create', response: { tool_choice: { type: 'function', name: 'get_weather' } } })}`,
          '2500 openai_realtime status json',
          '3500 stop',
        ],
      });
      expect(run.code).toBe(0);
      expect(sim.connections).toHaveLength(2);
      for (const c of sim.connections) {
        const outputs = c.clientEvents
          .map((r) => r.event as { type: string; item?: { type?: string; output?: string } })
          .filter((e) => e.type === 'conversation.item.create' && e.item?.type === 'function_call_output')
          .map((e) => JSON.parse(e.item!.output!) as unknown);
        expect(outputs).toEqual([{ location: 'London', temperature: 14, scale: 'celsius', conditions: 'light rain' }]);
        expect(c.responses.map((r) => r.kind)).toEqual(['function_call', 'message']);
      }
      const status = JSON.parse(String(run.api().find((a) => String(a.args) === 'status json')!.reply)) as { module: { toolHandlers: { handlers: string[]; calls: number } } };
      expect(status.module.toolHandlers.handlers.sort()).toEqual(['caller_info', 'get_weather', 'transfer_to_sales']);
      expect(status.module.toolHandlers.calls).toBe(2);
      expect(run.logs().filter((l) => String(l.message).startsWith('tool handlers loaded from'))).toHaveLength(2); // one per session worker
      expect(run.summary()!.liveChannelRecords).toBe(0);
    } finally {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
