/**
 * The audio engine every API family shares (DESIGN.md §5): one media hook on the channel and one
 * WebSocket to the Realtime server, tied together.
 *
 *   capture ring ─► gate (pause, mute user, socket open, first session.update) ─► UplinkEncoder ─►
 *   RealtimeConnection ─► text: formats, responses, barge-in, the family's events; audio deltas ─►
 *   DownlinkDecoder ─► PlaybackQueue ─► playback ring (kept ~80 ms ahead) ─► media thread
 *
 * What differs between `uuid_openai_audio_stream` and `uuid_openai_s2s` — API grammar, event names
 * and bodies, protocol translation — lives in their session classes, which listen to this engine
 * ({@link EngineListener}) and drive it with a few commands. Everything about audio, the socket
 * and barge-in lives here, once.
 *
 * Played time is counted from what the media thread consumed (ring positions per item), which is
 * what barge-in truncates to and what the speech and playback events follow. Everything runs on
 * the Node thread; the media thread only sees the rings.
 *
 * The engine ends exactly once (#shutdown), whichever comes first: `stop`, hangup (the pump's
 * onClosed), the connection giving up (attempts used up, a clean server close, no reconnect), or
 * a fault. Ending detaches the hook, closes the socket (1000, 2 s close timer), deletes the debug
 * files, then tells the listener (`ended`).
 */
import { Mix, PlaybackMode, type DtmfDigit, type PlaybackModeValue } from '../bridge.js';
import type { MixType, MuteTarget } from '../commands/audioStreamGrammar.js';
import type { TlsConnectOptions } from '../config/tlsFiles.js';
import type { ChannelPort } from '../media/channelPort.js';
import type { MediaHandler, MediaPump } from '../media/mediaPump.js';
import { throwIfArmed } from '../runtime/faultHooks.js';
import { log as rootLog, type Logger } from '../runtime/logger.js';
import { describe } from '../runtime/processGuards.js';
import { decideBargeIn, type BargeInItem } from './bargeInDecision.js';
import { ClientEventQueue } from './clientEventQueue.js';
import { DebugAudioFiles } from './debugAudioFiles.js';
import { DownlinkDecoder, INVALID_BASE64 } from './downlinkDecoder.js';
import { DEFAULT_ENGINE_LIMITS, MAX_RAW_FRAME_BYTES, MAX_SERVER_FRAME_BYTES, type EngineLimits } from './engineLimits.js';
import { ItemPositionTracker } from './itemPositionTracker.js';
import { LatencyMeter } from './latencyMeter.js';
import { PlaybackQueue, SILENCE_TAG } from './playbackQueue.js';
import { RealtimeConnection, displayUrl, type ConnectErrorInfo } from './realtimeConnection.js';
import { ResponseTracker } from './responseTracker.js';
import {
  defaultSessionAudioConfig,
  formatName,
  readSessionAudioConfig,
  sessionUpdateSetsInputFormat,
  type SessionAudioConfig,
  type WireFormat,
} from './sessionFormats.js';
import { mergeSessionPatch } from './sessionPatch.js';
import { resolveBufferMs } from './streamVariables.js';
import { TokenUsage } from './tokenUsage.js';
import { UplinkBacklog } from './uplinkBacklog.js';
import { UplinkEncoder } from './uplinkEncoder.js';
import { encodeAlaw, encodeMulaw } from '../audio/g711.js';
import { encodeBytesBase64, encodePcm16Base64 } from '../audio/pcm.js';

const CAPTURE_RING_MS = 1000;
const PLAYBACK_RING_MS = 500;
/** How far the playback ring is kept ahead of the media thread: small, so barge-in is instant. */
const PLAYBACK_AHEAD_MS = 80;
/** `mute user` sends this much silence so the server's VAD ends the caller's turn (seed #22). */
const MUTE_SILENCE_MS = 1000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 2_000;
/** How long the end waits for the host to confirm that the media hook is gone. */
const HOOK_CLOSE_WAIT_MS = 3_000;
/** How long the uplink waits for `session.updated` after an input-format change before resuming. */
const FORMAT_CHANGE_WAIT_MS = 2_000;
/** Responses whose playback was reported finished, remembered so each is reported once. */
const REMEMBERED_RESPONSES = 32;

/** `event_id` prefix of the client events the engine sends on its own account (barge-in truncate and cancel). */
export const ENGINE_EVENT_ID_PREFIX = 'oair_';

export interface EngineConnection {
  url: string;
  headers: Record<string, string>;
  deflate: boolean;
  tls: TlsConnectOptions;
  heartbeatS: number;
  /** Connect retries (and, unless `reconnectAfterDrop` is false, reconnects after a drop). */
  reconnect: boolean;
  reconnectAfterDrop: boolean;
  maxConnectAttempts: number;
}

export interface EngineConfig {
  uuid: string;
  /** The media hook's name, one per API family. */
  bugName: string;
  /** What the channel's log calls this session ("audio stream", "s2s session"). */
  label: string;
  mix: MixType;
  /** Raw PCM16 in binary frames at these rates (uuid_raw_audio_stream), or null for JSON events. */
  raw: { sendRate: number; playbackRate: number } | null;
  connection: EngineConnection;
  /** STREAM_BUFFER_SIZE text (null: 20 ms). */
  bufferSize: string | null;
  /** Hide the per-message debug logs (STREAM_SUPPRESS_LOG). */
  suppressLog: boolean;
  /** Debug WAV files of the assistant's audio. */
  audioFiles: boolean;
  /** Start with the caller muted (`mute_user`). */
  muteUser: boolean;
  /**
   * When caller audio may flow: as soon as the socket is open (audio stream), or only once a
   * `session.update` has been sent on it (s2s, as the seed: the app configures the session first).
   */
  uplinkGate: 'socket-open' | 'session-update-sent';
  /** A `session` to send as `session.update` after the first `session.created` (a profile's), or null. */
  initialSession: Readonly<Record<string, unknown>> | null;
  /** Warnings for the channel's log, logged once the hook is attached (they never hold a key). */
  warnings: readonly string[];
  /** Playback queue, uplink backlog and app backlog bounds (module settings); defaults when absent. */
  limits?: EngineLimits;
}

export type PlaybackState = 'started' | 'completed' | 'interrupted';

/** What the engine tells the session that owns it. Every call happens on the Node thread. */
export interface EngineListener {
  /** The socket opened; `reconnected` after a drop (the engine has replayed the configuration). */
  connected(reconnected: boolean): void;
  /** The open socket closed (peer, network, heartbeat, or our own close). */
  disconnected(code: number, reason: string, willReconnect: boolean): void;
  /** A connect attempt failed; `info.waitTimeMs` is 0 when no other attempt follows. */
  connectFailed(info: ConnectErrorInfo): void;
  /** A server text frame that is not audio the engine played. `event` is null when it is not a JSON object. */
  serverText(text: string, event: Record<string, unknown> | null): void;
  /** Assistant audio went into a debug WAV file (`event` is the delta; null in raw mode). */
  audioFile(event: Record<string, unknown> | null, path: string): void;
  /** The media thread played the first sample of an utterance (not while the assistant is muted). */
  speechStarted(): void;
  /** The utterance's last sample was played, or a barge-in flushed it. */
  speechStopped(): void;
  /**
   * Per response: its first sample was played ('started'); its last sample was played
   * ('completed'); or a barge-in flushed it ('interrupted'). Each response ends exactly once.
   */
  responsePlayback(responseId: string, state: PlaybackState): void;
  /** The engine has ended: hook removed (or given up on), socket closed, files deleted. */
  ended(reason: string): void;
  /**
   * The session's own code threw (a bug, or the test hook): the engine is ending because of it.
   * Called once, before `ended`; `reason` holds no stack and no payload.
   */
  failed?(reason: string): void;
  /** The caller pressed a key (the channel's DTMF, delivered by the media pump). */
  dtmf?(digit: DtmfDigit): void;
  /** The engine ends with client events of the app still queued (clientEventQueue.ts): their types. */
  unsentClientEvents?(types: readonly string[]): void;
}

export interface EngineDeps {
  pump: MediaPump;
}

/** One assistant item (raw mode: one burst of binary frames) as the downlink sees it. */
interface ItemState {
  tag: number;
  /** '' in raw mode: nothing to truncate. */
  itemId: string;
  responseId: string | null;
  sourceRate: number;
  /** Samples received at the wire rate. */
  received: number;
  /** Samples of this item still in the JS queue. */
  queued: number;
  /** All its audio has arrived. */
  ended: boolean;
  /** Some of its audio did not fit the playback queue (logged once per item). */
  overflowed: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export class RealtimeEngine implements MediaHandler {
  readonly uuid: string;
  readonly #config: EngineConfig;
  readonly #listener: EngineListener;
  readonly #log: Logger;
  readonly #connection: RealtimeConnection;
  readonly #responses = new ResponseTracker();
  readonly #positions = new ItemPositionTracker();
  readonly #files: DebugAudioFiles | null;
  readonly #startedAt = Date.now();

  // Set by #init once the hook is attached.
  #port!: ChannelPort;
  #uplink!: UplinkEncoder;
  #downlink!: DownlinkDecoder;
  #queue!: PlaybackQueue;
  #scratch!: Int16Array;
  #aheadSamples = 0;
  #bufferMs = 0;

  #formats: SessionAudioConfig = defaultSessionAudioConfig();
  /** The session as configured so far (profile's, then the app's updates merged): replayed after a reconnect. */
  #replaySession: Record<string, unknown> | null = null;
  /** The profile's session still waits for the first session.created. */
  #initialPending: boolean;
  #inputFormatPendingSince = 0;
  /** Caller audio may flow (see EngineConfig.uplinkGate). */
  #uplinkAllowed: boolean;
  /** Samples still in the capture ring when the uplink (re)opened: captured before, so never sent. */
  #skipCaptured = 0;
  #ownEvents = 0;

  #paused = false;
  #mutedUser: boolean;
  #mutedOpenai = false;

  // Downlink state.
  #nextTag = 0;
  #current: ItemState | null = null;
  readonly #live: ItemState[] = [];
  readonly #tagByItemId = new Map<string, number>();
  /** Samples written to the ring since attach: equals the ring's written position. */
  #ringWritePos = 0;
  /** Samples queued since the last flush: the frame alignment of the ring. */
  #queuedSinceFlush = 0;
  /** Plays a partial frame left at the ring's tail when the server pauses mid-item (#holdPartialFrame). */
  #partialTimer: NodeJS.Timeout | null = null;
  #utterance = false;
  #speechPendingAt: number | null = null;
  #speechStarted = false;
  /** Responses with audio in the ring: where their first sample is, and whether it was played. */
  readonly #playback = new Map<string, { firstAt: number; started: boolean }>();
  readonly #playbackEnded: string[] = [];
  #lastBinaryAt = 0;
  #playbackMode: PlaybackModeValue = PlaybackMode.idle;

  // Counters for status().
  #droppedUplinkSamples = 0;
  #backlogDrops = 0;
  #invalidDeltas = 0;
  #lateDeltasDropped = 0;
  #unexpectedBinary = 0;
  #ringShortWrites = 0;
  #bargeIns = 0;
  #backlog!: UplinkBacklog;
  #appEventsRefused = 0;
  /** App events waiting for the connection (clientEventQueue.ts). */
  readonly #early: ClientEventQueue;
  /** The server of this connection has sent its first event (or, raw mode, the socket is open). */
  #serverReady = false;
  #faults = 0;
  readonly #tokens = new TokenUsage();
  readonly #latency = new LatencyMeter();
  #responsesDone = 0;

  #ending: Promise<void> | null = null;
  #endReason = '';
  readonly #hookClosed: Promise<void>;
  #resolveHookClosed: () => void = () => {};

  private constructor(config: EngineConfig, listener: EngineListener) {
    this.uuid = config.uuid;
    this.#config = config;
    this.#listener = listener;
    this.#log = rootLog.forChannel(config.uuid);
    this.#mutedUser = config.muteUser;
    this.#uplinkAllowed = config.uplinkGate === 'socket-open';
    this.#initialPending = config.initialSession !== null;
    if (config.initialSession) this.#replaySession = mergeSessionPatch(null, config.initialSession);
    this.#files = config.audioFiles ? new DebugAudioFiles(config.uuid, this.#log) : null;
    this.#early = new ClientEventQueue(this.#limits.appBacklogBytes);
    this.#hookClosed = new Promise((resolve) => {
      this.#resolveHookClosed = resolve;
    });
    const c = config.connection;
    this.#connection = new RealtimeConnection(
      {
        url: c.url,
        headers: c.headers,
        perMessageDeflate: c.deflate,
        tls: c.tls,
        heartbeatSeconds: c.heartbeatS,
        reconnect: c.reconnect,
        reconnectAfterDrop: c.reconnectAfterDrop,
        maxAttempts: c.maxConnectAttempts,
        handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
        closeTimeoutMs: CLOSE_TIMEOUT_MS,
        maxFrameBytes: MAX_SERVER_FRAME_BYTES,
      },
      // Every callback runs this session's code (and its owner's) on the socket's stack: an
      // exception there is this session's fault. Uncaught, it would leave the socket's reader
      // stuck mid-frame (a session that hears nothing more and never ends).
      {
        onOpen: (reconnected) => this.#contain(() => this.#onOpen(reconnected)),
        onText: (text) => this.#contain(() => this.#onText(text)),
        onBinary: (data) => this.#contain(() => this.#onBinary(data)),
        onDisconnect: (code, reason, willReconnect) => this.#contain(() => this.#onDisconnect(code, reason, willReconnect)),
        onConnectError: (info) => this.#contain(() => this.#onConnectError(info)),
        onEnded: (reason) => {
          if (!this.#ending) void this.#shutdown(reason);
        },
      },
    );
  }

  /**
   * Attaches the media hook; the socket is not opened yet ({@link connect}), so the owner can
   * register itself first. Throws with the host's reason if the hook cannot attach.
   */
  static attach(config: EngineConfig, listener: EngineListener, deps: EngineDeps): RealtimeEngine {
    const engine = new RealtimeEngine(config, listener);
    deps.pump.attach(
      { uuid: config.uuid, bugName: config.bugName, mix: Mix[config.mix], captureRingMs: CAPTURE_RING_MS, playbackRingMs: PLAYBACK_RING_MS },
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

  #init(port: ChannelPort): void {
    const c = this.#config;
    this.#port = port;
    const ptimeMs = (port.frameSamples * 1000) / port.sampleRate;
    const buffer = resolveBufferMs(c.bufferSize, ptimeMs);
    if (buffer.warning) this.#log.warning(buffer.warning);
    this.#bufferMs = buffer.ms;
    for (const warning of c.warnings) this.#log.warning(warning);
    this.#uplink = new UplinkEncoder(port.sampleRate, port.captureChannels, buffer.ms, {
      text: (payload) => this.#sendAudio(payload),
      binary: (payload) => this.#sendAudio(payload),
    });
    this.#uplink.configure(c.raw ? { mode: 'raw', rate: c.raw.sendRate } : { mode: 'json', format: this.#formats.input });
    if (this.#uplink.downmixing) {
      this.#log.warning('stereo capture is mixed down to mono: the Realtime API takes one channel (use uuid_raw_audio_stream for two)');
    }
    this.#downlink = new DownlinkDecoder(port.sampleRate);
    this.#downlink.configure(c.raw ? { encoding: 'pcm', rate: c.raw.playbackRate } : this.#formats.output);
    this.#queue = new PlaybackQueue(port.sampleRate, this.#limits.playbackQueueMs / 1000);
    this.#backlog = new UplinkBacklog(this.#limits.uplinkBacklogMs, buffer.ms);
    this.#aheadSamples = Math.max(Math.round((port.sampleRate * PLAYBACK_AHEAD_MS) / 1000), 2 * port.frameSamples);
    this.#scratch = new Int16Array(this.#aheadSamples);
    this.#ringWritePos = port.writtenPosition();
    port.setPlaybackMode(PlaybackMode.idle);
    this.#log.info(
      `${c.label} starting: ${displayUrl(c.connection.url)} ${c.mix}, ${c.raw ? `raw ${c.raw.sendRate}/${c.raw.playbackRate} Hz` : 'JSON'}, ` +
        `channel ${port.sampleRate} Hz ${ptimeMs} ms, buffer ${buffer.ms} ms${this.#mutedUser ? ', user muted' : ''}`,
    );
  }

  // ── commands ─────────────────────────────────────────────────────────────

  get connected(): boolean {
    return this.#connection.isOpen;
  }

  get ending(): boolean {
    return this.#ending !== null;
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
    if (parsed.type === 'session.update' && isObject(parsed.session)) this.#sessionUpdateSent(parsed, options.opensUplink !== false);
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
  ): 'sent' | 'queued' | { refused: string } {
    const state = this.#connection.state;
    if (state === 'open' && this.#serverReady) this.#flushEarly();
    if (this.#ending === null && (state === 'idle' || state === 'connecting' || (state === 'open' && this.#early.length > 0))) {
      const refused = this.#early.push({ text, parsed, opensUplink: options.opensUplink !== false, sent });
      return refused === null ? 'queued' : { refused };
    }
    if (!this.sendJson(text, parsed, options)) return { refused: this.sendRefusal() ?? 'not connected' };
    sent();
    return 'sent';
  }

  #flushEarly(): void {
    if (this.#early.length === 0) return;
    const n = this.#early.drain((e) => {
      if (!this.sendJson(e.text, e.parsed, { opensUplink: e.opensUplink })) return false;
      e.sent();
      return true;
    });
    this.#log.info(`sent ${n} client event(s) queued while connecting${this.#early.length > 0 ? `, ${this.#early.length} still wait` : ''}`);
  }

  /**
   * Nothing queued, nothing in the ring, no item still streaming: the caller has heard everything
   * the assistant said so far (call control waits for this before hanging up or transferring).
   */
  get playbackIdle(): boolean {
    const port = this.#port;
    if (!port || port.released || this.#ending) return true;
    return this.#current === null && this.#queue.length === 0 && port.playedPosition() >= this.#ringWritePos;
  }

  #sessionUpdateSent(event: Record<string, unknown>, opensUplink: boolean): void {
    this.#replaySession = mergeSessionPatch(this.#replaySession, event.session as Record<string, unknown>);
    if (!this.#config.raw && sessionUpdateSetsInputFormat(event)) this.#inputFormatPendingSince = Date.now();
    if (!this.#uplinkAllowed && opensUplink) {
      this.#openUplink();
      this.#log.info('caller audio streams from now on (first session.update sent)');
    }
  }

  /** Caller audio flows from now on; nothing captured before this moment is sent (no stale burst). */
  #openUplink(): void {
    this.#uplinkAllowed = true;
    this.#uplink.discard();
    this.#skipStaleCapture();
  }

  /** What sits in the capture ring now was captured before now: it is dropped as it is read. */
  #skipStaleCapture(): void {
    this.#skipCaptured = this.#port.released ? 0 : (this.#port.stats()?.captureQueued ?? 0);
  }

  setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    // Like the seed's bug flush: nothing captured before the change is sent after it.
    this.#uplink.discard();
    this.#updatePlaybackMode();
    this.#log.info(paused ? 'stream paused' : 'stream resumed');
  }

  /** `mute` / `unmute`: the flags change; silence goes out only when connected. */
  setMute(target: MuteTarget, muted: boolean): void {
    if (target === 'user' || target === 'all') this.#setMuteUser(muted);
    if (target === 'openai' || target === 'all') {
      if (this.#mutedOpenai !== muted) this.#log.info(muted ? 'OpenAI audio muted' : 'OpenAI audio unmuted');
      this.#mutedOpenai = muted;
    }
  }

  #setMuteUser(muted: boolean): void {
    if (this.#mutedUser === muted) {
      this.#log.info(`User audio is already ${muted ? 'muted' : 'unmuted'}`);
      return;
    }
    this.#mutedUser = muted;
    this.#uplink.discard();
    this.#log.info(muted ? 'User audio muted' : 'User audio unmuted');
    if (!muted) return;
    if (!this.#connection.isOpen) {
      this.#log.debug('not connected: no silence sent after mute');
      return;
    }
    this.#sendSilence(MUTE_SILENCE_MS);
  }

  /** One append of silence in the uplink's current encoding. */
  #sendSilence(ms: number): void {
    const target = this.#uplink.target;
    if (!target) return;
    if (target.mode === 'raw') {
      const channels = this.#uplink.downmixing ? 1 : this.#port.captureChannels;
      this.#connection.sendBinary(new Uint8Array(Math.round((target.rate * ms) / 1000) * channels * 2));
      return;
    }
    const zeros = new Int16Array(Math.round((target.format.rate * ms) / 1000));
    let audio: string;
    if (target.format.encoding === 'pcm') {
      audio = encodePcm16Base64(zeros, zeros.length);
    } else {
      const bytes = new Uint8Array(zeros.length);
      const encode = target.format.encoding === 'pcmu' ? encodeMulaw : encodeAlaw;
      audio = encodeBytesBase64(bytes, encode(zeros, zeros.length, bytes));
    }
    this.#connection.sendText(JSON.stringify({ type: 'input_audio_buffer.append', audio }));
  }

  /** Ends the engine: sends what is buffered and the final message (if any) first. */
  async stop(reason: string, finalJson: string | null = null): Promise<void> {
    const dropped = this.#ending ? [] : this.#early.clear();
    if (dropped.length > 0) this.#log.info(`stopped with ${dropped.length} client event(s) still queued, not sent: ${dropped.join(', ')}`);
    if (!this.#ending && this.#connection.isOpen) {
      if (this.#uplinkAllowed) this.#uplink.flush();
      if (finalJson !== null) this.#connection.sendText(finalJson);
    }
    await this.#shutdown(reason);
  }

  // ── media (MediaHandler) ─────────────────────────────────────────────────

  onCapture(samples: Int16Array, length: number): void {
    if (this.#ending || this.#paused || this.#mutedUser) return;
    if (this.#inputFormatPendingSince !== 0 && Date.now() - this.#inputFormatPendingSince > FORMAT_CHANGE_WAIT_MS) {
      this.#inputFormatPendingSince = 0;
    }
    if (!this.#connection.isOpen || !this.#uplinkAllowed || this.#inputFormatPendingSince !== 0) {
      // Never sent later as a burst: dropped and counted.
      this.#droppedUplinkSamples += length / this.#port.captureChannels;
      this.#uplink.discard();
      return;
    }
    if (this.#skipCaptured > 0) {
      const stale = Math.min(this.#skipCaptured, length);
      this.#skipCaptured -= stale;
      this.#droppedUplinkSamples += stale / this.#port.captureChannels;
      if (stale === length) return;
      this.#uplink.push(samples.subarray(stale), length - stale);
      return;
    }
    this.#uplink.push(samples, length);
  }

  onDtmf(digit: DtmfDigit): void {
    if (!this.#ending) this.#listener.dtmf?.(digit);
  }

  onPlaybackRoom(): void {
    if (this.#ending) return;
    throwIfArmed(this.uuid, 'media');
    this.#topUp();
    const played = this.#port.playedPosition();
    if (this.#speechPendingAt !== null && played > this.#speechPendingAt) {
      this.#speechPendingAt = null;
      if (!this.#mutedOpenai) {
        this.#speechStarted = true;
        this.#listener.speechStarted();
      }
    }
    for (const [responseId, p] of this.#playback) {
      if (!p.started && played > p.firstAt) {
        p.started = true;
        this.#latency.playbackStarted(responseId, Date.now());
        this.#listener.responsePlayback(responseId, 'started');
      }
    }
    if (this.#config.raw && this.#current !== null && Date.now() - this.#lastBinaryAt > this.#rawBurstGapMs()) {
      this.#endItem(this.#current);
    }
    if (this.#utterance && this.#current === null && this.#queue.length === 0 && played >= this.#ringWritePos) {
      this.#utteranceDrained();
    }
    this.#forgetPlayedItems(played);
    this.#updatePlaybackMode();
  }

  /**
   * An empty ring is an underrun only while more audio is on its way: an item is still streaming
   * or the queue still holds some. Once everything is in the ring, running dry is the end of the
   * reply, not a gap (and JS may be a little late to notice).
   */
  #updatePlaybackMode(): void {
    // Audio queued here: an empty ring would be our underrun. An answer still streaming with nothing
    // queued: an empty ring waits for the server (a server gap). Otherwise silence.
    const mode: PlaybackModeValue =
      this.#paused || this.#ending
        ? PlaybackMode.idle
        : this.#queue.length > 0
          ? PlaybackMode.queued
          : this.#current !== null
            ? PlaybackMode.awaitingServer
            : PlaybackMode.idle;
    if (mode === this.#playbackMode || this.#port.released) return;
    this.#playbackMode = mode;
    this.#port.setPlaybackMode(mode);
  }

  onClosed(): void {
    this.#resolveHookClosed();
    if (!this.#ending) void this.#shutdown('media hook closed (hangup)');
  }

  onFault(error: unknown): void {
    this.#fault(error);
  }

  /** Runs session code from the socket; an exception in it ends this session, nothing else. */
  #contain(run: () => void): void {
    try {
      run();
    } catch (err) {
      this.#fault(err);
    }
  }

  /** This session's code threw: log why, tell the owner (its app gets an event), end the session. */
  #fault(error: unknown): void {
    this.#faults++;
    this.#log.error(`${this.#config.label} failed: ${describe(error)}`);
    if (this.#ending) return;
    try {
      this.#listener.failed?.('internal error');
    } catch (inner) {
      this.#log.error(`${this.#config.label} failure report failed: ${describe(inner)}`);
    }
    void this.#shutdown('internal error');
  }

  // ── uplink ───────────────────────────────────────────────────────────────

  #sendAudio(payload: string | Uint8Array): void {
    // The server is not reading: sending more would only grow memory (uplink-backlog-ms).
    const bytes = payload.length;
    const waiting = this.#connection.bufferedAmount;
    switch (this.#backlog.admit(bytes, waiting)) {
      case 'drop-first':
        this.#log.warning(
          `the server is not reading: caller audio is dropped while more than ${this.#limits.uplinkBacklogMs} ms of it ` +
            `(${this.#backlog.capBytes(bytes)} bytes) waits in the socket`,
        );
        this.#backlogDrops++;
        return;
      case 'drop':
        this.#backlogDrops++;
        return;
      case 'send-after-drops':
        this.#log.notice(`the server reads again: ${this.#backlog.takeEpisodeDroppedMs()} ms of caller audio were dropped meanwhile`);
        break;
      case 'send':
        break;
    }
    if (typeof payload === 'string') this.#connection.sendText(payload);
    else this.#connection.sendBinary(payload);
  }

  // ── connection events ────────────────────────────────────────────────────

  #onOpen(reconnected: boolean): void {
    this.#uplink.discard();
    this.#skipStaleCapture();
    this.#log.info(`${reconnected ? 'reconnected' : 'connected'} to ${displayUrl(this.#config.connection.url)}`);
    if (reconnected) {
      // A new server session: OpenAI's defaults until it says otherwise, then our configuration
      // again, before any audio (the uplink waits for the answer if the input format changes).
      this.#responses.reset();
      this.#applyFormats(defaultSessionAudioConfig());
      this.#initialPending = false;
      if (this.#replaySession !== null) {
        this.#sendSession(this.#replaySession);
        this.#log.info('replayed the session configuration on the new connection');
      }
    }
    this.#serverReady = this.#config.raw !== null;
    this.#listener.connected(reconnected);
    if (this.#serverReady) this.#flushEarly();
  }

  /**
   * A session.update the engine sends for the app (the replay, the profile's session). Not tagged
   * as the engine's own: an error about it is about the app's configuration, and the app should see it.
   */
  #sendSession(session: Record<string, unknown>): void {
    const event = { type: 'session.update', session };
    if (!this.#connection.sendText(JSON.stringify(event))) return;
    if (!this.#config.raw && sessionUpdateSetsInputFormat(event)) this.#inputFormatPendingSince = Date.now();
    if (!this.#uplinkAllowed) this.#openUplink();
  }

  #onDisconnect(code: number, reason: string, willReconnect: boolean): void {
    this.#log[code === 1000 ? 'info' : 'warning'](`disconnected: ${code} ${reason}${willReconnect ? ', reconnecting' : ''}`);
    // What arrived of a response cut off by the drop still plays; nothing more of it will come.
    if (this.#current) this.#endItem(this.#current);
    this.#responses.reset();
    this.#uplink.discard();
    this.#inputFormatPendingSince = 0;
    this.#serverReady = false;
    this.#listener.disconnected(code, reason, willReconnect);
  }

  #onConnectError(info: ConnectErrorInfo): void {
    this.#log.warning(
      `connect attempt ${info.retries} failed: ${info.error}${info.waitTimeMs > 0 ? `; retrying in ${info.waitTimeMs} ms` : ''}`,
    );
    this.#listener.connectFailed(info);
  }

  #onText(text: string): void {
    if (this.#ending) return;
    throwIfArmed(this.uuid, 'server');
    let event: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = JSON.parse(text);
      if (isObject(parsed)) event = parsed;
    } catch {
      // Not JSON (a proxy's error page…): forwarded as it is.
    }
    const type = event ? str(event.type) : undefined;
    if (!this.#config.suppressLog) {
      this.#log.debug(`processMessage type: ${type ?? '(not a JSON event)'}`);
    }
    if (event && type) {
      switch (type) {
        case 'response.output_audio.delta':
        case 'response.audio.delta':
          if (!this.#config.raw && this.#onAudioDelta(event)) return; // decoded and queued: not forwarded
          break;
        case 'response.output_audio.done':
        case 'response.audio.done': {
          // Without item_id (OpenAI-compatible servers that send no response.done either) it ends
          // the item streaming now: its last partial frame plays and the speech-stop event follows.
          const itemId = str(event.item_id);
          const tag = itemId === undefined ? this.#current?.tag : this.#tagByItemId.get(itemId);
          const item = tag === undefined ? undefined : this.#liveItem(tag);
          if (item) this.#endItem(item);
          break;
        }
        case 'session.created':
          this.#applyFormats(readSessionAudioConfig(event.session, this.#formats));
          if (this.#initialPending && this.#replaySession !== null) {
            // The profile's session (with whatever the app sent meanwhile merged over it).
            this.#initialPending = false;
            this.#sendSession(this.#replaySession);
            this.#log.info('sent the profile\'s session configuration');
          }
          break;
        case 'session.updated':
          // The answer to an update: the formats in force now. (session.created does not end the
          // wait: an update sent before it is answered by a session.updated of its own.)
          this.#inputFormatPendingSince = 0;
          this.#applyFormats(readSessionAudioConfig(event.session, this.#formats));
          break;
        case 'response.created': {
          const id = isObject(event.response) ? str(event.response.id) : undefined;
          if (id) this.#responses.created(id);
          break;
        }
        case 'response.done':
          this.#onResponseDone(event.response);
          break;
        case 'input_audio_buffer.speech_started':
          this.#bargeIn();
          break;
        case 'input_audio_buffer.speech_stopped':
          this.#latency.speechStopped(Date.now());
          break;
        case 'error':
          this.#onServerError(event);
          break;
        default:
          break;
      }
    }
    if (!this.#serverReady) {
      // The server's session exists (session.created, after the profile's session went out above).
      this.#serverReady = true;
      this.#flushEarly();
    }
    this.#listener.serverText(text, event);
  }

  #onServerError(event: Record<string, unknown>): void {
    const error = isObject(event.error) ? event.error : {};
    const code = str(error.code) ?? '';
    const message = str(error.message) ?? '';
    // An update may have been refused: the uplink goes on in the format in force.
    this.#inputFormatPendingSince = 0;
    // STREAM_SUPPRESS_LOG: the server's message may quote the app's payload; only the code is logged.
    const shown = this.#config.suppressLog ? '(message not logged: STREAM_SUPPRESS_LOG)' : message;
    if (code === 'response_cancel_not_active') this.#log.debug(`server: ${code} (benign): ${shown}`);
    else this.#log.error(`(${this.uuid}) processMessage - error: ${code || str(error.type) || 'error'}: ${shown}`);
  }

  #onResponseDone(response: unknown): void {
    if (!isObject(response)) return;
    const id = str(response.id);
    if (id) this.#responses.done(id);
    this.#responsesDone++;
    this.#tokens.add(response.usage);
    for (const item of this.#live) if (item.responseId === id && !item.ended) this.#endItem(item);
  }

  #applyFormats(next: SessionAudioConfig): void {
    const previous = this.#formats;
    this.#formats = next;
    if (this.#config.raw) return;
    if (!sameFormat(previous.input, next.input)) {
      this.#uplink.configure({ mode: 'json', format: next.input });
      this.#log.info(`input audio format ${formatName(next.input)}`);
    }
    if (!sameFormat(previous.output, next.output)) {
      if (this.#current) this.#endItem(this.#current);
      this.#downlink.configure(next.output);
      this.#log.info(`output audio format ${formatName(next.output)}`);
    }
  }

  // ── downlink ─────────────────────────────────────────────────────────────

  /** Returns true when the delta was decoded and queued. */
  #onAudioDelta(event: Record<string, unknown>): boolean {
    const delta = event.delta;
    const itemId = str(event.item_id) ?? '';
    const responseId = str(event.response_id) ?? null;
    if (typeof delta !== 'string' || delta.length === 0) {
      this.#log.error('response.output_audio.delta no audio data');
      return false;
    }
    if (this.#responses.isDropped(responseId ?? undefined, itemId)) {
      this.#lateDeltasDropped++;
      return false;
    }
    const item = this.#itemFor(itemId, responseId, this.#downlink.format.rate);
    const n = this.#downlink.decodeBase64(delta);
    if (n === INVALID_BASE64) {
      this.#invalidDeltas++;
      this.#log.error(`audio delta of item ${itemId} dropped: ${this.#downlink.lastError ?? 'invalid base64'}`);
      return false;
    }
    item.received += this.#downlink.sourceLength;
    if (this.#files) {
      this.#files.write(this.#downlink.source, this.#downlink.sourceLength);
      const path = this.#files.currentPath;
      if (path) this.#listener.audioFile(event, path);
    }
    this.#enqueue(this.#downlink.output, n, item);
    this.#latency.audioDelta(responseId, Date.now());
    return true;
  }

  #onBinary(data: Buffer): void {
    if (this.#ending) return;
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
    const item = this.#current ?? this.#itemFor('', null, raw.playbackRate);
    const n = this.#downlink.decodeBytes(data);
    item.received += this.#downlink.sourceLength;
    this.#lastBinaryAt = Date.now();
    if (this.#files) {
      this.#files.write(this.#downlink.source, this.#downlink.sourceLength);
      const path = this.#files.currentPath;
      if (path) this.#listener.audioFile(null, path);
    }
    this.#enqueue(this.#downlink.output, n, item);
  }

  /** The item a delta belongs to; a new item ends the previous one and starts clean. */
  #itemFor(itemId: string, responseId: string | null, sourceRate: number): ItemState {
    const current = this.#current;
    if (current && current.itemId === itemId) return current;
    if (current) this.#endItem(current);
    this.#downlink.reset();
    const item: ItemState = { tag: this.#nextTag++, itemId, responseId, sourceRate, received: 0, queued: 0, ended: false, overflowed: false };
    this.#current = item;
    this.#live.push(item);
    if (itemId !== '') this.#tagByItemId.set(itemId, item.tag);
    this.#files?.open(sourceRate);
    this.#updatePlaybackMode();
    return item;
  }

  /** All of the item's audio is in: drain the resampler and pad the ring to a whole frame. */
  #endItem(item: ItemState): void {
    if (item.ended) return;
    item.ended = true;
    if (this.#current === item) {
      this.#current = null;
      const tail = this.#downlink.flushTail();
      if (tail > 0) this.#enqueue(this.#downlink.output, tail, item);
      this.#files?.finishCurrent();
    }
    // The media thread plays whole frames only: without padding the last partial frame would wait forever.
    const frame = this.#port.frameSamples;
    const pad = (frame - (this.#queuedSinceFlush % frame)) % frame;
    if (pad > 0) this.#queuedSinceFlush += this.#queue.pushSilence(pad, SILENCE_TAG);
    this.#topUp();
  }

  #enqueue(samples: Int16Array, length: number, item: ItemState): void {
    const accepted = this.#queue.push(samples, length, item.tag);
    if (accepted < length && !item.overflowed) {
      item.overflowed = true;
      this.#log.warning(
        `playback queue full (playback-queue-ms ${this.#limits.playbackQueueMs}): the rest of ${item.itemId || 'this audio'} is dropped`,
      );
    }
    item.queued += accepted;
    this.#queuedSinceFlush += accepted;
    this.#topUp();
    // What is left queued here decides what an empty ring would mean (ours or the server's gap).
    this.#updatePlaybackMode();
    if (this.#current === item) this.#holdPartialFrame();
  }

  /**
   * The media thread plays whole frames only, so audio short of a frame at the end of what has
   * arrived waits for more. When no more comes for two ptimes while all of it is in the ring, it
   * is padded to a frame and played (deltas shorter than a frame are heard without waiting for the
   * next one); a steady stream re-arms the timer with every delta and is never padded.
   */
  #holdPartialFrame(): void {
    if (this.#queuedSinceFlush % this.#port.frameSamples === 0) return;
    if (this.#partialTimer) {
      this.#partialTimer.refresh();
      return;
    }
    const holdMs = Math.max(10, (2 * this.#port.frameSamples * 1000) / this.#port.sampleRate);
    this.#partialTimer = setTimeout(() => this.#contain(() => this.#playPartialFrame()), holdMs);
    this.#partialTimer.unref();
  }

  #playPartialFrame(): void {
    if (this.#ending || this.#port.released) return;
    if (this.#queue.length > 0) {
      // Still waiting for room in the ring: padding now would put silence inside the audio.
      this.#partialTimer?.refresh();
      return;
    }
    const frame = this.#port.frameSamples;
    const pad = (frame - (this.#queuedSinceFlush % frame)) % frame;
    if (pad === 0) return;
    this.#queuedSinceFlush += this.#queue.pushSilence(pad, SILENCE_TAG);
    this.#topUp();
  }

  /** Moves queued audio into the ring until it is ~80 ms ahead of the media thread. */
  #topUp(): void {
    if (this.#paused || this.#queue.length === 0 || this.#port.released) return;
    let need = Math.min(this.#aheadSamples - this.#port.playbackQueued(), this.#port.playbackFree());
    while (need > 0 && this.#queue.length > 0) {
      const tag = this.#queue.headTag!;
      const n = this.#queue.readRun(this.#scratch, Math.min(need, this.#scratch.length));
      if (n === 0) break;
      // Muted: the timeline goes on (positions, speech events) but the caller hears silence.
      if (this.#mutedOpenai) this.#scratch.fill(0, 0, n);
      const written = this.#port.write(this.#scratch, n);
      if (written < n) this.#ringShortWrites++;
      if (tag !== SILENCE_TAG) {
        const item = this.#liveItem(tag);
        if (item) {
          item.queued -= n;
          const responseId = item.responseId;
          if (responseId !== null && !this.#playback.has(responseId) && !this.#playbackEnded.includes(responseId)) {
            this.#playback.set(responseId, { firstAt: this.#ringWritePos, started: false });
          }
        }
        this.#positions.record(tag, this.#ringWritePos, written);
        if (!this.#utterance) {
          this.#utterance = true;
          this.#speechPendingAt = this.#ringWritePos;
        }
      }
      this.#ringWritePos += written;
      need -= n;
    }
  }

  /** A plain loop: this runs for every frame moved to the ring, so no closure per call. */
  #liveItem(tag: number): ItemState | undefined {
    const live = this.#live;
    for (let i = 0; i < live.length; i++) if (live[i]!.tag === tag) return live[i];
    return undefined;
  }

  #utteranceDrained(): void {
    this.#utterance = false;
    this.#speechPendingAt = null;
    if (this.#speechStarted) {
      this.#speechStarted = false;
      this.#listener.speechStopped();
    }
  }

  #forgetPlayedItems(played: number): void {
    for (let i = this.#live.length - 1; i >= 0; i--) {
      const item = this.#live[i]!;
      if (!item.ended || item.queued > 0) continue;
      if (this.#positions.playedSamples(item.tag, played) < this.#positions.writtenSamples(item.tag)) continue;
      this.#live.splice(i, 1);
      this.#positions.forget(item.tag);
      if (this.#tagByItemId.get(item.itemId) === item.tag) this.#tagByItemId.delete(item.itemId);
      const responseId = item.responseId;
      // The response's last audio item was heard to the end.
      if (responseId !== null && this.#playback.has(responseId) && !this.#live.some((other) => other.responseId === responseId)) {
        this.#endPlayback(responseId, 'completed');
      }
    }
  }

  #endPlayback(responseId: string, state: 'completed' | 'interrupted'): void {
    const p = this.#playback.get(responseId);
    this.#playback.delete(responseId);
    if (this.#playbackEnded.includes(responseId)) return;
    this.#playbackEnded.push(responseId);
    if (this.#playbackEnded.length > REMEMBERED_RESPONSES) this.#playbackEnded.shift();
    if (p && !p.started && state === 'completed') this.#listener.responsePlayback(responseId, 'started');
    this.#listener.responsePlayback(responseId, state);
  }

  #rawBurstGapMs(): number {
    return Math.max(100, (3 * this.#port.frameSamples * 1000) / this.#port.sampleRate);
  }

  // ── barge-in ─────────────────────────────────────────────────────────────

  #bargeIn(): void {
    if (this.#port.released) return;
    const pending = this.#queue.length > 0 || this.#port.playbackQueued() > 0 || this.#current !== null;
    if (!pending) return;
    // Cut playout first: everything else can wait a microsecond, the caller's ear cannot.
    const playedAtFlush = this.#port.flush();
    this.#queue.clear();
    const rate = this.#port.sampleRate;
    const items: BargeInItem[] = [];
    const responseIds = new Set<string>();
    for (const item of this.#live) {
      if (item.responseId) responseIds.add(item.responseId);
      if (item.itemId === '') continue;
      items.push({
        itemId: item.itemId,
        playedMs: (this.#positions.playedSamples(item.tag, playedAtFlush) * 1000) / rate,
        receivedMs: (item.received * 1000) / item.sourceRate,
        complete: item.ended,
      });
    }
    const active = this.#responses.activeResponseId;
    if (active) responseIds.add(active);
    const plan = decideBargeIn({
      assistantAudioPending: true,
      activeResponseId: active,
      interruptResponse: this.#formats.interruptResponse,
      items,
    });
    this.#bargeIns++;
    this.#latency.flushed();
    for (const truncate of plan.truncates) this.#connection.sendText(JSON.stringify({ ...truncate, event_id: this.ownEventId() }));
    if (plan.cancelResponseId !== null) {
      this.#connection.sendText(JSON.stringify({ type: 'response.cancel', event_id: this.ownEventId(), response_id: plan.cancelResponseId }));
    }
    this.#responses.interrupt(active, [...items.map((i) => i.itemId)]);
    for (const id of responseIds) this.#responses.interrupt(id, []);
    this.#log.info(
      `barge-in: flushed playback${plan.truncates.map((t) => `, truncated ${t.item_id} at ${t.audio_end_ms} ms`).join('')}` +
        `${plan.cancelResponseId ? `, cancelled ${plan.cancelResponseId}` : ''}`,
    );
    // Each response with audio here: heard to the end already (its items not yet forgotten), or
    // cut, whether or not any of it had been heard yet.
    const outcome = new Map<string, 'completed' | 'interrupted'>();
    for (const item of this.#live) {
      if (item.responseId === null) continue;
      const written = this.#positions.writtenSamples(item.tag);
      const heardAll = item.ended && item.queued === 0 && written > 0 && this.#positions.playedSamples(item.tag, playedAtFlush) >= written;
      if (!heardAll) outcome.set(item.responseId, 'interrupted');
      else if (!outcome.has(item.responseId)) outcome.set(item.responseId, 'completed');
    }
    // Nothing of the interrupted items will play: forget them and start the downlink clean.
    for (const item of this.#live) {
      item.ended = true;
      this.#positions.forget(item.tag);
    }
    this.#live.length = 0;
    this.#tagByItemId.clear();
    this.#current = null;
    this.#downlink.reset();
    this.#files?.finishCurrent();
    this.#queuedSinceFlush = 0;
    this.#ringWritePos = this.#port.writtenPosition();
    this.#utteranceDrained();
    for (const [id, state] of outcome) this.#endPlayback(id, state);
    this.#updatePlaybackMode();
  }

  // ── end ──────────────────────────────────────────────────────────────────

  #shutdown(reason: string): Promise<void> {
    if (this.#ending) return this.#ending;
    this.#endReason = reason;
    // Each step runs whatever the one before did: a failing step must not leave the hook
    // attached, the socket open or the session registered.
    this.#ending = (async () => {
      this.#log.info(`${this.#config.label} ending: ${reason}`);
      let hookTimer: NodeJS.Timeout | undefined;
      try {
        if (this.#speechStarted) {
          this.#speechStarted = false;
          this.#step('speech stop', () => this.#listener.speechStopped());
        }
        if (this.#port && !this.#port.released) {
          this.#step('detach', () => {
            this.#port.setPlaybackMode(PlaybackMode.idle);
            this.#port.detach();
          });
        }
        // The host confirms the hook's removal through the pump; never wait for it forever.
        const hookGone = Promise.race([
          this.#hookClosed,
          new Promise<void>((resolve) => {
            hookTimer = setTimeout(() => {
              this.#log.warning('media hook removal not confirmed within 3 s');
              resolve();
            }, HOOK_CLOSE_WAIT_MS);
          }),
        ]);
        await Promise.all([this.#connection.close(), hookGone]);
        await this.#files?.dispose();
      } catch (err) {
        this.#log.error(`${this.#config.label} teardown: ${describe(err)}`);
      } finally {
        clearTimeout(hookTimer);
        if (this.#partialTimer) clearTimeout(this.#partialTimer);
        const unsent = this.#early.clear();
        if (unsent.length > 0) {
          this.#log.warning(`${unsent.length} client event(s) queued while connecting were not sent: ${unsent.join(', ')}`);
          this.#step('unsent events', () => this.#listener.unsentClientEvents?.(unsent));
        }
        this.#step('end', () => this.#listener.ended(reason));
      }
    })();
    return this.#ending;
  }

  #step(what: string, run: () => void): void {
    try {
      run();
    } catch (err) {
      this.#log.error(`${this.#config.label} teardown (${what}): ${describe(err)}`);
    }
  }

  /** The engine's part of `openai_realtime status`. */
  status(): Record<string, unknown> {
    const c = this.#config;
    const port = this.#port;
    const stats = port && !port.released ? port.stats() : undefined;
    const rate = port?.sampleRate ?? 8000;
    return {
      state: this.#ending ? 'ending' : this.#connection.state,
      endReason: this.#endReason || undefined,
      server: displayUrl(c.connection.url),
      mix: c.mix,
      channelRate: port?.sampleRate,
      ptimeMs: port ? (port.frameSamples * 1000) / port.sampleRate : undefined,
      bufferMs: this.#bufferMs,
      inputFormat: c.raw ? `raw pcm@${c.raw.sendRate}` : formatName(this.#formats.input),
      outputFormat: c.raw ? `raw pcm@${c.raw.playbackRate}` : formatName(this.#formats.output),
      inputRate: c.raw ? c.raw.sendRate : this.#formats.input.rate,
      outputRate: c.raw ? c.raw.playbackRate : this.#formats.output.rate,
      uplinkOpen: this.#uplinkAllowed,
      paused: this.#paused,
      mutedUser: this.#mutedUser,
      mutedOpenai: this.#mutedOpenai,
      secondsConnected: Math.round(this.#connection.connectedSeconds() * 10) / 10,
      secondsSinceStart: Math.round((Date.now() - this.#startedAt) / 100) / 10,
      reconnects: this.#connection.reconnects,
      framesIn: stats?.framesIn ?? 0,
      framesOut: stats?.framesOut ?? 0,
      underruns: stats?.underruns ?? 0,
      serverGaps: stats?.serverGaps ?? 0,
      overruns: stats?.captureOverruns ?? 0,
      uplinkChunks: this.#uplink?.chunksSent ?? 0,
      uplinkMs: Math.round(this.#uplink?.sentMs ?? 0),
      droppedUplinkMs: Math.round((this.#droppedUplinkSamples * 1000) / rate),
      uplinkBacklogDrops: this.#backlogDrops,
      uplinkBacklogDroppedMs: Math.round(this.#backlog?.droppedMs ?? 0),
      uplinkBacklogStalls: this.#backlog?.episodes ?? 0,
      socketBufferedBytes: this.#connection.bufferedAmount,
      socketBufferedMaxBytes: this.#backlog?.maxBufferedBytes ?? 0,
      appEventsRefused: this.#appEventsRefused,
      clientEventsQueued: this.#early.length,
      clientEventsQueuedTotal: this.#early.queuedTotal,
      playbackQueuedMs: Math.round(((this.#queue?.length ?? 0) * 1000) / rate),
      playbackDroppedMs: Math.round(((this.#queue?.droppedSamples ?? 0) * 1000) / rate),
      invalidAudioDeltas: this.#invalidDeltas,
      lateDeltasDropped: this.#lateDeltasDropped,
      bargeIns: this.#bargeIns,
      responses: this.#responsesDone,
      tokens: this.#tokens.snapshot(),
      latency: this.#latency.snapshot(),
      pings: this.#connection.pings,
      pongs: this.#connection.pongs,
      ringShortWrites: this.#ringShortWrites,
      limits: { playbackQueueMs: this.#limits.playbackQueueMs, uplinkBacklogMs: this.#limits.uplinkBacklogMs },
      internalErrors: this.#faults,
    };
  }
}

function sameFormat(a: WireFormat, b: WireFormat): boolean {
  return a.encoding === b.encoding && a.rate === b.rate;
}
