/**
 * The module's configuration file (autoload_configs/openai_realtime.conf.xml): profiles with
 * credentials and connection defaults, module settings, and how a session's connection is
 * resolved from a profile and the legacy STREAM_* channel variables. See docs/configuration.md.
 */
export { ConfigError } from './configError.js';
export { ConfigStore, type ConfigStoreOptions, type ReloadResult } from './configStore.js';
export { describeForStatus, type ConnectionDescription } from './connectionStatus.js';
export { CONFIG_NAME, defaultModuleConfig, loadModuleConfig, type LoadOptions, type ModuleConfig } from './moduleConfig.js';
export { DEFAULT_SETTINGS, LOG_LEVELS, type LogLevelName, type ModuleSettings } from './moduleSettings.js';
export { AUTH_STYLES, KNOWN_TOOLS, type AuthStyle, type Profile, type ProfileTls } from './profile.js';
export type { KeySource } from './keySources.js';
export {
  PROFILE_PREFIX,
  PROFILE_VARIABLE,
  resolveConnection,
  STREAM_VARIABLES,
  type ConnectionOverrides,
  type ConnectionRequest,
  type ConnectionTls,
  type KeyOrigin,
  type ResolvedConnection,
  type ResolveResult,
  type VariableLookup,
} from './resolveConnection.js';
export { SecretValue } from './secretValue.js';
export { loadTlsFiles, type TlsConnectOptions } from './tlsFiles.js';
