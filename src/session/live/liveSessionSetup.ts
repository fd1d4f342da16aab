/**
 * What an API family's session does differently when its connection speaks GPT-Live, kept here so
 * the session classes stay one branch each: the socket's URL and headers (liveSocketSettings), and
 * DTMF forwarding as context instead of Realtime's conversation items.
 */
import { DEFAULT_START_DELAY_MS } from '../../protocol/live/playoutPolicy.js';
import type { EngineConfig } from '../engineConfig.js';
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
export const MAX_LIVE_PLAYOUT_DELAY_MS = 200;

/**
 * The jitter buffer for this channel: OPENAI_LIVE_PLAYOUT_DELAY_MS (0..200) or 40 ms. It is also
 * how far the caller lags the model's timeline, so the bound is low.
 */
export function livePlayoutDelay(getVar: (name: string) => string | null | undefined): { ms: number; warning?: string } {
  const raw = getVar(LIVE_PLAYOUT_DELAY_VARIABLE);
  if (raw === null || raw === undefined || raw === '') return { ms: DEFAULT_START_DELAY_MS };
  if (!/^[0-9]{1,4}$/.test(raw) || Number(raw) > MAX_LIVE_PLAYOUT_DELAY_MS) {
    return { ms: DEFAULT_START_DELAY_MS, warning: `${LIVE_PLAYOUT_DELAY_VARIABLE}: expected whole ms from 0 to ${MAX_LIVE_PLAYOUT_DELAY_MS}; using ${DEFAULT_START_DELAY_MS}` };
  }
  return { ms: Number(raw) };
}

/** The Live engine's options that come from the channel. */
export function liveChannelOptions(getVar: (name: string) => string | null | undefined): { codec: string; startDelayMs: number; warnings: string[] } {
  const delay = livePlayoutDelay(getVar);
  return { codec: getVar('read_codec') ?? 'L16', startDelayMs: delay.ms, warnings: delay.warning ? [delay.warning] : [] };
}
