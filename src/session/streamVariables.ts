/**
 * The STREAM_* channel variables, read once at `start` (seed README "Channel variables",
 * reference-seed-modules.md §3), validated, and turned into plain settings. Pure: the caller passes
 * a lookup function, so the rules are tested without a channel.
 *
 * Differences from the seed, all intentional:
 * - STREAM_EXTRA_HEADERS is MERGED with the Authorization header built from STREAM_OPENAI_API_KEY
 *   (the seed dropped the extra headers when a key was set); invalid JSON, non-string values, bad
 *   header names and CR/LF in values are rejected instead of ignored or sent.
 * - STREAM_MESSAGE_DEFLATE keeps its documented meaning (true DISABLES permessage-deflate) and
 *   deflate is really offered by default (the seed never enabled it).
 * - STREAM_BUFFER_SIZE also accepts multiples of the channel's ptime (a 30 ms channel can send 90 ms).
 */
import { switchTrue } from './switchTrue.js';

export const STREAM_VARIABLE_NAMES = {
  messageDeflate: 'STREAM_MESSAGE_DEFLATE',
  heartBeat: 'STREAM_HEART_BEAT',
  suppressLog: 'STREAM_SUPPRESS_LOG',
  bufferSize: 'STREAM_BUFFER_SIZE',
  extraHeaders: 'STREAM_EXTRA_HEADERS',
  noReconnect: 'STREAM_NO_RECONNECT',
  tlsCaFile: 'STREAM_TLS_CA_FILE',
  tlsKeyFile: 'STREAM_TLS_KEY_FILE',
  tlsCertFile: 'STREAM_TLS_CERT_FILE',
  tlsDisableHostnameValidation: 'STREAM_TLS_DISABLE_HOSTNAME_VALIDATION',
  disableAudioFiles: 'STREAM_DISABLE_AUDIOFILES',
  openaiApiKey: 'STREAM_OPENAI_API_KEY',
  rawAudio: 'STREAM_RAW_AUDIO',
} as const;

export const DEFAULT_BUFFER_MS = 20;
/** A larger chunk only adds latency; 10 s is far beyond any useful value and keeps buffers sane. */
export const MAX_BUFFER_MS = 10_000;

export interface TlsSettings {
  /** 'SYSTEM' (Node's default CA store), 'NONE' (no peer verification) or a CA file path. */
  caFile: string;
  keyFile: string | null;
  certFile: string | null;
  disableHostnameValidation: boolean;
}

export interface StreamVariables {
  /** permessage-deflate is offered unless STREAM_MESSAGE_DEFLATE is true. */
  perMessageDeflate: boolean;
  /** Ping interval in seconds; 0 = no heartbeat. */
  heartbeatSeconds: number;
  suppressLog: boolean;
  /** The raw STREAM_BUFFER_SIZE text (validated against the ptime by {@link resolveBufferMs}). */
  bufferSize: string | null;
  /** Handshake headers: STREAM_EXTRA_HEADERS merged with the key's Authorization header. */
  headers: Record<string, string>;
  noReconnect: boolean;
  tls: TlsSettings;
  /** Debug WAV files and ::play events (on unless STREAM_DISABLE_AUDIOFILES is true). */
  audioFiles: boolean;
  /** The deprecated STREAM_RAW_AUDIO was true. */
  rawAudioVariable: boolean;
  /** Values that must never appear in logs, events or replies (register them as secrets). */
  secrets: string[];
  /** Warnings to log once the session exists (they name the variable, never its secret value). */
  warnings: string[];
}

export type VariableLookup = (name: string) => string | null | undefined;

/** RFC 9110 token characters: what a header name may contain. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field value: visible ASCII, space, tab and obs-text; never CR, LF or NUL. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Headers the WebSocket handshake owns; overriding them breaks the upgrade. */
const HANDSHAKE_HEADERS = new Set(['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol']);
/** Header names whose values are credentials. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'api-key', 'openai-api-key', 'x-api-key']);

export function readStreamVariables(get: VariableLookup): StreamVariables | { error: string } {
  const v = (name: string): string | null => {
    const value = get(name);
    return value === undefined || value === null || value === '' ? null : value;
  };
  const warnings: string[] = [];
  const secrets: string[] = [];

  const headers: Record<string, string> = {};
  const extra = v(STREAM_VARIABLE_NAMES.extraHeaders);
  if (extra !== null) {
    const parsed = parseExtraHeaders(extra);
    if ('error' in parsed) return { error: `invalid STREAM_EXTRA_HEADERS: ${parsed.error}` };
    for (const [name, value] of Object.entries(parsed.headers)) {
      headers[name] = value;
      if (CREDENTIAL_HEADERS.has(name.toLowerCase())) {
        secrets.push(value);
        // The bare token of "Bearer <token>" too, so it is redacted wherever it appears alone.
        const bearer = /^bearer\s+(.+)$/i.exec(value);
        if (bearer) secrets.push(bearer[1]!);
      }
    }
  }
  const key = v(STREAM_VARIABLE_NAMES.openaiApiKey);
  if (key !== null) {
    if (!FIELD_VALUE.test(key) || /[\r\n]/.test(key) || key.trim() !== key) {
      return { error: 'invalid STREAM_OPENAI_API_KEY: contains whitespace or control characters' };
    }
    secrets.push(key);
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'authorization') {
        warnings.push('STREAM_EXTRA_HEADERS has an Authorization header; STREAM_OPENAI_API_KEY replaces it');
        delete headers[name];
      }
    }
    headers.Authorization = `Bearer ${key}`;
  } else {
    // The seed's wording, so existing log watchers keep matching.
    warnings.push('OPENAI_API_KEY is not set. Assuming you set STREAM_EXTRA_HEADERS variable.');
  }

  let heartbeatSeconds = 0;
  const heartBeat = v(STREAM_VARIABLE_NAMES.heartBeat);
  if (heartBeat !== null) {
    // strtol over the whole string, as the seed: anything else is ignored with a warning.
    if (/^[+-]?\d+$/.test(heartBeat.trim())) heartbeatSeconds = Math.max(0, Number(heartBeat.trim()));
    else warnings.push(`STREAM_HEART_BEAT '${heartBeat}' is not a number of seconds; heartbeat off`);
  }

  const tls: TlsSettings = {
    caFile: v(STREAM_VARIABLE_NAMES.tlsCaFile) ?? 'SYSTEM',
    keyFile: v(STREAM_VARIABLE_NAMES.tlsKeyFile),
    certFile: v(STREAM_VARIABLE_NAMES.tlsCertFile),
    disableHostnameValidation: switchTrue(v(STREAM_VARIABLE_NAMES.tlsDisableHostnameValidation)),
  };
  if ((tls.keyFile === null) !== (tls.certFile === null)) {
    return { error: 'invalid TLS client certificate: STREAM_TLS_KEY_FILE and STREAM_TLS_CERT_FILE must be set together' };
  }

  return {
    perMessageDeflate: !switchTrue(v(STREAM_VARIABLE_NAMES.messageDeflate)),
    heartbeatSeconds,
    suppressLog: switchTrue(v(STREAM_VARIABLE_NAMES.suppressLog)),
    bufferSize: v(STREAM_VARIABLE_NAMES.bufferSize),
    headers,
    noReconnect: switchTrue(v(STREAM_VARIABLE_NAMES.noReconnect)),
    tls,
    audioFiles: !switchTrue(v(STREAM_VARIABLE_NAMES.disableAudioFiles)),
    rawAudioVariable: switchTrue(v(STREAM_VARIABLE_NAMES.rawAudio)),
    secrets,
    warnings,
  };
}

/**
 * STREAM_EXTRA_HEADERS: a JSON object whose members are all strings, each a valid header. Names
 * are checked against the RFC 9110 token grammar and values for CR/LF/control characters (header
 * injection), and the handshake's own headers are refused.
 */
export function parseExtraHeaders(text: string): { headers: Record<string, string> } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { error: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'expected a JSON object' };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!TOKEN.test(name)) return { error: `header name ${JSON.stringify(name)} is not a valid HTTP token` };
    if (HANDSHAKE_HEADERS.has(name.toLowerCase())) return { error: `header '${name}' belongs to the WebSocket handshake` };
    if (typeof value !== 'string') return { error: `value of header '${name}' must be a string` };
    if (/[\r\n]/.test(value)) return { error: `value of header '${name}' contains CR or LF` };
    if (!FIELD_VALUE.test(value)) return { error: `value of header '${name}' contains control characters` };
    headers[name] = value;
  }
  return { headers };
}

/**
 * The uplink chunk duration from STREAM_BUFFER_SIZE. The seed's rule (atoi; a multiple of 20 ms,
 * else a warning and 20 ms; 0, negative or garbage silently 20 ms) plus multiples of the channel's
 * ptime, capped at {@link MAX_BUFFER_MS}.
 */
export function resolveBufferMs(value: string | null, ptimeMs: number): { ms: number; warning: string | null } {
  if (value === null) return { ms: DEFAULT_BUFFER_MS, warning: null };
  const m = /^\s*[+-]?\d+/.exec(value);
  const n = m ? Number(m[0]) : 0;
  if (!(n > 0)) return { ms: DEFAULT_BUFFER_MS, warning: null };
  if (n % DEFAULT_BUFFER_MS !== 0 && n % ptimeMs !== 0) {
    return { ms: DEFAULT_BUFFER_MS, warning: `STREAM_BUFFER_SIZE: Buffer size of ${value} is not a multiple of 20ms. Using default 20ms.` };
  }
  if (n > MAX_BUFFER_MS) {
    return { ms: MAX_BUFFER_MS, warning: `STREAM_BUFFER_SIZE: Buffer size of ${value} is above ${MAX_BUFFER_MS}ms. Using ${MAX_BUFFER_MS}ms.` };
  }
  return { ms: n, warning: null };
}
