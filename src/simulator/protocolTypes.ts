/**
 * The parts of the OpenAI Realtime GA wire format the simulator reads and writes.
 * Field names copy the wire exactly (snake_case) so a recorded event can be compared to the
 * reference (docs/realtime-protocol.md §2–3) without a mapping layer.
 */

export type AudioFormat =
  | { type: 'audio/pcm'; rate: 24000 }
  | { type: 'audio/pcmu' }
  | { type: 'audio/pcma' };

export interface ServerVadConfig {
  type: 'server_vad';
  threshold: number;
  prefix_padding_ms: number;
  silence_duration_ms: number;
  create_response: boolean;
  interrupt_response: boolean;
  idle_timeout_ms: number | null;
}

export interface SemanticVadConfig {
  type: 'semantic_vad';
  eagerness: 'low' | 'medium' | 'high' | 'auto';
  create_response: boolean;
  interrupt_response: boolean;
}

export type TurnDetectionConfig = ServerVadConfig | SemanticVadConfig | null;

export interface FunctionTool {
  type: 'function';
  name: string;
  description?: string;
  parameters?: unknown;
}

/** Tools other than functions (MCP) are carried through untouched. */
export type SessionTool = FunctionTool | { type: string; [field: string]: unknown };

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string } | { type: string; [field: string]: unknown };

/** The effective GA session, as sent in `session.created` / `session.updated`. */
export interface RealtimeSession {
  type: 'realtime';
  object: 'realtime.session';
  id: string;
  model: string;
  output_modalities: Array<'audio' | 'text'>;
  instructions: string;
  tools: SessionTool[];
  tool_choice: ToolChoice;
  max_output_tokens: number | 'inf';
  tracing: unknown;
  truncation: unknown;
  prompt: unknown;
  expires_at: number;
  include: string[] | null;
  audio: {
    input: {
      format: AudioFormat;
      transcription: { model?: string; language?: string; prompt?: string } | null;
      noise_reduction: { type: 'near_field' | 'far_field' } | null;
      turn_detection: TurnDetectionConfig;
    };
    output: {
      format: AudioFormat;
      voice: string | { id: string };
      speed: number;
    };
  };
}

export interface ContentPart {
  type: 'input_text' | 'input_audio' | 'input_image' | 'output_text' | 'output_audio' | 'text' | 'audio';
  text?: string;
  audio?: string;
  transcript?: string | null;
  [field: string]: unknown;
}

export interface MessageItem {
  id: string;
  object: 'realtime.item';
  type: 'message';
  role: 'user' | 'assistant' | 'system';
  status: 'completed' | 'incomplete' | 'in_progress';
  content: ContentPart[];
}

export interface FunctionCallItem {
  id: string;
  object: 'realtime.item';
  type: 'function_call';
  status: 'completed' | 'incomplete' | 'in_progress';
  name: string;
  call_id: string;
  arguments: string;
}

export interface FunctionCallOutputItem {
  id: string;
  object: 'realtime.item';
  type: 'function_call_output';
  status: 'completed' | 'incomplete' | 'in_progress';
  call_id: string;
  output: string;
}

export type ConversationItem = MessageItem | FunctionCallItem | FunctionCallOutputItem;

/** The body of an `error` server event. `param` and `event_id` are null when not applicable. */
export interface RealtimeErrorBody {
  type: string;
  code: string | null;
  message: string;
  param?: string | null;
  event_id?: string | null;
}

/** Any server event: `type` and `event_id` always present, the rest per type. */
export interface ServerEvent {
  type: string;
  event_id: string;
  [field: string]: unknown;
}

/** A client event as parsed from one frame. Only `type` is guaranteed (and checked) to be a string. */
export interface ClientEvent {
  type: string;
  event_id?: string;
  [field: string]: unknown;
}

export interface RateLimit {
  name: 'requests' | 'tokens';
  limit: number;
  remaining: number;
  reset_seconds: number;
}

export interface ResponseUsage {
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  input_token_details: {
    text_tokens: number;
    audio_tokens: number;
    image_tokens: number;
    cached_tokens: number;
    cached_tokens_details: { text_tokens: number; audio_tokens: number; image_tokens: number };
  };
  output_token_details: { text_tokens: number; audio_tokens: number };
}

export type ResponseStatus = 'in_progress' | 'completed' | 'cancelled' | 'incomplete' | 'failed';

export type CancelReason = 'turn_detected' | 'client_cancelled';

export interface ResponseStatusDetails {
  type: Exclude<ResponseStatus, 'in_progress'>;
  reason?: CancelReason | 'max_output_tokens' | 'content_filter';
  error?: { type: string; code: string | null };
}

export interface RealtimeResponse {
  object: 'realtime.response';
  id: string;
  status: ResponseStatus;
  status_details: ResponseStatusDetails | null;
  output: ConversationItem[];
  conversation_id: string | null;
  output_modalities: Array<'audio' | 'text'>;
  max_output_tokens: number | 'inf';
  audio: { output: { format: AudioFormat; voice: string | { id: string } } };
  usage: ResponseUsage | null;
  metadata: Record<string, string> | null;
}
