/**
 * One `uuid_openai_s2s` session: the shared engine (realtimeEngine.ts) on a media hook named
 * "openai_s2s", with the behaviour of mod_openai_s2s (docs/seed-modules.md §6) minus its bugs:
 *
 * - Caller audio flows only once the first `session.update` has gone out (the app's, or the
 *   profile's `<session>`), from that moment on: never the seed's stale burst.
 * - Assistant audio is played by the module; the app does not get the deltas. When the caller
 *   talks over it, the engine stops playback and sends truncate (and cancel when the server does
 *   not interrupt by itself), as for the audio stream; the app gets
 *   `output_audio.playback_stopped` with `completion_reason: "interrupted"`, and `"completed"`
 *   once a response has been heard to the end — one of them per response, well-formed.
 * - Server events reach the app under their beta names (compat/betaServerEvents.ts). Errors about
 *   the client events the module sends on its own (barge-in truncate/cancel) are logged, not
 *   delivered: applications such as jambonz end the conversation on any `error`.
 * - Events: connect once; connect_failed when no connection could be made; disconnect when the
 *   server or the network ends an open connection. A dropped connection is not reconnected: a new
 *   server session would not know the conversation, and the app is told instead.
 */
import { CallFeatures } from '../call/callFeatures.js';
import { describeForStatus } from '../config/connectionStatus.js';
import type { ResolvedConnection } from '../config/resolveConnection.js';
import type { TlsConnectOptions } from '../config/tlsFiles.js';
import {
  S2S_EVENTS as EV,
  S2sEventSink,
  connectFailedBody,
  disconnectBody,
  playbackStartedBody,
  playbackStoppedBody,
} from '../events/s2sEvents.js';
import { toBetaServerEvent } from '../protocol/realtime/betaServerEvents.js';
import type { RealtimeServerEvent } from '../protocol/realtime/serverEvents.js';
import { log as rootLog, type Logger } from '../runtime/logger.js';
import type { ActiveSession } from '../runtime/sessionRegistry.js';
import { selectProtocol } from '../protocol/live/liveEndpoint.js';
import type { EngineConfig, EngineListener } from './engineConfig.js';
import type { EngineLimits } from './engineLimits.js';
import type { LiveEngine } from './live/liveEngine.js';
import { ENGINE_EVENT_ID_PREFIX } from './realtimeEngine.js';
import type { SessionEngine, WireProtocolName } from './sessionEngine.js';
import { configuredLivePlayoutDelay } from './live/liveSessionSetup.js';
import { attachEngine, dtmfHandler, transcriptEvents, type FamilySessionDeps } from './familySession.js';
import type { TranscriptEvents } from './transcriptEvents.js';
import { LiveToolBridge } from './live/liveToolBridge.js';

export const S2S_FAMILY = 's2s';
export const S2S_BUG_NAME = 'openai_s2s';

export interface S2sConfig {
  uuid: string;
  /** From resolveConnection: the session keeps it (and its profile) for its whole life. */
  connection: ResolvedConnection;
  tls: TlsConnectOptions;
  /** Connect attempts before connect_failed (1 without a profile, as the seed). */
  connectAttempts: number;
  /** The profile's `<session>`, sent after session.created; null unless the command named the profile. */
  initialSession: Readonly<Record<string, unknown>> | null;
  warnings: readonly string[];
  /** Module settings in force at start (engineLimits.ts); defaults when absent. */
  limits?: EngineLimits;
}

export type S2sDeps = FamilySessionDeps;

export class S2sSession implements ActiveSession {
  readonly family = S2S_FAMILY;
  readonly uuid: string;
  readonly #config: S2sConfig;
  readonly #events: S2sEventSink;
  readonly #log: Logger;
  readonly #engine: SessionEngine;
  readonly #features: CallFeatures;
  readonly #transcripts: TranscriptEvents;
  /** GPT-Live: the call features' tool calls and outputs, translated (null on Realtime). */
  readonly #liveTools: LiveToolBridge | null;
  /** Realtime, or GPT-Live (URL path /v1/live/sessions, or the profile's protocol=live). */
  readonly protocol: WireProtocolName;
  /** The application ended the session (session.delete): no disconnect event for it. */
  #stoppedByApp = false;
  /** The module ended the session to transfer the call: the app is told, as after a drop. */
  #endedForTransfer = false;
  #connectFired = false;
  #serverEvents = 0;
  #clientEvents = 0;
  #translatedClientEvents = 0;
  #ownErrors = 0;

  private constructor(config: S2sConfig, deps: S2sDeps) {
    this.uuid = config.uuid;
    this.#config = config;
    this.#events = new S2sEventSink(deps.bridge, config.uuid);
    this.#log = rootLog.forChannel(config.uuid);
    const c = config.connection;
    const engine = (): SessionEngine => this.#engine;
    this.protocol = selectProtocol(c.url, c.protocol);
    const live = this.protocol === 'live';
    this.#liveTools = live ? new LiveToolBridge((event) => this.#engine.sendJson(JSON.stringify(event), event), this.#log) : null;
    const id = { bridge: deps.bridge, uuid: config.uuid, family: S2S_FAMILY };
    this.#transcripts = transcriptEvents(id, this.protocol);
    const features = new CallFeatures({
      uuid: config.uuid,
      family: S2S_FAMILY,
      bridge: deps.bridge,
      services: deps.services ?? null,
      profile: c,
      engine: () => ({
        sendJson: (text, parsed, options) => (this.#liveTools ? this.#liveTools.clientEvent(parsed) : this.#engine.sendJson(text, parsed, options)),
        ownEventId: () => this.#engine.ownEventId(),
        get playbackIdle() {
          return engine().playbackIdle;
        },
        get ending() {
          return engine().ending;
        },
        stop: (reason) => {
          this.#endedForTransfer = reason === 'transfer';
          return this.#engine.stop(reason);
        },
      }),
    });
    this.#features = features;
    const engineConfig: EngineConfig = {
      uuid: config.uuid,
      bugName: S2S_BUG_NAME,
      label: 's2s session',
      mix: 'mono',
      raw: null,
      connection: {
        url: c.url,
        headers: c.headers,
        deflate: c.deflate,
        tls: config.tls,
        heartbeatS: c.heartbeatS,
        reconnect: config.connectAttempts > 1,
        reconnectAfterDrop: false,
        maxConnectAttempts: config.connectAttempts,
      },
      bufferSize: null,
      suppressLog: false,
      audioFiles: false,
      muteUser: false,
      uplinkGate: 'session-update-sent',
      // GPT-Live: the profile's <session> is the session.start, as written (its schema is strict).
      initialSession: live ? config.initialSession : features.initialSession(config.initialSession),
      warnings: [...config.warnings, ...features.warnings],
      ...(config.limits ? { limits: config.limits } : {}),
    };
    const listener: EngineListener = {
      connected: () => {
        if (this.#connectFired) return;
        this.#connectFired = true;
        this.#events.fire(EV.connect, '');
      },
      disconnected: (code, reason) => {
        features.onDisconnected();
        // Our own close (session.delete, hangup) is not a disconnect for the app, as in the seed;
        // a transfer the model asked for is: the conversation is over and the app did not end it.
        // On GPT-Live, a session the server ended (session.closed, a refused start) is one too.
        const serverEnded = live && !this.#stoppedByApp && (this.#engine as LiveEngine).endedByServer;
        if (!this.#engine.ending || this.#endedForTransfer || serverEnded) this.#events.fire(EV.disconnect, disconnectBody(code, reason));
      },
      connectFailed: (info) => {
        if (info.waitTimeMs === 0) this.#events.fire(EV.connectFailed, connectFailedBody(info.error));
      },
      serverText: (text, event, parsed) => {
        this.#transcripts.onServerEvent(event);
        if (live) {
          // Live names go to the app unchanged: the beta translation is Realtime's.
          if (event !== null) {
            this.#serverEvents++;
            this.#events.fire(EV.serverEvent, text);
          }
          for (const translated of this.#liveTools!.serverEvent(event)) features.onServerEvent(translated);
          return;
        }
        this.#onServerText(text, event, parsed);
        features.onServerEvent(event);
      },
      audioFile: () => {},
      speechStarted: () => {},
      speechStopped: () => {},
      responsePlayback: (responseId, state) => {
        const body = state === 'started' ? playbackStartedBody(responseId) : playbackStoppedBody(responseId, state);
        this.#events.fire(EV.serverEvent, body);
      },
      ended: (reason) => {
        void reason;
        this.#transcripts.dispose();
        features.dispose();
        deps.registry.remove(this);
      },
      dtmf: dtmfHandler(id, live, features, engine),
      // The session's own code failed: for the app the conversation is over, as after a drop.
      failed: (reason) => this.#events.fire(EV.disconnect, disconnectBody(1011, reason)),
    };
    this.#engine = attachEngine(id, deps.pump, {
      live,
      config: engineConfig,
      listener,
      features,
      transcripts: this.#transcripts,
      livePlayoutDelayMs: configuredLivePlayoutDelay(config.connection.profile, config.limits),
      // The error itself reaches the app as a server_event; the disconnect that follows says why it ended.
      liveError: () => {},
    });
  }

  /** Attaches the media hook and starts connecting. Throws with the host's reason if the hook cannot attach. */
  static start(config: S2sConfig, deps: S2sDeps): S2sSession {
    const session = new S2sSession(config, deps);
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
   * `client.event`, already in the GA shape: one text frame of its own, sent now or queued while
   * the session connects (sent after session.created); refused with the reason otherwise.
   */
  sendClientEvent(text: string, event: Record<string, unknown>, translated: boolean): 'sent' | 'queued' | { refused: string } {
    // A session.update gets the call's ready-made tools merged in (call/sessionTools.ts).
    // GPT-Live: sent as written (no Realtime tool merging: its session.update takes delegation only).
    const merged = this.protocol === 'live' ? { text, parsed: event } : this.#features.clientEvent(text, event);
    return this.#engine.submitJson(merged.text, merged.parsed, () => {
      this.#features.clientEventSent(merged.parsed);
      this.#clientEvents++;
      if (translated) this.#translatedClientEvents++;
    });
  }

  /** `session.delete` (and shutdown): closes the socket and detaches the hook; no disconnect event. */
  stop(reason: string): Promise<void> {
    this.#stoppedByApp = true;
    return this.#engine.stop(reason);
  }

  #onServerText(text: string, event: Record<string, unknown> | null, parsed: RealtimeServerEvent): void {
    if (event === null) {
      this.#log.warning(`server sent a frame that is not a JSON event (${text.length} bytes): not delivered`);
      return;
    }
    if (parsed.type === 'error' && parsed.error.event_id?.startsWith(ENGINE_EVENT_ID_PREFIX)) {
      // About the module's own barge-in events (the engine has logged it): not the app's business.
      this.#ownErrors++;
      return;
    }
    const beta = toBetaServerEvent(event);
    this.#serverEvents++;
    this.#events.fire(EV.serverEvent, beta === event ? text : JSON.stringify(beta));
  }

  status(): Record<string, unknown> {
    const c = this.#config;
    return {
      uuid: this.uuid,
      family: this.family,
      api: 'uuid_openai_s2s',
      profile: c.connection.profile?.name ?? null,
      protocol: this.protocol,
      ...this.#engine.status(),
      ...this.#features.status(),
      serverEvents: this.#serverEvents,
      clientEvents: this.#clientEvents,
      translatedClientEvents: this.#translatedClientEvents,
      ownErrorsNotDelivered: this.#ownErrors,
      transcriptTurns: this.#transcripts.turns.length,
      ...(this.#liveTools ? { liveTools: this.#liveTools.status() } : {}),
      connection: describeForStatus(c.connection),
    };
  }
}
