// parseServerFrame (src/protocol/realtime/serverEvents.ts): every text frame the server may send is
// parsed once, without ever throwing; the events the module acts on come out typed with their
// defaults, anything else as "other" with the frame's own text and JSON kept for forwarding.
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseServerFrame } from '../../../src/protocol/realtime/serverEvents.js';
import { SERVER_FRAME } from '../../helpers/fuzzServerFrames.js';

describe('parseServerFrame', () => {
  it('never throws, and always keeps the text; the JSON is the frame\'s own object or null', () => {
    fc.assert(
      fc.property(SERVER_FRAME, (frame) => {
        const text = Buffer.isBuffer(frame) ? frame.toString('latin1') : frame;
        const parsed = parseServerFrame(text);
        expect(parsed.text).toBe(text);
        if (parsed.json === null) expect(parsed.event).toEqual({ type: 'other', eventType: null });
      }),
      { numRuns: 2000, seed: 14 },
    );
  });

  it('an audio delta is typed, its ids defaulting to absent when they are not strings', () => {
    const { event } = parseServerFrame(JSON.stringify({ type: 'response.output_audio.delta', item_id: 7, response_id: 'resp_1', delta: 'AAAA' }));
    expect(event).toMatchObject({ type: 'response.output_audio.delta', item_id: undefined, response_id: 'resp_1', delta: 'AAAA' });
    // The legacy (beta) name is its own type: still played.
    expect(parseServerFrame('{"type":"response.audio.delta","delta":"AAAA"}').event.type).toBe('response.audio.delta');
  });

  it('a delta without audio is "other" with its type, so the module can say "no audio data"', () => {
    for (const delta of ['', 12, null, undefined]) {
      expect(parseServerFrame(JSON.stringify({ type: 'response.output_audio.delta', item_id: 'i', delta })).event).toEqual({
        type: 'other',
        eventType: 'response.output_audio.delta',
      });
    }
  });

  it('every error is reported with the string fields it has, whatever its shape', () => {
    expect(parseServerFrame('{"type":"error","error":{"type":"invalid_request_error","code":"session_expired","message":"m","param":null}}').event).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'session_expired', message: 'm' },
    });
    expect(parseServerFrame('{"type":"error","error":"boom"}').event).toEqual({ type: 'error', error: {} });
    expect(parseServerFrame('{"type":"error"}').event).toEqual({ type: 'error', error: {} });
  });

  it('responses: an object is required, its id is optional', () => {
    expect(parseServerFrame('{"type":"response.done","response":{"id":"r","usage":{"total_tokens":3}}}').event).toMatchObject({
      type: 'response.done',
      response: { id: 'r', usage: { total_tokens: 3 } },
    });
    expect(parseServerFrame('{"type":"response.done","response":{"id":5}}').event).toMatchObject({ type: 'response.done', response: { id: undefined } });
    expect(parseServerFrame('{"type":"response.created","response":"r"}').event).toEqual({ type: 'other', eventType: 'response.created' });
  });

  it('other types, non-objects and non-JSON are "other"; the frame\'s JSON travels for forwarding', () => {
    const rate = parseServerFrame('{"type":"rate_limits.updated","rate_limits":[]}');
    expect(rate.event).toEqual({ type: 'other', eventType: 'rate_limits.updated' });
    expect(rate.json).toEqual({ type: 'rate_limits.updated', rate_limits: [] });
    expect(parseServerFrame('[1,2]')).toEqual({ text: '[1,2]', json: null, event: { type: 'other', eventType: null } });
    expect(parseServerFrame('<html>502</html>').event).toEqual({ type: 'other', eventType: null });
    expect(parseServerFrame('{"type":"__proto__"}').event).toEqual({ type: 'other', eventType: '__proto__' });
  });
});
