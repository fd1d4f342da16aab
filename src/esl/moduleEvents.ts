/**
 * The module's CUSTOM events as ESL delivers them, decoded into one discriminated union on
 * `subclass`. Names and bodies: reference-seed-modules.md §2 (audio stream) and §6.3 (s2s), plus
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

export const REALTIME_EVENTS = ['openai_realtime::dtmf', 'openai_realtime::call_control', 'openai_realtime::stats'] as const;

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
  | Envelope<'openai_s2s::disconnect', null>
  | Envelope<'openai_realtime::dtmf', JsonObject | null>
  | Envelope<'openai_realtime::call_control', JsonObject | null>
  | Envelope<'openai_realtime::stats', JsonObject | null>;

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
    case 'openai_s2s::disconnect':
      return { ...base, subclass, body: null };
    case 'openai_s2s::connect_failed':
      // The seed wrote the reason into the JSON unescaped; keep whatever text came if it does not parse.
      return { ...base, subclass, body: shaped(text, (v): v is JsonObject & ConnectFailedBody => typeof v.reason === 'string') ?? { reason: text ?? '' } };
    case 'openai_realtime::dtmf':
    case 'openai_realtime::call_control':
    case 'openai_realtime::stats':
      return { ...base, subclass, body: shaped(text, (_v): _v is JsonObject => true) };
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
