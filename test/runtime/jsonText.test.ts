// What this proves: a malformed JSON argument is refused with where it broke, never with V8's own
// message, which quotes the text — so a key typed into send_json, STREAM_EXTRA_HEADERS or a
// profile's <session> cannot come back in a -ERR reply or a log line.
import { describe, expect, it } from 'vitest';
import { decodeBase64Json } from '../../src/commands/audioStreamGrammar.js';
import { parseHeaderJson } from '../../src/config/httpHeaders.js';
import { jsonNestingDepth, parseJsonObject, parseJsonText } from '../../src/runtime/jsonText.js';

const KEY = 'sk-live-LEAKCHECK-0123456789';
const malformed = [
  `{"api-key": ${KEY}}`,
  `{"Authorization": "Bearer ${KEY}"`,
  `${KEY}`,
  `{"k": "${KEY}",}`,
  `["${KEY}", ]`,
  `{"${KEY}" 1}`,
];

describe('parseJsonText', () => {
  it('parses valid JSON', () => {
    expect(parseJsonText('{"a":[1,2]}')).toEqual({ ok: true, value: { a: [1, 2] } });
    expect(parseJsonObject('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonObject('[1]')).toEqual({ ok: false, error: 'expected a JSON object' });
    expect(parseJsonObject('null')).toEqual({ ok: false, error: 'expected a JSON object' });
  });

  it.each(malformed)('never quotes the input: %s', (text) => {
    // The parser itself does quote it (this is what the helper protects against)…
    let v8 = '';
    try {
      JSON.parse(text);
    } catch (err) {
      v8 = (err as Error).message;
    }
    expect(v8).not.toBe('');
    const r = parseJsonText(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(/^not valid JSON/);
    expect(r.error).not.toContain(KEY);
    expect(r.error).not.toContain(KEY.slice(0, 8));
  });

  it('says where it broke when V8 does', () => {
    expect(parseJsonText('{"a" 1}')).toEqual({ ok: false, error: 'not valid JSON (at position 5)', position: 5 });
    expect(parseJsonText('{"a":')).toEqual({ ok: false, error: 'not valid JSON (it ends too early)', position: 5 });
  });
});

describe('the places that parse arguments', () => {
  it.each(malformed)('send_json, STREAM_EXTRA_HEADERS: %s', (text) => {
    const b64 = Buffer.from(text, 'utf8').toString('base64');
    const sendJson = decodeBase64Json(b64, 1 << 20);
    expect('error' in sendJson && sendJson.error).toMatch(/^invalid JSON: not valid JSON/);
    expect(JSON.stringify(sendJson)).not.toContain(KEY);
    const headers = parseHeaderJson(text);
    expect(JSON.stringify(headers)).not.toContain(KEY);
  });
});

describe('jsonNestingDepth', () => {
  it('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(jsonNestingDepth('1')).toBe(0);
    expect(jsonNestingDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonNestingDepth('{"a":"[[[{{{\\"[[["}')).toBe(1);
    expect(jsonNestingDepth('[{},{},[]]')).toBe(2);
  });

  it('send_json / stop payloads: 128 levels pass, 129 are refused with one clear reason', () => {
    const nested = (levels: number) => `{"type":"x","v":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    expect(decodeBase64Json(b64(nested(128)), 1 << 20)).toMatchObject({ text: nested(128) });
    expect(decodeBase64Json(b64(nested(129)), 1 << 20)).toEqual({ error: 'invalid JSON: nested deeper than 128 levels' });
  });
});
