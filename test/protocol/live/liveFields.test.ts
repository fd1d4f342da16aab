// What this proves: the small checks under both Live parsers answer without throwing, and a
// value from the wire is echoed in a reason only when it looks like an event name.
import { describe, expect, it } from 'vitest';
import { isFiniteNumber, isObject, objectFrom, quoteType } from '../../../src/protocol/live/liveFields.js';

describe('liveFields', () => {
  it('tells objects and finite numbers apart from look-alikes', () => {
    expect([{}, { a: 1 }].every(isObject)).toBe(true);
    expect([null, [], 'x', 1].some(isObject)).toBe(false);
    expect(isFiniteNumber(0)).toBe(true);
    expect([NaN, Infinity, '1', null].some(isFiniteNumber)).toBe(false);
  });

  it('reads one JSON object from text, a parsed value, or says why not', () => {
    expect(objectFrom('{"type":"x"}')).toEqual({ ok: true, value: { type: 'x' } });
    expect(objectFrom({ type: 'y' })).toEqual({ ok: true, value: { type: 'y' } });
    expect(objectFrom('{"type":')).toEqual({ ok: false, reason: 'not valid JSON' });
    expect(objectFrom('"text"')).toEqual({ ok: false, reason: 'expected one JSON object, got string' });
    expect(objectFrom(Buffer.from('{}'))).toMatchObject({ ok: false, reason: expect.stringMatching(/binary/) });
  });

  it('quotes event-like names only', () => {
    expect(quoteType('session.start')).toBe("'session.start'");
    expect(quoteType('sk-proj-abc123')).toBe('an unrecognised type');
    expect(quoteType('x'.repeat(61))).toBe('an unrecognised type');
    expect(quoteType('')).toBe('an unrecognised type');
  });
});
