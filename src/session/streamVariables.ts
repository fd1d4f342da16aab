/**
 * The audio-specific STREAM_* channel variables, read once at `start` (seed README "Channel
 * variables", docs/seed-modules.md §3). Pure: the caller passes a lookup function.
 *
 * The connection variables (STREAM_OPENAI_API_KEY, STREAM_EXTRA_HEADERS, STREAM_TLS_*,
 * STREAM_NO_RECONNECT, STREAM_HEART_BEAT, STREAM_MESSAGE_DEFLATE) are not here: they are one layer
 * of `resolveConnection` (src/config/resolveConnection.ts), between the API arguments and the
 * profile, so every API resolves a connection the same way.
 *
 * Booleans follow FreeSWITCH `switch_true()` exactly (src/config/switchTrue.ts). STREAM_BUFFER_SIZE
 * also accepts multiples of the channel's ptime (a 30 ms channel can send 90 ms), unlike the seed.
 */
import { switchTrue } from '../config/switchTrue.js';
import type { VariableLookup } from '../config/resolveConnection.js';

export const AUDIO_VARIABLE_NAMES = {
  suppressLog: 'STREAM_SUPPRESS_LOG',
  bufferSize: 'STREAM_BUFFER_SIZE',
  disableAudioFiles: 'STREAM_DISABLE_AUDIOFILES',
  rawAudio: 'STREAM_RAW_AUDIO',
} as const;

export const DEFAULT_BUFFER_MS = 20;
/** A larger chunk only adds latency; 10 s is far beyond any useful value and keeps buffers sane. */
export const MAX_BUFFER_MS = 10_000;

export interface AudioVariables {
  suppressLog: boolean;
  /** The raw STREAM_BUFFER_SIZE text (validated against the ptime by {@link resolveBufferMs}). */
  bufferSize: string | null;
  /** Debug WAV files and ::play events (on unless STREAM_DISABLE_AUDIOFILES is true). */
  audioFiles: boolean;
  /** The deprecated STREAM_RAW_AUDIO was true. */
  rawAudioVariable: boolean;
}

export function readAudioVariables(get: VariableLookup): AudioVariables {
  const v = (name: string): string | null => {
    const value = get(name);
    return value === undefined || value === null || value === '' ? null : value;
  };
  return {
    suppressLog: switchTrue(v(AUDIO_VARIABLE_NAMES.suppressLog)),
    bufferSize: v(AUDIO_VARIABLE_NAMES.bufferSize),
    audioFiles: !switchTrue(v(AUDIO_VARIABLE_NAMES.disableAudioFiles)),
    rawAudioVariable: switchTrue(v(AUDIO_VARIABLE_NAMES.rawAudio)),
  };
}

/**
 * The uplink chunk duration from STREAM_BUFFER_SIZE. The seed's rule (atoi; a multiple of 20 ms,
 * else a warning and 20 ms; 0, negative or garbage silently 20 ms) plus multiples of the channel's
 * ptime, capped at {@link MAX_BUFFER_MS}.
 */
export function resolveBufferMs(value: string | null, ptimeMs: number): { ms: number; warning: string | null } {
  if (value === null) return { ms: DEFAULT_BUFFER_MS, warning: null };
  const m = /^\s*[+-]?\d+/.exec(value);
  const n = m ? Number(m[0]) : 0;
  if (!(n > 0)) return { ms: DEFAULT_BUFFER_MS, warning: null };
  if (n % DEFAULT_BUFFER_MS !== 0 && n % ptimeMs !== 0) {
    return { ms: DEFAULT_BUFFER_MS, warning: `STREAM_BUFFER_SIZE: Buffer size of ${value} is not a multiple of 20ms. Using default 20ms.` };
  }
  if (n > MAX_BUFFER_MS) {
    return { ms: MAX_BUFFER_MS, warning: `STREAM_BUFFER_SIZE: Buffer size of ${value} is above ${MAX_BUFFER_MS}ms. Using ${MAX_BUFFER_MS}ms.` };
  }
  return { ms: n, warning: null };
}
