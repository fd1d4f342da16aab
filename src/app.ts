/**
 * The module's JS application, wired once: media pump, session registry, API commands. The runtime
 * entry point (main.ts) starts it on the embedded bridge; tests start the very same wiring on the
 * addon build of the bridge with its test host, so what they prove is what FreeSWITCH runs.
 */
import { ADMIN_API } from './apiNames.js';
import type { NativeBridge } from './bridge.js';
import type { CallServices } from './call/callFeatures.js';
import { createAdminCommand } from './commands/adminCommand.js';
import { SessionMetrics } from './status/sessionMetrics.js';
import { registerAudioStreamCommands } from './commands/audioStreamCommand.js';
import { registerS2sCommand } from './commands/s2sCommand.js';
import type { ApiHandler, SessionCommandDeps } from './commands/sessionCommandDeps.js';
import { ConfigStore } from './config/configStore.js';
import { MediaPump } from './media/mediaPump.js';
import { CommandDispatcher } from './runtime/commandDispatcher.js';
import { parseHostConfig, type HostConfig } from './runtime/hostConfig.js';
import { setDebugAudioDir } from './session/debugAudioFiles.js';
import { applyLogLevel } from './runtime/logLevel.js';
import { installLogSink } from './runtime/logger.js';
import { SessionRegistry } from './runtime/sessionRegistry.js';
import { StatsReporter } from './status/statsReporter.js';
import { handlerModulePath, ToolHandlerHost } from './tools/toolHandlerHost.js';

export interface App {
  readonly bridge: NativeBridge;
  readonly config: HostConfig;
  /** The module's configuration file: settings and profiles (src/config, docs/configuration.md). */
  readonly configStore: ConfigStore;
  readonly pump: MediaPump;
  readonly registry: SessionRegistry;
  /** Prometheus metrics of this thread's sessions (`openai_realtime metrics`). */
  readonly metrics: SessionMetrics;
  readonly router: CommandDispatcher;
  /** What sessions use beyond their audio: tool handlers and the settings they read (call/callFeatures.ts). */
  readonly services: CallServices;
  /** Ends every session (used by the runtime's shutdown). */
  stop(reason: string): Promise<void>;
}

export interface StartOptions {
  serveCommands?: boolean;
  /**
   * The configuration file, instead of the host's (tests: the addon's test host has none). Null
   * means no file.
   */
  configFile?: string | null;
  /** A store already loaded (main.ts reads `workers` from it first): the app uses it, no second load. */
  configStore?: ConfigStore;
}

export function startApp(bridge: NativeBridge, options: StartOptions = {}): App {
  installLogSink(bridge);
  const info = bridge.hostInfo();
  const hostConfig = parseHostConfig(info.host, info.config);
  const config: HostConfig = options.configFile !== undefined ? { ...hostConfig, configFile: options.configFile } : hostConfig;
  setDebugAudioDir(config.tempDir);
  // Loaded before the first command is served, so every session sees the profiles.
  const configStore = options.configStore ?? new ConfigStore(config.configFile);
  applyLogLevel(configStore.settings.logLevel);
  const pump = new MediaPump(bridge);
  const registry = new SessionRegistry();
  const metrics = new SessionMetrics(registry);
  const router = new CommandDispatcher((id, text) => bridge.reply(id, text));
  // Tool handlers run in a worker thread of this thread's own, loaded now (calls wait for the load).
  const toolHandlers = new ToolHandlerHost();
  void toolHandlers.configure(handlerModulePath(configStore.settings.toolHandlers, configStore.file));
  const stats = new StatsReporter({ bridge, registry, intervalS: () => configStore.settings.statsIntervalS });
  stats.start();
  const services: CallServices = { toolHandlers, settings: () => configStore.settings };
  const app: App = {
    bridge,
    config,
    configStore,
    pump,
    registry,
    metrics,
    router,
    services,
    stop: async (reason) => {
      stats.stop();
      await registry.stopAll(reason);
      toolHandlers.close();
    },
  };
  router.register(ADMIN_API, createAdminCommand({ pump, registry, config, configStore, counters: () => ({ ...bridge.counters() }), toolHandlers, metrics }));
  // The APIs, registered here and nowhere else: what the module answers is read in one place.
  const register = (api: string, handler: ApiHandler): void => router.register(api, handler);
  const sessionCommands: SessionCommandDeps = {
    host: bridge,
    config: configStore,
    registry,
    sessions: { bridge, pump, registry, services },
  };
  registerAudioStreamCommands(register, sessionCommands);
  registerS2sCommand(register, sessionCommands);
  bridge.onWake(() => pump.onWake(), configStore.settings.mediaBatchMs);
  if (options.serveCommands !== false) bridge.serveCommands((id, api, args) => router.dispatch(id, api, args));
  return app;
}
