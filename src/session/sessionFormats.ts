/**
 * The audio formats and turn-detection settings in force, read from the server's own
 * `session.created` / `session.updated` (the effective configuration), never from what the app
 * asked for: the last one the server sent wins. GA shapes (`audio.input.format`
 * {type:"audio/pcm",rate} | {type:"audio/pcmu"} | {type:"audio/pcma"}) and, for endpoints that
 * still speak it, the legacy beta fields (`input_audio_format: "pcm16" | "g711_ulaw" | "g711_alaw"`).
 */
import { isJsonObject } from '../protocol/json.js';

export type WireEncoding = 'pcm' | 'pcmu' | 'pcma';

export interface WireFormat {
  encoding: WireEncoding;
  /** 24000 for GA PCM, 8000 for G.711. */
  rate: number;
}

export interface SessionAudioConfig {
  input: WireFormat;
  output: WireFormat;
  /** The server cancels the active response itself when the caller starts speaking. */
  interruptResponse: boolean;
}

export const PCM_24K: WireFormat = Object.freeze({ encoding: 'pcm', rate: 24000 }) as WireFormat;

/** OpenAI's defaults, in force until the server says otherwise. */
export function defaultSessionAudioConfig(): SessionAudioConfig {
  return { input: PCM_24K, output: PCM_24K, interruptResponse: true };
}

export function formatName(format: WireFormat): string {
  return format.encoding === 'pcm' ? `audio/pcm@${format.rate}` : `audio/${format.encoding}`;
}

/**
 * PCM rates taken from the server; any other rate is read as 24000, the only one OpenAI sends. A
 * rate like 24000.5 would throw in the resampler, and an odd one (7, 12345) would cost tens of
 * milliseconds of the Node thread, every call's, to build a filter.
 */
const PCM_RATES: ReadonlySet<number> = new Set([8000, 12000, 16000, 24000, 32000, 44100, 48000]);

function parseGaFormat(value: unknown): WireFormat | null {
  if (!isJsonObject(value)) return null;
  switch (value.type) {
    case 'audio/pcm':
      return typeof value.rate === 'number' && PCM_RATES.has(value.rate) ? { encoding: 'pcm', rate: value.rate } : PCM_24K;
    case 'audio/pcmu':
      return { encoding: 'pcmu', rate: 8000 };
    case 'audio/pcma':
      return { encoding: 'pcma', rate: 8000 };
    default:
      return null;
  }
}

function parseBetaFormat(value: unknown): WireFormat | null {
  switch (value) {
    case 'pcm16':
      return PCM_24K;
    case 'g711_ulaw':
      return { encoding: 'pcmu', rate: 8000 };
    case 'g711_alaw':
      return { encoding: 'pcma', rate: 8000 };
    default:
      return null;
  }
}

function interruptOf(turnDetection: unknown, previous: boolean): boolean {
  if (turnDetection === null) return false; // no server VAD: nothing interrupts on the server
  if (!isJsonObject(turnDetection)) return previous;
  return turnDetection.interrupt_response === undefined ? true : turnDetection.interrupt_response === true;
}

/** The configuration `session` (the `session` of a session.created/updated) describes. */
export function readSessionAudioConfig(session: unknown, previous: SessionAudioConfig): SessionAudioConfig {
  if (!isJsonObject(session)) return previous;
  const audio = isJsonObject(session.audio) ? session.audio : undefined;
  const input = audio && isJsonObject(audio.input) ? audio.input : undefined;
  const output = audio && isJsonObject(audio.output) ? audio.output : undefined;
  const next: SessionAudioConfig = { ...previous };
  next.input = parseGaFormat(input?.format) ?? parseBetaFormat(session.input_audio_format) ?? previous.input;
  next.output = parseGaFormat(output?.format) ?? parseBetaFormat(session.output_audio_format) ?? previous.output;
  if (input && 'turn_detection' in input) next.interruptResponse = interruptOf(input.turn_detection, previous.interruptResponse);
  else if ('turn_detection' in session) next.interruptResponse = interruptOf(session.turn_detection, previous.interruptResponse);
  return next;
}

/** True when an app's `session.update` asks for an input format (the uplink must wait for the answer). */
export function sessionUpdateSetsInputFormat(event: Record<string, unknown>): boolean {
  const session = event.session;
  if (!isJsonObject(session)) return false;
  if ('input_audio_format' in session) return true;
  const audio = isJsonObject(session.audio) ? session.audio : undefined;
  const input = audio && isJsonObject(audio.input) ? audio.input : undefined;
  return input !== undefined && 'format' in input;
}
