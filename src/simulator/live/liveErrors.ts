/**
 * The error bodies the simulator's Live endpoint sends, in Live's envelope
 * `{type:"error", error:{type, code, message, param, client_event_id}, client_event_id}`.
 *
 * Documented by OpenAI (docs/gpt-live.md, "Errors"): `unknown_parameter` for a field the strict
 * schema does not know, `param:"session.voice"` for a bad voice, `immutable_field_update` for a
 * `session.update` that touches anything but delegation settings, and the wording
 * "response.item.create requires Responses delegation." Observed on the wire by third parties:
 * `model_not_found`. The other codes are the simulator's own choices where no source gives one
 * (marked "inferred"); a client must treat codes it does not know as errors all the same.
 */

export interface LiveErrorBody {
  type: string;
  code: string;
  message: string;
  param: string | null;
}

const invalid = (code: string, message: string, param: string | null = null): LiveErrorBody => ({ type: 'invalid_request_error', code, message, param });

export const liveErrors = {
  /** Inferred wording. */
  invalidJson: (detail: string): LiveErrorBody => invalid('invalid_json', `The event could not be parsed as a single JSON object: ${detail}`),
  missingType: (): LiveErrorBody => invalid('missing_required_parameter', "Missing required parameter: 'type'.", 'type'),
  /** The server lists the supported client events (as a protocol-drift canary would read them). */
  unknownEventType: (type: string, supported: readonly string[]): LiveErrorBody =>
    invalid('invalid_value', `Invalid value: '${type}'. Supported values are: ${supported.map((s) => `'${s}'`).join(', ')}.`, 'type'),
  unknownParameter: (param: string): LiveErrorBody => invalid('unknown_parameter', `Unknown parameter: '${param}'.`, param),
  missingParameter: (param: string): LiveErrorBody => invalid('missing_required_parameter', `Missing required parameter: '${param}'.`, param),
  invalidType: (param: string, expected: string): LiveErrorBody => invalid('invalid_type', `Invalid type for '${param}': expected ${expected}.`, param),
  invalidValue: (param: string, message: string): LiveErrorBody => invalid('invalid_value', message, param),
  /** Gateway code; inferred for OpenAI. */
  sessionStartRequired: (): LiveErrorBody => invalid('session_start_required', 'The first client event must be session.start; wait for session.started before sending anything else.'),
  /** Inferred. */
  alreadyStarted: (): LiveErrorBody => invalid('session_already_started', 'The session has already started; session.start is only accepted once.'),
  modelNotFound: (model: string): LiveErrorBody => invalid('model_not_found', `The model '${model}' does not exist or you do not have access to it.`, 'session.model'),
  /** Inferred wording, gateway code. */
  notALiveModel: (model: string): LiveErrorBody => invalid('invalid_model', `The model '${model}' is not a Live model; connect to /v1/realtime for Realtime models.`, 'session.model'),
  invalidVoice: (): LiveErrorBody => invalid('invalid_value', 'Invalid voice: use a built-in voice name or {"id": "voice_…"}.', 'session.voice'),
  immutableField: (param: string): LiveErrorBody =>
    invalid('immutable_field_update', `'${param}' cannot be changed after the session starts; only delegation backend settings can be updated.`, param),
  /** Observed wording; inferred code. */
  responsesDelegationRequired: (type: string): LiveErrorBody => invalid('responses_delegation_required', `${type} requires Responses delegation.`),
  /** Inferred. */
  delegationIdWithResponses: (): LiveErrorBody =>
    invalid('invalid_value', 'A non-null delegation_id is not accepted with Responses delegation; use null for general context.', 'delegation_id'),
  /** Inferred. */
  unknownDelegation: (): LiveErrorBody => invalid('invalid_value', 'No client delegation with this delegation_id exists in the session.', 'delegation_id'),
  /** Inferred code; the service refuses a partial batch of tool outputs. */
  partialToolBatch: (missing: readonly string[]): LiveErrorBody =>
    invalid('missing_tool_outputs', `response.create needs a function_call_output for every open function call; missing: ${missing.join(', ')}.`),
  /** Inferred. */
  unknownCall: (): LiveErrorBody => invalid('invalid_value', 'No open function call has this call_id.', 'item.call_id'),
  /** Inferred: each append is limited to 500 tokens. */
  appendTooLong: (tokens: number): LiveErrorBody => invalid('string_above_max_length', `'content' is limited to 500 tokens; got about ${tokens}.`, 'content'),
  invalidAudio: (message: string): LiveErrorBody => invalid('invalid_value', message, 'audio'),
};
