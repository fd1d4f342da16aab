/**
 * The exact API command lines for the module's commands (what follows `api ` on the ESL socket),
 * built from checked arguments. Pure: no I/O, so tests and applications can see exactly what
 * would be sent.
 *
 * Two encodings keep JSON intact through FreeSWITCH's space-splitting argument parser:
 * - `uuid_openai_audio_stream … send_json` takes base64 (the seed module's contract);
 * - `uuid_openai_s2s … client.event` takes raw JSON, so the whole line uses the `^^|` form
 *   (`^^|<uuid>|client.event|<json>`: split on `|`, not spaces). A `|` inside the JSON would still
 *   cut it, so every `|` is written as the JSON escape `\u007c`, which parses to the same string.
 *   (`|` can only occur inside JSON strings, so this changes no structure.)
 */
import { Buffer } from 'node:buffer';
import {
  checkApiKey,
  checkBoolean,
  checkClientEvent,
  checkMix,
  checkMuteTarget,
  checkProfile,
  checkRate,
  checkStreamTarget,
  checkS2sAuth,
  checkS2sHost,
  checkS2sPath,
  checkUuid,
  invalidArgument,
  PROFILE_PREFIX,
  type MixType,
  type MuteTarget,
  type S2sAuth,
  type UuidFormat,
} from './argumentChecks.js';

export const AUDIO_STREAM_API = 'uuid_openai_audio_stream';
export const RAW_AUDIO_STREAM_API = 'uuid_raw_audio_stream';
export const S2S_API = 'uuid_openai_s2s';
export const ADMIN_API = 'openai_realtime';
export type AudioStreamApi = typeof AUDIO_STREAM_API | typeof RAW_AUDIO_STREAM_API;

/** The module's default for both rates; filled in for send_rate when only playback_rate is given. */
export const DEFAULT_RATE = 24_000;

export interface StartOptions {
  /**
   * `ws://` or `wss://` URL of the Realtime endpoint, model in the query
   * (`wss://api.openai.com/v1/realtime?model=gpt-realtime`), or `profile:<name>` to use a profile
   * of the module's configuration file (URL, key and settings from there).
   */
  url: string;
  /** `mono`: the caller only; `mixed`: caller and channel in one; `stereo`: one of each per channel. */
  mix: MixType;
  /** Rate sent to the server, a multiple of 8000. Module default 24000. */
  sendRate?: number;
  /** Rate of the audio the server sends back, a multiple of 8000. Module default 24000. */
  playbackRate?: number;
  /** Start with the caller muted (nothing sent until `unmute`). */
  muteUser?: boolean;
}

export type S2sCreateOptions =
  | {
      /** e.g. `api.openai.com` (or `<resource>.openai.azure.com`). */
      host: string;
      /** e.g. `v1/realtime?model=gpt-realtime`. */
      path: string;
      /** `bearer`: `Authorization: Bearer <key>`; `query`: the key in the URL (Azure). */
      auth: S2sAuth;
      /** Omit to let the module use the key configured for the channel. Travels on the ESL line: prefer a profile. */
      apiKey?: string;
    }
  | {
      /** A connection profile from the module's configuration file (keeps the key off the ESL line). */
      profile: string;
    };

export type ApiCommand = string;

export function encodeStart(api: AudioStreamApi, uuid: string, options: StartOptions, uuidFormat: UuidFormat): ApiCommand {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an object { url, mix, sendRate?, playbackRate?, muteUser? }', options);
  const args = [checkUuid(uuid, uuidFormat), 'start', checkStreamTarget(options.url), checkMix(options.mix)];
  const send = options.sendRate === undefined ? undefined : checkRate(options.sendRate, 'options.sendRate');
  const playback = options.playbackRate === undefined ? undefined : checkRate(options.playbackRate, 'options.playbackRate');
  const muted = options.muteUser === undefined ? false : checkBoolean(options.muteUser, 'options.muteUser');
  // Positional grammar: playback_rate can only follow a send_rate.
  if (send !== undefined || playback !== undefined) args.push(String(send ?? DEFAULT_RATE));
  if (playback !== undefined) args.push(String(playback));
  if (muted) args.push('mute_user');
  return `${api} ${args.join(' ')}`;
}

/** `stop`, optionally with a final client event sent before the socket closes (base64 JSON). */
export function encodeStop(uuid: string, finalEvent: object | undefined, uuidFormat: UuidFormat): ApiCommand {
  const base = `${AUDIO_STREAM_API} ${checkUuid(uuid, uuidFormat)} stop`;
  return finalEvent === undefined ? base : `${base} ${base64Json(checkClientEvent(finalEvent, 'finalEvent'))}`;
}

export function encodeSendJson(uuid: string, event: object, uuidFormat: UuidFormat): ApiCommand {
  return `${AUDIO_STREAM_API} ${checkUuid(uuid, uuidFormat)} send_json ${base64Json(checkClientEvent(event))}`;
}

export function encodePauseResume(uuid: string, action: 'pause' | 'resume', uuidFormat: UuidFormat): ApiCommand {
  return `${AUDIO_STREAM_API} ${checkUuid(uuid, uuidFormat)} ${action}`;
}

export function encodeMute(uuid: string, action: 'mute' | 'unmute', target: MuteTarget, uuidFormat: UuidFormat): ApiCommand {
  return `${AUDIO_STREAM_API} ${checkUuid(uuid, uuidFormat)} ${action} ${checkMuteTarget(target)}`;
}

/**
 * `session.create <host> <path> <bearer|query> [<api-key>]`, or with a profile
 * `session.create profile:<name>` (the module's `profile:<name>`-in-place-of-the-URL convention;
 * no host contains a colon followed by letters, so the two forms cannot be confused).
 */
export function encodeS2sCreate(uuid: string, options: S2sCreateOptions, uuidFormat: UuidFormat): ApiCommand {
  const id = checkUuid(uuid, uuidFormat);
  if (options === null || typeof options !== 'object') {
    throw invalidArgument('options', 'an object { host, path, auth, apiKey? } or { profile }', options);
  }
  if ('profile' in options) return `${S2S_API} ${id} session.create ${PROFILE_PREFIX}${checkProfile(options.profile)}`;
  const args = [id, 'session.create', checkS2sHost(options.host), checkS2sPath(options.path), checkS2sAuth(options.auth)];
  if (options.apiKey !== undefined) args.push(checkApiKey(options.apiKey));
  return `${S2S_API} ${args.join(' ')}`;
}

export function encodeS2sClientEvent(uuid: string, event: object, uuidFormat: UuidFormat): ApiCommand {
  const id = checkUuid(uuid, uuidFormat);
  return `${S2S_API} ^^|${id}|client.event|${jsonForDelimiter(checkClientEvent(event), '|')}`;
}

export function encodeS2sDelete(uuid: string, uuidFormat: UuidFormat): ApiCommand {
  return `${S2S_API} ${checkUuid(uuid, uuidFormat)} session.delete`;
}

export const STATUS_COMMAND: ApiCommand = `${ADMIN_API} status json`;
/** Re-reads openai_realtime.conf.xml (and loads the tool-handlers module again). */
export const RELOAD_COMMAND: ApiCommand = `${ADMIN_API} reload`;

/** Standard base64 of the UTF-8 JSON text (the module also accepts the URL-safe alphabet). */
export function base64Json(json: string): string {
  return Buffer.from(json, 'utf8').toString('base64');
}

/** Rewrites `delimiter` (one ASCII punctuation character) as a `\uXXXX` escape; valid only on JSON text. */
export function jsonForDelimiter(json: string, delimiter: string): string {
  const escape = `\\u${delimiter.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return json.split(delimiter).join(escape);
}
