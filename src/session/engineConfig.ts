/**
 * What a session gives the engine (its configuration) and what the engine tells the session back
 * (its listener). Types only: the session classes and the call features depend on these, not on
 * the engine's insides.
 */
import type { DtmfDigit } from '../bridge.js';
import type { RealtimeServerEvent } from '../protocol/realtime/serverEvents.js';
import type { TlsConnectOptions } from '../config/tlsFiles.js';
import type { EngineLimits } from './engineLimits.js';
import type { PlaybackState } from './playout.js';
import type { ConnectErrorInfo } from './realtimeConnection.js';

/** How the caller's and the assistant's audio are captured (`start ... <mono | mixed | stereo>`). */
export type MixType = 'mono' | 'mixed' | 'stereo';
/** Whose audio `mute` / `unmute` silences. */
export type MuteTarget = 'user' | 'openai' | 'all';

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
  /**
   * JSON mode with `stereo` asked of a server other than OpenAI's or Azure's: the appends carry
   * interleaved two-channel PCM16 at this rate whatever the session's input format
   * (session/jsonUplinkFormat.ts). Absent or null: the session's input format, mono.
   */
  stereoJsonRate?: number | null;
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

/** What the engine tells the session that owns it. Every call happens on the Node thread. */
export interface EngineListener {
  /** The socket opened; `reconnected` after a drop (the engine has replayed the configuration). */
  connected(reconnected: boolean): void;
  /** The open socket closed (peer, network, heartbeat, or our own close). */
  disconnected(code: number, reason: string, willReconnect: boolean): void;
  /** A connect attempt failed; `info.waitTimeMs` is 0 when no other attempt follows. */
  connectFailed(info: ConnectErrorInfo): void;
  /** A server text frame that is not audio the engine played. `event` is null when it is not a JSON object. */
  serverText(text: string, event: Record<string, unknown> | null, parsed: RealtimeServerEvent): void;
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
