/**
 * Builders for the Live client events the module sends itself. Each returns the event object (so a
 * caller can log or record it) and leaves `event_id` out unless given: the server answers with
 * `client_event_id` only for events that had one.
 */
import type {
  LiveAppend,
  LiveAppendType,
  LiveDelegationConfig,
  LiveInputAudioAppend,
  LiveInputAudioMute,
  LiveInputAudioUnmute,
  LiveResponseCreate,
  LiveResponseInputItem,
  LiveResponseItemCreate,
  LiveResponsesConfig,
  LiveSessionClose,
  LiveSessionConfig,
  LiveSessionStart,
  LiveSessionUpdate,
} from './liveTypes.js';

const withId = <T extends object>(event: T, eventId: string | undefined): T => (eventId === undefined ? event : { ...event, event_id: eventId });

export function sessionStart(session: LiveSessionConfig, eventId?: string): LiveSessionStart {
  return withId({ type: 'session.start', session }, eventId);
}

/** Only delegation settings can change, and not the delegation type. */
export function sessionUpdate(delegation: { type: 'client' } | { type: 'responses'; responses?: Partial<LiveResponsesConfig> }, eventId?: string): LiveSessionUpdate {
  return withId({ type: 'session.update', session: { delegation } }, eventId);
}

/** `audio`: base64 in the session's format (PCM16 payloads must be whole samples). */
export function inputAudioAppend(audio: string): LiveInputAudioAppend {
  return { type: 'session.input_audio.append', audio };
}

export function inputAudioMute(eventId?: string): LiveInputAudioMute {
  return withId({ type: 'session.input_audio.mute' }, eventId);
}

export function inputAudioUnmute(eventId?: string): LiveInputAudioUnmute {
  return withId({ type: 'session.input_audio.unmute' }, eventId);
}

function appendEvent(type: LiveAppendType, content: string, delegationId: string | null, eventId: string | undefined): LiveAppend {
  // delegation_id is a required key even when null: the server's schema is strict.
  return withId({ type, content, delegation_id: delegationId }, eventId);
}

/** Speakable context: something the model should say in its own words (a client delegation's result, a greeting cue). */
export function commentaryAppend(content: string, delegationId: string | null = null, eventId?: string): LiveAppend {
  return appendEvent('session.commentary.append', content, delegationId, eventId);
}

/** Silent context or progress: shapes later speech, does not itself ask for any. */
export function thinkingAppend(content: string, delegationId: string | null = null, eventId?: string): LiveAppend {
  return appendEvent('session.thinking.append', content, delegationId, eventId);
}

/** A standing instruction added to the immutable start instructions. */
export function instructionsAppend(content: string, delegationId: string | null = null, eventId?: string): LiveAppend {
  return appendEvent('session.instructions.append', content, delegationId, eventId);
}

export function responseItemCreate(item: LiveResponseInputItem, eventId?: string): LiveResponseItemCreate {
  return withId({ type: 'response.item.create', item }, eventId);
}

/** A tool result for the Responses backend; objects are sent as JSON text. */
export function functionCallOutput(callId: string, output: string | Record<string, unknown>, eventId?: string): LiveResponseItemCreate {
  return responseItemCreate({ type: 'function_call_output', call_id: callId, output: typeof output === 'string' ? output : JSON.stringify(output) }, eventId);
}

/** Continue the backend once every open call has its output (a partial batch is refused). */
export function responseCreate(eventId?: string): LiveResponseCreate {
  return withId({ type: 'response.create' }, eventId);
}

export function sessionClose(eventId?: string): LiveSessionClose {
  return withId({ type: 'session.close' }, eventId);
}

/** `{type:"client"}`, the default when a start has no delegation. */
export function clientDelegation(): LiveDelegationConfig {
  return { type: 'client' };
}

export function responsesDelegation(responses: LiveResponsesConfig): LiveDelegationConfig {
  return { type: 'responses', responses };
}

/**
 * Keys the caller pressed, as context for the model: Live's primary socket has no DTMF event. By
 * default a `session.thinking.append` — silent context, like hearing the caller, which the model
 * answers in its own time — rather than `commentary` (which asks the model to say something about
 * it now) or `instructions` (which would stay a standing rule for the rest of the call).
 * `speak: true` picks commentary, for menus where each key must get an immediate answer.
 */
export function dtmfContext(digits: string, options: { speak?: boolean } = {}): LiveAppend {
  const keys = [...digits].filter((key) => /^[0-9*#A-Da-d]$/.test(key)).join(' ');
  const content = `The caller pressed ${keys} on the phone keypad.`;
  return options.speak ? commentaryAppend(content) : thinkingAppend(content);
}
