// What this proves: the protocol layer's parts work together against a Live server over a real
// socket (the realtime simulator's Live endpoint): the gate holds the greeting until
// session.started, every frame parses, the Responses tool calls are found inside response.event
// and answered through FunctionCallBatch with exactly one response.create, the transcript
// fragments become turns, and close ends with session.closed and its usage.
import { afterEach, describe, expect, it } from 'vitest';
import * as build from '../../../src/protocol/live/liveClientBuilders.js';
import { FunctionCallBatch } from '../../../src/protocol/live/functionCallBatch.js';
import { classifyResponseEvent } from '../../../src/protocol/live/liveResponseEvents.js';
import { parseLiveServerEvent } from '../../../src/protocol/live/liveServerEvents.js';
import { LiveSessionGate, type GateEffect } from '../../../src/protocol/live/liveSessionGate.js';
import { TranscriptTurnAssembler, type TranscriptTurn } from '../../../src/protocol/live/transcriptTurns.js';
import { callerAudio, LiveHarness } from '../../helpers/liveProbe.js';

const h = new LiveHarness();
afterEach(() => h.cleanup());

describe('the Live protocol layer against the simulator', () => {
  it('runs a session with a greeting, a Responses tool call and a clean close', async () => {
    const sim = await h.sim({ functionCall: { name: 'lookup_order', arguments: { id: 7 } }, tone: { durationMs: 300, transcript: 'Hello caller.' } });
    const client = await h.connect(sim.liveUrl);
    const gate = new LiveSessionGate();
    const batch = new FunctionCallBatch();
    const turns = new TranscriptTurnAssembler();
    const closedTurns: TranscriptTurn[] = [];
    const effects: GateEffect[] = [];
    const sent: string[] = [];
    const send = (event: { type: string }): void => {
      sent.push(event.type);
      client.send(event);
    };

    client.ws.on('message', (data) => {
      const parsed = parseLiveServerEvent(data.toString());
      expect(parsed.kind).toBe('event');
      if (parsed.kind !== 'event') return;
      const event = parsed.event;
      for (const effect of gate.serverEvent(event)) {
        effects.push(effect);
        if (effect.kind === 'started') for (const held of effect.flush) send(held);
      }
      if (event.type === 'session.input_transcript.delta' || event.type === 'session.output_transcript.delta') {
        closedTurns.push(...turns.add({ role: event.type === 'session.input_transcript.delta' ? 'user' : 'assistant', text: event.delta, startMs: event.start_ms, endMs: event.end_ms }));
      }
      if (event.type === 'response.event') {
        const nested = classifyResponseEvent(event);
        if (nested.kind === 'function_call' && batch.announce(nested.call)) {
          const decision = batch.output(nested.call.callId);
          if (decision.action === 'send') {
            send(build.functionCallOutput(nested.call.callId, { status: 'shipped' }));
            if (decision.continueNow) send(build.responseCreate());
          }
        }
      }
    });

    // The greeting is submitted before the session exists: the gate holds it.
    expect(gate.submit(build.commentaryAppend('Greet the caller.'))).toEqual({ action: 'queued' });
    const start = gate.start(build.sessionStart({
      model: 'gpt-live-1',
      audio: { format: { type: 'audio/pcmu', rate: 8000 } },
      delegation: build.responsesDelegation({ model: 'gpt-5.5', tools: [{ type: 'function', name: 'lookup_order', parameters: { type: 'object', properties: {} } }] }),
    }));
    if (!('send' in start)) throw new Error(start.refuse);
    send(start.send);
    await client.waitFor('session.started');
    await client.waitFor('session.commentary.appended');
    expect(sent.slice(0, 2)).toEqual(['session.start', 'session.commentary.append']);

    // The caller asks something; the backend calls the function; the module answers it once.
    client.send({ ...build.inputAudioAppend(callerAudio({ type: 'audio/pcmu', rate: 8000 }, 1400, [{ atMs: 100, ms: 600 }])) });
    await client.waitFor('response.event', { where: (e) => (e.event as { type: string }).type === 'response.output_text.delta' });
    expect(sent.filter((t) => t === 'response.item.create')).toHaveLength(1);
    expect(sent.filter((t) => t === 'response.create')).toHaveLength(1);
    expect(client.ofType('error')).toEqual([]);
    expect(sim.live.connections[0]!.backend!.calls.map((c) => c.output)).toEqual(['{"status":"shipped"}']);

    const closing = gate.close();
    expect(closing).toEqual({ send: { type: 'session.close' }, waitMs: 5000 });
    send(closing!.send);
    await client.waitFor('session.closed');
    expect(effects.map((e) => e.kind)).toEqual(['started', 'ended']);
    expect(effects[1]).toMatchObject({ kind: 'ended', reason: 'close_requested', usageSeconds: expect.any(Number) });
    closedTurns.push(...turns.flush());
    expect(closedTurns.map((t) => t.role)).toContain('user');
    expect(closedTurns.find((t) => t.role === 'user')!.text).toMatch(/^\[simulated transcript of/);
  });
});
