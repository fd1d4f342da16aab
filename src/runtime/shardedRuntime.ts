/**
 * The main runtime thread when sessions are sharded over worker threads (module setting `workers`
 * other than 1): it serves the host's command queue and sends each command where it belongs
 * (workerRouting.ts); the workers (workerPool.ts) run the sessions. Module-wide commands are
 * answered here: `openai_realtime status` merges every worker's status, `reload` runs on every
 * worker, `debug` acts on this thread (so `debug exit` still stops the whole runtime).
 *
 * `workers: 1` never gets here: main.ts then runs the application on this thread exactly as before.
 */
import { ADMIN_API } from '../apiNames.js';
import type { NativeBridge } from '../bridge.js';
import { createAdminCommand } from '../commands/adminCommand.js';
import type { ConfigStore } from '../config/configStore.js';
import { MediaPump } from '../media/mediaPump.js';
import { CommandDispatcher } from './commandDispatcher.js';
import { mergeBroadcastReplies, routeCommand, shardOf } from './workerRouting.js';
import type { HostConfig } from './hostConfig.js';
import { uncaughtCount } from './processGuards.js';
import { SessionRegistry } from './sessionRegistry.js';
import { mergeStatus } from './statusMerge.js';
import { mergeMetrics } from './metricsMerge.js';
import { WorkerPool } from './workerPool.js';

/** Worker thread stack: Node's default, made explicit (see WorkerPoolOptions.stackSizeMb). */
const WORKER_STACK_MB = 4;
/** How long the workers may take to load before the runtime reports ready anyway. */
const WORKER_START_TIMEOUT_MS = 10_000;

export interface ShardedRuntimeOptions {
  count: number;
  config: HostConfig;
  configStore: ConfigStore;
}

export class ShardedRuntime {
  readonly pool: WorkerPool;
  /** This thread's own handlers: `__runtime__` (main.ts) and the module-wide `openai_realtime` commands. */
  readonly router: CommandDispatcher;
  readonly #bridge: NativeBridge;
  readonly #config: HostConfig;

  constructor(bridge: NativeBridge, options: ShardedRuntimeOptions) {
    this.#bridge = bridge;
    this.#config = options.config;
    this.pool = new WorkerPool(bridge, {
      count: options.count,
      entry: new URL('./workerMain.js', import.meta.url),
      stackSizeMb: WORKER_STACK_MB,
    });
    this.router = new CommandDispatcher((id, text) => bridge.reply(id, text));
    // Usage text and `debug` come from the same code as on a single thread; this thread has no
    // sessions of its own, hence the empty pump and registry.
    const admin = createAdminCommand({
      pump: new MediaPump(bridge),
      registry: new SessionRegistry(),
      config: options.config,
      configStore: options.configStore,
      counters: () => ({ ...bridge.counters() }),
    });
    this.router.register(ADMIN_API, (args) => {
      const route = routeCommand(ADMIN_API, args);
      switch (route.kind) {
        case 'status':
          return this.#status(route.json);
        case 'metrics':
          return this.metricsText();
        case 'broadcast':
          return this.#broadcast(ADMIN_API, args);
        case 'worker-exit':
          if (!this.#config.testHooks) return '-ERR debug commands are disabled';
          this.pool.exitWorker(shardOf(route.uuid, this.pool.size), route.code);
          return `+OK worker ${shardOf(route.uuid, this.pool.size)} will exit`;
        default:
          return admin(args);
      }
    });
  }

  /** Starts the workers, then serves the command queue. */
  async start(): Promise<void> {
    await this.pool.start(WORKER_START_TIMEOUT_MS);
    this.#bridge.serveCommands((id, api, args) => this.dispatch(id, api, args));
  }

  dispatch(requestId: number, api: string, args: string): void {
    if (api !== '__runtime__') {
      const route = routeCommand(api, args);
      if (route.kind === 'channel') {
        this.pool.forward(shardOf(route.uuid, this.pool.size), requestId, api, args);
        return;
      }
    }
    this.router.dispatch(requestId, api, args);
  }

  /** Ends every session on every worker and the workers themselves. */
  stop(reason: string): Promise<void> {
    return this.pool.stop(reason, Math.max(1000, this.#config.commandTimeoutMs));
  }

  #queryTimeoutMs(): number {
    return Math.min(2000, Math.max(100, Math.floor(this.#config.commandTimeoutMs / 2)));
  }

  async #status(json: boolean): Promise<string> {
    const replies = await this.pool.broadcast(ADMIN_API, 'status json', this.#queryTimeoutMs());
    const parts = replies.map((reply, index) => ({ index, reply, restarts: this.pool.restarts(index) }));
    return mergeStatus(parts, uncaughtCount(), { ...this.#bridge.counters() }, json);
  }

  /** Every worker's `metrics json`, summed into one text exposition (what a single thread would answer). */
  async metricsText(): Promise<string> {
    const replies = await this.pool.broadcast(ADMIN_API, 'metrics json', this.#queryTimeoutMs());
    return mergeMetrics(replies);
  }

  async #broadcast(api: string, args: string): Promise<string> {
    const replies = await this.pool.broadcast(api, args, this.#queryTimeoutMs());
    const answered = replies.filter((r): r is string => r !== null).map((r) => r.replace(/\n$/, ''));
    const merged = mergeBroadcastReplies(answered);
    return answered.length < replies.length ? `${merged}\n(${replies.length - answered.length} worker(s) did not answer)` : merged;
  }
}
