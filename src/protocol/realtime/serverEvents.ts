/**
 * The OpenAI Realtime (GA) server events the module acts on, parsed once where a text frame comes
 * off the socket (docs/realtime-protocol.md §3.2). {@link parseServerFrame} never throws: a frame
 * that is not JSON, an event of another type, or a known type whose declared fields do not check
 * becomes an {@link OtherServerEvent}, and the frame's text and JSON object travel with it so the
 * API families can forward the server's own words unchanged.
 *
 * The checks are as lenient as the server is allowed to be: only the fields the module reads are
 * declared, optional where the module has a sensible default (an audio delta without `item_id` is
 * still audio; a `response.done` whose response has no id still counts). The legacy (beta) names of
 * the audio events, `response.audio.delta` / `.done`, are still played and parse as their own types.
 *
 * A second protocol (GPT-Live, `src/protocol/live/`) is a module beside this one with its own
 * parser, not branches in this one.
 */
import { isJsonObject, stringOf } from '../json.js';

interface Base {
  event_id?: string;
}

export interface SessionEvent extends Base {
  type: 'session.created' | 'session.updated';
  /** The effective configuration (an object unless the server misbehaves); read with readSessionAudioConfig. */
  session: unknown;
}

export interface AudioDeltaEvent extends Base {
  type: 'response.output_audio.delta' | 'response.audio.delta';
  response_id?: string;
  /** '' stands for a missing id: the audio still plays, it cannot be truncated. */
  item_id?: string;
  /** Base64 audio in the session's output format; never empty. */
  delta: string;
}

export interface AudioDoneEvent extends Base {
  type: 'response.output_audio.done' | 'response.audio.done';
  response_id?: string;
  item_id?: string;
}

export interface ResponseEvent extends Base {
  type: 'response.created' | 'response.done';
  response: {
    id?: string;
    status?: string;
    /** Token counts (response.done); read with TokenUsage. */
    usage?: unknown;
  } & Record<string, unknown>;
}

export interface SpeechEvent extends Base {
  type: 'input_audio_buffer.speech_started' | 'input_audio_buffer.speech_stopped';
  item_id?: string;
}

export interface ErrorEvent extends Base {
  type: 'error';
  error: {
    type?: string;
    /** e.g. `response_cancel_not_active` (benign), `session_expired`, `invalid_api_key`. */
    code?: string;
    message?: string;
    /** The `event_id` of the client event that caused it. */
    event_id?: string;
  };
}

/** Another type, a known type whose fields did not check, or a frame that is not a JSON object. */
export interface OtherServerEvent {
  type: 'other';
  /** The frame's `type` when it had a string one. */
  eventType: string | null;
}

export type KnownServerEvent = SessionEvent | AudioDeltaEvent | AudioDoneEvent | ResponseEvent | SpeechEvent | ErrorEvent;
export type RealtimeServerEvent = KnownServerEvent | OtherServerEvent;

/** One text frame from the server, parsed once. */
export interface ServerFrame {
  text: string;
  /** The frame as a JSON object, or null when it is not one (a proxy's error page…). */
  json: Record<string, unknown> | null;
  event: RealtimeServerEvent;
}

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const nonEmpty: Check = (v) => typeof v === 'string' && v.length > 0;
const anything: Check = () => true;

const SPECS: Readonly<Record<KnownServerEvent['type'], Readonly<Record<string, Check>>>> = {
  'session.created': { session: anything },
  'session.updated': { session: anything },
  'response.output_audio.delta': { delta: nonEmpty },
  'response.audio.delta': { delta: nonEmpty },
  'response.output_audio.done': {},
  'response.audio.done': {},
  'response.created': { response: isJsonObject },
  'response.done': { response: isJsonObject },
  'input_audio_buffer.speech_started': {},
  'input_audio_buffer.speech_stopped': {},
  error: { error: anything },
};

/** The audio delta types: a frame of one of them that did not check is reported as "no audio data". */
export const AUDIO_DELTA_TYPES: ReadonlySet<string> = new Set(['response.output_audio.delta', 'response.audio.delta']);

/** Parses one text frame. Never throws. */
export function parseServerFrame(text: string): ServerFrame {
  let json: Record<string, unknown> | null = null;
  try {
    const value: unknown = JSON.parse(text);
    if (isJsonObject(value)) json = value;
  } catch {
    // Not JSON: an "other" frame, forwarded as it is.
  }
  return { text, json, event: classify(json) };
}

function classify(json: Record<string, unknown> | null): RealtimeServerEvent {
  if (json === null) return { type: 'other', eventType: null };
  const eventType = str(json.type) ? (json.type as string) : null;
  if (eventType === null || !Object.prototype.hasOwnProperty.call(SPECS, eventType)) return { type: 'other', eventType };
  const spec = SPECS[eventType as KnownServerEvent['type']];
  for (const [name, check] of Object.entries(spec)) if (!check(json[name])) return { type: 'other', eventType };
  if (eventType === 'error') {
    // Every error is reported, whatever its shape: only its string fields are kept.
    const e = isJsonObject(json.error) ? json.error : {};
    const error: ErrorEvent['error'] = {};
    for (const key of ['type', 'code', 'message', 'event_id'] as const) if (str(e[key])) error[key] = e[key] as string;
    return { type: 'error', error };
  }
  // Ids of another type than string are read as absent (the audio still plays; nothing refers to it).
  if (eventType.startsWith('response.') && eventType !== 'response.created' && eventType !== 'response.done') {
    return { ...json, item_id: stringOf(json.item_id), response_id: stringOf(json.response_id) } as unknown as KnownServerEvent;
  }
  if (eventType === 'response.created' || eventType === 'response.done') {
    const response = json.response as Record<string, unknown>;
    return { ...json, response: { ...response, id: stringOf(response.id) } } as unknown as KnownServerEvent;
  }
  return json as unknown as KnownServerEvent;
}
