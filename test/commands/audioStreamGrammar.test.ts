// What this proves: the audio-stream grammar accepts exactly the seed's command forms (mute_user
// positions, named and numeric rates, URL rules, case-insensitive command names) and rejects
// everything else with a specific reason; base64 JSON arguments are validated strictly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AUDIO_STREAM_API,
  RAW_AUDIO_STREAM_API,
  decodeBase64Json,
  parseAudioStreamCommand,
  parseRate,
  tokenize,
  usageText,
  validateWsUri,
} from '../../src/commands/audioStreamGrammar.js';

const parse = (args: string) => parseAudioStreamCommand(AUDIO_STREAM_API, args);
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const URL = 'wss://api.openai.com/v1/realtime?model=gpt-realtime';

describe('extra arguments', () => {
  it('every command refuses a token it does not take', () => {
    expect(parse('u pause extra')).toEqual({ kind: 'error', reply: '-ERR too many arguments: pause takes no argument' });
    expect(parse('u resume extra')).toEqual({ kind: 'error', reply: '-ERR too many arguments: resume takes no argument' });
    expect(parse('u mute user openai')).toEqual({ kind: 'error', reply: '-ERR too many arguments: mute takes one target (user, openai or all)' });
    expect(parse('u unmute all all')).toEqual({ kind: 'error', reply: '-ERR too many arguments: unmute takes one target (user, openai or all)' });
    expect(parse('u send_json e30= extra')).toEqual({ kind: 'error', reply: '-ERR too many arguments: send_json takes one argument (<base64json>)' });
    expect(parse('u stop e30= extra')).toEqual({ kind: 'error', reply: '-ERR too many arguments: stop takes at most one argument (<base64json>)' });
  });
});

describe('JSON arguments are sent byte for byte', () => {
  it('big integers, 1E400, duplicate keys, spacing and escapes arrive as written', () => {
    for (const text of [
      '{"type":"x","n":9007199254740993}',
      '{"type":"x","n":12345678901234567890}',
      '{"type":"x","n":1E400}',
      '{"type":"x","a":1,"a":2}',
      '{ "type" : "x",\n  "s": "\\u00e9\\/" }',
    ]) {
      expect(parse(`u send_json ${b64(text)}`)).toMatchObject({ kind: 'send_json', json: text });
      expect(parse(`u stop ${b64(text)}`)).toEqual({ kind: 'stop', uuid: 'u', json: text });
    }
  });

  it('stop with an unusable final message still stops, and carries why', () => {
    expect(parse('u stop %%%')).toEqual({ kind: 'stop', uuid: 'u', json: null, jsonError: 'invalid base64' });
    expect(parse(`u stop ${b64('{"type":')}`)).toMatchObject({ kind: 'stop', json: null, jsonError: expect.stringMatching(/^invalid JSON/) });
  });
});

describe('tokenize', () => {
  it('splits on runs of spaces and keeps at most 8 tokens', () => {
    expect(tokenize('  a  b c ')).toEqual(['a', 'b', 'c']);
    expect(tokenize('1 2 3 4 5 6 7 8 9 10')).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
  });
});

describe('usage', () => {
  it('names the API it belongs to', () => {
    expect(usageText(RAW_AUDIO_STREAM_API)).toContain('uuid_raw_audio_stream <uuid> start <ws-uri> <mono | mixed | stereo>');
    expect(usageText(AUDIO_STREAM_API)).not.toContain('uuid_raw_audio_stream');
  });

  it('no arguments or only a uuid: usage then -ERR missing arguments', () => {
    for (const args of ['', '   ', 'abc']) {
      const r = parse(args);
      expect(r.kind).toBe('error');
      if (r.kind !== 'error') continue;
      expect(r.reply.startsWith('USAGE:\n')).toBe(true);
      expect(r.reply.endsWith('\n-ERR missing arguments')).toBe(true);
    }
  });
});

describe('start', () => {
  it('defaults both rates to 24k and is not muted', () => {
    expect(parse(`u1 start ${URL} mono`)).toEqual({ kind: 'start', uuid: 'u1', url: URL, mix: 'mono', sendRate: 24000, playbackRate: 24000, muteUser: false });
  });

  it('accepts mute_user in position 4, 5 or 6, and nothing after it', () => {
    expect(parse(`u start ${URL} mixed mute_user`)).toMatchObject({ sendRate: 24000, playbackRate: 24000, muteUser: true });
    expect(parse(`u start ${URL} stereo 16k MUTE_USER`)).toMatchObject({ sendRate: 16000, playbackRate: 24000, muteUser: true });
    expect(parse(`u start ${URL} mono 16k 8k mute_user`)).toMatchObject({ sendRate: 16000, playbackRate: 8000, muteUser: true });
  });

  it('refuses an argument it does not take (the seed ignored it), without quoting it', () => {
    for (const args of [
      `u start ${URL} mono 24k 24k unexpected`,
      `u start ${URL} mono 16k 8k whatever`,
      `u start ${URL} mixed mute_user 8k`,
      `u start ${URL} mono 16k mute_user x`,
      `u start ${URL} mono 16k 8k mute_user sk-typed-here`,
    ]) {
      const r = parse(args);
      expect(r.kind, args).toBe('error');
      if (r.kind !== 'error') continue;
      expect(r.reply).toMatch(/^-ERR too many arguments: start takes <ws-uri> <mix> \[send_rate\] \[playback_rate\] \[mute_user\]; argument \d is not expected$/);
      expect(r.reply).not.toContain('sk-typed-here');
    }
  });

  it('is case-insensitive in the command name but not in the mix type', () => {
    expect(parse(`u START ${URL} mono`).kind).toBe('start');
    expect(parse(`u start ${URL} Mono`)).toEqual({ kind: 'error', reply: "-ERR invalid mix type 'Mono', expected mono, mixed or stereo" });
  });

  it('too few arguments: usage and a reason', () => {
    const r = parse(`u start ${URL}`);
    expect(r.kind === 'error' && r.reply.startsWith('USAGE:') && r.reply.endsWith('-ERR start requires <ws-uri> and <mono | mixed | stereo>')).toBe(true);
  });

  it('rejects bad rates with the position named', () => {
    expect(parse(`u start ${URL} mono 44100`)).toEqual({ kind: 'error', reply: "-ERR invalid send_rate '44100', expected 8k, 16k, 24k, 48k or a multiple of 8000" });
    expect(parse(`u start ${URL} mono 8k 12k`)).toEqual({ kind: 'error', reply: "-ERR invalid playback_rate '12k', expected 8k, 16k, 24k, 48k or a multiple of 8000" });
  });

  it('rejects bad URLs with the reason', () => {
    expect(parse('u start http://x mono')).toEqual({ kind: 'error', reply: "-ERR invalid websocket uri: 'http://x' must start with ws:// or wss://" });
    expect(parse('u start ws://a_b mono').kind).toBe('error');
  });
});

describe('parseRate', () => {
  it('maps the named rates, including 48k', () => {
    expect(['8k', '16k', '24k', '48k', '48K'].map(parseRate)).toEqual([8000, 16000, 24000, 48000, 48000]);
  });
  it('accepts exactly the positive multiples of 8000 up to 192000', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 300_000 }), (n) => {
        const ok = n > 0 && n % 8000 === 0 && n <= 192_000;
        expect(parseRate(String(n))).toBe(ok ? n : null);
      }),
    );
    expect(parseRate('16000abc')).toBeNull();
    expect(parseRate('')).toBeNull();
  });
});

describe('validateWsUri', () => {
  it('accepts the seed forms', () => {
    for (const u of ['ws://h', 'wss://api.openai.com/v1/realtime?model=x', 'ws://127.0.0.1:8080', 'ws://host:443/', 'wss://a-b.c?x=1']) {
      expect(validateWsUri(u)).toBeNull();
    }
  });
  it('rejects scheme case, empty host, bad host chars, bad ports and overlong URIs', () => {
    expect(validateWsUri('WS://h')).toMatch(/must start with/);
    expect(validateWsUri('ws://')).toMatch(/no host/);
    expect(validateWsUri('ws://user@h')).toMatch(/invalid host/);
    expect(validateWsUri('ws://[::1]:80')).toMatch(/invalid host/);
    expect(validateWsUri('ws://h:80a')).toMatch(/invalid port/);
    expect(validateWsUri('ws://h:70000')).toMatch(/invalid port/);
    expect(validateWsUri('ws://h:')).toMatch(/invalid port/);
    expect(validateWsUri(`ws://h/${'a'.repeat(4090)}`)).toMatch(/longer than 4095/);
    expect(validateWsUri(`ws://h/${'a'.repeat(4080)}`)).toBeNull();
  });
});

describe('stop, send_json', () => {
  const json = { type: 'session.update', session: { type: 'realtime' } };
  it('stop with and without a final message', () => {
    expect(parse('u stop')).toEqual({ kind: 'stop', uuid: 'u', json: null });
    expect(parse(`u stop ${b64(JSON.stringify(json, null, 2))}`)).toEqual({ kind: 'stop', uuid: 'u', json: JSON.stringify(json, null, 2) });
    expect(parse('u stop not*base64')).toEqual({ kind: 'stop', uuid: 'u', json: null, jsonError: 'invalid base64' });
  });

  it('send_json decodes standard and URL-safe base64 and keeps the text as written', () => {
    const r = parse(`u send_json ${b64(' { "type" : "x", "a":"?>?" } ')}`);
    expect(r).toEqual({ kind: 'send_json', uuid: 'u', json: ' { "type" : "x", "a":"?>?" } ', parsed: { type: 'x', a: '?>?' } });
    const urlSafe = b64('{"a":"?>?"}').replace(/\+/g, '-').replace(/\//g, '_');
    expect(parse(`u send_json ${urlSafe}`).kind).toBe('send_json');
  });

  it('send_json reasons', () => {
    expect(parse('u send_json')).toEqual({ kind: 'error', reply: '-ERR send_json requires a base64 JSON argument' });
    expect(parse('u send_json @@@')).toEqual({ kind: 'error', reply: '-ERR invalid base64' });
    const r = parse(`u send_json ${b64('{"type":')}`);
    expect(r.kind === 'error' && r.reply.startsWith('-ERR invalid JSON: ')).toBe(true);
    expect(parse(`u send_json ${b64('[1,2]')}`)).toEqual({ kind: 'error', reply: '-ERR invalid JSON: expected an object' });
    expect(parse(`u send_json ${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64')}`)).toEqual({ kind: 'error', reply: '-ERR invalid JSON: not valid UTF-8' });
  });

  it('send_json enforces the size limit', () => {
    const big = b64(JSON.stringify({ type: 'x', pad: 'a'.repeat(2000) }));
    expect(parseAudioStreamCommand(AUDIO_STREAM_API, `u send_json ${big}`, 1000)).toEqual({ kind: 'error', reply: '-ERR json too large (max 1000 bytes)' });
    expect(decodeBase64Json(b64('{"a":1}'), 7)).toEqual({ text: '{"a":1}', value: { a: 1 } });
    expect(decodeBase64Json(b64('{"a":12}'), 7)).toEqual({ error: 'json too large (max 7 bytes)' });
  });
});

describe('pause, resume, mute, unmute, unknown', () => {
  it('parses the lifecycle commands', () => {
    expect(parse('u pause')).toEqual({ kind: 'pause', uuid: 'u' });
    expect(parse('u Resume')).toEqual({ kind: 'resume', uuid: 'u' });
    expect(parse('u mute')).toEqual({ kind: 'mute', uuid: 'u', target: 'user' });
    expect(parse('u mute OpenAI')).toEqual({ kind: 'mute', uuid: 'u', target: 'openai' });
    expect(parse('u unmute both')).toEqual({ kind: 'unmute', uuid: 'u', target: 'all' });
    expect(parse('u unmute all')).toEqual({ kind: 'unmute', uuid: 'u', target: 'all' });
  });
  it('names bad targets and unknown commands', () => {
    expect(parse('u mute caller')).toEqual({ kind: 'error', reply: "-ERR invalid mute target 'caller', expected user, openai or all" });
    expect(parse('u frobnicate')).toEqual({
      kind: 'error',
      reply: "-ERR unknown command 'frobnicate', expected start, stop, send_json, pause, resume, mute or unmute",
    });
  });
});
