/**
 * OpenAI Realtime (GA) server events as an application sees them in `mod_openai_audio_stream::json`
 * and `openai_s2s::server_event` bodies (the OpenAI Realtime GA server events). The events an
 * application acts on are typed; everything else, and anything malformed, becomes an
 * {@link OtherServerEvent} carrying the original: {@link parseServerEvent} never throws.
 *
 * A known event keeps every field the server sent (only the declared ones are typed). Checks
 * cover the declared fields: an event whose declared fields have the wrong type is "other",
 * so application code can trust the types it narrows to.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

/** Known values autocomplete; others still type-check (the API adds values over time). */
type Open<T extends string> = T | (string & {});

export interface FunctionCallItem {
  type: 'function_call';
  id?: string;
  object?: string;
  /** `incomplete` when the response was cancelled while the call was being written. */
  status?: Open<'completed' | 'incomplete' | 'in_progress'>;
  name: string;
  call_id: string;
  /** JSON text as written by the model: parse it, and expect it to be invalid sometimes. */
  arguments: string;
}

export interface FunctionCallOutputItem {
  type: 'function_call_output';
  id?: string;
  object?: string;
  call_id: string;
  output: string;
}

export interface MessageItem {
  type: 'message';
  id?: string;
  object?: string;
  status?: Open<'completed' | 'incomplete' | 'in_progress'>;
  role: Open<'user' | 'assistant' | 'system'>;
  /** Content parts: `input_text`, `input_audio`, `output_text`, `output_audio` (with `transcript`)… */
  content: JsonObject[];
}

/** An item of another type (MCP calls…), or one whose declared fields did not check. */
export interface OtherItem {
  type: 'other';
  itemType: string | null;
  item: JsonObject;
}

export type ConversationItem = FunctionCallItem | FunctionCallOutputItem | MessageItem | OtherItem;

export interface Usage {
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  input_token_details?: {
    text_tokens?: number;
    audio_tokens?: number;
    image_tokens?: number;
    cached_tokens?: number;
    cached_tokens_details?: JsonObject;
  };
  output_token_details?: { text_tokens?: number; audio_tokens?: number };
}

export interface RealtimeResponse {
  id: string;
  object?: string;
  status: Open<'in_progress' | 'completed' | 'cancelled' | 'failed' | 'incomplete'>;
  /** e.g. `{type: 'cancelled', reason: 'turn_detected'}`. */
  status_details?: JsonObject | null;
  output: ConversationItem[];
  /** On `response.done`; null or absent on `response.created`. */
  usage?: Usage | null;
  metadata?: JsonObject | null;
}

interface Base {
  event_id?: string;
}

export interface SessionCreatedEvent extends Base {
  type: 'session.created';
  session: JsonObject;
}
export interface SessionUpdatedEvent extends Base {
  type: 'session.updated';
  session: JsonObject;
}
export interface ErrorEvent extends Base {
  type: 'error';
  error: {
    type: string;
    /** e.g. `response_cancel_not_active` (benign), `session_expired`, `invalid_api_key`. */
    code?: string | null;
    message: string;
    param?: string | null;
    /** The `event_id` of the client event that caused it, if it had one. */
    event_id?: string | null;
  };
}
export interface SpeechStartedEvent extends Base {
  type: 'input_audio_buffer.speech_started';
  audio_start_ms: number;
  item_id: string;
}
export interface SpeechStoppedEvent extends Base {
  type: 'input_audio_buffer.speech_stopped';
  audio_end_ms: number;
  item_id: string;
}
export interface InputCommittedEvent extends Base {
  type: 'input_audio_buffer.committed';
  item_id: string;
  previous_item_id?: string | null;
}
export interface ConversationItemAddedEvent extends Base {
  type: 'conversation.item.added';
  item: ConversationItem;
  previous_item_id?: string | null;
}
export interface ConversationItemDoneEvent extends Base {
  type: 'conversation.item.done';
  item: ConversationItem;
  previous_item_id?: string | null;
}
export interface InputTranscriptionCompletedEvent extends Base {
  type: 'conversation.item.input_audio_transcription.completed';
  item_id: string;
  content_index: number;
  /** What the caller said (transcription must be enabled in the session). */
  transcript: string;
}
export interface ResponseCreatedEvent extends Base {
  type: 'response.created';
  response: RealtimeResponse;
}
export interface ResponseDoneEvent extends Base {
  type: 'response.done';
  response: RealtimeResponse;
}
export interface OutputItemAddedEvent extends Base {
  type: 'response.output_item.added';
  response_id: string;
  output_index: number;
  item: ConversationItem;
}
export interface OutputItemDoneEvent extends Base {
  type: 'response.output_item.done';
  response_id: string;
  output_index: number;
  item: ConversationItem;
}
export interface OutputAudioTranscriptDeltaEvent extends Base {
  type: 'response.output_audio_transcript.delta';
  response_id: string;
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
}
export interface OutputAudioTranscriptDoneEvent extends Base {
  type: 'response.output_audio_transcript.done';
  response_id: string;
  item_id: string;
  output_index: number;
  content_index: number;
  transcript: string;
}
export interface FunctionCallArgumentsDoneEvent extends Base {
  type: 'response.function_call_arguments.done';
  response_id: string;
  item_id: string;
  output_index: number;
  call_id: string;
  name?: string;
  arguments: string;
}

/**
 * Any other server event (`rate_limits.updated`, `response.output_audio.done`, a future type…),
 * a known type whose fields did not check, or a body that is not a JSON object at all.
 */
export interface OtherServerEvent {
  type: 'other';
  /** The event's `type` when it had a string one. */
  eventType: string | null;
  /** The parsed JSON, or null when the text was not JSON. */
  event: JsonValue | null;
  /** The text as received. */
  text: string;
}

export type KnownServerEvent =
  | SessionCreatedEvent
  | SessionUpdatedEvent
  | ErrorEvent
  | SpeechStartedEvent
  | SpeechStoppedEvent
  | InputCommittedEvent
  | ConversationItemAddedEvent
  | ConversationItemDoneEvent
  | InputTranscriptionCompletedEvent
  | ResponseCreatedEvent
  | ResponseDoneEvent
  | OutputItemAddedEvent
  | OutputItemDoneEvent
  | OutputAudioTranscriptDeltaEvent
  | OutputAudioTranscriptDoneEvent
  | FunctionCallArgumentsDoneEvent;

export type OpenAIServerEvent = KnownServerEvent | OtherServerEvent;
export type ServerEventType = KnownServerEvent['type'];

// ---- checks -------------------------------------------------------------------------------------

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const obj = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
const nullable =
  (check: Check): Check =>
  (v) =>
    v === undefined || v === null || check(v);
const isObject: Check = (v) => obj(v);

function fields(value: JsonObject, spec: Record<string, Check>): boolean {
  for (const [name, check] of Object.entries(spec)) if (!check(value[name])) return false;
  return true;
}

const ITEM_SPECS: Record<string, Record<string, Check>> = {
  function_call: { id: optional(str), status: optional(str), name: str, call_id: str, arguments: str },
  function_call_output: { id: optional(str), call_id: str, output: str },
  message: { id: optional(str), status: optional(str), role: str, content: (v) => Array.isArray(v) && v.every(obj) },
};

/** Types an item; anything unrecognised becomes an {@link OtherItem} instead of failing the event. */
export function parseConversationItem(value: JsonObject): ConversationItem {
  const itemType = typeof value.type === 'string' ? value.type : null;
  const spec = itemType === null ? undefined : ITEM_SPECS[itemType];
  if (spec && fields(value, spec)) return value as unknown as ConversationItem;
  return { type: 'other', itemType, item: value };
}

const usageOk: Check = (v) =>
  v === undefined ||
  v === null ||
  (obj(v) &&
    fields(v, {
      total_tokens: num,
      input_tokens: num,
      output_tokens: num,
      input_token_details: optional(isObject),
      output_token_details: optional(isObject),
    }));

const responseOk: Check = (v) =>
  obj(v) &&
  fields(v, {
    id: str,
    status: str,
    status_details: nullable(isObject),
    output: (o) => o === undefined || (Array.isArray(o) && o.every(obj)),
    usage: usageOk,
    metadata: nullable(isObject),
  });

const EVENT_SPECS: Record<ServerEventType, Record<string, Check>> = {
  'session.created': { session: isObject },
  'session.updated': { session: isObject },
  error: {
    error: (v) =>
      obj(v) && fields(v, { type: str, code: nullable(str), message: str, param: nullable(str), event_id: nullable(str) }),
  },
  'input_audio_buffer.speech_started': { audio_start_ms: num, item_id: str },
  'input_audio_buffer.speech_stopped': { audio_end_ms: num, item_id: str },
  'input_audio_buffer.committed': { item_id: str, previous_item_id: nullable(str) },
  'conversation.item.added': { item: isObject, previous_item_id: nullable(str) },
  'conversation.item.done': { item: isObject, previous_item_id: nullable(str) },
  'conversation.item.input_audio_transcription.completed': { item_id: str, content_index: num, transcript: str },
  'response.created': { response: responseOk },
  'response.done': { response: responseOk },
  'response.output_item.added': { response_id: str, output_index: num, item: isObject },
  'response.output_item.done': { response_id: str, output_index: num, item: isObject },
  'response.output_audio_transcript.delta': { response_id: str, item_id: str, output_index: num, content_index: num, delta: str },
  'response.output_audio_transcript.done': { response_id: str, item_id: str, output_index: num, content_index: num, transcript: str },
  'response.function_call_arguments.done': {
    response_id: str,
    item_id: str,
    output_index: num,
    call_id: str,
    name: optional(str),
    arguments: str,
  },
};

/** Parses one server frame's text. Never throws. */
export function parseServerEvent(text: string): OpenAIServerEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { type: 'other', eventType: null, event: null, text };
  }
  return classifyServerEvent(value as JsonValue, text);
}

/** Types an already parsed event; `text` is kept on the fallback. Never throws. */
export function classifyServerEvent(value: JsonValue, text: string = safeStringify(value)): OpenAIServerEvent {
  if (!obj(value)) return { type: 'other', eventType: null, event: value, text };
  const eventType = typeof value.type === 'string' ? value.type : null;
  const other: OtherServerEvent = { type: 'other', eventType, event: value, text };
  if (eventType === null || !Object.prototype.hasOwnProperty.call(EVENT_SPECS, eventType)) return other;
  const spec = EVENT_SPECS[eventType as ServerEventType];
  if (!fields(value, spec) || (value.event_id !== undefined && typeof value.event_id !== 'string')) return other;
  // Items are typed one level down, so a new item type does not demote the whole event.
  if (obj(value.item)) return { ...value, item: parseConversationItem(value.item) } as unknown as KnownServerEvent;
  if (obj(value.response)) {
    const output = Array.isArray(value.response.output) ? value.response.output : [];
    return {
      ...value,
      response: { ...value.response, output: output.map((o) => parseConversationItem(o as JsonObject)) },
    } as unknown as KnownServerEvent;
  }
  return value as unknown as KnownServerEvent;
}

function safeStringify(value: JsonValue): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
