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
import type { NativeBridge } from '../bridge.js';
import { CallFeatures, type CallServices } from '../call/callFeatures.js';
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
  playBody,
  speechStartBody,
  speechStopBody,
} from '../events/audioStreamEvents.js';
import type { MediaPump } from '../media/mediaPump.js';
import type { ActiveSession, SessionRegistry } from '../runtime/sessionRegistry.js';
import type { EngineLimits } from './engineLimits.js';
import { RealtimeEngine } from './realtimeEngine.js';
import type { AudioVariables } from './streamVariables.js';

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

export interface AudioStreamDeps {
  bridge: NativeBridge;
  pump: MediaPump;
  registry: SessionRegistry;
  /** Tool handlers and settings for the call features (DTMF, tools, call control); none in bare tests. */
  services?: CallServices;
}

export class AudioStreamSession implements ActiveSession {
  readonly family = AUDIO_STREAM_FAMILY;
  readonly uuid: string;
  readonly #config: AudioStreamConfig;
  readonly #events: AudioStreamEventSink;
  readonly #engine: RealtimeEngine;
  readonly #features: CallFeatures;

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
      engine: () => this.#engine,
    });
    this.#features = features;
    this.#engine = RealtimeEngine.attach(
      {
        uuid: config.uuid,
        bugName: AUDIO_STREAM_BUG_NAME,
        label: 'audio stream',
        mix: config.mix,
        raw: config.raw ? { sendRate: config.sendRate, playbackRate: config.playbackRate } : null,
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
        initialSession: features.initialSession(c.sessionUpdate ?? null),
        warnings: [...config.warnings, ...features.warnings],
        ...(config.limits ? { limits: config.limits } : {}),
      },
      {
        connected: () => this.#events.fire(EV.connect, connectBody()),
        disconnected: (code, reason) => {
          features.onDisconnected();
          this.#events.fire(EV.disconnect, disconnectBody(code, reason));
        },
        connectFailed: (info) => this.#events.fire(EV.error, errorBody(info.retries, info.error, info.waitTimeMs, info.httpStatus)),
        serverText: (text, event) => {
          this.#events.fire(EV.json, text);
          features.onServerEvent(event);
        },
        audioFile: (event, path) => this.#events.fire(EV.play, playBody(event, path)),
        speechStarted: () => this.#events.fire(EV.speechStart, speechStartBody()),
        speechStopped: () => this.#events.fire(EV.speechStop, speechStopBody()),
        responsePlayback: () => {},
        ended: () => {
          features.dispose();
          deps.registry.remove(this);
        },
        dtmf: (digit) => features.onDtmf(digit),
        unsentClientEvents: (types) =>
          this.#events.fire(EV.error, errorBody(0, `client events queued while connecting were not sent: ${types.join(', ')}`, 0, 0)),
        // The stream's own code failed: the app hears it as an ::error (then ::disconnect), never silence.
        failed: (reason) => this.#events.fire(EV.error, errorBody(0, `${reason}: the stream was ended`, 0, 0)),
      },
      { pump: deps.pump },
    );
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
      ...this.#engine.status(),
      ...this.#features.status(),
      sendRate: c.sendRate,
      playbackRate: c.playbackRate,
      connection: describeForStatus(c.connection),
    };
  }
}
