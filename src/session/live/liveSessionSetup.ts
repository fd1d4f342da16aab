/**
 * What an API family's session does differently when its connection speaks GPT-Live, kept here so
 * the session classes stay one branch each: the socket's URL and headers (liveSocketSettings), and
 * DTMF forwarding as context instead of Realtime's conversation items.
 */
import { DEFAULT_LIVE_PLAYOUT_DELAY_MS, MAX_LIVE_PLAYOUT_DELAY_MS } from '../../config/moduleSettings.js';
import type { Profile } from '../../config/profile.js';
import type { EngineConfig } from '../engineConfig.js';
import type { EngineLimits } from '../engineLimits.js';
import { liveSocketSettings } from './liveConnectionSettings.js';

/**
 * The engine configuration with Live's socket (no query, Live's credential header, no
 * OpenAI-Beta); what changed goes to the channel's log. Throws with the reason when the URL cannot
 * be used for Live (the command answers `-ERR <reason>`).
 */
export function liveEngineConfig(config: EngineConfig, extraWarnings: readonly string[] = []): EngineConfig {
  const socket = liveSocketSettings(config.connection.url, config.connection.headers);
  if ('error' in socket) throw new Error(`invalid GPT-Live URL: ${socket.error}`);
  return {
    ...config,
    connection: { ...config.connection, url: socket.url, headers: socket.headers },
    warnings: [...config.warnings, ...socket.notes, ...extraWarnings],
  };
}

/**
 * DTMF forwarding (OPENAI_REALTIME_DTMF=forward) on Live: each key goes as context
 * (liveClientBuilders.dtmfContext), silent (`session.thinking.append`) unless
 * OPENAI_REALTIME_DTMF_RESPONSE asks for an answer to each key (`session.commentary.append`).
 */
export function liveDtmfOptions(options: { dtmf: { forward: boolean; respond: boolean } }): { forward: boolean; speak: boolean } {
  return { forward: options.dtmf.forward, speak: options.dtmf.respond };
}

/** The channel variable that sets the GPT-Live jitter buffer (ms of margin before the track plays). */
export const LIVE_PLAYOUT_DELAY_VARIABLE = 'OPENAI_LIVE_PLAYOUT_DELAY_MS';

/**
 * The jitter buffer a Live session starts with: the profile's `live-playout-delay-ms`, else the
 * module setting of that name, else 40 ms (a session without settings, in tests).
 */
export function configuredLivePlayoutDelay(profile: Pick<Profile, 'livePlayoutDelayMs'> | null | undefined, limits: Pick<EngineLimits, 'livePlayoutDelayMs'> | undefined): number {
  return profile?.livePlayoutDelayMs ?? limits?.livePlayoutDelayMs ?? DEFAULT_LIVE_PLAYOUT_DELAY_MS;
}

/**
 * The jitter buffer for this channel: OPENAI_LIVE_PLAYOUT_DELAY_MS (0..200) beats the configured
 * one (`fallbackMs`). It is also how far the caller lags the model's timeline, so the bound is low.
 */
export function livePlayoutDelay(getVar: (name: string) => string | null | undefined, fallbackMs = DEFAULT_LIVE_PLAYOUT_DELAY_MS): { ms: number; warning?: string } {
  const raw = getVar(LIVE_PLAYOUT_DELAY_VARIABLE);
  if (raw === null || raw === undefined || raw.trim() === '') return { ms: fallbackMs };
  const v = raw.trim();
  if (!/^[0-9]{1,4}$/.test(v) || Number(v) > MAX_LIVE_PLAYOUT_DELAY_MS) {
    return { ms: fallbackMs, warning: `${LIVE_PLAYOUT_DELAY_VARIABLE}: expected whole ms from 0 to ${MAX_LIVE_PLAYOUT_DELAY_MS}, got ${JSON.stringify(raw.slice(0, 40))}; using ${fallbackMs}` };
  }
  return { ms: Number(v) };
}

/** The Live engine's options that come from the channel (`fallbackMs`: the configured jitter buffer). */
export function liveChannelOptions(getVar: (name: string) => string | null | undefined, fallbackMs = DEFAULT_LIVE_PLAYOUT_DELAY_MS): { codec: string; startDelayMs: number; warnings: string[] } {
  const delay = livePlayoutDelay(getVar, fallbackMs);
  return { codec: getVar('read_codec') ?? 'L16', startDelayMs: delay.ms, warnings: delay.warning ? [delay.warning] : [] };
}
