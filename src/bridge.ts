/**
 * The typed face of the native bridge (native/bridge/binding.cc).
 *
 * Inside FreeSWITCH and the host simulator the bridge is a linked binding of the embedded runtime
 * (`process._linkedBinding('oair_bridge')`); under the tooling Node (tests) it is the same code built
 * as a .node addon and loaded with node-gyp-build, with a test host standing in for FreeSWITCH.
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** FreeSWITCH log levels, passed straight through by the host. */
export const LogLevel = {
  crit: 2,
  error: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
} as const;
export type LogLevelValue = (typeof LogLevel)[keyof typeof LogLevel];

/** What a media hook captures (the mix types of `start`). */
export const Mix = { mono: 0, mixed: 1, stereo: 2 } as const;
export type MixValue = (typeof Mix)[keyof typeof Mix];

/**
 * What an empty playback ring means, as the session last said: silence (`idle`), an underrun (JS
 * holds audio for the ring: `queued`), or a server gap (an answer is streaming but its next audio
 * has not arrived: `awaitingServer`). Counted apart so an operator can tell whose gap it was.
 */
export const PlaybackMode = { idle: 0, queued: 1, awaitingServer: 2 } as const;
export type PlaybackModeValue = (typeof PlaybackMode)[keyof typeof PlaybackMode];

/**
 * Why a host operation failed: native/host.h's `oair_host_error`, mirrored here (the values are
 * checked against the header by test/moduleInterface.test.ts). The Error a failed `attach` throws
 * carries it as `code`; its message is the host's reason, for people, never matched on.
 */
export const HostError = { failed: -1, alreadyAttached: -2 } as const;
export type HostErrorValue = (typeof HostError)[keyof typeof HostError];

/** The host's error code an Error from the bridge carries; `failed` for anything else. */
export function hostErrorOf(err: unknown): HostErrorValue {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return code === HostError.alreadyAttached ? code : HostError.failed;
}

/** Bits returned by {@link NativeBridge.poll}. */
export const PollBits = {
  closed: 1,
  dtmf: 2,
  capture: 4,
  /** The playback ring is running low while audio is expected: top it up. */
  room: 8,
} as const;

export interface AttachedChannel {
  /** Bridge channel id: the handle every other call takes. */
  id: number;
  /** The channel's codec rate (8000, 16000, 48000, ...). */
  sampleRate: number;
  /** Samples per frame per audio channel (the channel's ptime). */
  frameSamples: number;
  /** 1, or 2 for stereo (interleaved caller/assistant). */
  captureChannels: number;
  captureCapacity: number;
  playbackCapacity: number;
}

export interface ChannelStats {
  framesIn: number;
  captureOverruns: number;
  framesOut: number;
  /** Frames the media thread found no audio for while JS held audio for them (the module was late). */
  underruns: number;
  /** Frames mid-answer with no audio because the server's next audio had not arrived (the server was late). */
  serverGaps: number;
  samplesPlayed: number;
  dtmfDropped: number;
  captureQueued: number;
  playbackQueued: number;
  closed: boolean;
}

export interface DtmfDigit {
  digit: string;
  durationMs: number;
}

export interface HostInfo {
  /** 'freeswitch' | 'simulator' | 'test' */
  host: string;
  /** JSON text of the host's configuration for JS (see src/runtime/hostConfig.ts). */
  config: string;
  /** Where dist/ and node_modules/ live. */
  bundleDir: string;
  napiVersion: number;
}

export interface BridgeCounters {
  liveChannels: number;
  tableChannels: number;
  commandTimeouts: number;
}

export interface NativeBridge {
  hostInfo(): HostInfo;
  log(level: number, uuid: string | null, message: string): void;
  fireEvent(uuid: string | null, subclass: string, body: string, headers?: Record<string, string>): boolean;
  /** The variable's value, null when unset, undefined when the channel does not exist. */
  getVar(uuid: string, name: string): string | null | undefined;
  /** Attaches a media hook; throws an Error whose message is the host's reason and whose `code` is a {@link HostError}. */
  attach(uuid: string, bugName: string, mix: MixValue, captureRingMs: number, playbackRingMs: number): AttachedChannel;
  /** Makes this JS thread the one woken for the channel's media. */
  adopt(id: number): boolean;
  /** Removes the media hook (the channel then reads as closed). */
  detach(id: number): boolean;
  /** Drops JS's reference; the id is invalid afterwards. */
  release(id: number): boolean;
  /** Copies captured samples into `out`; -1 for an unknown id. */
  read(id: number, out: Int16Array): number;
  /** Queues samples for playback; returns how many fit. */
  write(id: number, samples: Int16Array, length?: number): number;
  /**
   * Fills [queued, free, played position, written position] and, given a fifth slot, the ms since
   * the media thread last asked for a frame (-1: not yet); false for an unknown id.
   */
  playbackInfo(id: number, out: Float64Array): boolean;
  /** Drops everything queued for playback; returns the played position at that moment. */
  flushPlayback(id: number): number;
  /** What an empty playback ring counts as from now on: see {@link PlaybackMode}. */
  setPlaybackMode(id: number, mode: PlaybackModeValue): void;
  /** Bit mask of {@link PollBits}; -1 for an unknown id. */
  poll(id: number): number;
  /**
   * The channels whose media thread queued news for this JS thread since the last drain, as pairs
   * `[id, PollBits]` written into `out`; returns the number of pairs. Call again while it fills `out`.
   */
  drainReady(out: Int32Array): number;
  readDtmf(id: number): DtmfDigit[];
  stats(id: number): ChannelStats | undefined;
  /** Call control; throws with the host's reason. */
  control(uuid: string, action: string, args: string[]): void;
  /**
   * Media threads wake this JS thread through `callback`. With `batchMs` > 0 the callback runs at
   * most once per that many ms: frames that arrive meanwhile wait for the next batch (added uplink
   * latency ≤ batchMs) and send no wake-ups of their own.
   */
  onWake(callback: () => void, batchMs?: number): void;
  /** Names the calling thread (≤ 15 characters) as `top -H` and /proc show it. */
  setThreadName(name: string): boolean;
  serveCommands(callback: (requestId: number, api: string, args: string) => void): void;
  reply(requestId: number, text: string): boolean;
  ready(): void;
  shutdown(): void;
  counters(): BridgeCounters;
}

/** The test host of the addon build (native/bridge/test_host.cc). */
export interface TestHost {
  install(): void;
  /** A fake channel: `source` is the caller audio (default a counter pattern: sample k = k mod 32768). */
  createChannel(uuid: string, options?: { rate?: number; ptimeMs?: number; vars?: Record<string, string>; recordMs?: number; source?: Int16Array }): void;
  startMedia(uuid: string): void;
  stopMedia(uuid: string): void;
  hangup(uuid: string): void;
  removeChannel(uuid: string): void;
  mediaStats(uuid: string): { ticks: number; maxCallUs: number; playedFrames: number; capturedSamples: number; attached: boolean; running: boolean } | undefined;
  played(uuid: string): Int16Array | undefined;
  records(): { events: string[]; logs: string[]; controls: string[] };
  /** The caller presses keys: the media thread delivers them to the channel record, one per tick. */
  pressDtmf(uuid: string, digits: string): void;
  command(api: string, args: string, timeoutMs?: number): Promise<string>;
}

interface ProcessWithLinkedBinding {
  _linkedBinding?: (name: string) => unknown;
}

let cached: NativeBridge | undefined;

/** The repository (or installed bundle) root: one level above dist/ or src/. */
export function bundleRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..');
}

/** Loads the bridge: the runtime's linked binding, else the addon (tests under plain Node). */
export function loadBridge(): NativeBridge {
  if (cached) return cached;
  const linked = (process as unknown as ProcessWithLinkedBinding)._linkedBinding;
  if (typeof linked === 'function') {
    try {
      cached = linked.call(process, 'oair_bridge') as NativeBridge;
      return cached;
    } catch {
      // Not embedded: fall through to the addon.
    }
  }
  const require = createRequire(import.meta.url);
  const load = require('node-gyp-build') as (dir: string) => unknown;
  cached = load(bundleRoot()) as NativeBridge;
  return cached;
}

/** The addon's test host; only present in the .node build used by tests. */
export function loadTestHost(): TestHost {
  const bridge = loadBridge() as NativeBridge & { testHost?: TestHost };
  if (!bridge.testHost) throw new Error('The test host exists only in the addon build');
  return bridge.testHost;
}
