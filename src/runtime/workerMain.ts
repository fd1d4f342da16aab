/**
 * Entry point of a session worker thread (see workerPool.ts). A worker runs the whole application
 * (app.ts) for the channels it owns: its own bridge waker (bridge.onWake), so the media threads wake
 * it directly; its own sessions, sockets and timers. It does not serve the command queue: the main
 * thread routes each command here by channel uuid, and the worker answers the API thread itself with
 * bridge.reply (thread-safe), then tells the main thread the command is done.
 *
 * When the worker ends, for any reason, the bridge's environment cleanup hook detaches the media
 * hooks of every channel it held and releases them, so a crashed worker leaves no channel fed by a
 * ring nobody reads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { installProcessGuards, describe } from './processGuards.js';
import { loadBridge, type NativeBridge } from '../bridge.js';
import { startApp } from '../app.js';
import { loadBenchProbe } from './benchHook.js';
import { log } from './logger.js';
import type { FromWorker, ToWorker, WorkerData } from './workerProtocol.js';

installProcessGuards();
const port = parentPort;
if (!port) throw new Error('workerMain.js runs only as a worker thread');
const { index } = workerData as WorkerData;
const send = (message: FromWorker): void => port.postMessage(message);

const native = loadBridge();
// The runtime's own JS thread is "oair-js"; a worker inherited that name from it.
native.setThreadName(`oair-js-${index}`);
// Bench mode only (OAIR_BENCH_PROBE): installed before the wrapper below copies the bridge's functions.
const probe = await loadBenchProbe(native);
// The app replies through this wrapper: real requests go to the waiting API thread, the main
// thread's own queries (negative ids) back to the main thread.
const bridge: NativeBridge = {
  ...native,
  reply(requestId: number, text: string): boolean {
    if (requestId < 0) {
      send({ type: 'result', id: requestId, text });
      return true;
    }
    const delivered = native.reply(requestId, text);
    send({ type: 'done', id: requestId });
    return delivered;
  },
};

try {
  const app = startApp(bridge, { serveCommands: false });
  let stopping = false;
  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'command':
        app.router.dispatch(message.id, message.api, message.args);
        break;
      case 'stop':
        if (stopping) return;
        stopping = true;
        probe?.flush();
        app.stop(message.reason).then(
          () => finish(),
          (err: unknown) => {
            log.error(`worker ${index}: stopping sessions failed: ${describe(err)}`);
            finish();
          },
        );
        break;
      case 'exit':
        log.warning(`worker ${index}: exiting with code ${message.code} on request (test hook)`);
        process.exit(message.code);
    }
  });
  send({ type: 'ready' });
} catch (err) {
  log.error(`worker ${index} failed to start: ${describe(err)}`);
  throw err;
}

function finish(): void {
  // Let the last replies and close frames go out, then give back the channels and the waker.
  setImmediate(() => {
    native.shutdown();
    send({ type: 'stopped' });
    process.exit(0);
  });
}
