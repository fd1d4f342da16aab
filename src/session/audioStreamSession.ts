/**
 * One `uuid_openai_audio_stream` (or `uuid_raw_audio_stream`) stream: the shared engine
 * (realtimeEngine.ts) on a media hook named "openai_audio_stream" (never the seed's colliding
 * "audio_stream"), with the seed's events (docs/seed-modules.md §2):
 *
 * - ::connect / ::disconnect / ::error for each open, drop and failed attempt (again after every
 *   reconnect);
 * - ::json for every server text frame except audio that was decoded and queued;
 * - ::play when a delta went into a debug WAV file;
 * - ::openai_speech_start / ::openai_speech_stop when the caller starts and stops hearing a reply.
 *
 * The connection (URL, key, headers, TLS, policy) was resolved by the command from the profile
 * and the STREAM_* variables; this class only uses it.
 */
import { CallFeatures } from '../call/callFeatures.js';
import type { AudioStreamApi } from '../apiNames.js';
import type { MixType, MuteTarget } from './engineConfig.js';
import { describeForStatus } from '../config/connectionStatus.js';
import type { ResolvedConnection } from '../config/resolveConnection.js';
import type { TlsConnectOptions } from '../config/tlsFiles.js';
import {
  AUDIO_STREAM_EVENTS as EV,
  AudioStreamEventSink,
  connectBody,
  disconnectBody,
  errorBody,
  liveErrorBody,
  playBody,
  speechStartBody,
  speechStopBody,
} from '../events/audioStreamEvents.js';
import type { ActiveSession } from '../runtime/sessionRegistry.js';
import type { EngineConfig, EngineListener } from './engineConfig.js';
import type { EngineLimits } from './engineLimits.js';
import type { SessionEngine, WireProtocolName } from './sessionEngine.js';
import { configuredLivePlayoutDelay } from './live/liveSessionSetup.js';
import { attachEngine, dtmfHandler, transcriptEvents, type FamilySessionDeps } from './familySession.js';
import type { AudioVariables } from './streamVariables.js';
import type { TranscriptEvents } from './transcriptEvents.js';
import { featureEngineOf, LiveToolBridge } from './live/liveToolBridge.js';
import { log as rootLog } from '../runtime/logger.js';
import { selectProtocol } from '../protocol/live/liveEndpoint.js';
import { decideJsonUplink } from './jsonUplinkFormat.js';

export const AUDIO_STREAM_FAMILY = 'audio_stream';
export const AUDIO_STREAM_BUG_NAME = 'openai_audio_stream';

export interface AudioStreamConfig {
  uuid: string;
  api: AudioStreamApi;
  mix: MixType;
  sendRate: number;
  playbackRate: number;
  muteUser: boolean;
  raw: boolean;
  audio: AudioVariables;
  /** From resolveConnection: the session keeps it (and its profile) for its whole life. */
  connection: ResolvedConnection;
  tls: TlsConnectOptions;
  /** For the channel's log once the hook is attached (never a key). */
  warnings: readonly string[];
  /** Module settings in force at start (engineLimits.ts); defaults when absent. */
  limits?: EngineLimits;
}

export type AudioStreamDeps = FamilySessionDeps;

export class AudioStreamSession implements ActiveSession {
  readonly family = AUDIO_STREAM_FAMILY;
  readonly uuid: string;
  readonly #config: AudioStreamConfig;
  readonly #events: AudioStreamEventSink;
  readonly #engine: SessionEngine;
  readonly #features: CallFeatures;
  readonly #transcripts: TranscriptEvents;
  /** GPT-Live: the call features' tool calls and outputs, translated (null on Realtime). */
  readonly #liveTools: LiveToolBridge | null;
  /** Realtime, or GPT-Live (URL path /v1/live/sessions, or the profile's protocol=live). */
  readonly protocol: WireProtocolName;

  private constructor(config: AudioStreamConfig, deps: AudioStreamDeps) {
    this.uuid = config.uuid;
    this.#config = config;
    this.#events = new AudioStreamEventSink(deps.bridge, config.uuid);
    const c = config.connection;
    const features = new CallFeatures({
      uuid: config.uuid,
      family: AUDIO_STREAM_FAMILY,
      bridge: deps.bridge,
      services: deps.services ?? null,
      profile: c,
      engine: () => (this.#liveTools ? featureEngineOf(() => this.#engine, this.#liveTools) : this.#engine),
    });
    this.#features = features;
    if (config.raw && selectProtocol(c.url, c.protocol) === 'live') {
      // Raw PCM in binary frames is not a Live socket: refused before anything is attached.
      throw new Error('GPT-Live takes JSON events only: use uuid_openai_audio_stream for a Live URL or profile');
    }
    this.protocol = config.raw ? 'realtime' : selectProtocol(c.url, c.protocol);
    this.#liveTools =
      this.protocol === 'live' ? new LiveToolBridge((event) => this.#engine.sendJson(JSON.stringify(event), event), rootLog.forChannel(config.uuid)) : null;
    const id = { bridge: deps.bridge, uuid: config.uuid, family: AUDIO_STREAM_FAMILY };
    this.#transcripts = transcriptEvents(id, this.protocol);
    const live = this.protocol === 'live';
    const jsonUplink = config.raw
      ? { stereoRate: null, warning: null }
      : decideJsonUplink({ mix: config.mix, sendRate: config.sendRate, playbackRate: config.playbackRate, url: c.url, protocol: this.protocol });
    const engineConfig: EngineConfig = {
      uuid: config.uuid,
      bugName: AUDIO_STREAM_BUG_NAME,
      label: 'audio stream',
      mix: config.mix,
      raw: config.raw ? { sendRate: config.sendRate, playbackRate: config.playbackRate } : null,
      stereoJsonRate: jsonUplink.stereoRate,
      connection: {
        url: c.url,
        headers: c.headers,
        deflate: c.deflate,
        tls: config.tls,
        heartbeatS: c.heartbeatS,
        reconnect: c.reconnect,
        reconnectAfterDrop: true,
        maxConnectAttempts: c.maxConnectAttempts,
      },
      bufferSize: config.audio.bufferSize,
      suppressLog: config.audio.suppressLog,
      audioFiles: config.audio.audioFiles,
      muteUser: config.muteUser,
      uplinkGate: 'socket-open',
      // GPT-Live: the profile's <session> is the session.start, as written (its schema is strict).
      initialSession: live ? (c.sessionUpdate ?? null) : features.initialSession(c.sessionUpdate ?? null),
      warnings: [...config.warnings, ...(jsonUplink.warning ? [jsonUplink.warning] : []), ...features.warnings],
      ...(config.limits ? { limits: config.limits } : {}),
    };
    const listener: EngineListener = {
      connected: () => this.#events.fire(EV.connect, connectBody()),
      disconnected: (code, reason) => {
        features.onDisconnected();
        // A GPT-Live reconnect is a new session on a new timeline: the open turns end here.
        if (live) this.#transcripts.flush();
        this.#events.fire(EV.disconnect, disconnectBody(code, reason));
      },
      connectFailed: (info) => this.#events.fire(EV.error, errorBody(info.retries, info.error, info.waitTimeMs, info.httpStatus)),
      serverText: (text, event) => {
        this.#events.fire(EV.json, text);
        this.#transcripts.onServerEvent(event);
        if (!this.#liveTools) features.onServerEvent(event);
        else for (const translated of this.#liveTools.serverEvent(event)) features.onServerEvent(translated);
      },
      audioFile: (event, path) => this.#events.fire(EV.play, playBody(event, path)),
      speechStarted: () => this.#events.fire(EV.speechStart, speechStartBody()),
      speechStopped: () => this.#events.fire(EV.speechStop, speechStopBody()),
      responsePlayback: () => {},
      ended: () => {
        this.#transcripts.dispose();
        features.dispose();
        deps.registry.remove(this);
      },
      dtmf: dtmfHandler(id, live, features, () => this.#engine),
      unsentClientEvents: (types) =>
        this.#events.fire(EV.error, errorBody(0, `client events queued while connecting were not sent: ${types.join(', ')}`, 0, 0)),
      // The stream's own code failed: the app hears it as an ::error (then ::disconnect), never silence.
      failed: (reason) => this.#events.fire(EV.error, errorBody(0, `${reason}: the stream was ended`, 0, 0)),
    };
    this.#engine = attachEngine(id, deps.pump, {
      live,
      config: engineConfig,
      listener,
      features,
      transcripts: this.#transcripts,
      livePlayoutDelayMs: configuredLivePlayoutDelay(config.connection.profile, config.limits),
      liveError: (code, message, fatal) => this.#events.fire(EV.error, liveErrorBody(code, message, fatal)),
    });
  }

  /** Attaches the media hook and starts connecting. Throws with the host's reason if the hook cannot attach. */
  static start(config: AudioStreamConfig, deps: AudioStreamDeps): AudioStreamSession {
    const session = new AudioStreamSession(config, deps);
    deps.registry.add(session);
    session.#engine.connect();
    return session;
  }

  get connected(): boolean {
    return this.#engine.connected;
  }

  get ending(): boolean {
    return this.#engine.ending;
  }

  /**
   * `send_json`: sent, or queued while the stream connects or reconnects (sent after
   * session.created), or refused with the reason (nothing sent, nothing remembered).
   */
  sendJson(text: string, parsed: Record<string, unknown>): 'sent' | 'queued' | { refused: string } {
    // A session.update gets the call's ready-made tools merged in (call/sessionTools.ts).
    const event = this.#features.clientEvent(text, parsed);
    return this.#engine.submitJson(event.text, event.parsed, () => this.#features.clientEventSent(event.parsed));
  }

  setPaused(paused: boolean): void {
    this.#engine.setPaused(paused);
  }

  setMute(target: MuteTarget, muted: boolean): void {
    this.#engine.setMute(target, muted);
  }

  /** `stop [text]`: sends what is buffered and the final message (if any), then ends the stream. */
  stop(reason: string, finalJson: string | null = null): Promise<void> {
    return this.#engine.stop(reason, finalJson);
  }

  status(): Record<string, unknown> {
    const c = this.#config;
    return {
      uuid: this.uuid,
      family: this.family,
      api: c.api,
      mode: c.raw ? 'raw' : 'json',
      profile: c.connection.profile?.name ?? null,
      protocol: this.protocol,
      ...this.#engine.status(),
      ...this.#features.status(),
      transcriptTurns: this.#transcripts.turns.length,
      ...(this.#liveTools ? { liveTools: this.#liveTools.status() } : {}),
      sendRate: c.sendRate,
      playbackRate: c.playbackRate,
      connection: describeForStatus(c.connection),
    };
  }
}
