/**
 * The module's CUSTOM events as ESL delivers them, decoded into one discriminated union on
 * `subclass`. Names and bodies: the repository README (the event tables of both APIs), plus
 * the module's own `openai_realtime::*` events. Decoding never throws: a body that does not have
 * the documented shape gives `body: null` (the text stays in `rawBody`); a server event that does
 * not parse becomes an `other` server event.
 */
import type { EslEvent } from './eslLink.js';
import { parseServerEvent, type JsonObject, type OpenAIServerEvent } from './serverEvents.js';

export const AUDIO_STREAM_EVENTS = [
  'mod_openai_audio_stream::json',
  'mod_openai_audio_stream::connect',
  'mod_openai_audio_stream::disconnect',
  'mod_openai_audio_stream::error',
  'mod_openai_audio_stream::play',
  'mod_openai_audio_stream::openai_speech_start',
  'mod_openai_audio_stream::openai_speech_stop',
] as const;

export const S2S_EVENTS = ['openai_s2s::connect', 'openai_s2s::connect_failed', 'openai_s2s::server_event', 'openai_s2s::disconnect'] as const;

export const REALTIME_EVENTS = ['openai_realtime::dtmf', 'openai_realtime::call_control', 'openai_realtime::stats', 'openai_realtime::tool_loop', 'openai_realtime::transcript', 'openai_realtime::session_restarted'] as const;

/** Every subclass the client subscribes to. */
export const MODULE_EVENT_SUBCLASSES = [...AUDIO_STREAM_EVENTS, ...S2S_EVENTS, ...REALTIME_EVENTS] as const;
export type ModuleEventSubclass = (typeof MODULE_EVENT_SUBCLASSES)[number];

export interface StatusBody {
  status: string;
}
export interface DisconnectBody {
  status: string;
  message: { code: number; reason: string };
}
export interface ErrorBody {
  status: string;
  message: { retries: number; error: string; wait_time: number; http_status: number };
}
/** The `response.output_audio.delta` event (base64 `delta` included) plus the debug file's path. */
export type PlayBody = JsonObject & { file: string };
export interface ConnectFailedBody {
  reason: string;
}
/** `openai_s2s::disconnect`: the server or the network ended the connection (or the module did, to transfer the call). */
export interface S2sDisconnectBody {
  code: number;
  reason: string;
}

/** The API family of a session (which commands and events it uses). */
export type SessionFamily = 'audio_stream' | 's2s';

/** `openai_realtime::dtmf`: a key the caller pressed. */
export interface DtmfBody {
  /** 0-9, *, #, A-D. */
  digit: string;
  duration_ms: number;
  family: SessionFamily;
}

/** `openai_realtime::call_control`: the module acted on the call (or refused to) for a tool. */
export interface CallControlBody {
  action: 'hangup' | 'transfer' | 'set_variable' | 'play_file' | 'send_dtmf';
  /** The action's arguments as used, e.g. `{cause, reason}`, `{destination}`, `{digits}`. */
  args: Record<string, string>;
  /** `tool:<name>` (a ready-made tool) or `handler:<name>` (an in-process tool handler). */
  source: string;
  /** `refused`: invalid or not allowed, nothing happened; `failed`: FreeSWITCH refused it. */
  result: 'ok' | 'refused' | 'failed';
  error?: string;
  family: SessionFamily;
}

/** `openai_realtime::tool_loop`: the module stopped answering function calls (too many in a row without the caller speaking). */
export interface ToolLoopBody {
  /** The tool the model called when the bound was reached. */
  tool: string;
  call_id: string;
  /** The bound (max-tool-round-trips / OPENAI_REALTIME_MAX_TOOL_ROUND_TRIPS). */
  max_round_trips: number;
  family: SessionFamily;
}

/** `openai_realtime::transcript`: one turn of the conversation (Realtime and GPT-Live). */
export interface TranscriptBody {
  role: 'user' | 'assistant';
  text: string;
  /** GPT-Live: on the session's timeline; Realtime: ms since the session started. */
  start_ms: number;
  end_ms: number;
  family: SessionFamily;
  protocol: 'realtime' | 'live';
}

/** `openai_realtime::session_restarted`: GPT-Live started a new session with the conversation so far after a drop. */
export interface SessionRestartedBody {
  protocol: 'live';
  /** History messages the new session.start carries. */
  messages: number;
  /** Older turns left out to stay within GPT-Live's start-history limits. */
  dropped_turns: number;
  family: SessionFamily;
}

/** Latency a session measured last (ms; null until measured). */
export interface SessionLatency {
  /** The caller stopped speaking (speech_stopped) → the first audio of the answer arrived. */
  responseMs: number | null;
  /** The first audio arrived → its first sample was played to the caller. */
  playoutMs: number | null;
  responses: number;
}

/**
 * Token usage summed over the session's response.done events, as the module reports it in
 * `status json` and `openai_realtime::stats` (the module's TokenTotals, src/session/tokenUsage.ts;
 * this package stands alone, so the shape is written out here).
 */
export interface SessionTokens {
  input: number;
  output: number;
  total: number;
  inputAudio: number;
  inputText: number;
  /** Input tokens served from the prompt cache (part of `input`). */
  inputCached: number;
  outputAudio: number;
  outputText: number;
}

/**
 * One session in `openai_realtime status json`, and the body of `openai_realtime::stats`. The
 * fields every realtime session has are typed; the rest (the family's own counters, the
 * connection's description) stays as JSON.
 */
export type SessionStatus = JsonObject & {
  uuid: string;
  family: SessionFamily | 'echo';
  /** `connecting`, `open`, `closing`, `closed`, `ending`, ... */
  state?: string;
  /** Scheme, host and path of the server (never a query, never a key). */
  server?: string;
  inputFormat?: string;
  outputFormat?: string;
  inputRate?: number;
  outputRate?: number;
  secondsConnected?: number;
  framesIn?: number;
  framesOut?: number;
  /** Frames with no audio while the module held audio for them (the module was late). */
  underruns?: number;
  /** Frames mid-answer with no audio because the server's next audio had not arrived yet. */
  serverGaps?: number;
  overruns?: number;
  reconnects?: number;
  latency?: SessionLatency;
  tokens?: SessionTokens;
  /** Sharded runtime: the worker thread that runs it. */
  worker?: number;
};

interface Envelope<S extends ModuleEventSubclass, B> {
  subclass: S;
  /** The channel's `Unique-ID`; empty when the event carries none (process-wide events). */
  uuid: string;
  /** Every ESL header of the event (channel variables too, when FreeSWITCH adds them). */
  headers: Record<string, string>;
  body: B;
  /** The body text as fired, or null when the event had none. */
  rawBody: string | null;
}

export type ModuleEvent =
  | Envelope<'mod_openai_audio_stream::json', OpenAIServerEvent>
  | Envelope<'mod_openai_audio_stream::connect', StatusBody | null>
  | Envelope<'mod_openai_audio_stream::disconnect', DisconnectBody | null>
  | Envelope<'mod_openai_audio_stream::error', ErrorBody | null>
  | Envelope<'mod_openai_audio_stream::play', PlayBody | null>
  | Envelope<'mod_openai_audio_stream::openai_speech_start', StatusBody | null>
  | Envelope<'mod_openai_audio_stream::openai_speech_stop', StatusBody | null>
  | Envelope<'openai_s2s::connect', null>
  | Envelope<'openai_s2s::connect_failed', ConnectFailedBody>
  | Envelope<'openai_s2s::server_event', OpenAIServerEvent>
  | Envelope<'openai_s2s::disconnect', S2sDisconnectBody | null>
  | Envelope<'openai_realtime::dtmf', DtmfBody | null>
  | Envelope<'openai_realtime::call_control', CallControlBody | null>
  | Envelope<'openai_realtime::stats', SessionStatus | null>
  | Envelope<'openai_realtime::tool_loop', ToolLoopBody | null>
  | Envelope<'openai_realtime::transcript', TranscriptBody | null>
  | Envelope<'openai_realtime::session_restarted', SessionRestartedBody | null>;

/** The event type for one subclass, e.g. `ModuleEventOf<'openai_s2s::server_event'>`. */
export type ModuleEventOf<S extends ModuleEventSubclass> = Extract<ModuleEvent, { subclass: S }>;

const SUBCLASS_SET: ReadonlySet<string> = new Set(MODULE_EVENT_SUBCLASSES);

export function isModuleEventSubclass(subclass: string): subclass is ModuleEventSubclass {
  return SUBCLASS_SET.has(subclass);
}

/** Decodes an ESL event; null when it is not one of the module's subclasses. Never throws. */
export function decodeModuleEvent(event: EslEvent): ModuleEvent | null {
  const subclass = event.headers['Event-Subclass'];
  if (event.headers['Event-Name'] !== 'CUSTOM' || subclass === undefined || !isModuleEventSubclass(subclass)) return null;
  const base = { uuid: event.headers['Unique-ID'] ?? '', headers: event.headers, rawBody: event.body };
  const text = event.body;
  switch (subclass) {
    case 'mod_openai_audio_stream::json':
      return { ...base, subclass, body: parseServerEvent(text ?? '') };
    case 'openai_s2s::server_event':
      return { ...base, subclass, body: parseServerEvent(text ?? '') };
    case 'mod_openai_audio_stream::connect':
    case 'mod_openai_audio_stream::openai_speech_start':
    case 'mod_openai_audio_stream::openai_speech_stop':
      return { ...base, subclass, body: shaped(text, isStatusBody) };
    case 'mod_openai_audio_stream::disconnect':
      return { ...base, subclass, body: shaped(text, isDisconnectBody) };
    case 'mod_openai_audio_stream::error':
      return { ...base, subclass, body: shaped(text, isErrorBody) };
    case 'mod_openai_audio_stream::play':
      return { ...base, subclass, body: shaped(text, (v): v is PlayBody => typeof v.file === 'string') };
    case 'openai_s2s::connect':
      return { ...base, subclass, body: null };
    case 'openai_s2s::disconnect':
      return { ...base, subclass, body: shaped(text, (v): v is JsonObject & S2sDisconnectBody => typeof v.code === 'number' && typeof v.reason === 'string') };
    case 'openai_s2s::connect_failed':
      // The seed wrote the reason into the JSON unescaped; keep whatever text came if it does not parse.
      return { ...base, subclass, body: shaped(text, (v): v is JsonObject & ConnectFailedBody => typeof v.reason === 'string') ?? { reason: text ?? '' } };
    case 'openai_realtime::dtmf':
      return { ...base, subclass, body: shaped(text, isDtmfBody) };
    case 'openai_realtime::call_control':
      return { ...base, subclass, body: shaped(text, isCallControlBody) };
    case 'openai_realtime::stats':
      return { ...base, subclass, body: shaped(text, isSessionStatus) };
    case 'openai_realtime::tool_loop':
      return {
        ...base,
        subclass,
        body: shaped(
          text,
          (v): v is JsonObject & ToolLoopBody =>
            typeof v.tool === 'string' && typeof v.call_id === 'string' && typeof v.max_round_trips === 'number',
        ),
      };
    case 'openai_realtime::transcript':
      return {
        ...base,
        subclass,
        body: shaped(
          text,
          (v): v is JsonObject & TranscriptBody =>
            (v.role === 'user' || v.role === 'assistant') && typeof v.text === 'string' && typeof v.start_ms === 'number' && typeof v.end_ms === 'number',
        ),
      };
    case 'openai_realtime::session_restarted':
      return {
        ...base,
        subclass,
        body: shaped(text, (v): v is JsonObject & SessionRestartedBody => typeof v.messages === 'number' && typeof v.dropped_turns === 'number'),
      };
  }
}

function shaped<T extends JsonObject>(text: string | null, check: (v: JsonObject) => v is T): T | null {
  if (text === null || text.length === 0) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return check(value as JsonObject) ? (value as T) : null;
}

const isStatusBody = (v: JsonObject): v is JsonObject & StatusBody => typeof v.status === 'string';

const isFamily = (v: unknown): v is SessionFamily => v === 'audio_stream' || v === 's2s';

function isDtmfBody(v: JsonObject): v is JsonObject & DtmfBody {
  return typeof v.digit === 'string' && typeof v.duration_ms === 'number' && isFamily(v.family);
}

function isCallControlBody(v: JsonObject): v is JsonObject & CallControlBody {
  const args = v.args;
  return (
    typeof v.action === 'string' &&
    typeof v.source === 'string' &&
    (v.result === 'ok' || v.result === 'refused' || v.result === 'failed') &&
    args !== null &&
    typeof args === 'object' &&
    !Array.isArray(args) &&
    Object.values(args).every((a) => typeof a === 'string') &&
    isFamily(v.family)
  );
}

/** A session entry: what `status json` lists and `openai_realtime::stats` carries. */
export function isSessionStatus(v: JsonObject): v is SessionStatus {
  return typeof v.uuid === 'string' && (isFamily(v.family) || v.family === 'echo');
}

function isDisconnectBody(v: JsonObject): v is JsonObject & DisconnectBody {
  const m = v.message;
  return typeof v.status === 'string' && m !== null && typeof m === 'object' && !Array.isArray(m) && typeof m.code === 'number' && typeof m.reason === 'string';
}

function isErrorBody(v: JsonObject): v is JsonObject & ErrorBody {
  const m = v.message;
  return (
    typeof v.status === 'string' &&
    m !== null &&
    typeof m === 'object' &&
    !Array.isArray(m) &&
    typeof m.error === 'string' &&
    typeof m.retries === 'number' &&
    typeof m.wait_time === 'number' &&
    typeof m.http_status === 'number'
  );
}
