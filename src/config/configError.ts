/**
 * The one error type of the configuration loader. Its message always names the place: the file,
 * the line, and the profile and param when there is one (`<file>:<line>: profile "openai", param
 * "heartbeat-s": expected an integer 0..3600, got "abc"`). Messages never contain a key: the
 * loader only quotes values of params that cannot hold one.
 */
export class ConfigError extends Error {
  readonly code = 'OAI_ERR_CONFIG';
  readonly file: string;
  /** 1-based line, or null when the problem is the file as a whole (unreadable, too large). */
  readonly line: number | null;
  /** The file does not exist (callers may treat that as "no configuration"). */
  readonly missing: boolean;

  constructor(file: string, line: number | null, message: string, missing = false) {
    super(`${file}${line === null ? '' : `:${line}`}: ${message}`);
    this.name = new.target.name;
    this.file = file;
    this.line = line;
    this.missing = missing;
  }
}

/** Where a value came from, for messages: `settings, param "x"` or `profile "p", header "h"`. */
export interface ConfigPlace {
  file: string;
  line: number;
  /** e.g. `settings, param "workers"` or `profile "openai", param "url"`. */
  what: string;
}

export function configError(place: ConfigPlace, problem: string): ConfigError {
  return new ConfigError(place.file, place.line, `${place.what}: ${problem}`);
}

/** A value quoted for a message: JSON-quoted and cut to 80 characters. Never call it on a key. */
export function quoteValue(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}
