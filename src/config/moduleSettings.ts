/**
 * The `<settings>` section: every module-wide knob, its type, range and default, in one table.
 *
 * Several settings are also read by the C module through FreeSWITCH's XML (bundle-dir,
 * heap-limit-mb, log-level, command-timeout-ms, the ring sizes and the runtime timeouts; see
 * native/freeswitch/mod_openai_realtime.c load_config). Their ranges and defaults here must match
 * the C ones: the C side falls back to the default with a warning, this side refuses the file.
 * Those settings (but the ring sizes), and the ones read once when the runtime starts, are marked
 * `restart`: a reload validates them but they take effect at the next module load. The ring sizes
 * are asked for by every session when it attaches, with the values read here, so a reload applies
 * them to new sessions; C's own reading is only the fallback for an attach that asks for 0 ms.
 */
import { configError, type ConfigPlace } from './configError.js';
import { readEnum, readInteger, readOptionalText } from './configValues.js';
import { parseListenAddress } from './listenAddress.js';
import type { XmlElement } from './xmlReader.js';

/** FreeSWITCH log level names (switch_log_str2level); `error` is not one, `err` is. */
export const LOG_LEVELS = ['console', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface ModuleSettings {
  /** Where the C module finds the JS bundle. */
  readonly bundleDir: string;
  /** V8 old-space limit in MB; 0 = V8's default. */
  readonly heapLimitMb: number;
  readonly logLevel: LogLevelName;
  readonly commandTimeoutMs: number;
  readonly captureRingMs: number;
  readonly playbackRingMs: number;
  readonly startTimeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly restartDelayMs: number;
  /** New sessions beyond this are refused. */
  readonly maxSessions: number;
  /** Largest decoded JSON accepted by send_json (and the largest profile `<session>`). */
  readonly maxSendJsonBytes: number;
  /** Most model audio queued for playback per session. */
  readonly playbackQueueMs: number;
  /** Most caller audio held while the socket is not writable. */
  readonly uplinkBacklogMs: number;
  /** JS worker threads; 0 = the number of cores. */
  readonly workers: number;
  /** A JS thread services the media rings at most once per this many ms (0 = at every frame). */
  readonly mediaBatchMs: number;
  /** Period of statistics events; 0 = off. */
  readonly statsIntervalS: number;
  /** Path of a JS module of tool handlers, or null. */
  readonly toolHandlers: string | null;
  /** How long a tool handler may run before the model is told it timed out. */
  readonly toolHandlerTimeoutMs: number;
  /** Function calls the module answers in a row without the caller speaking (0: no bound; call/toolLoopGuard.ts). */
  readonly maxToolRoundTrips: number;
  /** A session's call is hung up (once the assistant has finished speaking) after this many seconds; 0 = no limit. */
  readonly maxCallDurationS: number;
  /** Idle policy (call/idlePolicy.ts): seconds of caller silence before the model is asked to check in; 0 = off. */
  readonly idlePromptS: number;
  /** Idle policy: seconds of further silence (after the prompt, if any) before the call is hung up; 0 = off. */
  readonly idleHangupS: number;
  /** The profile used when a call names none, or null. */
  readonly defaultProfile: string | null;
  /** `host:port` of the Prometheus listener (GET /metrics), or null: off. */
  readonly metricsListen: string | null;
  /** GPT-Live's jitter buffer (session/live/liveJitterBuffer.ts), ms; a profile and the channel variable beat it. */
  readonly livePlayoutDelayMs: number;
}

type Kind = { type: 'int'; min: number; max: number } | { type: 'text' } | { type: 'required-text' } | { type: 'log-level' } | { type: 'profile-name' } | { type: 'listen-address' };

interface Spec {
  key: keyof ModuleSettings;
  kind: Kind;
  /** Takes effect only when the module (re)loads, not on `reload`. */
  restart: boolean;
}

const int = (min: number, max: number): Kind => ({ type: 'int', min, max });

/** The largest GPT-Live jitter buffer (setting, profile param, channel variable): it is also how far the caller lags the model's timeline. */
export const MAX_LIVE_PLAYOUT_DELAY_MS = 200;
/** GPT-Live's jitter buffer when nothing sets one: margin for network jitter, and the caller's lag behind the model. */
export const DEFAULT_LIVE_PLAYOUT_DELAY_MS = 40;

/** Param name → spec. Names are matched case-insensitively, as the C module does. */
export const SETTING_SPECS: Readonly<Record<string, Spec>> = {
  'bundle-dir': { key: 'bundleDir', kind: { type: 'required-text' }, restart: true },
  'heap-limit-mb': { key: 'heapLimitMb', kind: int(0, 65536), restart: true },
  'log-level': { key: 'logLevel', kind: { type: 'log-level' }, restart: true },
  'command-timeout-ms': { key: 'commandTimeoutMs', kind: int(100, 600_000), restart: true },
  // Asked for by each session when it attaches (session/engineLimits.ts): a reload applies to new sessions.
  'capture-ring-ms': { key: 'captureRingMs', kind: int(40, 60_000), restart: false },
  'playback-ring-ms': { key: 'playbackRingMs', kind: int(40, 60_000), restart: false },
  'start-timeout-ms': { key: 'startTimeoutMs', kind: int(1000, 600_000), restart: true },
  'stop-timeout-ms': { key: 'stopTimeoutMs', kind: int(100, 600_000), restart: true },
  'restart-delay-ms': { key: 'restartDelayMs', kind: int(0, 600_000), restart: true },
  'max-sessions': { key: 'maxSessions', kind: int(1, 100_000), restart: false },
  'max-send-json-bytes': { key: 'maxSendJsonBytes', kind: int(1024, 16 * 1024 * 1024), restart: false },
  'playback-queue-ms': { key: 'playbackQueueMs', kind: int(1000, 3_600_000), restart: false },
  'uplink-backlog-ms': { key: 'uplinkBacklogMs', kind: int(100, 60_000), restart: false },
  workers: { key: 'workers', kind: int(0, 256), restart: true },
  'media-batch-ms': { key: 'mediaBatchMs', kind: int(0, 20), restart: true },
  'stats-interval-s': { key: 'statsIntervalS', kind: int(0, 86_400), restart: false },
  // Loaded again on reload, in a new worker thread (src/tools/toolHandlerHost.ts).
  'tool-handlers': { key: 'toolHandlers', kind: { type: 'text' }, restart: false },
  'tool-handler-timeout-ms': { key: 'toolHandlerTimeoutMs', kind: int(100, 600_000), restart: false },
  'max-tool-round-trips': { key: 'maxToolRoundTrips', kind: int(0, 10_000), restart: false },
  'max-call-duration-s': { key: 'maxCallDurationS', kind: int(0, 86_400), restart: false },
  'idle-prompt-s': { key: 'idlePromptS', kind: int(0, 86_400), restart: false },
  'idle-hangup-s': { key: 'idleHangupS', kind: int(0, 86_400), restart: false },
  'default-profile': { key: 'defaultProfile', kind: { type: 'profile-name' }, restart: false },
  // Read by each Live session when it starts (session/live/liveSessionSetup.ts).
  'live-playout-delay-ms': { key: 'livePlayoutDelayMs', kind: int(0, MAX_LIVE_PLAYOUT_DELAY_MS), restart: false },
  // Bound once by the main runtime thread (runtime/metricsListener.ts).
  'metrics-listen': { key: 'metricsListen', kind: { type: 'listen-address' }, restart: true },
};

export const DEFAULT_SETTINGS: ModuleSettings = Object.freeze({
  bundleDir: '/usr/share/mod_openai_realtime',
  heapLimitMb: 0,
  logLevel: 'debug',
  commandTimeoutMs: 5000,
  captureRingMs: 1000,
  playbackRingMs: 1000,
  startTimeoutMs: 15_000,
  stopTimeoutMs: 5000,
  restartDelayMs: 2000,
  maxSessions: 500,
  maxSendJsonBytes: 1024 * 1024,
  playbackQueueMs: 60_000,
  uplinkBacklogMs: 5000,
  workers: 0,
  // Each call's media thread ticks on its own phase, so without batching a JS thread is woken once
  // per frame per call (10,000 times a second at 200 calls); 5 ms bounds that at 200 a second and
  // adds at most 5 ms to the uplink, a quarter of a frame (bench/, issue 7).
  mediaBatchMs: 5,
  statsIntervalS: 0,
  toolHandlers: null,
  toolHandlerTimeoutMs: 10_000,
  maxToolRoundTrips: 10,
  maxCallDurationS: 0,
  idlePromptS: 0,
  idleHangupS: 0,
  defaultProfile: null,
  metricsListen: null,
  livePlayoutDelayMs: DEFAULT_LIVE_PLAYOUT_DELAY_MS,
});

/** Profile names: what `profile:<name>` and OPENAI_REALTIME_PROFILE may hold. */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Reads `<settings>` (null: none in the file). `default-profile` is checked against the profiles by the caller. */
export function readSettings(element: XmlElement | null, file: string): { settings: ModuleSettings; lines: Partial<Record<keyof ModuleSettings, number>> } {
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  const lines: Partial<Record<keyof ModuleSettings, number>> = {};
  if (element === null) return { settings: DEFAULT_SETTINGS, lines };
  const seen = new Map<string, number>();
  for (const child of element.children) {
    if (child.name !== 'param') {
      throw configError({ file, line: child.line, what: 'settings' }, `unexpected <${child.name}> (only <param name="..." value="..."/>)`);
    }
    const { name, value } = paramAttributes(child, file, 'settings');
    const place: ConfigPlace = { file, line: child.line, what: `settings, param "${name}"` };
    const lower = name.toLowerCase();
    const spec = SETTING_SPECS[lower];
    if (!spec) throw configError(place, `unknown setting (known: ${Object.keys(SETTING_SPECS).join(', ')})`);
    const previous = seen.get(lower);
    if (previous !== undefined) throw configError(place, `set twice (first on line ${previous})`);
    seen.set(lower, child.line);
    settings[spec.key] = readSetting(place, spec.kind, value);
    lines[spec.key] = child.line;
  }
  return { settings: Object.freeze(settings) as unknown as ModuleSettings, lines };
}

function readSetting(place: ConfigPlace, kind: Kind, value: string): unknown {
  switch (kind.type) {
    case 'int':
      return readInteger(place, value, kind.min, kind.max);
    case 'text':
      return readOptionalText(place, value);
    case 'required-text': {
      const v = readOptionalText(place, value);
      if (v === null) throw configError(place, 'must not be empty');
      return v;
    }
    case 'log-level': {
      const v = value.trim();
      if (/^[0-7]$/.test(v)) return LOG_LEVELS[Number(v)]!;
      if (v.toLowerCase() === 'error') throw configError(place, `"error" is not a FreeSWITCH log level; use "err"`);
      return readEnum(place, value, LOG_LEVELS);
    }
    case 'listen-address': {
      const v = value.trim();
      if (v.length === 0) return null;
      const address = parseListenAddress(v);
      if (typeof address === 'string') throw configError(place, address);
      return v;
    }
    case 'profile-name': {
      const v = value.trim();
      if (v.length === 0) return null;
      if (!PROFILE_NAME.test(v)) throw configError(place, `${JSON.stringify(v.slice(0, 80))} is not a valid profile name`);
      return v;
    }
  }
}

/** The `name` and `value` attributes of a `<param>` (or `<header>`), and nothing else. */
export function paramAttributes(element: XmlElement, file: string, where: string): { name: string; value: string } {
  const place: ConfigPlace = { file, line: element.line, what: where };
  for (const attr of element.attributes.keys()) {
    if (attr !== 'name' && attr !== 'value') throw configError(place, `unexpected attribute '${attr}' on <${element.name}> (only name and value)`);
  }
  const name = element.attributes.get('name');
  if (name === undefined || name.trim().length === 0) throw configError(place, `<${element.name}> without a name`);
  const value = element.attributes.get('value');
  if (value === undefined) throw configError({ ...place, what: `${where}, ${element.name} "${name}"` }, 'no value attribute');
  if (element.children.length > 0 || element.text.trim().length > 0) {
    throw configError({ ...place, what: `${where}, ${element.name} "${name}"` }, `<${element.name}> must be empty (<${element.name} name="..." value="..."/>)`);
  }
  return { name: name.trim(), value };
}

/** Names of the settings that differ between `a` and `b` and need a module reload to apply. */
export function changedRestartSettings(a: ModuleSettings, b: ModuleSettings): string[] {
  const out: string[] = [];
  for (const [name, spec] of Object.entries(SETTING_SPECS)) {
    if (spec.restart && a[spec.key] !== b[spec.key]) out.push(name);
  }
  return out;
}
