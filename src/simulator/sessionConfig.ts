/**
 * The GA session: the default sent in `session.created`, the beta-shape check, and
 * `session.update` validation + merge. Pure functions over plain data so the rules can be read
 * (and tested) apart from the socket.
 *
 * A rejected update changes nothing (OpenAI rejects the whole event, e.g. for
 * `session.temperature`), so validation runs to completion on a copy before anything is applied.
 */
import { AUDIO_FORMAT_TYPES, PCM_FORMAT } from './audioFormats.js';
import { newId } from './ids.js';
import type {
  AudioFormat,
  RealtimeErrorBody,
  RealtimeSession,
  SemanticVadConfig,
  ServerVadConfig,
  SessionTool,
  ToolChoice,
  TurnDetectionConfig,
} from './protocolTypes.js';
import { realtimeErrors } from './realtimeErrors.js';

type ErrorBody = Omit<RealtimeErrorBody, 'event_id'>;

export const DEFAULT_MODEL = 'gpt-realtime';

export const DEFAULT_INSTRUCTIONS =
  'You are a helpful, witty, and friendly AI. Act like a human, but remember that you aren\'t a human. ' +
  'Your voice and personality should be warm and engaging. Talk quickly. ' +
  'This session is served by the OpenAI realtime simulator.';

export const KNOWN_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'] as const;

/** Fields that exist only in the beta session shape (reference §2.1). */
export const BETA_SESSION_FIELDS = [
  'modalities',
  'input_audio_format',
  'output_audio_format',
  'input_audio_transcription',
  'input_audio_noise_reduction',
  'turn_detection',
  'voice',
  'speed',
  'max_response_output_tokens',
] as const;

/** Top-level fields of the GA `RealtimeSessionCreateRequest`. Anything else is `unknown_parameter`. */
const GA_SESSION_FIELDS = new Set([
  'type',
  'model',
  'output_modalities',
  'instructions',
  'audio',
  'include',
  'tracing',
  'tools',
  'tool_choice',
  'max_output_tokens',
  'truncation',
  'prompt',
  'reasoning',
  'parallel_tool_calls',
]);

export function defaultServerVad(): ServerVadConfig {
  return {
    type: 'server_vad',
    threshold: 0.5,
    prefix_padding_ms: 300,
    silence_duration_ms: 500,
    create_response: true,
    interrupt_response: true,
    idle_timeout_ms: null,
  };
}

function defaultSemanticVad(): SemanticVadConfig {
  return { type: 'semantic_vad', eagerness: 'auto', create_response: true, interrupt_response: true };
}

export function createDefaultSession(options: {
  model: string;
  instructions: string;
  sessionLimitMs: number;
}): RealtimeSession {
  return {
    type: 'realtime',
    object: 'realtime.session',
    id: newId('sess'),
    model: options.model,
    output_modalities: ['audio'],
    instructions: options.instructions,
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    expires_at: Math.floor((Date.now() + options.sessionLimitMs) / 1000),
    include: null,
    audio: {
      input: {
        format: { ...PCM_FORMAT },
        transcription: null,
        noise_reduction: null,
        turn_detection: defaultServerVad(),
      },
      output: { format: { ...PCM_FORMAT }, voice: 'marin', speed: 1 },
    },
  };
}

/**
 * True when a `session.update` payload has the beta shape: no `type`, or any beta-only field
 * (OpenAI answers both with `beta_api_shape_disabled` and closes with 4000).
 */
export function isBetaShapedSession(patch: unknown): boolean {
  if (!isObject(patch)) return false;
  if (!('type' in patch)) return true;
  return BETA_SESSION_FIELDS.some((field) => field in patch);
}

export type SessionUpdateResult = { ok: true; session: RealtimeSession } | { ok: false; error: ErrorBody };

export interface SessionUpdateContext {
  /** The assistant has produced audio in this session: the voice is frozen from then on. */
  assistantAudioProduced: boolean;
}

/** Validate `patch` (the `session` of a GA `session.update`) and merge it into a copy of `current`. */
export function applySessionUpdate(
  current: RealtimeSession,
  patch: unknown,
  context: SessionUpdateContext,
): SessionUpdateResult {
  try {
    return { ok: true, session: merge(current, patch, context) };
  } catch (err) {
    if (err instanceof SessionValidationError) return { ok: false, error: err.body };
    throw err;
  }
}

class SessionValidationError extends Error {
  readonly body: ErrorBody;
  constructor(body: ErrorBody) {
    super(body.message);
    this.body = body;
  }
}

/** Abort validation with this error; `applySessionUpdate` / `validated` turn it into a result. */
export function fail(body: ErrorBody): never {
  throw new SessionValidationError(body);
}

function merge(current: RealtimeSession, patch: unknown, context: SessionUpdateContext): RealtimeSession {
  if (!isObject(patch)) fail(realtimeErrors.invalidType('session', 'an object'));
  const next = structuredClone(current);

  for (const key of Object.keys(patch)) {
    if (!GA_SESSION_FIELDS.has(key)) fail(realtimeErrors.unknownParameter(`session.${key}`));
  }
  if (patch.type !== 'realtime') {
    if (patch.type === 'transcription') fail(realtimeErrors.unsupportedSessionType(patch.type));
    fail(realtimeErrors.invalidValue('session.type', patch.type, ['realtime', 'transcription']));
  }
  if ('model' in patch) next.model = requireString(patch.model, 'session.model');
  if ('instructions' in patch) next.instructions = requireString(patch.instructions, 'session.instructions');
  if ('output_modalities' in patch) next.output_modalities = parseOutputModalities(patch.output_modalities, 'session.output_modalities');
  if ('max_output_tokens' in patch) next.max_output_tokens = parseMaxOutputTokens(patch.max_output_tokens, 'session.max_output_tokens');
  if ('tools' in patch) next.tools = parseTools(patch.tools, 'session.tools');
  if ('tool_choice' in patch) next.tool_choice = parseToolChoice(patch.tool_choice, 'session.tool_choice');
  if ('include' in patch) next.include = (patch.include as string[] | null) ?? null;
  if ('tracing' in patch) next.tracing = patch.tracing;
  if ('truncation' in patch) next.truncation = patch.truncation;
  if ('prompt' in patch) next.prompt = patch.prompt;

  if ('audio' in patch) {
    const audio = patch.audio;
    if (!isObject(audio)) fail(realtimeErrors.invalidType('session.audio', 'an object'));
    rejectUnknown(audio, ['input', 'output'], 'session.audio');
    if ('input' in audio) mergeInput(next, audio.input);
    if ('output' in audio) mergeOutput(next, audio.output, current, context);
  }
  return next;
}

function mergeInput(next: RealtimeSession, input: unknown): void {
  const prefix = 'session.audio.input';
  if (!isObject(input)) fail(realtimeErrors.invalidType(prefix, 'an object'));
  rejectUnknown(input, ['format', 'transcription', 'noise_reduction', 'turn_detection'], prefix);
  if ('format' in input) next.audio.input.format = parseAudioFormat(input.format, `${prefix}.format`);
  if ('transcription' in input) {
    const t = input.transcription;
    if (t !== null && !isObject(t)) fail(realtimeErrors.invalidType(`${prefix}.transcription`, 'an object or null'));
    next.audio.input.transcription = t === null ? null : { ...t };
  }
  if ('noise_reduction' in input) {
    const nr = input.noise_reduction;
    if (nr === null) next.audio.input.noise_reduction = null;
    else if (isObject(nr) && (nr.type === 'near_field' || nr.type === 'far_field')) next.audio.input.noise_reduction = { type: nr.type };
    else fail(realtimeErrors.invalidValue(`${prefix}.noise_reduction.type`, isObject(nr) ? nr.type : nr, ['near_field', 'far_field']));
  }
  if ('turn_detection' in input) next.audio.input.turn_detection = parseTurnDetection(input.turn_detection, `${prefix}.turn_detection`);
}

function mergeOutput(next: RealtimeSession, output: unknown, current: RealtimeSession, context: SessionUpdateContext): void {
  const prefix = 'session.audio.output';
  if (!isObject(output)) fail(realtimeErrors.invalidType(prefix, 'an object'));
  rejectUnknown(output, ['format', 'voice', 'speed'], prefix);
  if ('format' in output) next.audio.output.format = parseAudioFormat(output.format, `${prefix}.format`);
  if ('voice' in output) {
    const voice = parseVoice(output.voice, `${prefix}.voice`);
    if (context.assistantAudioProduced && JSON.stringify(voice) !== JSON.stringify(current.audio.output.voice)) {
      fail(realtimeErrors.cannotUpdateVoice());
    }
    next.audio.output.voice = voice;
  }
  if ('speed' in output) {
    const speed = output.speed;
    if (typeof speed !== 'number' || speed < 0.25 || speed > 1.5) fail(realtimeErrors.valueOutOfRange(`${prefix}.speed`, speed, 0.25, 1.5));
    next.audio.output.speed = speed;
  }
}

export function parseAudioFormat(value: unknown, param: string): AudioFormat {
  if (!isObject(value)) fail(realtimeErrors.invalidType(param, 'an object such as {"type":"audio/pcm","rate":24000}'));
  rejectUnknown(value, ['type', 'rate'], param);
  const type = value.type;
  if (!AUDIO_FORMAT_TYPES.includes(type as (typeof AUDIO_FORMAT_TYPES)[number])) {
    fail(realtimeErrors.invalidValue(`${param}.type`, type, AUDIO_FORMAT_TYPES));
  }
  if (type === 'audio/pcm') {
    if ('rate' in value && value.rate !== 24000) fail(realtimeErrors.invalidValue(`${param}.rate`, value.rate, ['24000']));
    return { type: 'audio/pcm', rate: 24000 };
  }
  if ('rate' in value) fail(realtimeErrors.unknownParameter(`${param}.rate`));
  return { type: type as 'audio/pcmu' | 'audio/pcma' };
}

function parseTurnDetection(value: unknown, param: string): TurnDetectionConfig {
  if (value === null) return null;
  if (!isObject(value)) fail(realtimeErrors.invalidType(param, 'an object or null'));
  if (value.type === 'server_vad') {
    const vad = defaultServerVad();
    rejectUnknown(value, Object.keys(vad), param);
    if ('threshold' in value) vad.threshold = requireNumber(value.threshold, `${param}.threshold`, 0, 1);
    if ('prefix_padding_ms' in value) vad.prefix_padding_ms = requireNumber(value.prefix_padding_ms, `${param}.prefix_padding_ms`, 0, 10_000);
    if ('silence_duration_ms' in value) vad.silence_duration_ms = requireNumber(value.silence_duration_ms, `${param}.silence_duration_ms`, 0, 10_000);
    if ('create_response' in value) vad.create_response = requireBoolean(value.create_response, `${param}.create_response`);
    if ('interrupt_response' in value) vad.interrupt_response = requireBoolean(value.interrupt_response, `${param}.interrupt_response`);
    if ('idle_timeout_ms' in value && value.idle_timeout_ms !== null) {
      vad.idle_timeout_ms = requireNumber(value.idle_timeout_ms, `${param}.idle_timeout_ms`, 5_000, 30_000);
    }
    return vad;
  }
  if (value.type === 'semantic_vad') {
    const vad = defaultSemanticVad();
    rejectUnknown(value, Object.keys(vad), param);
    if ('eagerness' in value) {
      const eagerness = value.eagerness;
      if (eagerness !== 'low' && eagerness !== 'medium' && eagerness !== 'high' && eagerness !== 'auto') {
        fail(realtimeErrors.invalidValue(`${param}.eagerness`, eagerness, ['low', 'medium', 'high', 'auto']));
      }
      vad.eagerness = eagerness;
    }
    if ('create_response' in value) vad.create_response = requireBoolean(value.create_response, `${param}.create_response`);
    if ('interrupt_response' in value) vad.interrupt_response = requireBoolean(value.interrupt_response, `${param}.interrupt_response`);
    return vad;
  }
  fail(realtimeErrors.invalidValue(`${param}.type`, value.type, ['server_vad', 'semantic_vad']));
}

function parseVoice(value: unknown, param: string): string | { id: string } {
  if (typeof value === 'string') {
    if (!(KNOWN_VOICES as readonly string[]).includes(value)) fail(realtimeErrors.invalidValue(param, value, KNOWN_VOICES));
    return value;
  }
  if (isObject(value) && typeof value.id === 'string') return { id: value.id };
  fail(realtimeErrors.invalidType(param, 'a voice name or {"id": "voice_…"}'));
}

export function parseOutputModalities(value: unknown, param: string): Array<'audio' | 'text'> {
  if (Array.isArray(value) && value.length === 1 && (value[0] === 'audio' || value[0] === 'text')) return [value[0]];
  // GA: "It is not possible to request both `text` and `audio` at the same time."
  fail(realtimeErrors.invalidValue(param, JSON.stringify(value), ['["audio"]', '["text"]']));
}

export function parseMaxOutputTokens(value: unknown, param: string): number | 'inf' {
  if (value === 'inf') return 'inf';
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 4096) return value;
  fail(realtimeErrors.valueOutOfRange(param, value, 1, 4096));
}

export function parseTools(value: unknown, param: string): SessionTool[] {
  if (!Array.isArray(value)) fail(realtimeErrors.invalidType(param, 'an array'));
  return value.map((tool, index) => {
    if (!isObject(tool) || typeof tool.type !== 'string') fail(realtimeErrors.invalidType(`${param}[${index}]`, 'a tool object'));
    if (tool.type === 'function') {
      if (typeof tool.name !== 'string' || tool.name === '') fail(realtimeErrors.missingParameter(`${param}[${index}].name`));
      return structuredClone(tool) as SessionTool;
    }
    if (tool.type === 'mcp') return structuredClone(tool) as SessionTool;
    fail(realtimeErrors.invalidValue(`${param}[${index}].type`, tool.type, ['function', 'mcp']));
  });
}

export function parseToolChoice(value: unknown, param: string): ToolChoice {
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  if (isObject(value) && value.type === 'function' && typeof value.name === 'string') return { type: 'function', name: value.name };
  if (isObject(value) && value.type === 'mcp') return structuredClone(value) as ToolChoice;
  fail(realtimeErrors.invalidValue(param, JSON.stringify(value), ['auto', 'none', 'required', '{"type":"function","name":…}']));
}

function rejectUnknown(value: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(realtimeErrors.unknownParameter(`${prefix}.${key}`));
  }
}

function requireString(value: unknown, param: string): string {
  if (typeof value !== 'string') fail(realtimeErrors.invalidType(param, 'a string'));
  return value;
}

function requireBoolean(value: unknown, param: string): boolean {
  if (typeof value !== 'boolean') fail(realtimeErrors.invalidType(param, 'a boolean'));
  return value;
}

function requireNumber(value: unknown, param: string, min: number, max: number): number {
  if (typeof value !== 'number' || Number.isNaN(value)) fail(realtimeErrors.invalidType(param, 'a number'));
  if (value < min || value > max) fail(realtimeErrors.valueOutOfRange(param, value, min, max));
  return value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validation failures of other events reuse the same throw-and-catch shape. */
export function validated<T>(parse: () => T): { ok: true; value: T } | { ok: false; error: ErrorBody } {
  try {
    return { ok: true, value: parse() };
  } catch (err) {
    if (err instanceof SessionValidationError) return { ok: false, error: err.body };
    throw err;
  }
}
