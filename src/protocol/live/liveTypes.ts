/**
 * The GPT-Live wire protocol (`/v1/live/sessions`), typed once. docs/gpt-live.md describes the
 * protocol in prose; these types follow OpenAI's generated SDK schema (the `live` types of the
 * Python and Node SDKs), which is the most precise description published.
 *
 * Live is a different API from Realtime GA, not a variant of it: the client starts the session
 * (`session.start`, answered by `session.started`), audio flows both ways as one fixed format, the
 * output is a continuous real-time track with no item or response ids, the model owns turn-taking
 * (no VAD, truncate or cancel), and tools are delegated (`client` or `responses` mode).
 *
 * Every event may carry `event_id`; server events answering a client command that had one carry
 * it back as `client_event_id`.
 */

// ── audio ──────────────────────────────────────────────────────────────────

/** One format for both directions, fixed for the session. G.711 needs the explicit `rate: 8000`. */
export type LiveAudioFormat =
  | { type: 'audio/pcm'; rate: 16000 | 24000 }
  | { type: 'audio/pcmu'; rate: 8000 }
  | { type: 'audio/pcma'; rate: 8000 };

export type LiveAudioFormatType = LiveAudioFormat['type'];

export const LIVE_PCM_RATES = [16000, 24000] as const;

/** A built-in voice name (the server's list is authoritative) or a custom voice by id. */
export type LiveVoice = string | { id: string };

// ── session configuration ──────────────────────────────────────────────────

/** Text-only starting history: one text part per message. */
export type LiveInitialItem =
  | { type?: 'message'; role: 'developer' | 'user'; content: [{ type?: 'input_text'; text: string }]; id?: string; status?: 'incomplete' | 'completed' }
  | { type?: 'message'; role: 'assistant'; content: [{ type?: 'text' | 'output_text'; text: string }]; id?: string; status?: 'incomplete' | 'completed' };

export type LiveInitialRole = LiveInitialItem['role'];

/** A function tool of the Responses backend (Responses API shape: flat, no nested `function`). */
export interface LiveFunctionTool {
  type: 'function';
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  strict?: boolean;
}

/** Hosted tools (`web_search`, `file_search`, …) pass through untouched. */
export type LiveBackendTool = LiveFunctionTool | { type: string; [field: string]: unknown };

export interface LiveResponsesConfig {
  /** Backend model; required by the server. */
  model: string;
  instructions?: string;
  max_output_tokens?: number;
  service_tier?: string;
  reasoning?: { effort?: string; summary?: string };
  text?: { verbosity?: string };
  tools?: LiveBackendTool[];
  tool_choice?: string | { type: string; [field: string]: unknown };
  parallel_tool_calls?: boolean;
  [field: string]: unknown;
}

export type LiveDelegationConfig = { type: 'client'; [field: string]: unknown } | { type: 'responses'; responses: LiveResponsesConfig };

export type LiveDelegationMode = 'client' | 'responses';

export interface LiveSessionConfig {
  /** Required; never in the URL. */
  model: string;
  instructions?: string;
  input?: LiveInitialItem[];
  audio?: { format?: LiveAudioFormat; output?: { voice?: LiveVoice } };
  /** Omitted or null means client delegation. */
  delegation?: LiveDelegationConfig | null;
  store?: boolean;
  /** WebRTC frontend permissions; not used by a server bridge. */
  client?: Record<string, unknown>;
}

/** The resolved configuration in `session.started` / `session.updated` / `session.closed`. */
export interface LiveSessionResource extends Partial<Omit<LiveSessionConfig, 'model'>> {
  /** Opaque (`live_…`); used for sideband, fork and recording calls. */
  id: string;
  /** Unix time in seconds. */
  expires_at: number;
  model: string;
  /** Always "active", even in the final snapshot of `session.closed`. */
  status: 'active';
}

// ── client → server ────────────────────────────────────────────────────────

interface ClientBase {
  event_id?: string;
}

export interface LiveSessionStart extends ClientBase {
  type: 'session.start';
  session: LiveSessionConfig;
}

/** Only the delegation backend's settings can change; its type cannot. */
export interface LiveSessionUpdate extends ClientBase {
  type: 'session.update';
  session: { delegation: { type: 'client' } | { type: 'responses'; responses?: Partial<LiveResponsesConfig> } };
}

export interface LiveInputAudioAppend extends ClientBase {
  type: 'session.input_audio.append';
  /** Base64 audio in the session's format. */
  audio: string;
}

export interface LiveInputAudioMute extends ClientBase {
  type: 'session.input_audio.mute';
}

export interface LiveInputAudioUnmute extends ClientBase {
  type: 'session.input_audio.unmute';
}

/** The three append events share one shape: `delegation_id` is a required key that may be null. */
export type LiveAppendType = 'session.instructions.append' | 'session.thinking.append' | 'session.commentary.append';

export interface LiveAppend extends ClientBase {
  type: LiveAppendType;
  /** Plain text, at most 500 tokens. */
  content: string;
  delegation_id: string | null;
}

/** A Responses API input item, e.g. a `function_call_output` or a user message. */
export type LiveResponseInputItem =
  | { type: 'function_call_output'; call_id: string; output: string }
  | { type: string; [field: string]: unknown };

export interface LiveResponseItemCreate extends ClientBase {
  type: 'response.item.create';
  item: LiveResponseInputItem;
}

export interface LiveResponseCreate extends ClientBase {
  type: 'response.create';
}

export interface LiveSessionClose extends ClientBase {
  type: 'session.close';
}

export type LiveClientEvent =
  | LiveSessionStart
  | LiveSessionUpdate
  | LiveInputAudioAppend
  | LiveInputAudioMute
  | LiveInputAudioUnmute
  | LiveAppend
  | LiveResponseItemCreate
  | LiveResponseCreate
  | LiveSessionClose;

/** The complete client union of the primary WebSocket (eleven names). */
export const LIVE_CLIENT_EVENT_TYPES = [
  'session.start',
  'session.update',
  'session.input_audio.append',
  'session.input_audio.mute',
  'session.input_audio.unmute',
  'session.instructions.append',
  'session.thinking.append',
  'session.commentary.append',
  'response.item.create',
  'response.create',
  'session.close',
] as const;

export type LiveClientEventType = (typeof LIVE_CLIENT_EVENT_TYPES)[number];

// ── server → client ────────────────────────────────────────────────────────

interface ServerBase {
  /** Always sent by OpenAI; not relied upon (the parser tolerates its absence). */
  event_id?: string;
  client_event_id?: string;
}

export interface LiveSessionStarted extends ServerBase {
  type: 'session.started';
  session: LiveSessionResource;
}

export interface LiveSessionUpdated extends ServerBase {
  type: 'session.updated';
  session: LiveSessionResource;
}

export interface LiveMuteAck extends ServerBase {
  type: 'session.input_audio.muted' | 'session.input_audio.unmuted';
}

/** Ack of an append: the point of the session timeline the text was placed at. */
export interface LiveAppended extends ServerBase {
  type: 'session.instructions.appended' | 'session.thinking.appended' | 'session.commentary.appended';
  start_ms: number;
  end_ms: number;
}

/** Model audio in the session format; no ids, no timestamps on the primary WebSocket. */
export interface LiveOutputAudioDelta extends ServerBase {
  type: 'session.output_audio.delta';
  delta: string;
  start_ms?: number;
  end_ms?: number;
}

/** A transcript fragment on the session timeline; there is no "done" event. */
export interface LiveTranscriptDelta extends ServerBase {
  type: 'session.input_transcript.delta' | 'session.output_transcript.delta';
  delta: string;
  start_ms: number;
  end_ms: number;
}

export interface LiveDelegation {
  id: string;
  target: LiveDelegationMode;
  type: 'delegation';
  /** Responses targets only. */
  response_id?: string;
}

/** Metadata only: the task text is not in it (rebuild it from the caller's transcript). */
export interface LiveDelegationCreated extends ServerBase {
  type: 'session.delegation.created';
  delegation: LiveDelegation;
  offset_ms: number;
}

/** A nested Responses streaming event (`response.created`, `response.output_item.done`, …). */
export interface LiveResponseEvent extends ServerBase {
  type: 'response.event';
  event: { type: string; [field: string]: unknown };
  delegation_id?: string | null;
}

export interface LiveUsage {
  /** Cumulative session seconds: take the latest, never sum. */
  seconds: number;
}

export interface LiveUsageUpdated extends ServerBase {
  type: 'session.usage.updated';
  usage: LiveUsage;
  /** Context fill; can drop after automatic compaction. Omitted when unknown. */
  context_window?: { usage_ratio: number };
}

export const LIVE_CLOSE_REASONS = ['close_requested', 'expired', 'content', 'remote_hangup', 'connection_lost'] as const;
export type LiveCloseReason = (typeof LIVE_CLOSE_REASONS)[number];

export interface LiveSessionClosed extends ServerBase {
  type: 'session.closed';
  /** A reason the schema does not list yet is kept as received rather than refused. */
  reason: LiveCloseReason | (string & {});
  session?: LiveSessionResource;
  usage?: LiveUsage;
}

export interface LiveErrorBody {
  type: string;
  /** Null or absent on some gateways' errors. */
  code?: string | null;
  message: string;
  param?: string | null;
  client_event_id?: string | null;
}

export interface LiveError extends ServerBase {
  type: 'error';
  error: LiveErrorBody;
}

export interface LiveInfo extends ServerBase {
  type: 'info';
  code: string;
  message: string;
}

export type LiveServerEvent =
  | LiveSessionStarted
  | LiveSessionUpdated
  | LiveMuteAck
  | LiveAppended
  | LiveOutputAudioDelta
  | LiveTranscriptDelta
  | LiveDelegationCreated
  | LiveResponseEvent
  | LiveUsageUpdated
  | LiveSessionClosed
  | LiveError
  | LiveInfo;

export type LiveServerEventType = LiveServerEvent['type'];
