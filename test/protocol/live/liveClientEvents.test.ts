// What this proves: the client-event parser accepts every Live client event in the shapes OpenAI
// documents, refuses what the module could not send correctly (a missing model, a G.711 format
// without its rate, an append without delegation_id, a tool output without call_id…) with a
// reason that names the field and never quotes a value, lets unknown extra fields through for the
// server to judge, and never throws.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { liveAudioFormatProblem, parseLiveClientEvent } from '../../../src/protocol/live/liveClientEvents.js';
import { LIVE_CLIENT_EVENT_TYPES } from '../../../src/protocol/live/liveTypes.js';

const start = {
  type: 'session.start',
  event_id: 'start_1',
  session: {
    model: 'gpt-live-1',
    instructions: 'Be brief.',
    audio: { format: { type: 'audio/pcmu', rate: 8000 }, output: { voice: 'marin' } },
    delegation: { type: 'client' },
    input: [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Caller is a customer.' }] },
      { role: 'user', content: [{ text: 'Hi' }] },
      { role: 'assistant', content: [{ type: 'output_text', text: 'Hello!' }], status: 'completed' },
    ],
    store: false,
  },
};

describe('parseLiveClientEvent', () => {
  it('accepts each of the eleven client events', () => {
    const events = [
      start,
      { type: 'session.update', session: { delegation: { type: 'responses', responses: { model: 'gpt-5.5', tools: [{ type: 'web_search' }] } } } },
      { type: 'session.input_audio.append', audio: 'AAAA' },
      { type: 'session.input_audio.mute' },
      { type: 'session.input_audio.unmute', event_id: 'u1' },
      { type: 'session.instructions.append', content: 'Speak slowly.', delegation_id: null },
      { type: 'session.thinking.append', content: 'Still checking.', delegation_id: 'del_1' },
      { type: 'session.commentary.append', content: 'The order shipped.', delegation_id: 'del_1' },
      { type: 'response.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '{"ok":true}' } },
      { type: 'response.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } },
      { type: 'response.create' },
      { type: 'session.close' },
    ];
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(LIVE_CLIENT_EVENT_TYPES));
    for (const event of events) expect(parseLiveClientEvent(JSON.stringify(event)), event.type).toEqual({ ok: true, event });
  });

  it('accepts a start with responses delegation and function tools, and one with delegation null', () => {
    const responses = {
      type: 'session.start',
      session: {
        model: 'gpt-live-1',
        delegation: { type: 'responses', responses: { model: 'gpt-5.5', tools: [{ type: 'function', name: 'end_call', parameters: { type: 'object', properties: {} } }], parallel_tool_calls: true } },
      },
    };
    expect(parseLiveClientEvent(responses).ok).toBe(true);
    expect(parseLiveClientEvent({ type: 'session.start', session: { model: 'gpt-live-1', delegation: null } }).ok).toBe(true);
  });

  it('lets unknown extra fields through: the server is the authority on its strict schema', () => {
    const wider = { type: 'session.start', session: { model: 'gpt-live-1', delegation: { type: 'client', acknowledgement_delay_ms: 400 } }, extra: 1 };
    expect(parseLiveClientEvent(wider)).toEqual({ ok: true, event: wider });
  });

  it('refuses what the module could not send correctly, naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ type: 'session.start', session: {} }, /session\.model is required/],
      [{ type: 'session.start', session: { model: 'gpt-live-1', audio: { format: { type: 'audio/pcmu' } } } }, /audio\/pcmu needs rate 8000/],
      [{ type: 'session.start', session: { model: 'gpt-live-1', audio: { format: { type: 'audio/pcm', rate: 8000 } } } }, /16000 or 24000/],
      [{ type: 'session.start', session: { model: 'gpt-live-1', audio: { format: 'pcm16' } } }, /session\.audio\.format must be an object/],
      [{ type: 'session.start', session: { model: 'gpt-live-1', input: [{ role: 'system', content: [{ text: 'x' }] }] } }, /input\[0\]\.role/],
      [{ type: 'session.start', session: { model: 'gpt-live-1', input: [{ role: 'user', content: [{ text: 'a' }, { text: 'b' }] }] } }, /exactly one text part/],
      [{ type: 'session.start', session: { model: 'gpt-live-1', input: [{ role: 'assistant', content: [{ type: 'input_text', text: 'a' }] }] } }, /'text' or 'output_text'/],
      [{ type: 'session.start', session: { model: 'gpt-live-1', input: Array.from({ length: 129 }, () => ({ role: 'user', content: [{ text: 'x' }] })) } }, /at most 128/],
      [{ type: 'session.start', session: { model: 'gpt-live-1', delegation: { type: 'responses', responses: {} } } }, /responses\.model/],
      [{ type: 'session.start', session: { model: 'gpt-live-1', delegation: { type: 'decisions' } } }, /'client' or 'responses'/],
      [{ type: 'session.update', session: { instructions: 'x' } }, /only delegation settings can change/],
      [{ type: 'session.input_audio.append', audio: 12 }, /audio must be a base64 string/],
      [{ type: 'session.commentary.append', content: 'x' }, /delegation_id is required/],
      [{ type: 'session.thinking.append', content: 3, delegation_id: null }, /content must be a string/],
      [{ type: 'response.item.create', item: { type: 'function_call_output', output: 'x' } }, /call_id/],
      [{ type: 'response.item.create', item: { type: 'function_call_output', call_id: 'c', output: { ok: true } } }, /output must be a string/],
      [{ type: 'input_audio_buffer.append', audio: 'AA' }, /'input_audio_buffer\.append' is not a Live client event/],
      [{ type: 'session.close', event_id: 5 }, /event_id must be a string/],
    ];
    for (const [event, reason] of cases) {
      const result = parseLiveClientEvent(event);
      expect(result.ok, JSON.stringify(event).slice(0, 120)).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    }
  });

  it('never quotes a value in its reason (an application may put a key in the wrong field)', () => {
    const secret = 'sk-live-abcdefghijklmnop';
    for (const event of [
      { type: 'session.start', session: { model: 'gpt-live-1', audio: { format: { type: secret, rate: 8000 } } } },
      { type: 'session.start', session: { model: 'gpt-live-1', input: [{ role: secret, content: [{ text: 'x' }] }] } },
      `{"type":"session.start","session":{"model":"${secret}"`,
      { type: secret, session: {} },
    ]) {
      const result = parseLiveClientEvent(event);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).not.toContain(secret);
    }
  });

  it('checks audio formats exactly as Live accepts them', () => {
    expect(liveAudioFormatProblem({ type: 'audio/pcm', rate: 24000 })).toBeUndefined();
    expect(liveAudioFormatProblem({ type: 'audio/pcm', rate: 16000 })).toBeUndefined();
    expect(liveAudioFormatProblem({ type: 'audio/pcma', rate: 8000 })).toBeUndefined();
    expect(liveAudioFormatProblem({ type: 'audio/pcma', rate: 16000 })).toMatch(/8000/);
    expect(liveAudioFormatProblem({ type: 'audio/opus', rate: 48000 })).toMatch(/type must be/);
  });

  it('never throws, whatever the application sends (property)', () => {
    const typed = fc
      .tuple(fc.constantFrom(...LIVE_CLIENT_EVENT_TYPES, 'hasOwnProperty'), fc.dictionary(fc.constantFrom('session', 'audio', 'content', 'delegation_id', 'item', 'event_id'), fc.anything(), { maxKeys: 4 }))
      .map(([type, rest]) => ({ ...rest, type }));
    const deepStart = fc.anything().map((session) => ({ type: 'session.start', session }));
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string(), fc.json(), typed, deepStart), (input) => {
        const result = parseLiveClientEvent(input);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });
});
