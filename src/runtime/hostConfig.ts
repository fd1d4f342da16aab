/**
 * What the host tells JS at start (native/host.h oair_runtime_config.config_json), validated.
 */
export interface HostConfig {
  /** 'freeswitch' | 'simulator' | 'test' */
  host: string;
  /** Debug commands (`openai_realtime debug ...`) are accepted only when the host enables them. */
  testHooks: boolean;
  /** The module's XML configuration file, if the host has one. */
  configFile: string | null;
  /** How long API threads wait for a reply; JS keeps its own work well under it. */
  commandTimeoutMs: number;
  /** The host's directory for temporary files (FreeSWITCH's temp_dir), or null: the OS's. */
  tempDir: string | null;
}

export function parseHostConfig(host: string, json: string): HostConfig {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === 'object') raw = parsed as Record<string, unknown>;
  } catch {
    // An unreadable config leaves the defaults.
  }
  return {
    host,
    testHooks: raw.testHooks === true,
    configFile: typeof raw.configFile === 'string' && raw.configFile.length > 0 ? raw.configFile : null,
    commandTimeoutMs: typeof raw.commandTimeoutMs === 'number' && raw.commandTimeoutMs > 0 ? raw.commandTimeoutMs : 5000,
    tempDir: typeof raw.tempDir === 'string' && raw.tempDir.length > 0 ? raw.tempDir : null,
  };
}
