/**
 * What the two API families' sessions (audioStreamSession.ts, s2sSession.ts) build the same way,
 * written once: their dependencies, the transcript events, the engine of the session's protocol
 * (Realtime, or GPT-Live with its channel options, history and delegation tools) and the DTMF path.
 * What differs between the families — events, grammar, the beta translation — stays in their classes.
 */
import type { DtmfDigit, NativeBridge } from '../bridge.js';
import { builtinToolSchemas } from '../call/builtinTools.js';
import type { CallFeatures, CallServices } from '../call/callFeatures.js';
import { fireRealtimeEvent, REALTIME_EVENTS } from '../events/realtimeEvents.js';
import type { MediaPump } from '../media/mediaPump.js';
import type { SessionRegistry } from '../runtime/sessionRegistry.js';
import type { EngineConfig, EngineListener } from './engineConfig.js';
import { LiveEngine } from './live/liveEngine.js';
import type { LiveEngineListener } from './live/liveEngineParts.js';
import { liveChannelOptions, liveDtmfOptions, liveEngineConfig } from './live/liveSessionSetup.js';
import { withDelegationTools } from './live/liveToolBridge.js';
import { RealtimeEngine } from './realtimeEngine.js';
import type { SessionEngine, WireProtocolName } from './sessionEngine.js';
import { TranscriptEvents } from './transcriptEvents.js';

/** What a family session is built with. */
export interface FamilySessionDeps {
  bridge: NativeBridge;
  pump: MediaPump;
  registry: SessionRegistry;
  /** Tool handlers and settings for the call features (DTMF, tools, call control); none in bare tests. */
  services?: CallServices;
}

/** Who the session is, for the events it fires. */
export interface FamilyIdentity {
  bridge: NativeBridge;
  uuid: string;
  family: string;
}

/** Transcript turns of either protocol as `openai_realtime::transcript` events. */
export function transcriptEvents(id: FamilyIdentity, protocol: WireProtocolName): TranscriptEvents {
  return new TranscriptEvents({
    protocol,
    emit: (turn) =>
      fireRealtimeEvent(id.bridge, id.uuid, REALTIME_EVENTS.transcript, {
        role: turn.role,
        text: turn.text,
        start_ms: Math.round(turn.startMs),
        end_ms: Math.round(turn.endMs),
        family: id.family,
        protocol,
      }),
  });
}

/**
 * A digit the caller pressed: on Realtime the call features handle it; on GPT-Live it is an event
 * for the app and, when the profile forwards DTMF, context for the model.
 */
export function dtmfHandler(id: FamilyIdentity, live: boolean, features: CallFeatures, engine: () => SessionEngine): (digit: DtmfDigit) => void {
  return (digit) => {
    if (!live) return features.onDtmf(digit);
    const dtmf = liveDtmfOptions(features.options);
    fireRealtimeEvent(id.bridge, id.uuid, REALTIME_EVENTS.dtmf, { digit: digit.digit, duration_ms: digit.durationMs, family: id.family });
    if (dtmf.forward) (engine() as LiveEngine).sendDtmfContext(digit.digit, dtmf.speak);
  };
}

export interface EngineChoice {
  live: boolean;
  config: EngineConfig;
  listener: EngineListener;
  features: CallFeatures;
  transcripts: TranscriptEvents;
  /** GPT-Live only: what the family does with a Live error. */
  liveError: LiveEngineListener['liveError'];
  /** GPT-Live only: the jitter buffer the profile or the module settings give (the channel variable beats it). */
  livePlayoutDelayMs: number;
}

/** Attaches the media hook with the engine of the session's protocol. Throws with the host's reason. */
export function attachEngine(id: FamilyIdentity, pump: MediaPump, o: EngineChoice): SessionEngine {
  if (!o.live) return RealtimeEngine.attach(o.config, o.listener, { pump });
  const channel = liveChannelOptions((name) => id.bridge.getVar(id.uuid, name), o.livePlayoutDelayMs);
  return LiveEngine.attach(
    liveEngineConfig(o.config, channel.warnings),
    {
      codec: channel.codec,
      startDelayMs: channel.startDelayMs,
      history: () => o.transcripts.turns,
      decorateStart: (start) => withDelegationTools(start, builtinToolSchemas(o.features.options) as unknown as Array<Record<string, unknown>>),
    },
    {
      ...o.listener,
      liveError: o.liveError,
      liveRestarted: (info) =>
        fireRealtimeEvent(id.bridge, id.uuid, REALTIME_EVENTS.sessionRestarted, {
          protocol: 'live',
          messages: info.messages,
          dropped_turns: info.droppedTurns,
          family: id.family,
        }),
    },
    { pump },
  );
}
