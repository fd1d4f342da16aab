/**
 * Entry point inside the embedded runtime (FreeSWITCH or the host simulator). Order matters: the
 * process guards come first so nothing later can take the runtime down, then the application, then
 * `ready()` tells the host it may send commands.
 */
import { installProcessGuards, describe } from './runtime/processGuards.js';
import { loadBridge } from './bridge.js';
import { startApp } from './app.js';
import { log } from './runtime/logger.js';
import './features.js';

installProcessGuards();
const bridge = loadBridge();

try {
  const app = startApp(bridge);
  app.router.register('__runtime__', async (args) => {
    if (args.trim() !== 'shutdown') return '-ERR unknown runtime command';
    await app.stop('shutdown');
    // Let the replies and close frames go out, then release the wakers so the loop can end.
    setImmediate(() => bridge.shutdown());
    return '+OK stopped';
  });
  bridge.ready();
  log.notice(`runtime ready on ${app.config.host}: node ${process.version}, napi ${bridge.hostInfo().napiVersion}`);
} catch (err) {
  log.error(`runtime failed to start: ${describe(err)}`);
  throw err;
}
