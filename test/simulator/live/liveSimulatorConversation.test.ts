// What this proves: the simulator's Live model behaves like the service for a bridge: one
// continuous output track paced in real time (100 ms deltas, silence between replies, in the
// session's format), held when input audio stops; a greeting from session.commentary.append;
// server-side barge-in (the model stops the moment the caller talks, nothing for the client to
// send) with an output transcript of only what was played; input transcript fragments; client
// delegation (delegation.created → thinking/commentary) and Responses delegation (function calls
// inside response.event, the partial-batch refusal, the continuation). The module's own Live
// parsers read what the simulator sends, so both sides agree on the shapes.
import { afterEach, describe, expect, it } from 'vitest';
import { decodeAlaw } from '../../../src/audio/g711.js';
import { parseLiveServerEvent } from '../../../src/protocol/live/liveServerEvents.js';
import { classifyResponseEvent } from '../../../src/protocol/live/liveResponseEvents.js';
import { TranscriptTurnAssembler } from '../../../src/protocol/live/transcriptTurns.js';
import type { LiveResponseEvent } from '../../../src/protocol/live/liveTypes.js';
import { callerAudio, deltasOf, errorOf, isSilentDelta, LiveHarness, streamCaller, type TestFormat } from '../../helpers/liveProbe.js';

const h = new LiveHarness();
afterEach(() => h.cleanup());

const PCMU: TestFormat = { type: 'audio/pcmu', rate: 8000 };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the output track', () => {
  it('is continuous, 100 ms a delta, silent until spoken to, and never faster than real time', async () => {
    const sim = await h.sim();
    const { client } = await h.started(sim, { audio: { format: PCMU } });
    const t0 = Date.now();
    await sleep(600);
    const early = deltasOf(client).length;
    const elapsed = Date.now() - t0;
    // One delta at start, then one per 100 ms: never ahead of the clock.
    expect(early).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 2);
    expect(early).toBeGreaterThanOrEqual(3);
    const deltas = deltasOf(client);
    expect(deltas.every((d) => Buffer.from(d, 'base64').length === 800)).toBe(true);
    expect(deltas.every((d) => isSilentDelta(PCMU, d))).toBe(true);
    // Every server frame is one the module's parser accepts as a Live event.
    expect(client.events.every((e) => parseLiveServerEvent(e).kind === 'event')).toBe(true);
    // No ids and no timestamps on primary-socket audio.
    expect(Object.keys(client.ofType('session.output_audio.delta')[0]!).sort()).toEqual(['delta', 'event_id', 'type']);
  });

  it('speaks a greeting asked for with session.commentary.append, in the session format, then falls silent again', async () => {
    const sim = await h.sim({ tone: { durationMs: 500, frequencyHz: 500, transcript: 'Hello there caller, welcome.' } });
    const { client } = await h.started(sim, { audio: { format: { type: 'audio/pcma', rate: 8000 } } });
    client.send({ type: 'session.commentary.append', event_id: 'greet', content: 'Greet the caller now.', delegation_id: null });
    expect((await client.waitFor('session.commentary.appended')).client_event_id).toBe('greet');
    await client.waitFor('session.output_transcript.delta');
    await sleep(900);
    const format: TestFormat = { type: 'audio/pcma', rate: 8000 };
    const deltas = deltasOf(client);
    const voiced = deltas.map((d) => !isSilentDelta(format, d));
    const first = voiced.indexOf(true);
    const last = voiced.lastIndexOf(true);
    expect(last - first + 1).toBe(5); // 500 ms of tone in 100 ms deltas
    expect(voiced.slice(last + 1).length).toBeGreaterThan(0);
    // The tone decodes (with the module's A-law) at 500 Hz.
    const bytes = Buffer.from(deltas[first + 2]!, 'base64');
    const samples = new Int16Array(bytes.length);
    decodeAlaw(bytes, bytes.length, samples);
    let crossings = 0;
    for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
    expect(crossings * 10).toBeGreaterThan(450);
    expect(crossings * 10).toBeLessThan(550);
    const fragments = client.ofType('session.output_transcript.delta');
    expect(fragments.map((f) => f.delta).join('')).toBe('Hello there caller, welcome.');
    expect(fragments.every((f) => typeof f.start_ms === 'number' && (f.end_ms as number) >= (f.start_ms as number))).toBe(true);
    expect(sim.live.connections[0]!.spoken).toMatchObject([{ situation: 'greeting', interrupted: false }]);
  });

  it('uses 16 kHz PCM when asked (3,200 bytes a delta)', async () => {
    const sim = await h.sim();
    const { client } = await h.started(sim, { audio: { format: { type: 'audio/pcm', rate: 16000 } } });
    await client.waitFor('session.output_audio.delta');
    expect(Buffer.from(deltasOf(client)[0]!, 'base64').length).toBe(3200);
  });

  it('holds the track when the client stops sending audio (the timeline advances with input)', async () => {
    const sim = await h.sim({ live: { timelineLeadMs: 300 } });
    const { client } = await h.started(sim, { audio: { format: PCMU } });
    await sleep(700);
    const held = deltasOf(client).length;
    expect(held).toBe(3);
    await streamCaller(client, PCMU, 600);
    expect(deltasOf(client).length).toBeGreaterThan(held + 3);
  });
});

describe('barge-in and transcripts', () => {
  it('stops talking when the caller talks, keeps only the played transcript, then answers the turn', async () => {
    const sim = await h.sim({ tone: { durationMs: 3000, transcript: 'one two three four five six seven eight nine ten eleven twelve' } });
    const { client } = await h.started(sim, { audio: { format: PCMU } });
    client.send({ type: 'session.commentary.append', content: 'Say hello.', delegation_id: null });
    await client.waitFor('session.output_transcript.delta');
    await sleep(600);
    const mark = client.mark();
    // The caller talks for 600 ms, then 700 ms of silence ends the turn (VAD silence 500 ms).
    client.send({ type: 'session.input_audio.append', audio: callerAudio(PCMU, 1400, [{ atMs: 100, ms: 600 }]) });
    await client.waitFor('session.input_transcript.delta', { after: mark });
    await sleep(400);
    const connection = sim.live.connections[0]!;
    expect(connection.interruptions).toHaveLength(1);
    const greeting = connection.spoken[0]!;
    expect(greeting.interrupted).toBe(true);
    expect(greeting.spokenMs).toBeLessThan(greeting.durationMs);
    expect(greeting.transcriptSent.length).toBeLessThan(greeting.transcript.length);
    // The client heard exactly the words of the played part.
    const outputBeforeReply = client.events.filter((e, i) => e.type === 'session.output_transcript.delta' && i < mark + 1);
    expect(greeting.transcript.startsWith(outputBeforeReply.map((f) => f.delta).join(''))).toBe(true);
    // The reply follows the caller's turn.
    expect(connection.spoken.map((s) => s.situation)).toEqual(['greeting', 'reply']);
    expect(connection.callerTurns).toBe(1);
    // The input transcript fragments make one caller turn inside the speech.
    const turns = new TranscriptTurnAssembler();
    for (const f of client.ofType('session.input_transcript.delta')) {
      turns.add({ role: 'user', text: String(f.delta), startMs: f.start_ms as number, endMs: f.end_ms as number });
    }
    const [turn, ...rest] = turns.flush();
    expect(rest).toEqual([]);
    expect(turn!.text).toMatch(/^\[simulated transcript of 0\.[6-9] s of audio\]$/);
    expect(turn!.startMs).toBeLessThanOrEqual(100);
    expect(turn!.endMs).toBeGreaterThanOrEqual(700);
  });

  it('does not hear a muted caller (no barge-in, no turn) but does again after unmute', async () => {
    const sim = await h.sim();
    const { client } = await h.started(sim, { audio: { format: PCMU } });
    client.send({ type: 'session.input_audio.mute' });
    await client.waitFor('session.input_audio.muted');
    client.send({ type: 'session.input_audio.append', audio: callerAudio(PCMU, 1400, [{ atMs: 100, ms: 600 }]) });
    client.send({ type: 'session.input_audio.unmute' });
    await client.waitFor('session.input_audio.unmuted');
    const connection = sim.live.connections[0]!;
    expect(connection.callerTurns).toBe(0);
    expect(connection.appendedAudioMs).toBe(1400);
    client.send({ type: 'session.input_audio.append', audio: callerAudio(PCMU, 1400, [{ atMs: 100, ms: 600 }]) });
    await client.waitFor('session.input_transcript.delta');
    expect(connection.callerTurns).toBe(1);
  });
});

describe('delegation', () => {
  it('client mode: delegation.created after the listed turn, thinking stays silent, commentary is spoken', async () => {
    const sim = await h.sim({ live: { delegateAfterTurns: [1] } });
    const { client } = await h.started(sim, { audio: { format: PCMU }, delegation: { type: 'client' } });
    client.send({ type: 'session.input_audio.append', audio: callerAudio(PCMU, 1400, [{ atMs: 100, ms: 600 }]) });
    const created = await client.waitFor('session.delegation.created');
    const delegation = created.delegation as { id: string; target: string; type: string };
    expect(delegation).toMatchObject({ target: 'client', type: 'delegation' });
    expect(created.offset_ms).toBeGreaterThanOrEqual(700);
    const connection = sim.live.connections[0]!;
    expect(connection.spoken).toEqual([]);
    client.send({ type: 'session.thinking.append', content: 'Looking up the order.', delegation_id: delegation.id });
    await client.waitFor('session.thinking.appended');
    expect(connection.spoken).toEqual([]);
    client.send({ type: 'session.commentary.append', content: 'The order shipped today.', delegation_id: delegation.id });
    await client.waitFor('session.commentary.appended');
    expect(connection.spoken.map((s) => s.situation)).toEqual(['afterToolOutput']);
    expect(connection.clientDelegations).toMatchObject([{ id: delegation.id, afterTurn: 1, thinking: ['Looking up the order.'], commentary: ['The order shipped today.'] }]);
  });

  it('responses mode: function calls arrive inside response.event, a partial batch is refused, the full batch continues', async () => {
    const sim = await h.sim({ functionCall: [{ name: 'lookup_order', arguments: { id: 42 } }, { name: 'end_call' }] });
    const tools = [
      { type: 'function', name: 'lookup_order', parameters: { type: 'object', properties: { id: { type: 'number' } } } },
      { type: 'function', name: 'end_call', parameters: { type: 'object', properties: {} } },
    ];
    const { client } = await h.started(sim, { audio: { format: PCMU }, delegation: { type: 'responses', responses: { model: 'gpt-5.5', tools } } });
    client.send({ type: 'session.input_audio.append', audio: callerAudio(PCMU, 1400, [{ atMs: 100, ms: 600 }]) });
    const created = await client.waitFor('session.delegation.created');
    const delegation = created.delegation as { id: string; target: string; response_id: string };
    expect(delegation.target).toBe('responses');
    await client.waitFor('response.event', { where: (e) => (e.event as { type: string }).type === 'response.completed' });

    const wrapped = client.ofType('response.event') as unknown as LiveResponseEvent[];
    expect(wrapped.every((e) => e.delegation_id === delegation.id)).toBe(true);
    expect(wrapped.map((e) => e.event.type)).toEqual([
      'response.created',
      'response.output_item.added',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.done',
      'response.completed',
    ]);
    const classified = wrapped.map(classifyResponseEvent);
    const calls = classified.flatMap((c) => (c.kind === 'function_call' ? [c.call] : []));
    expect(calls.map((c) => [c.name, c.arguments])).toEqual([
      ['lookup_order', '{"id":42}'],
      ['end_call', '{}'],
    ]);
    expect(classified[classified.length - 1]).toMatchObject({ kind: 'response_end', status: 'completed', responseId: delegation.response_id });
    expect((wrapped[wrapped.length - 1]!.event.response as { output: unknown[] }).output).toEqual([]);

    // A non-null delegation_id is not for Responses delegation.
    client.send({ type: 'session.commentary.append', event_id: 'wrong', content: 'x', delegation_id: delegation.id });
    expect(errorOf(await client.waitFor('error', { where: (e) => e.client_event_id === 'wrong' })).param).toBe('delegation_id');

    client.send({ type: 'response.item.create', item: { type: 'function_call_output', call_id: calls[0]!.callId, output: '{"status":"shipped"}' } });
    client.send({ type: 'response.create', event_id: 'partial' });
    const refused = errorOf(await client.waitFor('error', { where: (e) => e.client_event_id === 'partial' }));
    expect(refused.code).toBe('missing_tool_outputs');
    expect(refused.message).toContain(calls[1]!.callId);

    client.send({ type: 'response.item.create', event_id: 'twice', item: { type: 'function_call_output', call_id: calls[0]!.callId, output: '{}' } });
    expect(errorOf(await client.waitFor('error', { where: (e) => e.client_event_id === 'twice' })).param).toBe('item.call_id');

    const mark = client.mark();
    client.send({ type: 'response.item.create', item: { type: 'function_call_output', call_id: calls[1]!.callId, output: '{"ok":true}' } });
    client.send({ type: 'response.create' });
    await client.waitFor('response.event', { after: mark, where: (e) => (e.event as { type: string }).type === 'response.completed' });
    const continuation = (client.events.slice(mark).filter((e) => e.type === 'response.event') as unknown as LiveResponseEvent[]).map((e) => e.event.type);
    expect(continuation).toEqual(['response.created', 'response.output_item.added', 'response.output_text.delta', 'response.output_item.done', 'response.completed']);
    const connection = sim.live.connections[0]!;
    expect(connection.spoken.map((s) => s.situation)).toEqual(['afterToolOutput']);
    expect(connection.backend!.calls.map((c) => c.output)).toEqual(['{"status":"shipped"}', '{"ok":true}']);
  });
});
