/**
 * The engine of a GPT-Live session (docs/gpt-live.md; docs/DESIGN.md §7): a second protocol module
 * beside the Realtime engine (../realtimeEngine.ts), made of the same parts through their seams.
 *
 *   capture ring ─► (silence while muted or paused) ─► Uplink (encoder: session.input_audio.append)
 *   ─► transport ─► text: LiveSessionGate (start, held events, close), usage, the family's events;
 *   session.output_audio.delta ─► LiveTrack (jitter buffer) ─► Playout ─► playback ring
 *
 * What differs from Realtime is only where the engine talks protocol:
 * - the first frame is `session.start` (the application's, or the profile's `<session>`), with the
 *   channel's `audio.format` added when it has none; nothing else goes out before
 *   `session.started` (LiveSessionGate holds application events, bounded);
 * - caller audio flows from `session.started` to the end, silence included: muting the caller
 *   (`session.input_audio.mute`) and pausing replace the audio by silence, the timeline stays fed;
 * - the output is one continuous real-time track (LiveTrack); there is no barge-in to do: the
 *   model stops itself, so nothing is ever truncated or cancelled;
 * - the end is `session.close`, a bounded wait for `session.closed`, then close 1000; after an
 *   abnormal drop the reconnect is a new session whose `session.start` carries the conversation
 *   so far (rebuildHistory).
 */
import { Mix, type DtmfDigit } from '../../bridge.js';
import type { MediaChannel, MediaHandler } from '../../media/mediaChannel.js';
import { isJsonObject } from '../../protocol/json.js';
import { dtmfContext, inputAudioMute, inputAudioUnmute } from '../../protocol/live/liveClientBuilders.js';
import { LiveSessionGate, type GateEffect } from '../../protocol/live/liveSessionGate.js';
import type { LiveClientEvent, LiveSessionStart } from '../../protocol/live/liveTypes.js';
import { throwIfArmed } from '../../runtime/faultHooks.js';
import { log as rootLog, type Logger } from '../../runtime/logger.js';
import { DebugAudioFiles } from '../debugAudioFiles.js';
import type { EngineConfig, MuteTarget } from '../engineConfig.js';
import type { SubmitResult } from '../earlyClientEvents.js';
import { DEFAULT_ENGINE_LIMITS, type EngineLimits } from '../engineLimits.js';
import { EngineFaults } from '../engineFaults.js';
import { EngineShutdown, detachChannel } from '../engineShutdown.js';
import { connectionOptions, type EngineTransport, type TransportFactory } from '../engineTransport.js';
import { LatencyMeter } from '../latencyMeter.js';
import { Playout } from '../playout.js';
import { RealtimeConnection, displayUrl, type ConnectErrorInfo } from '../realtimeConnection.js';
import type { WireFormat } from '../sessionFormats.js';
import { resolveBufferMs } from '../streamVariables.js';
import { Uplink } from '../uplink.js';
import { LiveOutbox } from './liveOutbox.js';
import { LiveSessionFacts } from './liveSessionFacts.js';
import { LIVE_APPEND, prepareLiveStart, readLiveFrame, restartedStart } from './liveStart.js';
import { liveEngineStatus, waitUntil, type LiveEngineDeps, type LiveEngineListener, type LiveEngineOptions, type LiveParts } from './liveEngineParts.js';
import { LiveTrack } from './liveTrack.js';

export type { LiveEngineDeps, LiveEngineListener, LiveEngineOptions } from './liveEngineParts.js';

/** Handshake answers no retry can fix (bad request, credentials, permission, no such path). */
const FATAL_HTTP_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404]);

const newConnection: TransportFactory = (options, listener) => new RealtimeConnection(options, listener);


export class LiveEngine implements MediaHandler {
  readonly uuid: string;
  readonly protocol = 'live';
  readonly #config: EngineConfig;
  readonly #live: LiveEngineOptions;
  readonly #listener: LiveEngineListener;
  readonly #log: Logger;
  readonly #connection: EngineTransport;
  readonly #files: DebugAudioFiles | null;
  readonly #end: EngineShutdown;
  readonly #startedAt = Date.now();
  readonly #latency = new LatencyMeter();
  #parts: LiveParts | null = null;
  #gate = new LiveSessionGate();
  /** The start to send on every (re)connect; null until the app sends one (no profile `<session>`). */
  #start: LiveSessionStart | null = null;
  #format: WireFormat = { encoding: 'pcm', rate: 24000 };
  #ownEvents = 0;
  #paused = false;
  #mutedUser: boolean;
  #mutedOpenai = false;
  #silence = new Int16Array(0);
  #closing: Promise<void> | null = null;
  #closedWaiter: (() => void) | null = null;
  /** Why the server ended the session (refused start, fatal error, unprompted session.closed), or null. */
  #serverEndReason: string | null = null;
  readonly #facts = new LiveSessionFacts();
  readonly #outbox: LiveOutbox;
  #invalidEvents = 0;
  #invalidDeltas = 0;
  readonly #faults: EngineFaults;
  #unexpectedBinary = 0;

  private constructor(config: EngineConfig, live: LiveEngineOptions, listener: LiveEngineListener, transport: TransportFactory) {
    this.uuid = config.uuid;
    this.#config = config;
    this.#live = live;
    this.#listener = listener;
    this.#log = rootLog.forChannel(config.uuid);
    this.#mutedUser = config.muteUser;
    this.#files = config.audioFiles ? new DebugAudioFiles(config.uuid, this.#log) : null;
    this.#end = new EngineShutdown(config.label, this.#log);
    this.#faults = new EngineFaults({
      label: config.label,
      log: this.#log,
      ending: () => this.#end.ending,
      failed: (reason) => this.#listener.failed?.(reason),
      shutdown: (reason) => void this.#shutdown(reason),
    });
    this.#gate = this.#newGate();
    this.#connection = transport(connectionOptions(config.connection), {
      onOpen: (reconnected) => this.#faults.contain(() => this.#onOpen(reconnected)),
      onText: (text) => this.#faults.contain(() => this.#onText(text)),
      onBinary: () => this.#faults.contain(() => this.#onBinary()),
      onDisconnect: (code, reason, willReconnect) => this.#faults.contain(() => this.#onDisconnect(code, reason, willReconnect)),
      onConnectError: (info) => this.#faults.contain(() => this.#onConnectError(info)),
      onEnded: (reason) => {
        if (!this.#end.ending) void this.#shutdown(reason);
      },
    });
    this.#outbox = new LiveOutbox(this.#connection, () => this.#gate, this.#limits.appBacklogBytes, this.#log);
    if (config.initialSession !== null) this.#start = { type: 'session.start', session: structuredClone(config.initialSession) as unknown as LiveSessionStart['session'] };
  }

  /** Attaches the media hook; {@link connect} opens the socket. Throws with the host's reason. */
  static attach(config: EngineConfig, live: LiveEngineOptions, listener: LiveEngineListener, deps: LiveEngineDeps): LiveEngine {
    const engine = new LiveEngine(config, live, listener, deps.transport ?? newConnection);
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

  #newGate(): LiveSessionGate {
    return new LiveSessionGate({ closeTimeoutMs: this.#live.closeTimeoutMs ?? 5000 });
  }

  get #limits(): EngineLimits {
    return this.#config.limits ?? DEFAULT_ENGINE_LIMITS;
  }

  get #p(): LiveParts {
    return this.#parts!;
  }

  #init(port: MediaChannel): void {
    const c = this.#config;
    const ptimeMs = (port.frameSamples * 1000) / port.sampleRate;
    const buffer = resolveBufferMs(c.bufferSize, ptimeMs);
    if (buffer.warning) this.#log.warning(buffer.warning);
    for (const warning of c.warnings) this.#log.warning(warning);
    // Open from the start: the engine itself lets audio through only while the session is active.
    const uplink = new Uplink(port, this.#connection, { bufferMs: buffer.ms, backlogMs: this.#limits.uplinkBacklogMs, openAtStart: true, mutedUser: false, log: this.#log });
    const playout = new Playout(port, {
      playbackQueueMs: this.#limits.playbackQueueMs,
      raw: false,
      files: this.#files,
      latency: this.#latency,
      log: this.#log,
      // Speech follows the track's audio (LiveTrack), not items: the track never ends.
      events: { speechStarted: () => {}, speechStopped: () => {}, responsePlayback: () => {} },
    });
    const track = new LiveTrack(playout, port, {
      ...(this.#live.startDelayMs !== undefined ? { startDelayMs: this.#live.startDelayMs } : {}),
      events: { speechStarted: () => this.#listener.speechStarted(), speechStopped: () => this.#listener.speechStopped() },
    });
    this.#parts = { port, uplink, playout, track, bufferMs: buffer.ms };
    if (this.#start) this.#prepareStart(this.#start);
    this.#log.info(
      `${c.label} starting (GPT-Live): ${displayUrl(c.connection.url)} ${c.mix}, channel ${port.sampleRate} Hz ${ptimeMs} ms, ` +
        `jitter buffer ${track.startDelayMs} ms${this.#mutedUser ? ', user muted' : ''}`,
    );
  }

  // ── commands ─────────────────────────────────────────────────────────────

  get connected(): boolean {
    return this.#connection.isOpen;
  }

  get ending(): boolean {
    return this.#closing !== null || this.#end.ending;
  }

  /** The model is not speaking on the track now (call control waits for this). */
  get playbackIdle(): boolean {
    const parts = this.#parts;
    if (!parts || parts.port.released || this.ending) return true;
    return !parts.track.speaking;
  }

  /** The server ended the session (a refused start, a fatal error, or session.closed the module did not ask for). */
  get endedByServer(): boolean {
    return this.#serverEndReason !== null;
  }

  ownEventId(): string {
    return `oair_${++this.#ownEvents}`;
  }

  /** Why the last client event was not sent (or would not be now), or null. */
  sendRefusal(): string | null {
    return this.#outbox.refusal();
  }

  /**
   * A client event of the application. `session.start` is kept (the format filled in) and sent as
   * soon as the socket is open; any other event goes through the outbox (held before
   * `session.started`, bounded). False, with {@link sendRefusal} saying why, when it is refused.
   */
  sendJson(text: string, parsed: Record<string, unknown>): boolean {
    if (this.ending) return this.#outbox.refuse('the session is closing', true);
    if (parsed.type !== 'session.start') return this.#outbox.app(text, parsed as unknown as LiveClientEvent);
    if (this.#start !== null) return this.#outbox.refuse('the session has already been started (session.start is sent once)');
    if (!isJsonObject(parsed.session)) return this.#outbox.refuse('session.start needs a "session" object');
    this.#prepareStart(parsed as unknown as LiveSessionStart);
    if (this.#connection.isOpen) this.#sendStart(false);
    return true;
  }

  /**
   * {@link sendJson} with the reply the application gets: events held until `session.started`
   * (or until the socket opens) are 'queued', the rest 'sent'.
   */
  submitJson(text: string, parsed: Record<string, unknown>, sent: () => void): SubmitResult {
    const waiting = !this.#connection.isOpen || this.#gate.state !== 'active';
    if (!this.sendJson(text, parsed)) return { refused: this.sendRefusal() ?? 'not connected' };
    sent();
    return waiting ? 'queued' : 'sent';
  }

  /** A key the caller pressed, as context for the model (dtmfContext: silent unless `speak`). */
  sendDtmfContext(digits: string, speak: boolean): void {
    const event = dtmfContext(digits, { speak });
    this.#outbox.own(event);
  }

  setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    // The timeline goes on: the caller's audio is replaced by silence, the track plays silent.
    this.#parts?.playout.setMuted(paused || this.#mutedOpenai);
    this.#log.info(paused ? 'stream paused (silence keeps the GPT-Live timeline fed)' : 'stream resumed');
  }

  setMute(target: MuteTarget, muted: boolean): void {
    if ((target === 'user' || target === 'all') && this.#mutedUser !== muted) {
      this.#mutedUser = muted;
      this.#log.info(muted ? 'User audio muted (session.input_audio.mute; silence keeps the timeline fed)' : 'User audio unmuted');
      this.#outbox.own(muted ? inputAudioMute(this.ownEventId()) : inputAudioUnmute(this.ownEventId()));
    }
    if (target === 'openai' || target === 'all') {
      if (this.#mutedOpenai !== muted) this.#log.info(muted ? 'OpenAI audio muted' : 'OpenAI audio unmuted');
      this.#mutedOpenai = muted;
      this.#parts?.playout.setMuted(muted || this.#paused);
    }
  }

  /** `stop`, `session.delete`: the final message (if any), `session.close`, its answer (bounded), close 1000. */
  stop(reason: string, finalJson: string | null = null): Promise<void> {
    if (finalJson !== null && this.#gate.state === 'active') this.#connection.sendText(finalJson);
    return this.#close(reason);
  }

  #close(reason: string): Promise<void> {
    if (this.#closing) return this.#closing;
    if (this.#end.ending) return this.#shutdown(reason);
    const close = this.#connection.isOpen ? this.#gate.close() : null;
    if (close === null) {
      this.#closing = this.#shutdown(reason);
      return this.#closing;
    }
    this.#parts?.uplink.flush();
    this.#connection.sendText(JSON.stringify(close.send));
    this.#log.info(`session.close sent; waiting up to ${close.waitMs / 1000} s for session.closed`);
    const wait = waitUntil(close.waitMs);
    this.#closedWaiter = wait.resolve;
    this.#closing = wait.done.then((answered) => {
      this.#closedWaiter = null;
      if (!answered) this.#log.warning(`no session.closed within ${close.waitMs / 1000} s: closing anyway`);
      return this.#shutdown(reason);
    });
    return this.#closing;
  }

  // ── media ────────────────────────────────────────────────────────────────

  onCapture(samples: Int16Array, length: number): void {
    if (this.#end.ending || this.#gate.state !== 'active') return;
    const uplink = this.#p.uplink;
    if (this.#paused || this.#mutedUser) {
      if (this.#silence.length < length) this.#silence = new Int16Array(length);
      uplink.push(this.#silence, length);
      return;
    }
    uplink.push(samples, length);
  }

  onDtmf(digit: DtmfDigit): void {
    if (!this.#end.ending) this.#listener.dtmf?.(digit);
  }

  onPlaybackRoom(): void {
    if (this.#end.ending) return;
    throwIfArmed(this.uuid, 'media');
    this.#p.track.onRoom();
  }

  onClosed(): void {
    this.#end.hookClosed();
    if (!this.ending) void this.#close('media hook closed (hangup)');
  }

  onFault(error: unknown): void {
    this.#faults.fault(error);
  }

  // ── the session start ────────────────────────────────────────────────────

  /** Fills in the channel's format when the start has none (logged), and sets the uplink and track to it. */
  #prepareStart(start: LiveSessionStart): void {
    const parts = this.#parts;
    if (!parts) {
      this.#start = start;
      return;
    }
    const { event, note, format } = prepareLiveStart(start, { codec: this.#live.codec, sampleRate: parts.port.sampleRate }, this.#live.decorateStart);
    if (note) this.#log.info(note);
    this.#start = event;
    if (format) this.#format = format;
    parts.uplink.configure({ mode: 'json', format: this.#format, appendType: LIVE_APPEND });
    parts.track.configure(this.#format);
  }

  #sendStart(reconnected: boolean): void {
    let start = this.#start!;
    if (reconnected) {
      const restart = restartedStart(start, this.#live.history());
      start = restart.event;
      this.#log.notice(
        `GPT-Live sessions cannot be resumed: a new session starts with the conversation so far ` +
          `(${restart.messages} messages, ${restart.droppedTurns} older turns left out)`,
      );
      this.#listener.liveRestarted({ messages: restart.messages, droppedTurns: restart.droppedTurns });
    }
    const decision = this.#gate.start(start);
    if ('refuse' in decision) {
      this.#log.warning(`session.start not sent: ${decision.refuse}`);
      return;
    }
    this.#connection.sendText(JSON.stringify(decision.send));
    this.#log.info(`session.start sent (model ${String(start.session.model)})`);
  }

  // ── connection events ────────────────────────────────────────────────────

  #onOpen(reconnected: boolean): void {
    // A new socket is a new session; what the app sent before the first one opened is still held.
    if (reconnected) this.#gate = this.#newGate();
    this.#p.uplink.socketOpened();
    this.#log.info(`${reconnected ? 'reconnected' : 'connected'} to ${displayUrl(this.#config.connection.url)} (GPT-Live)`);
    if (this.#start) this.#sendStart(reconnected);
    else this.#log.info('waiting for the application\'s session.start');
    this.#listener.connected(reconnected);
  }

  #onDisconnect(code: number, reason: string, willReconnect: boolean): void {
    this.#log[code === 1000 ? 'info' : 'warning'](`disconnected: ${code} ${reason}${willReconnect ? ', reconnecting (a new GPT-Live session)' : ''}`);
    this.#gate.socketClosed();
    this.#p.track.reset();
    this.#p.uplink.socketClosed();
    this.#closedWaiter?.();
    const closed = this.#facts.closedReason;
    const shown = this.#serverEndReason ?? (closed !== null ? `session.closed: ${closed}` : reason);
    this.#listener.disconnected(code, shown, willReconnect);
  }

  #onConnectError(info: ConnectErrorInfo): void {
    const fatal = FATAL_HTTP_STATUSES.has(info.httpStatus);
    const retrying = info.waitTimeMs > 0 && !fatal;
    this.#log.warning(`connect attempt ${info.retries} failed: ${info.error}${retrying ? `; retrying in ${info.waitTimeMs} ms` : ''}`);
    this.#listener.connectFailed(retrying ? info : { ...info, waitTimeMs: 0 });
    if (!fatal || this.#end.ending) return;
    // Credentials, permission, a wrong path or request: no retry can fix it, so none is made.
    const code = `http_${info.httpStatus}`;
    this.#serverEndReason = `GPT-Live refused the connection: ${code}`;
    this.#listener.liveError(code, info.error, true);
    void this.#shutdown(this.#serverEndReason);
  }

  #onBinary(): void {
    if (this.#unexpectedBinary++ === 0) this.#log.warning('binary frame from the GPT-Live server ignored');
  }

  #onText(text: string): void {
    if (this.#end.ending) return;
    throwIfArmed(this.uuid, 'server');
    const { parse, json, eventType } = readLiveFrame(text);
    if (parse.kind === 'event') {
      const event = parse.event;
      if (event.type === 'session.output_audio.delta') {
        const result = this.#p.track.delta(event.delta);
        if (result.queued) {
          if (result.file) this.#listener.audioFile(json, result.file);
          return;
        }
        this.#invalidDeltas++;
        this.#log.error(`GPT-Live audio delta dropped: ${result.error}`);
      }
      this.#facts.observe(event);
      if (event.type === 'session.started') this.#log.info(`session.started ${event.session.id} (model ${event.session.model})`);
      for (const effect of this.#gate.serverEvent(event)) this.#apply(effect);
    } else if (parse.kind === 'invalid') {
      this.#invalidEvents++;
      this.#log.warning(`GPT-Live server event not understood: ${parse.reason}`);
    }
    if (!this.#config.suppressLog) this.#log.debug(`processMessage type: ${eventType ?? '(not a JSON event)'}`);
    this.#listener.serverText(text, json, { type: 'other', eventType });
  }

  #apply(effect: GateEffect): void {
    switch (effect.kind) {
      case 'started':
        this.#p.uplink.open();
        for (const event of effect.flush) this.#connection.sendText(JSON.stringify(event));
        if (effect.flush.length > 0) this.#log.info(`${effect.flush.length} held client event(s) sent after session.started`);
        break;
      case 'start_failed':
      case 'error': {
        const code = effect.error.code ?? effect.error.type ?? 'error';
        const message = effect.error.message;
        if (effect.kind === 'error' && !effect.fatal) {
          this.#log.error(`(${this.uuid}) GPT-Live error: ${code}: ${message}`);
          break;
        }
        this.#log.error(`(${this.uuid}) ${effect.kind === 'start_failed' ? 'session.start refused' : 'GPT-Live fatal error'}: ${code}: ${message}`);
        this.#serverEndReason = `${effect.kind === 'start_failed' ? 'session.start refused' : 'GPT-Live error'}: ${code}`;
        this.#listener.liveError(code, message, effect.fatal);
        // Never retried: the stream ends (a refused start or a credential/quota/model error).
        const why = this.#serverEndReason;
        queueMicrotask(() => void this.#shutdown(why));
        break;
      }
      case 'ended':
        this.#log.info(`session.closed: ${effect.reason}${effect.usageSeconds !== undefined ? ` (${effect.usageSeconds} s)` : ''}`);
        if (this.#closedWaiter) this.#closedWaiter();
        else {
          this.#serverEndReason = `session.closed: ${effect.reason}`;
          const why = this.#serverEndReason;
          queueMicrotask(() => void this.#shutdown(why));
        }
        break;
    }
  }

  // ── end ──────────────────────────────────────────────────────────────────

  #shutdown(reason: string): Promise<void> {
    const parts = this.#parts;
    parts?.playout.stop();
    return this.#end.run(reason, {
      first: [
        [
          'speech stop',
          () => {
            if (parts?.track.takeSpeaking()) this.#listener.speechStopped();
          },
        ],
        ['detach', () => detachChannel(parts?.port)],
      ],
      closeSocket: () => this.#connection.close(),
      dispose: async () => {
        await this.#files?.dispose();
      },
      ended: (why) => this.#listener.ended(why),
    });
  }

  status(): Record<string, unknown> {
    return liveEngineStatus({
      config: this.#config,
      limits: this.#limits,
      connection: this.#connection,
      parts: this.#parts,
      format: this.#format,
      ending: this.ending,
      endReason: this.#end.reason,
      mutedOpenai: this.#mutedOpenai,
      mutedUser: this.#mutedUser,
      paused: this.#paused,
      startedAt: this.#startedAt,
      counters: { appEventsRefused: this.#outbox.refused, invalidAudioDeltas: this.#invalidDeltas, invalidServerEvents: this.#invalidEvents, internalErrors: this.#faults.count },
      latency: this.#latency,
      gateState: this.#gate.state,
      gateQueued: this.#gate.queued,
      facts: this.#facts,
    });
  }
}
