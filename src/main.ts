/**
 * Entry point inside the embedded runtime (FreeSWITCH or the host simulator). Order matters: the
 * process guards come first so nothing later can take the runtime down, then the application, then
 * `ready()` tells the host it may send commands.
 *
 * The module setting `workers` decides where sessions run: 1 → on this thread (the application
 * exactly as app.ts wires it); otherwise (0 = one per core) on that many worker threads, this thread
 * routing the host's commands to them (runtime/shardedRuntime.ts).
 */
import { installProcessGuards, describe } from './runtime/processGuards.js';
import { loadBridge, type NativeBridge } from './bridge.js';
import { startApp } from './app.js';
import { ConfigStore } from './config/configStore.js';
import { parseHostConfig } from './runtime/hostConfig.js';
import { loadBenchProbe } from './runtime/benchHook.js';
import { applyLogLevel } from './runtime/logLevel.js';
import { installLogSink, log } from './runtime/logger.js';
import { startMetricsListener } from './runtime/metricsListener.js';
import { ShardedRuntime } from './runtime/shardedRuntime.js';
import { resolveWorkerCount } from './runtime/workerCount.js';

installProcessGuards();
const bridge = loadBridge();
// Bench mode only (OAIR_BENCH_PROBE): latency and GC measurements, written when the runtime stops.
const probe = await loadBenchProbe(bridge);

try {
  installLogSink(bridge);
  const info = bridge.hostInfo();
  const config = parseHostConfig(info.host, info.config);
  const configStore = new ConfigStore(config.configFile);
  const workers = resolveWorkerCount(configStore.settings.workers);
  const versions = `node ${process.version}, napi ${info.napiVersion}`;
  if (workers === 1) {
    const app = startApp(bridge, { configStore });
    const listener = startMetricsListener(configStore.settings.metricsListen, () => app.metrics.text());
    app.router.register('__runtime__', shutdownHandler(bridge, async (reason) => {
      await listener?.close();
      await app.stop(reason);
    }));
    bridge.ready();
    log.notice(`runtime ready on ${app.config.host}: ${versions}`);
  } else {
    applyLogLevel(configStore.settings.logLevel);
    const runtime = new ShardedRuntime(bridge, { count: workers, config, configStore });
    const listener = startMetricsListener(configStore.settings.metricsListen, () => runtime.metricsText());
    runtime.router.register('__runtime__', shutdownHandler(bridge, async (reason) => {
      await listener?.close();
      await runtime.stop(reason);
    }));
    await runtime.start();
    bridge.ready();
    log.notice(`runtime ready on ${config.host}: ${versions}, sessions on ${workers} worker threads`);
  }
} catch (err) {
  log.error(`runtime failed to start: ${describe(err)}`);
  throw err;
}

/** `__runtime__ shutdown`, sent by the host when it stops the runtime. */
function shutdownHandler(b: NativeBridge, stop: (reason: string) => Promise<void>): (args: string) => Promise<string> {
  return async (args) => {
    if (args.trim() !== 'shutdown') return '-ERR unknown runtime command';
    probe?.flush();
    await stop('shutdown');
    // Let the replies and close frames go out, then release the wakers so the loop can end.
    setImmediate(() => b.shutdown());
    return '+OK stopped';
  };
}
