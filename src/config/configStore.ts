/**
 * The module's current configuration. `reload()` re-reads the file: on success the new profiles
 * serve NEW sessions (a running session keeps the {@link Profile} object it was given, and
 * profiles are frozen, so nothing it holds changes); on failure the previous configuration stays
 * and the error is logged and returned. With no file (no path, or the path does not exist at
 * start), the store holds the built-in defaults and no profiles.
 */
import { log as rootLog, type Logger } from '../runtime/logger.js';
import { ConfigError } from './configError.js';
import { defaultModuleConfig, loadModuleConfig, type LoadOptions, type ModuleConfig } from './moduleConfig.js';
import { changedRestartSettings, type ModuleSettings } from './moduleSettings.js';
import type { Profile } from './profile.js';

export type ReloadResult =
  | {
      ok: true;
      /** The file read, or null when there is none (defaults). */
      file: string | null;
      profiles: string[];
      warnings: string[];
      /** Settings that changed but apply only when the module is loaded again. */
      restartRequired: string[];
    }
  | { ok: false; error: string };

export interface ConfigStoreOptions extends LoadOptions {
  logger?: Logger;
}

export class ConfigStore {
  readonly #file: string | null;
  readonly #options: LoadOptions;
  readonly #log: Logger;
  #current: ModuleConfig = defaultModuleConfig();
  #lastError: string | null = null;

  /**
   * Loads `file` (null: no configuration file). A missing file gives the defaults; an invalid one
   * gives the defaults too, with the error logged and kept in {@link lastError}, so the module
   * still serves calls that need no profile and a fixed file can be loaded with `reload()`.
   */
  constructor(file: string | null, options: ConfigStoreOptions = {}) {
    this.#file = file;
    this.#options = options.env ? { env: options.env } : {};
    this.#log = options.logger ?? rootLog;
    if (file !== null) this.reload();
  }

  /** The configuration new sessions get. */
  get current(): ModuleConfig {
    return this.#current;
  }

  get settings(): ModuleSettings {
    return this.#current.settings;
  }

  get file(): string | null {
    return this.#file;
  }

  /** The last load or reload error, or null once one succeeds. */
  get lastError(): string | null {
    return this.#lastError;
  }

  profile(name: string): Profile | undefined {
    return this.#current.profiles.get(name);
  }

  profileNames(): string[] {
    return [...this.#current.profiles.keys()];
  }

  reload(): ReloadResult {
    const previous = this.#current;
    let next: ModuleConfig;
    if (this.#file === null) {
      next = defaultModuleConfig();
    } else {
      try {
        next = loadModuleConfig(this.#file, this.#options);
      } catch (err) {
        const missingAtStart = err instanceof ConfigError && err.missing && previous.file === null;
        if (missingAtStart) {
          next = defaultModuleConfig();
          this.#log.notice(`${this.#file} not found: built-in defaults, no profiles`);
        } else {
          const message = err instanceof Error ? err.message : String(err);
          const error = `${message}${previous.file !== null ? '; the previous configuration stays in use' : ''}`;
          this.#lastError = error;
          this.#log.error(`configuration not loaded: ${error}`);
          return { ok: false, error };
        }
      }
    }
    this.#current = next;
    this.#lastError = null;
    const restartRequired = changedRestartSettings(previous.settings, next.settings);
    for (const w of next.warnings) this.#log.warning(w);
    if (next.file !== null) {
      const names = [...next.profiles.keys()];
      this.#log.notice(`configuration loaded from ${next.file}: ${names.length} profile${names.length === 1 ? '' : 's'}${names.length ? ` (${names.join(', ')})` : ''}`);
    }
    if (previous.file !== null && restartRequired.length > 0) {
      this.#log.notice(`configuration: ${restartRequired.join(', ')} changed; they apply when the module is loaded again`);
    }
    return { ok: true, file: next.file, profiles: [...next.profiles.keys()], warnings: [...next.warnings], restartRequired };
  }
}
