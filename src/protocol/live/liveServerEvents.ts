/**
 * The one parser for frames the Live server sends. It never throws: a frame is a known event
 * (its required fields checked, extra fields kept), an event of a type this module does not know
 * (kept whole, so it can still reach the application: the schema grows, and sideband-only events
 * exist), or invalid with a reason.
 *
 * Tolerance is deliberate where the schema is young: `event_id` is not required, an error's
 * `code` may be null, `session.closed` may omit its snapshot, and a close reason the schema does
 * not list is kept as received.
 */
import { isFiniteNumber, isObject, objectFrom, quoteType, type JsonObject } from './liveFields.js';
import type { LiveServerEvent, LiveServerEventType } from './liveTypes.js';

export type LiveServerParse =
  | { kind: 'event'; event: LiveServerEvent }
  | { kind: 'unknown'; type: string; raw: JsonObject }
  | { kind: 'invalid'; reason: string; type?: string };

type Check = (event: JsonObject) => string | undefined;

const sessionResource = (field: string): Check => (event) => {
  const session = event[field];
  if (!isObject(session)) return `${field} must be an object`;
  if (typeof session.id !== 'string') return `${field}.id must be a string`;
  if (!isFiniteNumber(session.expires_at)) return `${field}.expires_at must be a number`;
  if (typeof session.model !== 'string') return `${field}.model must be a string`;
  return undefined;
};

const timeline: Check = (event) => {
  if (!isFiniteNumber(event.start_ms)) return 'start_ms must be a number';
  if (!isFiniteNumber(event.end_ms)) return 'end_ms must be a number';
  return undefined;
};

const stringField =
  (field: string): Check =>
  (event) =>
    typeof event[field] === 'string' ? undefined : `${field} must be a string`;

const all =
  (...checks: Check[]): Check =>
  (event) => {
    for (const check of checks) {
      const problem = check(event);
      if (problem) return problem;
    }
    return undefined;
  };

const none: Check = () => undefined;

const usage =
  (required: boolean): Check =>
  (event) => {
    if (event.usage === undefined && !required) return undefined;
    if (!isObject(event.usage) || !isFiniteNumber(event.usage.seconds)) return 'usage.seconds must be a number';
    return undefined;
  };

const CHECKS: Record<LiveServerEventType, Check> = {
  'session.started': sessionResource('session'),
  'session.updated': sessionResource('session'),
  'session.input_audio.muted': none,
  'session.input_audio.unmuted': none,
  'session.instructions.appended': timeline,
  'session.thinking.appended': timeline,
  'session.commentary.appended': timeline,
  'session.output_audio.delta': stringField('delta'),
  'session.input_transcript.delta': all(stringField('delta'), timeline),
  'session.output_transcript.delta': all(stringField('delta'), timeline),
  'session.delegation.created': (event) => {
    const delegation = event.delegation;
    if (!isObject(delegation)) return 'delegation must be an object';
    if (typeof delegation.id !== 'string') return 'delegation.id must be a string';
    if (delegation.target !== 'client' && delegation.target !== 'responses') return "delegation.target must be 'client' or 'responses'";
    if (delegation.response_id !== undefined && delegation.response_id !== null && typeof delegation.response_id !== 'string') {
      return 'delegation.response_id must be a string';
    }
    if (!isFiniteNumber(event.offset_ms)) return 'offset_ms must be a number';
    return undefined;
  },
  'response.event': (event) => {
    if (!isObject(event.event) || typeof event.event.type !== 'string') return 'event must be an object with a string type';
    const delegationId = event.delegation_id;
    if (delegationId !== undefined && delegationId !== null && typeof delegationId !== 'string') return 'delegation_id must be a string or null';
    return undefined;
  },
  'session.usage.updated': (event) => {
    const problem = usage(true)(event);
    if (problem) return problem;
    const window = event.context_window;
    if (window !== undefined && window !== null && (!isObject(window) || !isFiniteNumber(window.usage_ratio))) {
      return 'context_window.usage_ratio must be a number';
    }
    return undefined;
  },
  'session.closed': (event) => {
    if (typeof event.reason !== 'string') return 'reason must be a string';
    const problem = usage(false)(event);
    if (problem) return problem;
    if (event.session !== undefined && event.session !== null) return sessionResource('session')(event);
    return undefined;
  },
  error: (event) => {
    const error = event.error;
    if (!isObject(error)) return 'error must be an object';
    if (typeof error.message !== 'string') return 'error.message must be a string';
    if (error.code !== undefined && error.code !== null && typeof error.code !== 'string') return 'error.code must be a string';
    return undefined;
  },
  info: all(stringField('code'), stringField('message')),
};

function isKnownType(type: string): type is LiveServerEventType {
  return Object.prototype.hasOwnProperty.call(CHECKS, type);
}

/** `input`: the frame's text, or a value already parsed from it. */
export function parseLiveServerEvent(input: unknown): LiveServerParse {
  const object = objectFrom(input);
  if (!object.ok) return { kind: 'invalid', reason: object.reason };
  const raw = object.value;
  if (typeof raw.type !== 'string') return { kind: 'invalid', reason: 'the event has no string type' };
  const type = raw.type;
  if (raw.event_id !== undefined && typeof raw.event_id !== 'string') return { kind: 'invalid', reason: 'event_id must be a string', type };
  if (!isKnownType(type)) return { kind: 'unknown', type, raw };
  const problem = CHECKS[type](raw);
  if (problem) return { kind: 'invalid', reason: `${quoteType(type)}: ${problem}`, type };
  return { kind: 'event', event: raw as unknown as LiveServerEvent };
}

/** The Live server event types this parser checks. */
export const KNOWN_LIVE_SERVER_EVENT_TYPES: readonly LiveServerEventType[] = Object.keys(CHECKS) as LiveServerEventType[];
