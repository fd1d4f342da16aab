/**
 * Applies the module's `log-level` setting on the JS side. The C module filters by the same level,
 * but only after the line has crossed into the host (redaction, a UTF-8 copy, an N-API call); the
 * audio stream logs a debug line for every server event, so at a few hundred calls dropping them
 * here is measurable (bench/).
 */
import { LOG_LEVELS, type LogLevelName } from '../config/moduleSettings.js';
import type { LogLevelValue } from '../bridge.js';
import { setLogThreshold } from './logger.js';

export function applyLogLevel(name: LogLevelName): void {
  // LOG_LEVELS is indexed by FreeSWITCH's level numbers (console 0 … debug 7), as is LogLevel.
  const level = LOG_LEVELS.indexOf(name);
  if (level >= 0) setLogThreshold(level as LogLevelValue);
}
