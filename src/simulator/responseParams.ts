/**
 * The optional `response` object of `response.create` (reference §3.1), validated and resolved
 * against the session: what it does not set comes from the session. A VAD-triggered response has
 * no parameters and takes everything from the session.
 */
import type { AudioFormat, RealtimeErrorBody, RealtimeSession, SessionTool, ToolChoice } from './protocolTypes.js';
import { realtimeErrors } from './realtimeErrors.js';
import {
  fail,
  isObject,
  parseAudioFormat,
  parseMaxOutputTokens,
  parseOutputModalities,
  parseToolChoice,
  parseTools,
  validated,
} from './sessionConfig.js';

type ErrorBody = Omit<RealtimeErrorBody, 'event_id'>;

/** Fields of the GA response parameters; anything else (e.g. `temperature`) is `unknown_parameter`. */
const RESPONSE_CREATE_FIELDS = new Set([
  'conversation',
  'input',
  'instructions',
  'output_modalities',
  'audio',
  'tools',
  'tool_choice',
  'max_output_tokens',
  'metadata',
  'prompt',
  'reasoning',
  'parallel_tool_calls',
]);

export interface ResponseParams {
  /** `conversation: "none"`: an out-of-band response, not added to the conversation. */
  outOfBand: boolean;
  modalities: Array<'audio' | 'text'>;
  maxOutputTokens: number | 'inf';
  tools: SessionTool[];
  toolChoice: ToolChoice;
  metadata: Record<string, string> | null;
  format: AudioFormat;
  voice: string | { id: string };
}

export function parseResponseCreate(
  params: Record<string, unknown> | undefined,
  session: RealtimeSession,
): { ok: true; value: ResponseParams } | { ok: false; error: ErrorBody } {
  return validated(() => {
    const p = params ?? {};
    for (const key of Object.keys(p)) {
      if (!RESPONSE_CREATE_FIELDS.has(key)) fail(realtimeErrors.unknownParameter(`response.${key}`));
    }
    if (p.conversation !== undefined && p.conversation !== 'auto' && p.conversation !== 'none') {
      fail(realtimeErrors.invalidValue('response.conversation', p.conversation, ['auto', 'none']));
    }
    let format: AudioFormat = session.audio.output.format;
    let voice = session.audio.output.voice;
    if (p.audio !== undefined) {
      const output = isObject(p.audio) && isObject(p.audio.output) ? p.audio.output : undefined;
      if (output?.format !== undefined) format = parseAudioFormat(output.format, 'response.audio.output.format');
      if (typeof output?.voice === 'string') voice = output.voice;
    }
    return {
      outOfBand: p.conversation === 'none',
      modalities: p.output_modalities !== undefined ? parseOutputModalities(p.output_modalities, 'response.output_modalities') : session.output_modalities,
      maxOutputTokens: p.max_output_tokens !== undefined ? parseMaxOutputTokens(p.max_output_tokens, 'response.max_output_tokens') : session.max_output_tokens,
      tools: p.tools !== undefined ? parseTools(p.tools, 'response.tools') : session.tools,
      toolChoice: p.tool_choice !== undefined ? parseToolChoice(p.tool_choice, 'response.tool_choice') : session.tool_choice,
      metadata: isObject(p.metadata) ? (p.metadata as Record<string, string>) : null,
      format,
      voice,
    };
  });
}
