/**
 * Logging through the host (FreeSWITCH's logger, or the simulator's JSONL), tagged with the channel
 * uuid when there is one, with secrets redacted. Never console.log: inside FreeSWITCH stdout is the
 * console of the whole PBX, or /dev/null.
 */
import { LogLevel, type LogLevelValue, type NativeBridge } from '../bridge.js';
import { redactSecrets } from './secrets.js';

export interface Logger {
  error(message: string): void;
  warning(message: string): void;
  notice(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** A logger tagged with a channel uuid. */
  forChannel(uuid: string): Logger;
}

type Sink = (level: LogLevelValue, uuid: string | null, message: string) => void;

let sink: Sink = () => {};
let threshold: LogLevelValue = LogLevel.debug;

/** Points every logger at the bridge. */
export function installLogSink(bridge: NativeBridge): void {
  sink = (level, uuid, message) => {
    try {
      bridge.log(level, uuid, redactSecrets(message));
    } catch {
      // Logging must never throw into the caller.
    }
  };
}

/** Messages above this level (less important) are dropped before crossing into the host. */
export function setLogThreshold(level: LogLevelValue): void {
  threshold = level;
}

function make(uuid: string | null): Logger {
  const emit = (level: LogLevelValue, message: string): void => {
    if (level <= threshold) sink(level, uuid, message);
  };
  return {
    error: (m) => emit(LogLevel.error, m),
    warning: (m) => emit(LogLevel.warning, m),
    notice: (m) => emit(LogLevel.notice, m),
    info: (m) => emit(LogLevel.info, m),
    debug: (m) => emit(LogLevel.debug, m),
    forChannel: (u) => make(u),
  };
}

export const log: Logger = make(null);
