/**
 * Entry point inside the embedded runtime (FreeSWITCH or the host simulator). Order matters: the
 * process guards come first so nothing later can take the runtime down, then the bridge, then the
 * API handlers, then `ready()` tells the host it may send commands.
 */
import { loadBridge } from './bridge.js';
import { createAdminCommand } from './commands/adminCommand.js';
import { MediaPump } from './media/mediaPump.js';
import { CommandRouter } from './runtime/commandRouter.js';
import { parseHostConfig } from './runtime/hostConfig.js';
import { installLogSink, log } from './runtime/logger.js';
import { describe, installProcessGuards } from './runtime/processGuards.js';
import { SessionRegistry } from './runtime/sessionRegistry.js';

installProcessGuards();
const bridge = loadBridge();
installLogSink(bridge);

try {
  const info = bridge.hostInfo();
  const config = parseHostConfig(info.host, info.config);
  const pump = new MediaPump(bridge);
  const registry = new SessionRegistry();
  const router = new CommandRouter((id, text) => bridge.reply(id, text));

  router.register('openai_realtime', createAdminCommand({ pump, registry, config, counters: () => ({ ...bridge.counters() }) }));
  router.register('__runtime__', async (args) => {
    if (args.trim() !== 'shutdown') return '-ERR unknown runtime command';
    await registry.stopAll('shutdown');
    // Let the replies and close frames go out, then release the wakers so the loop can end.
    setImmediate(() => bridge.shutdown());
    return '+OK stopped';
  });

  bridge.onWake(() => pump.onWake());
  bridge.serveCommands((id, api, args) => router.dispatch(id, api, args));
  bridge.ready();
  log.notice(`runtime ready on ${info.host}: node ${process.version}, napi ${info.napiVersion}`);
} catch (err) {
  log.error(`runtime failed to start: ${describe(err)}`);
  throw err;
}
