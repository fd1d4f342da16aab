/**
 * The simulator's strict check of `session.start`, the way the Live server documents it: the
 * schema is strict (an unknown field anywhere is refused with `unknown_parameter` naming its
 * path), the model is required and must be a Live model, the audio format is one of the four
 * Live accepts with its explicit rate, the voice is a built-in name or a custom voice id, and the
 * startup history holds at most 128 text messages of one part each within 8,192 tokens.
 *
 * Deliberately written apart from src/protocol/live/ (the module's own parser): the simulator
 * checks the module, so sharing the code would let one mistake pass on both sides.
 */
import { isObject } from '../sessionConfig.js';
import { liveErrors, type LiveErrorBody } from './liveErrors.js';

export type SimAudioFormat = { type: 'audio/pcm'; rate: 16000 | 24000 } | { type: 'audio/pcmu'; rate: 8000 } | { type: 'audio/pcma'; rate: 8000 };

export type SimDelegation = { type: 'client' } | { type: 'responses'; responses: Record<string, unknown> };

export interface StartedConfig {
  model: string;
  instructions: string;
  input: Array<Record<string, unknown>>;
  format: SimAudioFormat;
  voice: string | { id: string };
  delegation: SimDelegation;
  store: boolean;
}

/** The voices of OpenAI's SDK enum for Live (the server's list is authoritative). */
export const LIVE_VOICES = [
  'alloy', 'ash', 'aube', 'ballad', 'beacon', 'bossa', 'brise', 'cedar', 'cinder', 'coral', 'delta', 'echo', 'flitz', 'gleam', 'harema', 'juni',
  'marin', 'meridian', 'nira', 'noeul', 'nuri', 'quartz', 'ripple', 'sage', 'shimmer', 'shitan', 'sillage', 'stone', 'tempo', 'verse', 'vesper', 'willow',
] as const;

export const DEFAULT_LIVE_MODELS = ['gpt-live-1', 'gpt-live-1.1'] as const;

/** The default when a start names no format: not documented; 24 kHz PCM as Realtime. */
export const DEFAULT_LIVE_FORMAT: SimAudioFormat = { type: 'audio/pcm', rate: 24000 };

const SESSION_KEYS = ['model', 'instructions', 'input', 'audio', 'delegation', 'store', 'client'];
const AUDIO_KEYS = ['format', 'output'];
const FORMAT_KEYS = ['type', 'rate'];
const OUTPUT_KEYS = ['voice'];
const ITEM_KEYS = ['type', 'role', 'content', 'id', 'status'];
const PART_KEYS = ['type', 'text'];
export const RESPONSES_KEYS = ['model', 'instructions', 'max_output_tokens', 'service_tier', 'reasoning', 'text', 'tools', 'tool_choice', 'parallel_tool_calls'];

const MAX_INPUT_MESSAGES = 128;
const MAX_INPUT_TOKENS = 8192;
const MAX_INSTRUCTION_TOKENS = 16_384;

/** A rough token count (4 characters a token), enough to enforce the documented limits. */
export function roughTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The first key of `object` not in `allowed`, as a parameter path. */
export function unknownKey(object: Record<string, unknown>, allowed: readonly string[], path: string): string | undefined {
  const key = Object.keys(object).find((k) => !allowed.includes(k));
  return key === undefined ? undefined : `${path}.${key}`;
}

export function checkDelegation(value: unknown, path: string, options: { requireModel: boolean }): { ok: true; delegation: SimDelegation } | { ok: false; error: LiveErrorBody } {
  if (!isObject(value)) return { ok: false, error: liveErrors.invalidType(path, 'an object or null') };
  if (value.type === 'client') {
    const extra = unknownKey(value, ['type'], path);
    return extra ? { ok: false, error: liveErrors.unknownParameter(extra) } : { ok: true, delegation: { type: 'client' } };
  }
  if (value.type !== 'responses') return { ok: false, error: liveErrors.invalidValue(`${path}.type`, "Invalid value for delegation.type: expected 'client' or 'responses'.") };
  const extra = unknownKey(value, ['type', 'responses'], path);
  if (extra) return { ok: false, error: liveErrors.unknownParameter(extra) };
  const responses = value.responses ?? (options.requireModel ? undefined : {});
  if (responses === undefined) return { ok: false, error: liveErrors.missingParameter(`${path}.responses`) };
  if (!isObject(responses)) return { ok: false, error: liveErrors.invalidType(`${path}.responses`, 'an object') };
  const extraBackend = unknownKey(responses, RESPONSES_KEYS, `${path}.responses`);
  if (extraBackend) return { ok: false, error: liveErrors.unknownParameter(extraBackend) };
  if (options.requireModel && typeof responses.model !== 'string') return { ok: false, error: liveErrors.missingParameter(`${path}.responses.model`) };
  if (responses.tools !== undefined && !Array.isArray(responses.tools)) return { ok: false, error: liveErrors.invalidType(`${path}.responses.tools`, 'an array') };
  return { ok: true, delegation: { type: 'responses', responses: { ...responses } } };
}

function checkFormat(value: unknown): { ok: true; format: SimAudioFormat } | { ok: false; error: LiveErrorBody } {
  const path = 'session.audio.format';
  if (!isObject(value)) return { ok: false, error: liveErrors.invalidType(path, 'an object {type, rate}') };
  const extra = unknownKey(value, FORMAT_KEYS, path);
  if (extra) return { ok: false, error: liveErrors.unknownParameter(extra) };
  if (value.rate === undefined) return { ok: false, error: liveErrors.missingParameter(`${path}.rate`) };
  if (value.type === 'audio/pcm' && (value.rate === 16000 || value.rate === 24000)) return { ok: true, format: { type: 'audio/pcm', rate: value.rate } };
  if ((value.type === 'audio/pcmu' || value.type === 'audio/pcma') && value.rate === 8000) return { ok: true, format: { type: value.type, rate: 8000 } };
  if (value.type !== 'audio/pcm' && value.type !== 'audio/pcmu' && value.type !== 'audio/pcma') {
    return { ok: false, error: liveErrors.invalidValue(`${path}.type`, "Invalid value for audio.format.type: expected 'audio/pcm', 'audio/pcmu' or 'audio/pcma'.") };
  }
  return { ok: false, error: liveErrors.invalidValue(`${path}.rate`, `Invalid rate for ${value.type}: ${value.type === 'audio/pcm' ? 'expected 16000 or 24000' : 'expected 8000'}.`) };
}

function checkInput(value: unknown): { ok: true; input: Array<Record<string, unknown>> } | { ok: false; error: LiveErrorBody } {
  if (!Array.isArray(value)) return { ok: false, error: liveErrors.invalidType('session.input', 'an array') };
  if (value.length > MAX_INPUT_MESSAGES) return { ok: false, error: liveErrors.invalidValue('session.input', `session.input holds at most ${MAX_INPUT_MESSAGES} messages; got ${value.length}.`) };
  let tokens = 0;
  for (const [i, item] of value.entries()) {
    const path = `session.input[${i}]`;
    if (!isObject(item)) return { ok: false, error: liveErrors.invalidType(path, 'an object') };
    const extra = unknownKey(item, ITEM_KEYS, path);
    if (extra) return { ok: false, error: liveErrors.unknownParameter(extra) };
    if (item.type !== undefined && item.type !== 'message') return { ok: false, error: liveErrors.invalidValue(`${path}.type`, "Invalid value: expected 'message'.") };
    if (item.role !== 'developer' && item.role !== 'user' && item.role !== 'assistant') {
      return { ok: false, error: liveErrors.invalidValue(`${path}.role`, "Invalid value: expected 'developer', 'user' or 'assistant'.") };
    }
    if (item.status !== undefined && item.status !== 'completed' && item.status !== 'incomplete') {
      return { ok: false, error: liveErrors.invalidValue(`${path}.status`, "Invalid value: expected 'completed' or 'incomplete'.") };
    }
    const content = item.content;
    if (!Array.isArray(content) || content.length !== 1) return { ok: false, error: liveErrors.invalidValue(`${path}.content`, 'Each startup message must have exactly one text part.') };
    const part: unknown = content[0];
    if (!isObject(part)) return { ok: false, error: liveErrors.invalidType(`${path}.content[0]`, 'an object') };
    const extraPart = unknownKey(part, PART_KEYS, `${path}.content[0]`);
    if (extraPart) return { ok: false, error: liveErrors.unknownParameter(extraPart) };
    if (typeof part.text !== 'string') return { ok: false, error: liveErrors.missingParameter(`${path}.content[0].text`) };
    const allowed = item.role === 'assistant' ? ['text', 'output_text'] : ['input_text'];
    if (part.type !== undefined && !allowed.includes(String(part.type))) {
      return { ok: false, error: liveErrors.invalidValue(`${path}.content[0].type`, `Invalid content type for a ${String(item.role)} message: expected ${allowed.join(' or ')}.`) };
    }
    tokens += roughTokens(part.text) + 4;
  }
  if (tokens > MAX_INPUT_TOKENS) return { ok: false, error: liveErrors.invalidValue('session.input', `session.input is limited to ${MAX_INPUT_TOKENS} rendered tokens; got about ${tokens}.`) };
  return { ok: true, input: value as Array<Record<string, unknown>> };
}

/** Check a `session.start` event's `session` against the strict schema. */
export function checkSessionStart(session: unknown, liveModels: readonly string[]): { ok: true; config: StartedConfig } | { ok: false; error: LiveErrorBody } {
  if (session === undefined) return { ok: false, error: liveErrors.missingParameter('session') };
  if (!isObject(session)) return { ok: false, error: liveErrors.invalidType('session', 'an object') };
  const extra = unknownKey(session, SESSION_KEYS, 'session');
  if (extra) return { ok: false, error: liveErrors.unknownParameter(extra) };

  if (session.model === undefined) return { ok: false, error: liveErrors.missingParameter('session.model') };
  if (typeof session.model !== 'string') return { ok: false, error: liveErrors.invalidType('session.model', 'a string') };
  if (!liveModels.includes(session.model)) {
    const realtime = /realtime|^gpt-4o/.test(session.model);
    return { ok: false, error: realtime ? liveErrors.notALiveModel(session.model) : liveErrors.modelNotFound(session.model) };
  }
  if (session.instructions !== undefined && typeof session.instructions !== 'string') return { ok: false, error: liveErrors.invalidType('session.instructions', 'a string') };
  const instructions = typeof session.instructions === 'string' ? session.instructions : '';
  if (roughTokens(instructions) > MAX_INSTRUCTION_TOKENS) {
    return { ok: false, error: liveErrors.invalidValue('session.instructions', `Instructions are limited to ${MAX_INSTRUCTION_TOKENS} tokens.`) };
  }
  if (session.store !== undefined && typeof session.store !== 'boolean') return { ok: false, error: liveErrors.invalidType('session.store', 'a boolean') };
  if (session.client !== undefined && !isObject(session.client)) return { ok: false, error: liveErrors.invalidType('session.client', 'an object') };

  let format = DEFAULT_LIVE_FORMAT;
  let voice: string | { id: string } = 'marin';
  if (session.audio !== undefined) {
    const audio = session.audio;
    if (!isObject(audio)) return { ok: false, error: liveErrors.invalidType('session.audio', 'an object') };
    const extraAudio = unknownKey(audio, AUDIO_KEYS, 'session.audio');
    if (extraAudio) return { ok: false, error: liveErrors.unknownParameter(extraAudio) };
    if (audio.format !== undefined) {
      const checked = checkFormat(audio.format);
      if (!checked.ok) return checked;
      format = checked.format;
    }
    if (audio.output !== undefined) {
      if (!isObject(audio.output)) return { ok: false, error: liveErrors.invalidType('session.audio.output', 'an object') };
      const extraOutput = unknownKey(audio.output, OUTPUT_KEYS, 'session.audio.output');
      if (extraOutput) return { ok: false, error: liveErrors.unknownParameter(extraOutput) };
      const v = audio.output.voice;
      if (v !== undefined) {
        if (typeof v === 'string' && (LIVE_VOICES as readonly string[]).includes(v)) voice = v;
        else if (isObject(v) && typeof v.id === 'string' && v.id.startsWith('voice_') && Object.keys(v).length === 1) voice = { id: v.id };
        else return { ok: false, error: liveErrors.invalidVoice() };
      }
    }
  }

  let input: Array<Record<string, unknown>> = [];
  if (session.input !== undefined) {
    const checked = checkInput(session.input);
    if (!checked.ok) return checked;
    input = checked.input;
  }

  let delegation: SimDelegation = { type: 'client' };
  if (session.delegation !== undefined && session.delegation !== null) {
    const checked = checkDelegation(session.delegation, 'session.delegation', { requireModel: true });
    if (!checked.ok) return checked;
    delegation = checked.delegation;
  }
  return { ok: true, config: { model: session.model, instructions, input, format, voice, delegation, store: session.store === true } };
}
