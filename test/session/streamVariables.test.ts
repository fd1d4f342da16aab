// What this proves: the audio-specific STREAM_* variables follow FreeSWITCH switch_true semantics
// (the connection variables are resolveConnection's, tested in configResolve.test.ts), and the
// buffer size follows the seed's rule plus ptime multiples.
import { describe, expect, it } from 'vitest';
import { readAudioVariables, resolveBufferMs } from '../../src/session/streamVariables.js';

const read = (vars: Record<string, string>) => readAudioVariables((name) => (name in vars ? vars[name]! : null));

describe('readAudioVariables', () => {
  it('defaults: files on, logs on, no buffer size, not raw', () => {
    expect(read({})).toEqual({ suppressLog: false, bufferSize: null, audioFiles: true, rawAudioVariable: false });
  });

  it('booleans follow FreeSWITCH switch_true exactly (atoi for numbers, no trimming)', () => {
    expect(read({ STREAM_DISABLE_AUDIOFILES: '1', STREAM_SUPPRESS_LOG: 'enabled', STREAM_RAW_AUDIO: 'true' })).toMatchObject({ audioFiles: false, suppressLog: true, rawAudioVariable: true });
    // "0.5" is atoi 0 and " true" is not a switch_true word: both false, as in FreeSWITCH.
    expect(read({ STREAM_DISABLE_AUDIOFILES: '0.5', STREAM_SUPPRESS_LOG: ' true ', STREAM_RAW_AUDIO: 'no' })).toMatchObject({ audioFiles: true, suppressLog: false, rawAudioVariable: false });
  });

  it('keeps STREAM_BUFFER_SIZE as text for the ptime check; an empty variable is unset', () => {
    expect(read({ STREAM_BUFFER_SIZE: '100' }).bufferSize).toBe('100');
    expect(read({ STREAM_BUFFER_SIZE: '' }).bufferSize).toBeNull();
  });

  it('ignores the connection variables: they belong to resolveConnection', () => {
    expect(Object.keys(read({ STREAM_OPENAI_API_KEY: 'sk-x-123456', STREAM_EXTRA_HEADERS: '{' })).sort()).toEqual(['audioFiles', 'bufferSize', 'rawAudioVariable', 'suppressLog']);
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
