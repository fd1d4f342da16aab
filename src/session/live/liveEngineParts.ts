/**
 * The Live engine's types (options, listener, dependencies, parts) and the pieces of it that need
 * none of its state: its `openai_realtime status` entry (the shared engineStatus, plus what only
 * Live has) and the bounded wait for `session.closed`.
 */
import type { MediaAttacher } from '../../media/mediaChannel.js';
import type { GateState } from '../../protocol/live/liveSessionGate.js';
import type { LiveSessionStart } from '../../protocol/live/liveTypes.js';
import type { TranscriptTurn } from '../../protocol/live/transcriptTurns.js';
import type { EngineConfig, EngineListener } from '../engineConfig.js';
import type { EngineLimits } from '../engineLimits.js';
import { engineStatus, type StatusParts } from '../engineStatus.js';
import type { EngineTransport, TransportFactory } from '../engineTransport.js';
import type { LatencyMeter } from '../latencyMeter.js';
import type { WireFormat } from '../sessionFormats.js';
import { TokenUsage } from '../tokenUsage.js';
import type { LiveSessionFacts } from './liveSessionFacts.js';
import type { LiveTrack } from './liveTrack.js';

export interface LiveEngineOptions {
  /** The channel's read codec (`read_codec`): PCMU/PCMA at 8 kHz pass through as G.711. */
  codec: string;
  /** Jitter-buffer margin (LiveTrack); default 40 ms. */
  startDelayMs?: number;
  /** The conversation so far, for the new session after an abnormal drop. */
  history(): readonly TranscriptTurn[];
  /** How long `stop` waits for `session.closed` (default 5 s). */
  closeTimeoutMs?: number;
  /** Adds what the session brings to every start (the call features' tool schemas for the Responses backend). */
  decorateStart?: (start: LiveSessionStart) => LiveSessionStart;
}

/** What a Live engine tells its session beyond the Realtime engine's listener. */
export interface LiveEngineListener extends EngineListener {
  /** The server refused the start, or a fatal error (credentials, quota, model) ends the session. */
  liveError(code: string, message: string, fatal: boolean): void;
  /** After an abnormal drop: a new session was started with this much history. */
  liveRestarted(info: { messages: number; droppedTurns: number }): void;
}

export interface LiveEngineDeps {
  pump: MediaAttacher;
  transport?: TransportFactory;
}


export interface LiveParts extends StatusParts {
  track: LiveTrack;
}

export interface LiveStatusSources {
  config: EngineConfig;
  limits: EngineLimits;
  connection: EngineTransport;
  parts: LiveParts | null;
  format: WireFormat;
  ending: boolean;
  endReason: string;
  mutedOpenai: boolean;
  mutedUser: boolean;
  paused: boolean;
  startedAt: number;
  counters: { appEventsRefused: number; invalidAudioDeltas: number; invalidServerEvents: number; internalErrors: number };
  latency: LatencyMeter;
  gateState: GateState;
  /** Client events held until session.started. */
  gateQueued: number;
  facts: LiveSessionFacts;
}

/** The shared engine status (one format both ways; no tokens, responses or barge-ins on Live) and `live`. */
export function liveEngineStatus(s: LiveStatusSources): Record<string, unknown> {
  const base = engineStatus({
    config: s.config,
    limits: s.limits,
    connection: s.connection,
    parts: s.parts,
    formats: { input: s.format, output: s.format, interruptResponse: false },
    ending: s.ending,
    endReason: s.endReason,
    mutedOpenai: s.mutedOpenai,
    startedAt: s.startedAt,
    counters: {
      appEventsRefused: s.counters.appEventsRefused,
      clientEventsQueued: s.gateQueued,
      // Live holds early events in its start gate (counted in live.state / queued above), not in the Realtime queue.
      clientEventsQueuedTotal: 0,
      invalidAudioDeltas: s.counters.invalidAudioDeltas,
      lateDeltasDropped: 0,
      responses: 0,
      internalErrors: s.counters.internalErrors,
    },
    tokens: new TokenUsage(),
    latency: s.latency,
  });
  return {
    ...base,
    protocol: 'live',
    paused: s.paused,
    mutedUser: s.mutedUser,
    uplinkOpen: s.gateState === 'active',
    live: {
      state: s.gateState,
      ...s.facts.status(),
      invalidServerEvents: s.counters.invalidServerEvents,
      track: s.parts?.track.status() ?? null,
    },
  };
}

/** A wait of at most `ms`: `done` resolves true when `resolve` was called first, false at the deadline. */
export function waitUntil(ms: number): { done: Promise<boolean>; resolve: () => void } {
  let settle: (answered: boolean) => void = () => {};
  const done = new Promise<boolean>((ok) => {
    const timer = setTimeout(() => ok(false), ms);
    settle = (answered) => {
      clearTimeout(timer);
      ok(answered);
    };
  });
  return { done, resolve: () => settle(true) };
}
