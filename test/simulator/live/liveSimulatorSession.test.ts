// What this proves: the realtime simulator speaks GPT-Live's session protocol on
// /v1/live/sessions (and Azure's /openai/v1/live/sessions) over real sockets: no query string,
// header auth, nothing served before session.start, a strict session.start with the documented
// errors, session.started with id and expires_at, mute acks, usage updates, session.update limited
// to delegation settings, session.close → session.closed, and expiry; random frames get at most an
// error and the session goes on. /v1/realtime is unchanged.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseLiveServerEvent } from '../../../src/protocol/live/liveServerEvents.js';
import { LIVE_CLIENT_EVENT_TYPES } from '../../../src/protocol/live/liveTypes.js';
import { RealtimeProbeClient } from '../../../src/simulator/index.js';
import { errorOf, LiveHarness } from '../../helpers/liveProbe.js';

const h = new LiveHarness();
afterEach(() => h.cleanup());

describe('Live handshake', () => {
  it('serves Live on both paths and Realtime as before on /v1/realtime', async () => {
    const sim = await h.sim();
    expect(sim.liveUrl).toBe(`ws://127.0.0.1:${sim.port}/v1/live/sessions`);
    const live = await h.connect(sim.liveUrl);
    const azure = await h.connect(`ws://127.0.0.1:${sim.port}/openai/v1/live/sessions`);
    const realtime = await h.connect(sim.url);
    await realtime.waitFor('session.created');
    expect(sim.live.connections.map((c) => c.handshake.path)).toEqual(['/v1/live/sessions', '/openai/v1/live/sessions']);
    expect(sim.connections).toHaveLength(1);
    // A Live socket that sends nothing receives nothing.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(live.events).toEqual([]);
    expect(azure.events).toEqual([]);
  });

  it('refuses a query string and checks header credentials like the real endpoints', async () => {
    const sim = await h.sim({ apiKey: 'sk-test-key' });
    const query = await RealtimeProbeClient.refusal(`${sim.liveUrl}?model=gpt-live-1`, { headers: { Authorization: 'Bearer sk-test-key' } });
    expect(query.status).toBe(400);
    expect(JSON.parse(query.body).error.message).toMatch(/no query parameters/);
    expect((await RealtimeProbeClient.refusal(sim.liveUrl)).status).toBe(401);
    expect((await RealtimeProbeClient.refusal(sim.liveUrl, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    await h.connect(sim.liveUrl, { Authorization: 'Bearer sk-test-key' });
    await h.connect(`ws://127.0.0.1:${sim.port}/openai/v1/live/sessions`, { 'api-key': 'sk-test-key' });
    expect(sim.live.connections.map((c) => c.handshake.auth)).toEqual(['bearer', 'api-key-header']);
    expect(sim.refusedHandshakes.map((r) => r.cause)).toEqual(['query', 'auth', 'auth']);
  });
});

describe('session.start', () => {
  it('refuses everything before session.start, audio included', async () => {
    const sim = await h.sim();
    const client = await h.connect(sim.liveUrl);
    client.send({ type: 'session.input_audio.append', event_id: 'a1', audio: 'AAAA' });
    const error = errorOf(await client.waitFor('error'));
    expect(error).toMatchObject({ code: 'session_start_required', client_event_id: 'a1' });
    expect(sim.live.connections[0]!.state).toBe('awaiting_start');
  });

  it('rejects a start that breaks the strict schema with the documented errors, then accepts a good one', async () => {
    const sim = await h.sim();
    const client = await h.connect(sim.liveUrl);
    const cases: Array<[Record<string, unknown> | undefined, { code: string; param: string | null }]> = [
      [{ model: 'gpt-live-1', voice: 'marin' }, { code: 'unknown_parameter', param: 'session.voice' }],
      [{ instructions: 'x' }, { code: 'missing_required_parameter', param: 'session.model' }],
      [{ model: 'gpt-realtime' }, { code: 'invalid_model', param: 'session.model' }],
      [{ model: 'gpt-live-9' }, { code: 'model_not_found', param: 'session.model' }],
      [{ model: 'gpt-live-1', audio: { format: { type: 'audio/pcmu' } } }, { code: 'missing_required_parameter', param: 'session.audio.format.rate' }],
      [{ model: 'gpt-live-1', audio: { format: { type: 'audio/pcm', rate: 8000 } } }, { code: 'invalid_value', param: 'session.audio.format.rate' }],
      [{ model: 'gpt-live-1', audio: { output: { voice: 'nobody' } } }, { code: 'invalid_value', param: 'session.voice' }],
      [{ model: 'gpt-live-1', audio: { input: {} } }, { code: 'unknown_parameter', param: 'session.audio.input' }],
      [{ model: 'gpt-live-1', turn_detection: null }, { code: 'unknown_parameter', param: 'session.turn_detection' }],
      [{ model: 'gpt-live-1', input: [{ role: 'user', content: [{ type: 'input_text', text: 'a' }, { type: 'input_text', text: 'b' }] }] }, { code: 'invalid_value', param: 'session.input[0].content' }],
      [{ model: 'gpt-live-1', input: [{ role: 'system', content: [{ text: 'a' }] }] }, { code: 'invalid_value', param: 'session.input[0].role' }],
      [{ model: 'gpt-live-1', delegation: { type: 'responses', responses: { tools: [] } } }, { code: 'missing_required_parameter', param: 'session.delegation.responses.model' }],
      [{ model: 'gpt-live-1', delegation: { type: 'responses', responses: { model: 'gpt-5.5', temperature: 1 } } }, { code: 'unknown_parameter', param: 'session.delegation.responses.temperature' }],
      [undefined, { code: 'missing_required_parameter', param: 'session' }],
    ];
    for (const [i, [session, expected]] of cases.entries()) {
      const mark = client.mark();
      client.send({ type: 'session.start', event_id: `s${i}`, ...(session !== undefined ? { session } : {}) });
      const error = errorOf(await client.waitFor('error', { after: mark }));
      expect(error, JSON.stringify(session)).toMatchObject({ type: 'invalid_request_error', ...expected, client_event_id: `s${i}` });
    }
    const mark = client.mark();
    client.send({ type: 'session.start', session: { model: 'gpt-live-1' }, model: 'x' });
    expect(errorOf(await client.waitFor('error', { after: mark }))).toMatchObject({ code: 'unknown_parameter', param: 'model' });
    expect(client.ofType('session.started')).toEqual([]);

    const before = Math.floor(Date.now() / 1000);
    client.send({
      type: 'session.start',
      event_id: 'good',
      session: {
        model: 'gpt-live-1',
        instructions: 'Be brief.',
        audio: { format: { type: 'audio/pcmu', rate: 8000 }, output: { voice: 'cedar' } },
        input: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello again.' }] }],
        store: false,
      },
    });
    const started = await client.waitFor('session.started');
    expect(started.client_event_id).toBe('good');
    const session = started.session as Record<string, unknown>;
    expect(session).toMatchObject({ model: 'gpt-live-1', status: 'active', audio: { format: { type: 'audio/pcmu', rate: 8000 }, output: { voice: 'cedar' } }, delegation: { type: 'client' } });
    expect(String(session.id)).toMatch(/^live_/);
    expect(session.expires_at).toBeGreaterThanOrEqual(before + 3599);
    expect(session.expires_at).toBeLessThanOrEqual(before + 3601);

    client.send({ type: 'session.start', event_id: 'again', session: { model: 'gpt-live-1' } });
    expect(errorOf(await client.waitFor('error', { where: (e) => e.client_event_id === 'again' }))).toMatchObject({ code: 'session_already_started' });
  });

  it('lists the eleven client events when refusing an unknown one', async () => {
    const sim = await h.sim();
    const { client } = await h.started(sim);
    for (const type of ['input_audio_buffer.append', 'conversation.item.truncate', 'response.cancel']) {
      const mark = client.mark();
      client.send({ type, event_id: type });
      const error = errorOf(await client.waitFor('error', { after: mark }));
      expect(error).toMatchObject({ code: 'invalid_value', param: 'type', client_event_id: type });
      expect(error.message.match(/'[a-z_.]+'/g)).toHaveLength(12); // the refused name + the eleven
    }
  });
});

describe('an active session', () => {
  it('acknowledges mute and unmute, and appends with their place on the timeline', async () => {
    const sim = await h.sim();
    const { client } = await h.started(sim);
    client.send({ type: 'session.input_audio.mute', event_id: 'm' });
    expect((await client.waitFor('session.input_audio.muted')).client_event_id).toBe('m');
    expect(sim.live.connections[0]!.muted).toBe(true);
    client.send({ type: 'session.input_audio.unmute', event_id: 'u' });
    expect((await client.waitFor('session.input_audio.unmuted')).client_event_id).toBe('u');
    client.send({ type: 'session.instructions.append', event_id: 'i', content: 'Speak slowly.', delegation_id: null });
    const appended = await client.waitFor('session.instructions.appended');
    expect(appended).toMatchObject({ client_event_id: 'i', start_ms: expect.any(Number), end_ms: expect.any(Number) });
  });

  it('refuses appends that break the rules', async () => {
    const sim = await h.sim();
    const { client } = await h.started(sim);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'session.commentary.append', content: 'x' }, 'missing_required_parameter'],
      [{ type: 'session.thinking.append', content: 'x', delegation_id: 'del_nope' }, 'invalid_value'],
      [{ type: 'session.commentary.append', content: 'word '.repeat(600), delegation_id: null }, 'string_above_max_length'],
      [{ type: 'response.item.create', item: { type: 'function_call_output', call_id: 'c', output: '{}' } }, 'responses_delegation_required'],
      [{ type: 'response.create' }, 'responses_delegation_required'],
      [{ type: 'session.input_audio.append', audio: 'not base64!' }, 'invalid_value'],
      [{ type: 'session.input_audio.append', audio: Buffer.alloc(3).toString('base64') }, 'invalid_value'],
    ];
    for (const [event, code] of cases) {
      const mark = client.mark();
      client.send(event as { type: string });
      expect(errorOf(await client.waitFor('error', { after: mark })).code, String(event.type)).toBe(code);
    }
    expect(errorOf(client.ofType('error')[3]!).message).toBe('response.item.create requires Responses delegation.');
  });

  it('lets session.update change only delegation backend settings, never the type', async () => {
    const sim = await h.sim();
    const { client } = await h.started(sim, { delegation: { type: 'responses', responses: { model: 'gpt-5.5', instructions: 'Old.' } } });
    for (const [session, param] of [
      [{ instructions: 'new' }, 'session.instructions'],
      [{ delegation: null }, 'session.delegation'],
      [{ delegation: { type: 'client' } }, 'session.delegation.type'],
    ] as const) {
      const mark = client.mark();
      client.send({ type: 'session.update', session });
      expect(errorOf(await client.waitFor('error', { after: mark }))).toMatchObject({ code: 'immutable_field_update', param });
    }
    client.send({ type: 'session.update', event_id: 'up', session: { delegation: { type: 'responses', responses: { instructions: 'New.' } } } });
    const updated = await client.waitFor('session.updated');
    expect(updated.client_event_id).toBe('up');
    expect((updated.session as Record<string, unknown>).delegation).toEqual({ type: 'responses', responses: { model: 'gpt-5.5', instructions: 'New.' } });
  });

  it('reports cumulative usage seconds and the context ratio', async () => {
    const sim = await h.sim({ live: { usageIntervalMs: 150 } });
    const { client } = await h.started(sim);
    await client.waitFor('session.usage.updated', { where: () => client.ofType('session.usage.updated').length >= 3 });
    const updates = client.ofType('session.usage.updated');
    const seconds = updates.map((u) => (u.usage as { seconds: number }).seconds);
    expect([...seconds].sort((a, b) => a - b)).toEqual(seconds);
    expect(seconds[2]!).toBeGreaterThan(seconds[0]!);
    const ratio = (updates[0]!.context_window as { usage_ratio: number }).usage_ratio;
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
  });
});

describe('ending', () => {
  it('answers session.close with session.closed, then the client closes with 1000', async () => {
    const sim = await h.sim();
    const { client } = await h.started(sim);
    await new Promise((resolve) => setTimeout(resolve, 250));
    client.send({ type: 'session.close', event_id: 'bye' });
    const closed = await client.waitFor('session.closed');
    expect(closed).toMatchObject({ reason: 'close_requested', client_event_id: 'bye', session: { status: 'active' } });
    expect((closed.usage as { seconds: number }).seconds).toBeGreaterThanOrEqual(0.2);
    const deltasAtClose = client.ofType('session.output_audio.delta').length;
    await client.close(1000);
    const record = await sim.live.connections[0]!.waitForClose();
    expect(record).toEqual({ code: 1000, reason: '', initiatedBy: 'client' });
    expect(client.ofType('session.output_audio.delta')).toHaveLength(deltasAtClose);
  });

  it('closes the socket itself when a client never does after session.closed', async () => {
    const sim = await h.sim({ live: { closeGraceMs: 200 } });
    const { client } = await h.started(sim);
    client.send({ type: 'session.close' });
    await client.waitFor('session.closed');
    expect(await client.closed).toMatchObject({ code: 1000 });
    expect((await sim.live.connections[0]!.waitForClose()).initiatedBy).toBe('server');
  });

  it('expires at the session limit with session.closed reason expired', async () => {
    const sim = await h.sim({ live: { sessionLimitMs: 400 } });
    const { client } = await h.started(sim);
    const closed = await client.waitFor('session.closed', { timeoutMs: 3000 });
    expect(closed.reason).toBe('expired');
    expect(await client.closed).toMatchObject({ code: 1000 });
  });

  it('ends with the server’s reason when the session ends on its side', async () => {
    const sim = await h.sim();
    const { client } = await h.started(sim);
    sim.live.connections[0]!.endSession('content');
    expect((await client.waitFor('session.closed')).reason).toBe('content');
    expect(await client.closed).toMatchObject({ code: 1000 });
  });
});

describe('robustness', () => {
  it('answers any frame with at most an error and keeps serving the session (property sample)', async () => {
    const sim = await h.sim();
    const { client } = await h.started(sim, { delegation: { type: 'responses', responses: { model: 'gpt-5.5' } } });
    const fields = fc.dictionary(fc.constantFrom('session', 'audio', 'content', 'delegation_id', 'item', 'event_id', 'x'), fc.anything(), { maxKeys: 4 });
    const frames = fc.sample(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.tuple(fc.constantFrom(...LIVE_CLIENT_EVENT_TYPES.filter((t) => t !== 'session.close'), 'nope'), fields).map(([type, rest]) => JSON.stringify({ ...rest, type })),
      ),
      { numRuns: 400, seed: 1515 },
    );
    for (const frame of frames) client.sendRaw(frame);
    client.sendRaw(Buffer.from([1, 2, 3]));
    client.send({ type: 'session.close', event_id: 'end' });
    await client.waitFor('session.closed', { timeoutMs: 10_000 });
    // Every reply is a well-formed Live server event (read with the module's own parser).
    expect(client.events.filter((e) => parseLiveServerEvent(e).kind !== 'event')).toEqual([]);
    expect(client.ofType('error').length).toBeGreaterThan(300);
    expect(sim.live.connections[0]!.closeReason).toBe('close_requested');
  });
});
