/**
 * The audio engine every API family shares (docs/DESIGN.md §5, "The engine and its parts"): one media hook on the
 * channel and one socket to the Realtime server, tied together.
 *
 *   capture ring ─► Uplink (gate, encoder, backlog) ─► transport ─► text: formats, responses,
 *   barge-in, the family's events; audio deltas ─► Playout (decoder, queue, ring top-up, played
 *   positions) ─► playback ring ─► media thread
 *
 * What differs between `uuid_openai_audio_stream` and `uuid_openai_s2s` — API grammar, event names
 * and bodies, protocol translation — lives in their session classes, which listen to this engine
 * ({@link EngineListener}) and drive it with a few commands. Everything about audio, the socket
 * and barge-in lives here and in its parts, once: {@link Uplink}, {@link Playout}, {@link BargeIn},
 * {@link EngineShutdown}. The engine wires them and reads the server's events; the channel
 * ({@link MediaAttacher}) and the socket ({@link TransportFactory}) are injected.
 *
 * Everything runs on the Node thread; the media thread only sees the rings.
 */
import { Mix, type DtmfDigit } from '../bridge.js';
import type { MediaAttacher, MediaChannel, MediaHandler } from '../media/mediaChannel.js';
import { throwIfArmed } from '../runtime/faultHooks.js';
import { log as rootLog, type Logger } from '../runtime/logger.js';
import { describe } from '../runtime/processGuards.js';
import {
  AUDIO_DELTA_TYPES,
  parseServerFrame,
  type AudioDeltaEvent,
  type ErrorEvent,
  type ResponseEvent,
} from '../protocol/realtime/serverEvents.js';
import type { BargeIn } from './bargeIn.js';
import { DebugAudioFiles } from './debugAudioFiles.js';
import { EarlyClientEvents, type SubmitResult } from './earlyClientEvents.js';
import type { EngineConfig, EngineListener, MuteTarget } from './engineConfig.js';
import { DEFAULT_ENGINE_LIMITS, MAX_RAW_FRAME_BYTES, type EngineLimits } from './engineLimits.js';
import { EngineFaults } from './engineFaults.js';
import { EngineShutdown, detachChannel } from './engineShutdown.js';
import { buildEngineParts, type EngineParts } from './engineParts.js';
import { engineStatus } from './engineStatus.js';
import { connectionOptions, type EngineTransport, type TransportFactory } from './engineTransport.js';
import { LatencyMeter } from './latencyMeter.js';
import type { Playout } from './playout.js';
import { RealtimeConnection, displayUrl, type ConnectErrorInfo } from './realtimeConnection.js';
import { EndAfterPlayback } from './endAfterPlayback.js';
import { ResponseTracker } from './responseTracker.js';
import { SessionConfiguration } from './sessionConfiguration.js';
import { TokenUsage } from './tokenUsage.js';
import type { Uplink } from './uplink.js';
import { isJsonObject } from '../protocol/json.js';

export type { PlaybackState } from './playout.js';
export type { EngineConfig, EngineConnection, EngineListener } from './engineConfig.js';


/** `event_id` prefix of the client events the engine sends on its own account (barge-in truncate and cancel). */
export const ENGINE_EVENT_ID_PREFIX = 'oair_';

export interface EngineDeps {
  /** Attaches the media hook (the MediaPump). */
  pump: MediaAttacher;
  /** Makes the socket; a RealtimeConnection when absent. */
  transport?: TransportFactory;
}

const newConnection: TransportFactory = (options, listener) => new RealtimeConnection(options, listener);

export class RealtimeEngine implements MediaHandler {
  readonly uuid: string;
  readonly #config: EngineConfig;
  readonly #listener: EngineListener;
  readonly #log: Logger;
  readonly #connection: EngineTransport;
  readonly #responses = new ResponseTracker();
  readonly #files: DebugAudioFiles | null;
  readonly #end: EngineShutdown;
  readonly #startedAt = Date.now();
  readonly #tokens = new TokenUsage();
  readonly #latency = new LatencyMeter();

  // Set by #init once the hook is attached.
  #parts: EngineParts | null = null;
  readonly #endAfterPlayback = new EndAfterPlayback((reason) => {
    if (!this.#end.ending) void this.#shutdown(reason);
  });

  readonly #session: SessionConfiguration;
  #ownEvents = 0;
  #mutedOpenai = false;

  // Counters for status().
  #invalidDeltas = 0;
  #lateDeltasDropped = 0;
  #unexpectedBinary = 0;
  #appEventsRefused = 0;
  /** App events waiting for the server (earlyClientEvents.ts). */
  readonly #early: EarlyClientEvents;
  readonly #faults: EngineFaults;
  #responsesDone = 0;

  private constructor(config: EngineConfig, listener: EngineListener, transport: TransportFactory) {
    this.uuid = config.uuid;
    this.#config = config;
    this.#listener = listener;
    this.#log = rootLog.forChannel(config.uuid);
    this.#files = config.audioFiles ? new DebugAudioFiles(config.uuid, this.#log) : null;
    this.#end = new EngineShutdown(config.label, this.#log);
    this.#faults = new EngineFaults({
      label: config.label,
      log: this.#log,
      ending: () => this.#end.ending,
      failed: (reason) => this.#listener.failed?.(reason),
      shutdown: (reason) => void this.#shutdown(reason),
    });
    this.#early = new EarlyClientEvents(this.#limits.appBacklogBytes, {
      state: () => this.#connection.state,
      send: (e) => {
        if (!this.sendJson(e.text, e.parsed, { opensUplink: e.opensUplink })) return false;
        e.sent();
        return true;
      },
      refusal: () => this.sendRefusal(),
      log: this.#log,
    });
    this.#session = new SessionConfiguration({
      raw: config.raw !== null,
      fixedInput: (config.stereoJsonRate ?? null) !== null,
      initialSession: config.initialSession,
      log: this.#log,
      send: (text) => this.#connection.sendText(text),
    });
    this.#connection = transport(
      connectionOptions(config.connection),
      // Every callback runs this session's code (and its owner's) on the socket's stack: an
      // exception there is this session's fault. Uncaught, it would leave the socket's reader
      // stuck mid-frame (a session that hears nothing more and never ends).
      {
        onOpen: (reconnected) => this.#faults.contain(() => this.#onOpen(reconnected)),
        onText: (text) => this.#faults.contain(() => this.#onText(text)),
        onBinary: (data) => this.#faults.contain(() => this.#onBinary(data)),
        onDisconnect: (code, reason, willReconnect) => this.#faults.contain(() => this.#onDisconnect(code, reason, willReconnect)),
        onConnectError: (info) => this.#faults.contain(() => this.#onConnectError(info)),
        onEnded: (reason) => {
          if (this.#end.ending) return;
          const parts = this.#parts;
          // Audio the server sent before closing for good still plays (endAfterPlayback.ts).
          if (parts) this.#endAfterPlayback.begin(reason, !parts.playout.pending, this.#limits.playbackQueueMs + 1000);
          else void this.#shutdown(reason);
        },
      },
    );
  }

  /**
   * Attaches the media hook; the socket is not opened yet ({@link connect}), so the owner can
   * register itself first. Throws with the host's reason if the hook cannot attach.
   */
  static attach(config: EngineConfig, listener: EngineListener, deps: EngineDeps): RealtimeEngine {
    const engine = new RealtimeEngine(config, listener, deps.transport ?? newConnection);
    const limits = engine.#limits;
    deps.pump.attach(
      { uuid: config.uuid, bugName: config.bugName, mix: Mix[config.mix], captureRingMs: limits.captureRingMs, playbackRingMs: limits.playbackRingMs },
      (port) => {
        engine.#init(port);
        return engine;
      },
    );
    return engine;
  }

  connect(): void {
    this.#connection.start();
  }

  #init(port: MediaChannel): void {
    this.#parts = buildEngineParts(port, {
      config: this.#config,
      limits: this.#limits,
      transport: this.#connection,
      session: this.#session,
      responses: this.#responses,
      files: this.#files,
      latency: this.#latency,
      listener: this.#listener,
      eventId: () => this.ownEventId(),
      log: this.#log,
    });
  }

  /** The parts; the engine exists for its owner only once the hook is attached. */
  get #p(): EngineParts {
    return this.#parts!;
  }

  // ── commands ─────────────────────────────────────────────────────────────

  get connected(): boolean {
    return this.#connection.isOpen;
  }

  get ending(): boolean {
    return this.#end.ending;
  }

  get #limits(): EngineLimits {
    return this.#config.limits ?? DEFAULT_ENGINE_LIMITS;
  }

  /**
   * Why a client event of the app would not be sent now, or null when it would: the socket is not
   * open, or the server is not reading and the socket already holds more than the app's share.
   */
  sendRefusal(): string | null {
    if (!this.#connection.isOpen) return 'not connected';
    const waiting = this.#connection.bufferedAmount;
    const cap = this.#limits.appBacklogBytes;
    if (waiting > cap) return `send buffer full: the server is not reading (${waiting} bytes waiting, max ${cap})`;
    return null;
  }

  /** An `event_id` for a client event the engine (or its owner) sends on its own account. */
  ownEventId(): string {
    return `${ENGINE_EVENT_ID_PREFIX}${++this.#ownEvents}`;
  }

  /**
   * A client event of the app (`send_json`, `client.event`): one text frame. False (nothing sent,
   * nothing remembered) when the socket is not open. A `session.update` is remembered for the
   * replay after a reconnect, and opens the uplink of a session whose gate waits for one.
   */
  sendJson(text: string, parsed: Record<string, unknown>, options: { opensUplink?: boolean } = {}): boolean {
    if (this.sendRefusal() !== null) {
      if (this.#connection.isOpen) this.#appEventsRefused++;
      return false;
    }
    if (!this.#connection.sendText(text)) return false;
    if (parsed.type !== 'session.update' || !isJsonObject(parsed.session)) return true;
    if (this.#session.appUpdateSent(parsed, parsed.session, options.opensUplink !== false)) {
      this.#log.info('caller audio streams from now on (first session.update sent)');
    }
    return true;
  }

  /**
   * A client event of the app, sent now; or queued while the stream connects or reconnects (or
   * earlier ones still wait), and sent in order after the server's first event. `sent` runs when
   * it has really gone out. Refused with a reason when the queue is full or the socket cannot take it.
   */
  submitJson(
    text: string,
    parsed: Record<string, unknown>,
    sent: () => void,
    options: { opensUplink?: boolean } = {},
  ): SubmitResult {
    return this.#early.submit({ text, parsed, opensUplink: options.opensUplink !== false, sent }, this.#end.ending);
  }

  /**
   * Nothing queued, nothing in the ring, no item still streaming: the caller has heard everything
   * the assistant said so far (call control waits for this before hanging up or transferring).
   */
  get playbackIdle(): boolean {
    const parts = this.#parts;
    if (!parts || parts.port.released || this.#end.ending) return true;
    return parts.playout.idle;
  }

  setPaused(paused: boolean): void {
    const { uplink, playout } = this.#p;
    if (uplink.paused === paused) return;
    uplink.setPaused(paused);
    playout.setPaused(paused);
    this.#log.info(paused ? 'stream paused' : 'stream resumed');
  }

  /** `mute` / `unmute`: the flags change; silence goes out only when connected. */
  setMute(target: MuteTarget, muted: boolean): void {
    if (target === 'user' || target === 'all') this.#p.uplink.setMutedUser(muted);
    if (target === 'openai' || target === 'all') {
      if (this.#mutedOpenai !== muted) this.#log.info(muted ? 'OpenAI audio muted' : 'OpenAI audio unmuted');
      this.#mutedOpenai = muted;
      this.#p.playout.setMuted(muted);
    }
  }

  /** Ends the engine: sends what is buffered and the final message (if any) first. */
  async stop(reason: string, finalJson: string | null = null): Promise<void> {
    const dropped = this.#end.ending ? [] : this.#early.clear();
    if (dropped.length > 0) this.#log.info(`stopped with ${dropped.length} client event(s) still queued, not sent: ${dropped.join(', ')}`);
    if (!this.#end.ending && this.#connection.isOpen) {
      this.#p.uplink.flush();
      if (finalJson !== null) this.#connection.sendText(finalJson);
    }
    await this.#shutdown(reason);
  }

  // ── media (MediaHandler) ─────────────────────────────────────────────────

  onCapture(samples: Int16Array, length: number): void {
    if (!this.#end.ending) this.#p.uplink.push(samples, length);
  }

  onDtmf(digit: DtmfDigit): void {
    if (!this.#end.ending) this.#listener.dtmf?.(digit);
  }

  onPlaybackRoom(): void {
    if (this.#end.ending) return;
    throwIfArmed(this.uuid, 'media');
    this.#p.playout.onRoom();
    this.#endAfterPlayback.check(!this.#p.playout.pending);
  }

  onClosed(): void {
    this.#end.hookClosed();
    if (!this.#end.ending) void this.#shutdown('media hook closed (hangup)');
  }

  onFault(error: unknown): void {
    this.#faults.fault(error);
  }

  // ── connection events ────────────────────────────────────────────────────

  #onOpen(reconnected: boolean): void {
    this.#p.uplink.socketOpened();
    this.#log.info(`${reconnected ? 'reconnected' : 'connected'} to ${displayUrl(this.#config.connection.url)}`);
    if (reconnected) {
      this.#responses.reset();
      this.#session.reconnected();
    }
    this.#listener.connected(reconnected);
    this.#early.opened(this.#config.raw !== null);
  }

  #onDisconnect(code: number, reason: string, willReconnect: boolean): void {
    this.#log[code === 1000 ? 'info' : 'warning'](`disconnected: ${code} ${reason}${willReconnect ? ', reconnecting' : ''}`);
    // What arrived of a response cut off by the drop still plays; nothing more of it will come.
    this.#p.playout.endCurrent();
    this.#responses.reset();
    this.#p.uplink.socketClosed();
    this.#early.disconnected();
    this.#listener.disconnected(code, reason, willReconnect);
  }

  #onConnectError(info: ConnectErrorInfo): void {
    this.#log.warning(
      `connect attempt ${info.retries} failed: ${info.error}${info.waitTimeMs > 0 ? `; retrying in ${info.waitTimeMs} ms` : ''}`,
    );
    this.#listener.connectFailed(info);
  }

  #onText(text: string): void {
    if (this.#end.ending) return;
    throwIfArmed(this.uuid, 'server');
    const { json, event } = parseServerFrame(text);
    if (!this.#config.suppressLog) {
      this.#log.debug(`processMessage type: ${(event.type === 'other' ? event.eventType : event.type) ?? '(not a JSON event)'}`);
    }
    switch (event.type) {
      case 'response.output_audio.delta':
      case 'response.audio.delta':
        if (!this.#config.raw && this.#onAudioDelta(event, json!)) return; // decoded and queued: not forwarded
        break;
      case 'response.output_audio.done':
      case 'response.audio.done':
        // Without item_id (OpenAI-compatible servers that send no response.done either) it ends
        // the item streaming now: its last partial frame plays and the speech-stop event follows.
        if (event.item_id === undefined) this.#p.playout.endCurrent();
        else this.#p.playout.endItemOf(event.item_id);
        break;
      case 'session.created':
        this.#session.created(event.session);
        break;
      case 'session.updated':
        this.#session.updated(event.session);
        break;
      case 'response.created':
        if (event.response.id) this.#responses.created(event.response.id);
        break;
      case 'response.done':
        this.#onResponseDone(event.response);
        break;
      case 'input_audio_buffer.speech_started':
        this.#p.bargeIn.speechStarted(this.#session.formats.interruptResponse);
        break;
      case 'input_audio_buffer.speech_stopped':
        this.#latency.speechStopped(Date.now());
        break;
      case 'error':
        this.#onServerError(event);
        break;
      case 'other':
        if (!this.#config.raw && event.eventType !== null && AUDIO_DELTA_TYPES.has(event.eventType)) {
          this.#log.error('response.output_audio.delta no audio data');
        }
        break;
    }
    // The server's session exists (session.created, after the profile's session went out above).
    this.#early.serverEvent();
    this.#listener.serverText(text, json, event);
  }

  #onServerError({ error }: ErrorEvent): void {
    const code = error.code ?? '';
    const message = error.message ?? '';
    // An update may have been refused: the uplink goes on in the format in force.
    this.#p.uplink.formatSettled();
    // STREAM_SUPPRESS_LOG: the server's message may quote the app's payload; only the code is logged.
    const shown = this.#config.suppressLog ? '(message not logged: STREAM_SUPPRESS_LOG)' : message;
    if (code === 'response_cancel_not_active') this.#log.debug(`server: ${code} (benign): ${shown}`);
    else this.#log.error(`(${this.uuid}) processMessage - error: ${code || error.type || 'error'}: ${shown}`);
  }

  #onResponseDone(response: ResponseEvent['response']): void {
    const id = response.id;
    if (id) this.#responses.done(id);
    this.#responsesDone++;
    this.#tokens.add(response.usage);
    this.#p.playout.endResponse(id);
  }

  // ── downlink ─────────────────────────────────────────────────────────────

  /** Returns true when the delta was decoded and queued. */
  #onAudioDelta(event: AudioDeltaEvent, json: Record<string, unknown>): boolean {
    const itemId = event.item_id ?? '';
    const responseId = event.response_id ?? null;
    if (this.#responses.isDropped(responseId ?? undefined, itemId)) {
      this.#lateDeltasDropped++;
      return false;
    }
    const result = this.#p.playout.playDelta(itemId, responseId, event.delta);
    if (!result.queued) {
      this.#invalidDeltas++;
      this.#log.error(`audio delta of item ${itemId} dropped: ${result.error}`);
      return false;
    }
    if (result.file) this.#listener.audioFile(json, result.file);
    this.#latency.audioDelta(responseId, Date.now());
    return true;
  }

  #onBinary(data: Buffer): void {
    if (this.#end.ending) return;
    const raw = this.#config.raw;
    if (!raw) {
      if (this.#unexpectedBinary++ === 0) this.#log.warning('binary frame from the server ignored (JSON mode)');
      return;
    }
    if (data.length > MAX_RAW_FRAME_BYTES) {
      this.#invalidDeltas++;
      this.#log.error(`raw audio frame of ${data.length} bytes refused (max ${MAX_RAW_FRAME_BYTES})`);
      return;
    }
    const file = this.#p.playout.playBinary(data, raw.playbackRate);
    if (file) this.#listener.audioFile(null, file);
  }

  // ── end ──────────────────────────────────────────────────────────────────

  #shutdown(reason: string): Promise<void> {
    this.#endAfterPlayback.cancel();
    const parts = this.#parts;
    parts?.playout.stop();
    return this.#end.run(reason, {
      first: [
        [
          'speech stop',
          () => {
            if (parts?.playout.takeSpeechStarted()) this.#listener.speechStopped();
          },
        ],
        ['detach', () => detachChannel(parts?.port)],
      ],
      closeSocket: () => this.#connection.close(),
      dispose: async () => {
        await this.#files?.dispose();
        const unsent = this.#early.clear();
        if (unsent.length > 0) {
          this.#log.warning(`${unsent.length} client event(s) queued while connecting were not sent: ${unsent.join(', ')}`);
          try {
            this.#listener.unsentClientEvents?.(unsent);
          } catch (err) {
            this.#log.error(`${this.#config.label} teardown (unsent events): ${describe(err)}`);
          }
        }
      },
      ended: (why) => this.#listener.ended(why),
    });
  }

  /** The engine's part of `openai_realtime status`. */
  status(): Record<string, unknown> {
    return engineStatus({
      config: this.#config,
      limits: this.#limits,
      connection: this.#connection,
      parts: this.#parts,
      formats: this.#session.formats,
      ending: this.#end.ending,
      endReason: this.#end.reason,
      mutedOpenai: this.#mutedOpenai,
      startedAt: this.#startedAt,
      counters: {
        appEventsRefused: this.#appEventsRefused,
        clientEventsQueued: this.#early.queued,
        clientEventsQueuedTotal: this.#early.queuedTotal,
        invalidAudioDeltas: this.#invalidDeltas,
        lateDeltasDropped: this.#lateDeltasDropped,
        responses: this.#responsesDone,
        internalErrors: this.#faults.count,
      },
      tokens: this.#tokens,
      latency: this.#latency,
    });
  }
}
