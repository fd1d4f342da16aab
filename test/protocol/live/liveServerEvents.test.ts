// What this proves: every Live server event in OpenAI's published union parses into its typed
// form, a frame missing a field the module reads is refused with a reason naming the field, types
// the module does not know are kept whole for forwarding, and no input at all makes the parser throw.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KNOWN_LIVE_SERVER_EVENT_TYPES, parseLiveServerEvent } from '../../../src/protocol/live/liveServerEvents.js';

const resource = { id: 'live_abc', expires_at: 1_900_000_000, model: 'gpt-live-1', status: 'active', audio: { format: { type: 'audio/pcmu', rate: 8000 } } };

const VALID: Array<Record<string, unknown>> = [
  { type: 'session.started', event_id: 'e1', client_event_id: 'start_1', session: resource },
  { type: 'session.updated', event_id: 'e2', session: resource },
  { type: 'session.input_audio.muted', event_id: 'e3' },
  { type: 'session.input_audio.unmuted', event_id: 'e4' },
  { type: 'session.instructions.appended', event_id: 'e5', start_ms: 100, end_ms: 100 },
  { type: 'session.thinking.appended', event_id: 'e6', start_ms: 100, end_ms: 120 },
  { type: 'session.commentary.appended', event_id: 'e7', start_ms: 100, end_ms: 900 },
  { type: 'session.output_audio.delta', event_id: 'e8', delta: 'AAAA' },
  { type: 'session.input_transcript.delta', event_id: 'e9', delta: 'hello', start_ms: 0, end_ms: 400 },
  { type: 'session.output_transcript.delta', event_id: 'e10', delta: ' there', start_ms: 500, end_ms: 700 },
  { type: 'session.delegation.created', event_id: 'e11', delegation: { id: 'del_1', target: 'client', type: 'delegation' }, offset_ms: 1200 },
  { type: 'session.delegation.created', event_id: 'e12', delegation: { id: 'del_2', target: 'responses', type: 'delegation', response_id: 'resp_1' }, offset_ms: 1300 },
  { type: 'response.event', event_id: 'e13', delegation_id: 'del_2', event: { type: 'response.created', response: { id: 'resp_1' } } },
  { type: 'response.event', event_id: 'e14', event: { type: 'response.output_text.delta', delta: 'x' } },
  { type: 'session.usage.updated', event_id: 'e15', usage: { seconds: 14.2 }, context_window: { usage_ratio: 0.12 } },
  { type: 'session.usage.updated', event_id: 'e16', usage: { seconds: 15 } },
  { type: 'session.closed', event_id: 'e17', reason: 'close_requested', session: resource, usage: { seconds: 56 } },
  { type: 'error', event_id: 'e18', error: { type: 'invalid_request_error', code: 'unknown_parameter', message: 'Unknown parameter', param: 'session.voice' } },
  { type: 'info', event_id: 'e19', code: 'data_channel_permissions', message: 'note' },
];

describe('parseLiveServerEvent', () => {
  it('parses every event of the published union, from text or from a parsed value', () => {
    const seen = new Set<string>();
    for (const event of VALID) {
      for (const input of [JSON.stringify(event), event]) {
        const result = parseLiveServerEvent(input);
        expect(result, JSON.stringify(event)).toEqual({ kind: 'event', event });
      }
      seen.add(String(event.type));
    }
    expect([...seen].sort()).toEqual([...KNOWN_LIVE_SERVER_EVENT_TYPES].sort());
  });

  it('refuses a known event without a field the module reads, naming the field', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ type: 'session.started', session: { id: 'live_1', model: 'gpt-live-1' } }, /session\.expires_at/],
      [{ type: 'session.output_audio.delta' }, /delta must be a string/],
      [{ type: 'session.input_transcript.delta', delta: 'x', start_ms: 1 }, /end_ms/],
      [{ type: 'session.delegation.created', delegation: { id: 'd', target: 'server' }, offset_ms: 1 }, /delegation\.target/],
      [{ type: 'session.delegation.created', delegation: { id: 'd', target: 'client' } }, /offset_ms/],
      [{ type: 'response.event', event: { delta: 'x' } }, /event must be an object with a string type/],
      [{ type: 'session.usage.updated', usage: {} }, /usage\.seconds/],
      [{ type: 'session.usage.updated', usage: { seconds: 1 }, context_window: { usage_ratio: 'high' } }, /usage_ratio/],
      [{ type: 'session.closed' }, /reason/],
      [{ type: 'error', error: { code: 'x' } }, /error\.message/],
    ];
    for (const [event, reason] of cases) {
      const result = parseLiveServerEvent(event);
      expect(result.kind, JSON.stringify(event)).toBe('invalid');
      if (result.kind === 'invalid') {
        expect(result.reason).toMatch(reason);
        expect(result.type).toBe(event.type);
      }
    }
  });

  it('tolerates what the young schema may vary: no event_id, a null error code, an unlisted close reason, no snapshot', () => {
    expect(parseLiveServerEvent({ type: 'session.output_audio.delta', delta: '' }).kind).toBe('event');
    expect(parseLiveServerEvent({ type: 'error', error: { type: 'server_error', code: null, message: 'boom' } }).kind).toBe('event');
    const closed = parseLiveServerEvent({ type: 'session.closed', reason: 'maintenance' });
    expect(closed).toEqual({ kind: 'event', event: { type: 'session.closed', reason: 'maintenance' } });
  });

  it('keeps events of unknown types whole (sideband-only and future events still reach the application)', () => {
    const dtmf = { type: 'transport.dtmf.received', event: '5', event_id: 'e' };
    expect(parseLiveServerEvent(JSON.stringify(dtmf))).toEqual({ kind: 'unknown', type: 'transport.dtmf.received', raw: dtmf });
    // A Realtime event on a Live socket is also just unknown here: no beta/GA translation applies to Live.
    expect(parseLiveServerEvent({ type: 'response.output_audio.delta', delta: 'AA' }).kind).toBe('unknown');
  });

  it('says why a frame is not an event at all, without quoting it', () => {
    expect(parseLiveServerEvent('{"type": "error", sk-secret')).toEqual({ kind: 'invalid', reason: 'not valid JSON' });
    expect(parseLiveServerEvent('[1,2]')).toEqual({ kind: 'invalid', reason: 'expected one JSON object, got an array' });
    expect(parseLiveServerEvent('null')).toEqual({ kind: 'invalid', reason: 'expected one JSON object, got null' });
    expect(parseLiveServerEvent(new Uint8Array([1, 2]))).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/binary/) });
    expect(parseLiveServerEvent({ delta: 'x' })).toEqual({ kind: 'invalid', reason: 'the event has no string type' });
    expect(parseLiveServerEvent({ type: 'info', event_id: 7, code: 'c', message: 'm' })).toMatchObject({ kind: 'invalid', reason: 'event_id must be a string' });
  });

  it('never throws, whatever arrives (property)', () => {
    const knownType = fc.constantFrom(...KNOWN_LIVE_SERVER_EVENT_TYPES, 'transport.failed', '__proto__', 'constructor', 'toString');
    const eventLike = fc.record({ type: knownType }, { requiredKeys: [] }).chain((base) =>
      fc.dictionary(fc.constantFrom('session', 'delta', 'start_ms', 'end_ms', 'delegation', 'offset_ms', 'event', 'usage', 'context_window', 'reason', 'error', 'code', 'message', 'event_id', 'delegation_id'), fc.anything(), { maxKeys: 6 }).map((extra) => ({ ...extra, ...base })),
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string(), fc.json(), eventLike, eventLike.map((e) => JSON.stringify(e))), (input) => {
        const result = parseLiveServerEvent(input);
        expect(['event', 'unknown', 'invalid']).toContain(result.kind);
      }),
      { numRuns: 3000 },
    );
  });
});
