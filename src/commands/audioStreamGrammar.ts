/**
 * The grammar of `uuid_openai_audio_stream` / `uuid_raw_audio_stream`, as a pure parser: argument
 * text in, a typed command or a reply-ready error out. It reproduces the seed module's grammar
 * (docs/seed-modules.md §1) with its documented fixes: every error names its reason, `48k`
 * is a rate, no arguments is usage plus `-ERR missing arguments` (the seed aborted or printed
 * usage with no status line).
 *
 * Tokens: split on runs of spaces (FreeSWITCH `switch_separate_string(cmd, ' ', argv, 8)`), at
 * most 8. Unlike the seed, a token a command does not take is refused (`-ERR too many arguments`)
 * rather than ignored: `mute user openai` muting only the user, or a typo after the rates, went
 * unnoticed. Quote stripping and the `^^<delim>` prefix are not supported: no argument of this
 * grammar contains a space (JSON travels as base64 for that very reason).
 *
 * JSON arguments are validated (UTF-8, one JSON object, the size bound) but sent as the decoded
 * text, byte for byte: re-serialising the parsed value would round big integers
 * (9007199254740993), turn 1E400 into null and collapse duplicate keys.
 */
import { Buffer } from 'node:buffer';
import { isValidBase64 } from '../audio/pcm.js';
import { PROFILE_NAME } from '../config/moduleSettings.js';
import { PROFILE_PREFIX } from '../config/resolveConnection.js';
import { jsonNestingDepth, parseJsonObject } from '../runtime/jsonText.js';
import { quoteToken, quoteUrlArgument } from './quoteArgument.js';
import type { AudioStreamApi } from '../apiNames.js';
import type { MixType, MuteTarget } from '../session/engineConfig.js';

export { AUDIO_STREAM_API, RAW_AUDIO_STREAM_API, type AudioStreamApi } from '../apiNames.js';
export type { MixType, MuteTarget } from '../session/engineConfig.js';

/** Largest decoded JSON accepted by `send_json` / `stop <text>` (OpenAI's own frame limit is far higher). */
export const DEFAULT_MAX_JSON_BYTES = 1024 * 1024;
/** Deepest nesting of arrays/objects accepted in `send_json` / `stop <text>` (the module we replace: 128). */
export const MAX_JSON_DEPTH = 128;

const MAX_TOKENS = 8;
const MAX_WS_URI = 4096;
const MAX_RATE = 192_000;
const DEFAULT_RATE = 24_000;

export type AudioStreamCommand =
  | {
      kind: 'start';
      uuid: string;
      /** A ws:// or wss:// URL, or `profile:<name>`. */
      url: string;
      mix: MixType;
      sendRate: number;
      playbackRate: number;
      muteUser: boolean;
    }
  /**
   * `json` is the validated final message (the decoded text, unchanged), or null for a plain stop.
   * `jsonError` says why the final message given is unusable: the stream still stops (a clean-up
   * stop must always stop), and the reply says the message was not sent.
   */
  | { kind: 'stop'; uuid: string; json: string | null; jsonError?: string }
  | { kind: 'send_json'; uuid: string; json: string; parsed: Record<string, unknown> }
  | { kind: 'pause'; uuid: string }
  | { kind: 'resume'; uuid: string }
  | { kind: 'mute'; uuid: string; target: MuteTarget }
  | { kind: 'unmute'; uuid: string; target: MuteTarget };

/** A parse failure: `reply` is the complete reply text (usage first where the seed printed it). */
export interface GrammarError {
  kind: 'error';
  reply: string;
}

export function usageText(api: AudioStreamApi): string {
  return [
    'USAGE:',
    '--------------------------------------------------------------------------------',
    `${api} <uuid> start <ws-uri> <mono | mixed | stereo>`,
    '         [send_rate] [playback_rate] [mute_user]',
    '         <ws-uri> may be profile:<name> (a profile of openai_realtime.conf.xml)',
    '         where <rate> = 8k|16k|24k or any multiple of 8000',
    '         send_rate default: 24k, playback_rate default: 24k',
    `${api} <uuid> [stop | pause | resume]`,
    `${api} <uuid> [mute | unmute] [user | openai | all]`,
    `${api} <uuid> send_json <base64json>`,
    '--------------------------------------------------------------------------------',
  ].join('\n');
}

export function tokenize(args: string): string[] {
  return args
    .split(/[ \t\r\n]+/)
    .filter((t) => t.length > 0)
    .slice(0, MAX_TOKENS);
}

const error = (reply: string): GrammarError => ({ kind: 'error', reply });
/** The extra token is not quoted: it may be a key typed in the wrong place. */
const tooMany = (why: string): GrammarError => error(`-ERR too many arguments: ${why}`);

export function parseAudioStreamCommand(
  api: AudioStreamApi,
  args: string,
  maxJsonBytes = DEFAULT_MAX_JSON_BYTES,
): AudioStreamCommand | GrammarError {
  const argv = tokenize(args ?? '');
  if (argv.length < 2) return error(`${usageText(api)}\n-ERR missing arguments`);
  const uuid = argv[0]!;
  const name = argv[1]!.toLowerCase();
  switch (name) {
    case 'start':
      return parseStart(api, uuid, argv);
    case 'stop': {
      if (argv.length > 3) return tooMany('stop takes at most one argument (<base64json>)');
      if (argv[2] === undefined) return { kind: 'stop', uuid, json: null };
      const json = decodeBase64Json(argv[2], maxJsonBytes);
      if ('error' in json) return { kind: 'stop', uuid, json: null, jsonError: json.error };
      return { kind: 'stop', uuid, json: json.text };
    }
    case 'send_json': {
      if (argv[2] === undefined) return error('-ERR send_json requires a base64 JSON argument');
      if (argv.length > 3) return tooMany('send_json takes one argument (<base64json>)');
      const json = decodeBase64Json(argv[2], maxJsonBytes);
      if ('error' in json) return error(`-ERR ${json.error}`);
      return { kind: 'send_json', uuid, json: json.text, parsed: json.value };
    }
    case 'pause':
    case 'resume':
      if (argv.length > 2) return tooMany(`${name} takes no argument`);
      return { kind: name, uuid };
    case 'mute':
    case 'unmute': {
      if (argv.length > 3) return tooMany(`${name} takes one target (user, openai or all)`);
      const target = parseMuteTarget(argv[2]);
      if (target === null) return error(`-ERR invalid mute target ${quoteToken(argv[2]!)}, expected user, openai or all`);
      return { kind: name, uuid, target };
    }
    default:
      return error(`-ERR unknown command ${quoteToken(argv[1]!)}, expected start, stop, send_json, pause, resume, mute or unmute`);
  }
}

function parseStart(api: AudioStreamApi, uuid: string, argv: string[]): AudioStreamCommand | GrammarError {
  if (argv.length < 4) return error(`${usageText(api)}\n-ERR start requires <ws-uri> and <mono | mixed | stereo>`);
  const url = argv[2]!;
  if (url.startsWith(PROFILE_PREFIX)) {
    // The profile's existence is checked against the configuration in force when the stream starts.
    const name = url.slice(PROFILE_PREFIX.length);
    if (!PROFILE_NAME.test(name)) return error(`-ERR invalid profile name ${JSON.stringify(name.slice(0, 80))} (letters, digits, _ . -; at most 64)`);
  } else {
    const urlProblem = validateWsUri(url);
    if (urlProblem !== null) return error(`-ERR invalid websocket uri: ${urlProblem}`);
  }
  const mix = argv[3]!;
  // Case-sensitive, as the seed's strcmp.
  if (mix !== 'mono' && mix !== 'mixed' && mix !== 'stereo') {
    return error(`-ERR invalid mix type ${quoteToken(mix)}, expected mono, mixed or stereo`);
  }
  let sendRate = DEFAULT_RATE;
  let playbackRate = DEFAULT_RATE;
  let muteUser = false;
  // mute_user may sit at position 4, 5 or 6 and ends the command (seed §1.2); anything after it,
  // or a seventh token that is not mute_user, is refused.
  const isMute = (t: string | undefined): boolean => t !== undefined && t.toLowerCase() === 'mute_user';
  const extra = (at: number): GrammarError | null =>
    argv.length > at ? tooMany(`start takes <ws-uri> <mix> [send_rate] [playback_rate] [mute_user]; argument ${at + 1} is not expected`) : null;
  if (isMute(argv[4])) {
    muteUser = true;
    const bad = extra(5);
    if (bad) return bad;
  } else if (argv[4] !== undefined) {
    const rate = parseRate(argv[4]);
    if (rate === null) return error(`-ERR invalid send_rate ${quoteToken(argv[4])}, expected 8k, 16k, 24k, 48k or a multiple of 8000`);
    sendRate = rate;
    if (isMute(argv[5])) {
      muteUser = true;
      const bad = extra(6);
      if (bad) return bad;
    } else if (argv[5] !== undefined) {
      const rate2 = parseRate(argv[5]);
      if (rate2 === null) return error(`-ERR invalid playback_rate ${quoteToken(argv[5])}, expected 8k, 16k, 24k, 48k or a multiple of 8000`);
      playbackRate = rate2;
      if (isMute(argv[6])) muteUser = true;
      const bad = extra(isMute(argv[6]) ? 7 : 6);
      if (bad) return bad;
    }
  }
  return { kind: 'start', uuid, url, mix, sendRate, playbackRate, muteUser };
}

/** `8k|16k|24k|48k` or a positive multiple of 8000 (digits only), up to 192000; null if invalid. */
export function parseRate(token: string): number | null {
  const named: Record<string, number> = { '8k': 8000, '16k': 16000, '24k': 24000, '48k': 48000 };
  const lower = token.toLowerCase();
  if (lower in named) return named[lower]!;
  if (!/^[0-9]{1,7}$/.test(token)) return null;
  const rate = Number(token);
  return rate > 0 && rate % 8000 === 0 && rate <= MAX_RATE ? rate : null;
}

export function parseMuteTarget(token: string | undefined): MuteTarget | null {
  if (token === undefined) return 'user';
  switch (token.toLowerCase()) {
    case 'user':
      return 'user';
    case 'openai':
      return 'openai';
    case 'all':
    case 'both':
      return 'all';
    default:
      return null;
  }
}

/**
 * The seed's `validate_ws_uri`, with reasons: scheme exactly `ws://` or `wss://`, a non-empty host
 * of `[A-Za-z0-9.-]`, an optional all-digit port (1..65535), then nothing or a path/query;
 * shorter than 4096 characters. Returns null when valid, else why not (quoting the URI without its
 * query or userinfo, where a key may be).
 */
export function validateWsUri(uri: string): string | null {
  if (uri.length >= MAX_WS_URI) return `longer than ${MAX_WS_URI - 1} characters`;
  let rest: string;
  if (uri.startsWith('wss://')) rest = uri.slice(6);
  else if (uri.startsWith('ws://')) rest = uri.slice(5);
  else return `${quoteUrlArgument(uri)} must start with ws:// or wss://`;
  const m = /^([A-Za-z0-9.-]*)(?::([^/?#]*))?([/?#].*)?$/.exec(rest);
  if (!m) return `${quoteUrlArgument(uri)} has an invalid host`;
  const host = m[1]!;
  if (host.length === 0) return `${quoteUrlArgument(uri)} has no host`;
  const port = m[2];
  if (port !== undefined) {
    if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return `${quoteUrlArgument(uri)} has an invalid port`;
  }
  return null;
}

/**
 * Decodes a base64 (standard or URL-safe alphabet, as the seed's decoder) UTF-8 JSON object, at
 * most `maxBytes` decoded. Returns the object and the decoded text itself (what is sent: the seed
 * re-printed it with cJSON, which rounded numbers and merged duplicate keys), or why it is not
 * acceptable.
 */
export function decodeBase64Json(
  b64: string,
  maxBytes: number,
): { text: string; value: Record<string, unknown> } | { error: string } {
  if (b64.length === 0 || !isValidBase64(b64)) return { error: 'invalid base64' };
  // Checked before decoding so an oversized argument costs nothing.
  if (Math.floor((b64.length * 3) / 4) - 2 > maxBytes) return { error: `json too large (max ${maxBytes} bytes)` };
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length === 0) return { error: 'invalid base64' };
  if (bytes.length > maxBytes) return { error: `json too large (max ${maxBytes} bytes)` };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { error: 'invalid JSON: not valid UTF-8' };
  }
  if (jsonNestingDepth(text) > MAX_JSON_DEPTH) return { error: `invalid JSON: nested deeper than ${MAX_JSON_DEPTH} levels` };
  // Never the parser's own message: it quotes the payload, which may hold a credential.
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return { error: `invalid JSON: ${parsed.error === 'expected a JSON object' ? 'expected an object' : parsed.error}` };
  return { text, value: parsed.value };
}
