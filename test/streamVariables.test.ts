// What this proves: the STREAM_* variables follow FreeSWITCH switch_true semantics, extra headers
// are merged with the key's Authorization header (never dropped), header injection is refused,
// credentials are marked as secrets, and the buffer size follows the seed's rule plus ptime multiples.
import { describe, expect, it } from 'vitest';
import { parseExtraHeaders, readStreamVariables, resolveBufferMs, type StreamVariables } from '../src/session/streamVariables.js';
import { switchTrue } from '../src/session/switchTrue.js';

const read = (vars: Record<string, string>) => readStreamVariables((name) => (name in vars ? vars[name]! : null));
const ok = (vars: Record<string, string>): StreamVariables => {
  const r = read(vars);
  if ('error' in r) throw new Error(r.error);
  return r;
};

describe('switchTrue', () => {
  it('is true for the FreeSWITCH words and non-zero numbers', () => {
    for (const v of ['yes', 'ON', 'true', 't', 'Enabled', 'active', 'allow', '1', '-2', '0.5', ' true ']) expect(switchTrue(v)).toBe(true);
    for (const v of ['no', 'false', '0', '0.0', '', 'maybe', 'y', '1x']) expect(switchTrue(v)).toBe(false);
    expect(switchTrue(null)).toBe(false);
    expect(switchTrue(undefined)).toBe(false);
  });
});

describe('readStreamVariables', () => {
  it('defaults: deflate offered, no heartbeat, files on, SYSTEM CA, reconnect on', () => {
    const v = ok({});
    expect(v).toMatchObject({
      perMessageDeflate: true,
      heartbeatSeconds: 0,
      suppressLog: false,
      bufferSize: null,
      noReconnect: false,
      audioFiles: true,
      rawAudioVariable: false,
      tls: { caFile: 'SYSTEM', keyFile: null, certFile: null, disableHostnameValidation: false },
    });
    expect(v.headers).toEqual({});
    expect(v.warnings).toContain('OPENAI_API_KEY is not set. Assuming you set STREAM_EXTRA_HEADERS variable.');
  });

  it('STREAM_MESSAGE_DEFLATE true DISABLES deflate; booleans take any switch_true word', () => {
    const v = ok({ STREAM_MESSAGE_DEFLATE: 'on', STREAM_NO_RECONNECT: 'yes', STREAM_DISABLE_AUDIOFILES: '1', STREAM_SUPPRESS_LOG: 'enabled', STREAM_RAW_AUDIO: 'true', STREAM_TLS_DISABLE_HOSTNAME_VALIDATION: 't' });
    expect(v).toMatchObject({ perMessageDeflate: false, noReconnect: true, audioFiles: false, suppressLog: true, rawAudioVariable: true });
    expect(v.tls.disableHostnameValidation).toBe(true);
  });

  it('merges extra headers with the key, the key wins over an extra Authorization', () => {
    const v = ok({ STREAM_OPENAI_API_KEY: 'sk-test-123456', STREAM_EXTRA_HEADERS: '{"OpenAI-Safety-Identifier":"u1","authorization":"Bearer other-key"}' });
    expect(v.headers).toEqual({ 'OpenAI-Safety-Identifier': 'u1', Authorization: 'Bearer sk-test-123456' });
    expect(v.secrets).toEqual(expect.arrayContaining(['sk-test-123456', 'Bearer other-key', 'other-key']));
    expect(v.warnings.join()).toMatch(/replaces it/);
  });

  it('an Azure api-key header is a secret', () => {
    const v = ok({ STREAM_EXTRA_HEADERS: '{"api-key":"azure-secret-abc"}' });
    expect(v.headers).toEqual({ 'api-key': 'azure-secret-abc' });
    expect(v.secrets).toEqual(['azure-secret-abc']);
  });

  it('rejects bad extra headers with the reason', () => {
    expect(read({ STREAM_EXTRA_HEADERS: '{"a":' })).toEqual({ error: expect.stringMatching(/^invalid STREAM_EXTRA_HEADERS: not valid JSON/) });
    expect(read({ STREAM_EXTRA_HEADERS: '["a"]' })).toEqual({ error: 'invalid STREAM_EXTRA_HEADERS: expected a JSON object' });
    expect(read({ STREAM_EXTRA_HEADERS: '{"X-A":"1\\r\\nX-Injected: 1"}' })).toEqual({ error: "invalid STREAM_EXTRA_HEADERS: value of header 'X-A' contains CR or LF" });
    expect(read({ STREAM_EXTRA_HEADERS: '{"X A":"1"}' })).toEqual({ error: 'invalid STREAM_EXTRA_HEADERS: header name "X A" is not a valid HTTP token' });
    expect(read({ STREAM_EXTRA_HEADERS: '{"X-N":1}' })).toEqual({ error: "invalid STREAM_EXTRA_HEADERS: value of header 'X-N' must be a string" });
    expect(read({ STREAM_EXTRA_HEADERS: '{"Sec-WebSocket-Key":"x"}' })).toEqual({ error: "invalid STREAM_EXTRA_HEADERS: header 'Sec-WebSocket-Key' belongs to the WebSocket handshake" });
    expect(parseExtraHeaders('{"X-T":"a\\u0000b"}')).toEqual({ error: "value of header 'X-T' contains control characters" });
  });

  it('rejects a key with whitespace and a client certificate without its key', () => {
    expect(read({ STREAM_OPENAI_API_KEY: 'sk-1\r\nX: y' })).toHaveProperty('error');
    expect(read({ STREAM_TLS_CERT_FILE: '/tmp/c.pem' })).toHaveProperty('error');
  });

  it('heartbeat: whole numbers of seconds only', () => {
    expect(ok({ STREAM_HEART_BEAT: '15' }).heartbeatSeconds).toBe(15);
    expect(ok({ STREAM_HEART_BEAT: '-3' }).heartbeatSeconds).toBe(0);
    const v = ok({ STREAM_HEART_BEAT: '5s' });
    expect(v.heartbeatSeconds).toBe(0);
    expect(v.warnings.join()).toMatch(/STREAM_HEART_BEAT/);
  });
});

describe('resolveBufferMs', () => {
  it('follows the seed: multiples of 20, else a warning and 20; garbage silently 20', () => {
    expect(resolveBufferMs(null, 20)).toEqual({ ms: 20, warning: null });
    expect(resolveBufferMs('100', 20)).toEqual({ ms: 100, warning: null });
    expect(resolveBufferMs('30', 20)).toEqual({ ms: 20, warning: 'STREAM_BUFFER_SIZE: Buffer size of 30 is not a multiple of 20ms. Using default 20ms.' });
    expect(resolveBufferMs('0', 20)).toEqual({ ms: 20, warning: null });
    expect(resolveBufferMs('abc', 20)).toEqual({ ms: 20, warning: null });
    expect(resolveBufferMs('-40', 20)).toEqual({ ms: 20, warning: null });
  });
  it('also accepts multiples of the ptime, and caps absurd values', () => {
    expect(resolveBufferMs('90', 30)).toEqual({ ms: 90, warning: null });
    expect(resolveBufferMs('50', 10)).toEqual({ ms: 50, warning: null });
    expect(resolveBufferMs('60000', 20).ms).toBe(10_000);
  });
});
