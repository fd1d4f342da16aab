/**
 * Argument checks for the typed commands, run before anything is sent so the application gets a
 * precise message instead of the module's `-ERR`. One formatter writes every message:
 * "Expected <what> for <argument> but received <value> of type <type>". The rules mirror the
 * module's grammar (the repository README, `uuid_openai_audio_stream` and `uuid_openai_s2s`) plus what the ESL line itself cannot carry
 * (spaces split arguments, newlines end the command).
 */
import { EslArgumentError } from './errors.js';

export type MixType = 'mono' | 'mixed' | 'stereo';
export type MuteTarget = 'user' | 'openai' | 'all';
export type S2sAuth = 'bearer' | 'query';

/**
 * How strictly channel UUIDs are checked. `rfc4122` (default): the 8-4-4-4-12 hex form FreeSWITCH
 * generates. `token`: any `[A-Za-z0-9_.:@+=-]{1,256}`, for channels created with a custom
 * `origination_uuid`.
 */
export type UuidFormat = 'rfc4122' | 'token';

/** `profile:<name>` in place of a URL selects a profile of the module's configuration file. */
export const PROFILE_PREFIX = 'profile:';

/** The module refuses rates above this (48 kHz × 4). */
export const MAX_RATE = 192_000;
const MAX_WS_URI = 4096;

export function invalidArgument(argument: string, expected: string, value: unknown, options: { secret?: boolean; detail?: string } = {}): EslArgumentError {
  const shown = options.secret ? '[redacted]' : show(value);
  const detail = options.detail ? ` (${options.detail})` : '';
  return new EslArgumentError(argument, `Expected ${expected} for ${argument} but received ${shown} of type ${typeOf(value)}${detail}`);
}

export function checkUuid(uuid: unknown, format: UuidFormat, argument = 'uuid'): string {
  if (format === 'rfc4122') {
    if (typeof uuid === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)) return uuid;
    throw invalidArgument(argument, 'a channel UUID (8-4-4-4-12 hex; set uuidFormat: "token" for custom origination_uuid values)', uuid);
  }
  if (typeof uuid === 'string' && /^[A-Za-z0-9_.:@+=-]{1,256}$/.test(uuid)) return uuid;
  throw invalidArgument(argument, 'a channel UUID token of [A-Za-z0-9_.:@+=-], 1 to 256 characters', uuid);
}

export function checkMix(mix: unknown, argument = 'options.mix'): MixType {
  if (mix === 'mono' || mix === 'mixed' || mix === 'stereo') return mix;
  throw invalidArgument(argument, '"mono", "mixed" or "stereo"', mix);
}

/** A sample rate the module accepts: a positive multiple of 8000 up to {@link MAX_RATE}. */
export function checkRate(rate: unknown, argument: string): number {
  if (typeof rate === 'number' && Number.isInteger(rate) && rate > 0 && rate % 8000 === 0 && rate <= MAX_RATE) return rate;
  throw invalidArgument(argument, `an integer multiple of 8000 from 8000 to ${MAX_RATE} (e.g. 8000, 16000, 24000)`, rate);
}

export function checkBoolean(value: unknown, argument: string): boolean {
  if (typeof value === 'boolean') return value;
  throw invalidArgument(argument, 'a boolean', value);
}

/**
 * The module's `validate_ws_uri`: scheme exactly `ws://` or `wss://`, a host of `[A-Za-z0-9.-]`,
 * an optional numeric port; and, for the ESL line, no whitespace or control characters anywhere.
 */
export function checkWsUrl(url: unknown, argument = 'options.url'): string {
  const expected = 'a ws:// or wss:// URL';
  if (typeof url !== 'string') throw invalidArgument(argument, expected, url);
  if (url.length >= MAX_WS_URI) throw invalidArgument(argument, expected, url, { detail: `longer than ${MAX_WS_URI - 1} characters` });
  if (/[\s\x00-\x1f\x7f]/.test(url)) throw invalidArgument(argument, expected, url, { detail: 'contains whitespace or a control character; percent-encode it' });
  const m = /^wss?:\/\/([A-Za-z0-9.-]*)(?::([^/?#]*))?(?:[/?#].*)?$/.exec(url);
  if (!m) throw invalidArgument(argument, expected, url, { detail: url.includes('://') ? 'scheme must be ws:// or wss:// (lower case)' : 'no scheme' });
  if (m[1]!.length === 0) throw invalidArgument(argument, expected, url, { detail: 'no host (IPv6 literals and user:password@ are not accepted by the module)' });
  const port = m[2];
  if (port !== undefined && !(/^[0-9]{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw invalidArgument(argument, expected, url, { detail: 'invalid port' });
  }
  return url;
}

export function checkMuteTarget(target: unknown, argument = 'target'): MuteTarget {
  if (target === 'user' || target === 'openai' || target === 'all') return target;
  throw invalidArgument(argument, '"user", "openai" or "all"', target);
}

/**
 * A client event: a plain object with a non-empty string `type`, serialisable as JSON. Returns the
 * compact JSON text (which never contains a raw newline: JSON.stringify escapes them).
 */
export function checkClientEvent(event: unknown, argument = 'event'): string {
  const expected = 'a JSON object with a string "type" (an OpenAI Realtime client event)';
  if (event === null || typeof event !== 'object' || Array.isArray(event)) throw invalidArgument(argument, expected, event);
  const type = (event as { type?: unknown }).type;
  if (typeof type !== 'string' || type.length === 0) throw invalidArgument(argument, expected, event, { detail: 'missing "type"' });
  let text: string | undefined;
  try {
    text = JSON.stringify(event);
  } catch (err) {
    throw invalidArgument(argument, expected, event, { detail: `not serialisable: ${err instanceof Error ? err.message : String(err)}` });
  }
  if (text === undefined) throw invalidArgument(argument, expected, event);
  return text;
}

/**
 * `<host>` for `session.create`, as the module takes it: `host` or `host:port` (wss://), or with
 * its scheme, `wss://host[:port]` or `ws://host:port` (plain WebSocket only with an explicit port,
 * for local test servers such as the bundled realtime simulator).
 */
export function checkS2sHost(host: unknown, argument = 'options.host'): string {
  const expected = 'a host name such as "api.openai.com", "host:port", "wss://host[:port]" or "ws://host:port" (no path)';
  if (typeof host !== 'string') throw invalidArgument(argument, expected, host);
  const m = /^(?:(wss?):\/\/)?([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?\/?$/.exec(host);
  if (!m) throw invalidArgument(argument, expected, host);
  const port = m[3];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw invalidArgument(argument, expected, host, { detail: 'invalid port' });
  if (m[1] === 'ws' && port === undefined) throw invalidArgument(argument, expected, host, { detail: 'ws:// needs an explicit port' });
  return host;
}

/** The URL path (and query) for `session.create`, e.g. `v1/realtime?model=gpt-realtime`. */
export function checkS2sPath(path: unknown, argument = 'options.path'): string {
  if (typeof path === 'string' && /^[\x21-\x7e]{1,4000}$/.test(path)) return path;
  throw invalidArgument(argument, 'a URL path without spaces, e.g. "v1/realtime?model=gpt-realtime"', path);
}

export function checkS2sAuth(auth: unknown, argument = 'options.auth'): S2sAuth {
  if (auth === 'bearer' || auth === 'query') return auth;
  throw invalidArgument(argument, '"bearer" or "query"', auth);
}

export function checkApiKey(key: unknown, argument = 'options.apiKey'): string {
  if (typeof key === 'string' && /^[\x21-\x7e]{1,1024}$/.test(key)) return key;
  throw invalidArgument(argument, 'an API key without spaces', key, { secret: true });
}

/** The module's profile-name rule (src/config PROFILE_NAME): letters, digits, `_ . -`, at most 64. */
export function checkProfile(profile: unknown, argument = 'options.profile'): string {
  if (typeof profile === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(profile)) return profile;
  throw invalidArgument(argument, 'a profile name (a letter or digit, then letters, digits, _ . -; at most 64)', profile);
}

/** Where the module should connect: a ws:// or wss:// URL, or `profile:<name>` from its configuration. */
export function checkStreamTarget(target: unknown, argument = 'options.url'): string {
  if (typeof target === 'string' && target.startsWith(PROFILE_PREFIX)) {
    return `${PROFILE_PREFIX}${checkProfile(target.slice(PROFILE_PREFIX.length), argument)}`;
  }
  return checkWsUrl(target, argument);
}

export function checkNonEmptyString(value: unknown, argument: string): string {
  if (typeof value === 'string' && value.length > 0) return value;
  throw invalidArgument(argument, 'a non-empty string', value);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'function' || typeof value === 'symbol') return typeof value;
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Array.isArray(value) ? 'an array' : 'an object';
  }
}
