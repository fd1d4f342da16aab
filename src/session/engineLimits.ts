/**
 * The per-session limits of the engine, from the module settings (docs/configuration.md):
 *
 * - `playback-queue-ms`: the most assistant audio a session holds for playback. The server sends
 *   faster than real time; beyond this the newest audio is dropped, counted and logged.
 * - `uplink-backlog-ms`: the most caller audio that may wait in the socket while the server does
 *   not read. Beyond it caller audio is dropped (counted in status, logged once per stall): the
 *   memory of a stalled connection stays bounded however long the call lasts.
 * - client events of the application (`send_json`, `client.event`) are refused with a reason while
 *   more than four of the largest allowed (`max-send-json-bytes`) wait in the socket.
 *
 * - `capture-ring-ms` / `playback-ring-ms`: the size of the channel's two rings, asked of the host
 *   when the media hook attaches (the host rounds them up to a power of two samples).
 * - `live-playout-delay-ms`: GPT-Live's jitter buffer (a profile's, then the channel variable, beat it).
 *
 * A session takes the values in force when it starts (a reload changes new sessions only).
 */
import { DEFAULT_SETTINGS, type ModuleSettings } from '../config/moduleSettings.js';

export interface EngineLimits {
  readonly playbackQueueMs: number;
  readonly uplinkBacklogMs: number;
  /** Application events are refused while more than this many bytes wait in the socket. */
  readonly appBacklogBytes: number;
  readonly captureRingMs: number;
  readonly playbackRingMs: number;
  readonly livePlayoutDelayMs: number;
}

/** Largest frame taken from the server. OpenAI's events are kilobytes; a bigger one is a broken peer (closed with 1009). */
export const MAX_SERVER_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * Largest binary audio frame played in raw mode (8 MiB, the module we replace's bound): about three
 * minutes of 24 kHz PCM16 in one frame is a broken peer, refused (logged, counted) rather than queued.
 */
export const MAX_RAW_FRAME_BYTES = 8 * 1024 * 1024;

export function engineLimits(settings: Pick<ModuleSettings, 'playbackQueueMs' | 'uplinkBacklogMs' | 'maxSendJsonBytes' | 'captureRingMs' | 'playbackRingMs' | 'livePlayoutDelayMs'>): EngineLimits {
  return Object.freeze({
    playbackQueueMs: settings.playbackQueueMs,
    uplinkBacklogMs: settings.uplinkBacklogMs,
    appBacklogBytes: 4 * settings.maxSendJsonBytes,
    captureRingMs: settings.captureRingMs,
    playbackRingMs: settings.playbackRingMs,
    livePlayoutDelayMs: settings.livePlayoutDelayMs,
  });
}

export const DEFAULT_ENGINE_LIMITS: EngineLimits = engineLimits(DEFAULT_SETTINGS);
