/**
 * The parser for Live client events, as an application hands them to the module (`send_json`,
 * `client.event`) before they go to the server. It never throws: the result is the typed event or
 * a reason fit for a `-ERR` reply (naming the field, never quoting a value).
 *
 * It checks what the module itself relies on (the type is one of the eleven, the fields the module
 * reads have the right shape, `audio.format` is a combination Live accepts) and lets unknown extra
 * fields through: the server's schema is strict and is the authority on them, and Azure's schema
 * is already wider than OpenAI's (docs/gpt-live.md, "Versions").
 */
import { isObject, objectFrom, quoteType, type JsonObject } from './liveFields.js';
import { LIVE_CLIENT_EVENT_TYPES, type LiveAudioFormat, type LiveClientEvent, type LiveClientEventType } from './liveTypes.js';

export type LiveClientParse = { ok: true; event: LiveClientEvent } | { ok: false; reason: string };

/** Startup history limit (messages); the token limit is the server's to enforce. */
export const LIVE_MAX_INPUT_MESSAGES = 128;

type Check = (event: JsonObject) => string | undefined;

/** Why `value` is not a Live audio format, or undefined when it is one. */
export function liveAudioFormatProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'must be an object {type, rate}';
  switch (value.type) {
    case 'audio/pcm':
      return value.rate === 16000 || value.rate === 24000 ? undefined : 'audio/pcm needs rate 16000 or 24000';
    case 'audio/pcmu':
    case 'audio/pcma':
      return value.rate === 8000 ? undefined : `${value.type} needs rate 8000 (Live wants the rate explicitly)`;
    default:
      return "type must be 'audio/pcm', 'audio/pcmu' or 'audio/pcma'";
  }
}

export function isLiveAudioFormat(value: unknown): value is LiveAudioFormat {
  return liveAudioFormatProblem(value) === undefined;
}

function initialItemProblem(item: unknown, index: number): string | undefined {
  const at = `session.input[${index}]`;
  if (!isObject(item)) return `${at} must be an object`;
  if (item.type !== undefined && item.type !== 'message') return `${at}.type must be 'message'`;
  const role = item.role;
  if (role !== 'developer' && role !== 'user' && role !== 'assistant') return `${at}.role must be 'developer', 'user' or 'assistant'`;
  const content = item.content;
  if (!Array.isArray(content) || content.length !== 1) return `${at}.content must hold exactly one text part`;
  const part: unknown = content[0];
  if (!isObject(part) || typeof part.text !== 'string') return `${at}.content[0].text must be a string`;
  const allowed = role === 'assistant' ? ['text', 'output_text'] : ['input_text'];
  if (part.type !== undefined && !allowed.includes(String(part.type))) return `${at}.content[0].type must be ${allowed.map((t) => `'${t}'`).join(' or ')}`;
  return undefined;
}

function delegationProblem(delegation: unknown, where: string, responsesRequired: boolean): string | undefined {
  if (!isObject(delegation)) return `${where} must be an object`;
  if (delegation.type === 'client') return undefined;
  if (delegation.type !== 'responses') return `${where}.type must be 'client' or 'responses'`;
  const responses = delegation.responses;
  if (responses === undefined && !responsesRequired) return undefined;
  if (!isObject(responses)) return `${where}.responses must be an object`;
  if (responsesRequired && typeof responses.model !== 'string') return `${where}.responses.model must be a string`;
  if (responses.tools !== undefined) {
    if (!Array.isArray(responses.tools)) return `${where}.responses.tools must be an array`;
    for (const [i, tool] of responses.tools.entries()) {
      if (!isObject(tool) || typeof tool.type !== 'string') return `${where}.responses.tools[${i}] must be an object with a type`;
      if (tool.type === 'function' && typeof tool.name !== 'string') return `${where}.responses.tools[${i}].name must be a string`;
    }
  }
  return undefined;
}

const sessionStart: Check = (event) => {
  const session = event.session;
  if (!isObject(session)) return 'session must be an object';
  if (typeof session.model !== 'string' || session.model === '') return 'session.model is required (Live takes the model here, never in the URL)';
  if (session.instructions !== undefined && typeof session.instructions !== 'string') return 'session.instructions must be a string';
  if (session.store !== undefined && typeof session.store !== 'boolean') return 'session.store must be a boolean';
  if (session.input !== undefined) {
    if (!Array.isArray(session.input)) return 'session.input must be an array';
    if (session.input.length > LIVE_MAX_INPUT_MESSAGES) return `session.input holds at most ${LIVE_MAX_INPUT_MESSAGES} messages`;
    for (const [i, item] of session.input.entries()) {
      const problem = initialItemProblem(item, i);
      if (problem) return problem;
    }
  }
  if (session.audio !== undefined) {
    const audio = session.audio;
    if (!isObject(audio)) return 'session.audio must be an object';
    if (audio.format !== undefined) {
      const problem = liveAudioFormatProblem(audio.format);
      if (problem) return `session.audio.format ${problem}`;
    }
    if (audio.output !== undefined) {
      if (!isObject(audio.output)) return 'session.audio.output must be an object';
      const voice = audio.output.voice;
      if (voice !== undefined && typeof voice !== 'string' && !(isObject(voice) && typeof voice.id === 'string')) {
        return 'session.audio.output.voice must be a voice name or {id}';
      }
    }
  }
  if (session.delegation !== undefined && session.delegation !== null) return delegationProblem(session.delegation, 'session.delegation', true);
  return undefined;
};

const append: Check = (event) => {
  if (typeof event.content !== 'string') return 'content must be a string';
  if (!('delegation_id' in event)) return 'delegation_id is required (null for general context)';
  if (event.delegation_id !== null && typeof event.delegation_id !== 'string') return 'delegation_id must be a string or null';
  return undefined;
};

const CHECKS: Record<LiveClientEventType, Check> = {
  'session.start': sessionStart,
  'session.update': (event) => {
    if (!isObject(event.session)) return 'session must be an object';
    if (!('delegation' in event.session)) return 'session.delegation is required (only delegation settings can change)';
    return delegationProblem(event.session.delegation, 'session.delegation', false);
  },
  'session.input_audio.append': (event) => (typeof event.audio === 'string' ? undefined : 'audio must be a base64 string'),
  'session.input_audio.mute': () => undefined,
  'session.input_audio.unmute': () => undefined,
  'session.instructions.append': append,
  'session.thinking.append': append,
  'session.commentary.append': append,
  'response.item.create': (event) => {
    const item = event.item;
    if (!isObject(item) || typeof item.type !== 'string') return 'item must be an object with a type';
    if (item.type === 'function_call_output') {
      if (typeof item.call_id !== 'string' || item.call_id === '') return 'item.call_id must be a string';
      if (typeof item.output !== 'string') return 'item.output must be a string (JSON text for structured results)';
    }
    return undefined;
  },
  'response.create': () => undefined,
  'session.close': () => undefined,
};

function isClientType(type: string): type is LiveClientEventType {
  return (LIVE_CLIENT_EVENT_TYPES as readonly string[]).includes(type);
}

/** `input`: JSON text, or a value already parsed from it. */
export function parseLiveClientEvent(input: unknown): LiveClientParse {
  const object = objectFrom(input);
  if (!object.ok) return object;
  const event = object.value;
  if (typeof event.type !== 'string') return { ok: false, reason: 'the event has no string type' };
  if (event.event_id !== undefined && typeof event.event_id !== 'string') return { ok: false, reason: 'event_id must be a string' };
  if (!isClientType(event.type)) return { ok: false, reason: `${quoteType(event.type)} is not a Live client event (expected one of: ${LIVE_CLIENT_EVENT_TYPES.join(', ')})` };
  const problem = CHECKS[event.type](event);
  if (problem) return { ok: false, reason: `${event.type}: ${problem}` };
  return { ok: true, event: event as unknown as LiveClientEvent };
}

