/**
 * Every error the simulator sends, in one place, with OpenAI's wording where it is known.
 *
 * Provenance (docs/realtime-protocol.md §3.3 and public client code that matches on
 * these strings): `beta_api_shape_disabled`, `response_cancel_not_active`,
 * `conversation_already_has_active_response`, `input_audio_buffer_commit_empty`, `session_expired`,
 * the truncate overrun text, `cannot_update_voice`, `unknown_parameter` for `session.temperature`
 * and `item_truncate_invalid_item_id` are seen verbatim on the wire. The rest follow OpenAI's
 * generic validation style ("Invalid value: …", "Missing required parameter: …") and are marked
 * "inferred" below: a client must not depend on their exact text, only on `type`/`code`/`param`.
 */
import type { RealtimeErrorBody } from './protocolTypes.js';

/** OpenAI's limit for one `input_audio_buffer.append` (reference §1, §5): 15 MiB of base64 text. */
export const MAX_APPEND_BASE64_CHARS = 15 * 1024 * 1024;

/** A commit needs at least this much audio (reference §0.5). */
export const MIN_COMMIT_MS = 100;

type ErrorBody = Omit<RealtimeErrorBody, 'event_id'>;

function invalidRequest(code: string | null, message: string, param: string | null = null): ErrorBody {
  return { type: 'invalid_request_error', code, message, param };
}

export const realtimeErrors = {
  /** Exactly the body of reference §0.1; the socket is then closed with 4000. */
  betaApiShapeDisabled: (): ErrorBody => ({
    type: 'invalid_request_error',
    code: 'beta_api_shape_disabled',
    message: 'The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API.',
  }),
  sessionExpired: (minutes: number): ErrorBody =>
    invalidRequest('session_expired', `Your session hit the maximum duration of ${formatMinutes(minutes)} minutes.`),
  unknownParameter: (param: string): ErrorBody =>
    invalidRequest('unknown_parameter', `Unknown parameter: '${param}'.`, param),
  /** Inferred wording, OpenAI's generic enum-validation style. */
  invalidValue: (param: string, value: unknown, supported: readonly string[]): ErrorBody =>
    invalidRequest(
      'invalid_value',
      `Invalid value: '${String(value)}'. Supported values are: ${supported.map((s) => `'${s}'`).join(', ')}.`,
      param,
    ),
  /** Inferred wording. */
  invalidType: (param: string, expected: string): ErrorBody =>
    invalidRequest('invalid_type', `Invalid type for '${param}': expected ${expected}.`, param),
  /** Inferred wording. */
  valueOutOfRange: (param: string, value: unknown, min: number, max: number): ErrorBody =>
    invalidRequest(
      'invalid_value',
      `Invalid '${param}': ${String(value)} is not within [${min}, ${max}].`,
      param,
    ),
  missingParameter: (param: string): ErrorBody =>
    invalidRequest('missing_required_parameter', `Missing required parameter: '${param}'.`, param),
  cannotUpdateVoice: (): ErrorBody =>
    invalidRequest('cannot_update_voice', "Cannot update a conversation's voice if assistant audio is present."),
  /** Inferred wording: the simulator implements realtime sessions only. */
  unsupportedSessionType: (value: unknown): ErrorBody =>
    invalidRequest(
      'invalid_value',
      `Invalid value: '${String(value)}'. The realtime simulator supports only session.type 'realtime'.`,
      'session.type',
    ),
  /** Inferred code and wording; a frame that is not exactly one JSON object. */
  invalidJson: (detail: string): ErrorBody =>
    invalidRequest('invalid_json', `The event could not be parsed as a single JSON object: ${detail}`),
  /** Inferred wording. */
  unknownEventType: (type: string, supported: readonly string[]): ErrorBody =>
    invalidRequest(
      'invalid_value',
      `Invalid value: '${type}'. Supported values are: ${supported.map((s) => `'${s}'`).join(', ')}.`,
      'type',
    ),
  /** Inferred wording; OpenAI rejects undecodable base64 in `audio`. */
  invalidBase64: (): ErrorBody =>
    invalidRequest('invalid_value', "Invalid 'audio'. Expected base64-encoded audio data.", 'audio'),
  /** Inferred wording: a PCM16 append whose byte count is odd cannot be whole samples. */
  oddPcmLength: (bytes: number): ErrorBody =>
    invalidRequest(
      'invalid_value',
      `Invalid 'audio': 16-bit PCM must be an even number of bytes, got ${bytes}.`,
      'audio',
    ),
  /** OpenAI's max-length wording for string fields. */
  appendTooLarge: (chars: number): ErrorBody =>
    invalidRequest(
      'string_above_max_length',
      `Invalid 'audio': string too long. Expected a string with maximum length ${MAX_APPEND_BASE64_CHARS}, but got a string with length ${chars} instead.`,
      'audio',
    ),
  commitEmpty: (bufferedMs: number): ErrorBody =>
    invalidRequest(
      'input_audio_buffer_commit_empty',
      `Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${bufferedMs.toFixed(2)}ms of audio.`,
    ),
  activeResponse: (responseId: string): ErrorBody =>
    invalidRequest(
      'conversation_already_has_active_response',
      `Conversation already has an active response in progress: ${responseId}. Wait until the response is finished before creating a new one.`,
    ),
  cancelNotActive: (): ErrorBody =>
    invalidRequest('response_cancel_not_active', 'Cancellation failed: no active response found'),
  truncateItemNotFound: (itemId: string): ErrorBody =>
    invalidRequest('item_truncate_invalid_item_id', `Item with item_id not found: ${itemId}`, 'item_id'),
  /** Inferred wording: only assistant audio can be truncated. */
  truncateNotAssistant: (itemId: string): ErrorBody =>
    invalidRequest('invalid_value', `Item ${itemId} is not an assistant message with audio content and cannot be truncated.`, 'item_id'),
  /** Inferred wording. */
  truncateBadContentIndex: (contentIndex: unknown): ErrorBody =>
    invalidRequest('invalid_value', `Invalid content_index: ${String(contentIndex)}. The item has no audio content at that index.`, 'content_index'),
  truncateTooLong: (itemAudioMs: number, requestedMs: number): ErrorBody =>
    invalidRequest(
      'invalid_value',
      `Audio content of ${Math.round(itemAudioMs)}ms is already shorter than ${Math.round(requestedMs)}ms`,
      'audio_end_ms',
    ),
  /** Inferred code; the message copies the truncate wording. */
  itemNotFound: (itemId: string, param = 'item_id'): ErrorBody =>
    invalidRequest('item_not_found', `Item with item_id not found: ${itemId}`, param),
  /** Inferred wording. */
  previousItemNotFound: (itemId: string): ErrorBody =>
    invalidRequest('invalid_value', `Previous item with item_id not found: ${itemId}`, 'previous_item_id'),
  /** Inferred wording. */
  duplicateItemId: (itemId: string): ErrorBody =>
    invalidRequest('invalid_value', `Item with item_id already exists: ${itemId}`, 'item.id'),
};

/** "60" for a whole number of minutes, otherwise up to three decimals ("0.005"). */
function formatMinutes(minutes: number): string {
  return Number.isInteger(minutes) ? String(minutes) : String(Number(minutes.toFixed(3)));
}
