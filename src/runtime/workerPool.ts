/**
 * The session workers of a sharded runtime (main thread side): starts `count` worker threads
 * (workerMain.ts), forwards each command to its worker, runs the main thread's own queries (status),
 * restarts a worker that dies, and stops them all at shutdown.
 *
 * Why worker threads: one JS thread tops out at one core. Sessions are independent, so sharding them
 * by channel uuid over N isolates lets capacity grow with cores; the native side already gives each
 * JS thread its own waker, and a channel belongs to the thread that attached it.
 *
 * A worker that dies (process.exit, an out-of-memory abort, terminate) takes its sessions with it:
 * the bridge's cleanup hook detaches and releases their channels (the caller hears silence, the
 * server sees the socket close), commands it had not answered are answered "-ERR worker stopped"
 * here, and the slot restarts, after a growing delay if it keeps dying young.
 *
 * Threads: everything here runs on the main runtime thread.
 */
import { Worker } from 'node:worker_threads';
import type { NativeBridge } from '../bridge.js';
import { log } from './logger.js';
import { describe } from './processGuards.js';
import type { FromWorker, ToWorker, WorkerData } from './workerProtocol.js';

export interface WorkerPoolOptions {
  count: number;
  /** The worker entry module (dist/runtime/workerMain.js). */
  entry: URL;
  /**
   * Explicit thread stack size. Node sizes a worker's stack itself (4 MB by default), but making it
   * explicit keeps it independent of FreeSWITCH's 240 KB RLIMIT_STACK (docs/embedding.md §4.4).
   */
  stackSizeMb: number;
}

interface Slot {
  index: number;
  worker: Worker | null;
  ready: boolean;
  restarts: number;
  startedAt: number;
  /** Requests forwarded and not yet answered (native request ids). */
  inflight: Set<number>;
  /** Commands that arrived while the slot was waiting to restart. */
  backlog: ToWorker[];
  /** The main thread's queries posted to it and not answered yet. */
  queries: Set<number>;
  restartTimer: NodeJS.Timeout | null;
  /** Consecutive deaths within YOUNG_MS of starting. */
  youngDeaths: number;
}

/** A worker that dies sooner than this after starting is restarted after a growing delay. */
const YOUNG_MS = 5000;
const RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 5000;

export class WorkerPool {
  readonly #bridge: NativeBridge;
  readonly #options: WorkerPoolOptions;
  readonly #slots: Slot[] = [];
  readonly #queries = new Map<number, (text: string | null) => void>();
  #nextQueryId = -1;
  #stopping = false;
  #readyWaiters: Array<() => void> = [];

  constructor(bridge: NativeBridge, options: WorkerPoolOptions) {
    this.#bridge = bridge;
    this.#options = options;
    for (let i = 0; i < options.count; i++) {
      this.#slots.push({
        index: i,
        worker: null,
        ready: false,
        restarts: 0,
        startedAt: 0,
        inflight: new Set(),
        backlog: [],
        queries: new Set(),
        restartTimer: null,
        youngDeaths: 0,
      });
    }
  }

  get size(): number {
    return this.#slots.length;
  }

  restarts(index: number): number {
    return this.#slots[index]?.restarts ?? 0;
  }

  /** Starts every worker; resolves when each has reported ready or died once (then it restarts on its own). */
  start(timeoutMs: number): Promise<void> {
    for (const slot of this.#slots) this.#spawn(slot);
    return new Promise((resolve) => {
      const timer = setTimeout(finish, timeoutMs);
      const waiter = (): void => {
        if (this.#slots.every((s) => s.ready || s.restarts > 0)) finish();
      };
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#readyWaiters.push(waiter);
      waiter();
    });
  }

  /** Hands a host request to worker `index`; the worker answers the API thread itself. */
  forward(index: number, requestId: number, api: string, args: string): void {
    const slot = this.#slots[index]!;
    slot.inflight.add(requestId);
    this.#post(slot, { type: 'command', id: requestId, api, args });
  }

  /** Runs a command on worker `index` for the main thread; null if it does not answer in time. */
  query(index: number, api: string, args: string, timeoutMs: number): Promise<string | null> {
    const slot = this.#slots[index]!;
    const id = this.#nextQueryId--;
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(null), timeoutMs);
      const settle = (text: string | null): void => {
        if (!this.#queries.delete(id)) return;
        slot.queries.delete(id);
        clearTimeout(timer);
        resolve(text);
      };
      slot.queries.add(id);
      this.#queries.set(id, settle);
      this.#post(slot, { type: 'command', id, api, args });
    });
  }

  /** The same command on every worker. */
  broadcast(api: string, args: string, timeoutMs: number): Promise<Array<string | null>> {
    return Promise.all(this.#slots.map((s) => this.query(s.index, api, args, timeoutMs)));
  }

  /** Test hook: worker `index` exits with `code` as if it had crashed. */
  exitWorker(index: number, code: number): void {
    const slot = this.#slots[index];
    if (slot?.worker) slot.worker.postMessage({ type: 'exit', code } satisfies ToWorker);
  }

  /** Ends every worker's sessions and the workers; terminates those that do not finish in time. */
  async stop(reason: string, timeoutMs: number): Promise<void> {
    this.#stopping = true;
    const exits: Array<Promise<void>> = [];
    for (const slot of this.#slots) {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      slot.restartTimer = null;
      const worker = slot.worker;
      if (!worker) {
        // Waiting to restart, and now it never will: answer what was waiting for it.
        for (const m of slot.backlog.splice(0)) {
          if (m.type === 'command' && m.id >= 0) this.#bridge.reply(m.id, '-ERR runtime stopping\n');
          else if (m.type === 'command') this.#queries.get(m.id)?.(null);
        }
        continue;
      }
      exits.push(
        new Promise<void>((resolve) => {
          worker.once('exit', () => resolve());
          const timer = setTimeout(() => {
            log.warning(`worker ${slot.index} did not stop within ${timeoutMs} ms; terminating it`);
            void worker.terminate();
          }, timeoutMs);
          worker.once('exit', () => clearTimeout(timer));
          worker.postMessage({ type: 'stop', reason } satisfies ToWorker);
        }),
      );
    }
    await Promise.all(exits);
  }

  #post(slot: Slot, message: ToWorker): void {
    if (slot.worker) slot.worker.postMessage(message);
    else slot.backlog.push(message);
  }

  #spawn(slot: Slot): void {
    const data: WorkerData = { index: slot.index, count: this.#slots.length };
    let worker: Worker;
    try {
      worker = new Worker(this.#options.entry, {
        workerData: data,
        resourceLimits: { stackSizeMb: this.#options.stackSizeMb },
        name: `oair-worker-${slot.index}`,
      });
    } catch (err) {
      log.error(`worker ${slot.index} could not be created: ${describe(err)}`);
      this.#died(slot, null, -1);
      return;
    }
    slot.worker = worker;
    slot.ready = false;
    slot.startedAt = Date.now();
    worker.on('message', (message: FromWorker) => this.#onMessage(slot, message));
    worker.on('error', (err) => log.error(`worker ${slot.index}: ${describe(err)}`));
    worker.on('exit', (code) => this.#died(slot, worker, code));
    for (const m of slot.backlog.splice(0)) worker.postMessage(m);
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        slot.ready = true;
        for (const w of this.#readyWaiters) w();
        break;
      case 'done':
        slot.inflight.delete(message.id);
        break;
      case 'result':
        this.#queries.get(message.id)?.(message.text);
        break;
      case 'stopped':
        break;
    }
  }

  #died(slot: Slot, worker: Worker | null, code: number): void {
    if (worker !== null && slot.worker !== worker) return;
    slot.worker = null;
    slot.ready = false;
    // Whatever it had not answered will not be answered: say so now rather than at the API timeout.
    // A request it did answer is gone from the native queue, so a second reply is a no-op.
    for (const id of slot.inflight) this.#bridge.reply(id, '-ERR worker stopped\n');
    slot.inflight.clear();
    for (const m of slot.backlog.splice(0)) {
      if (m.type === 'command' && m.id >= 0) this.#bridge.reply(m.id, '-ERR worker stopped\n');
    }
    // The main thread's own queries to it (status) get no answer: settle them now.
    for (const id of slot.queries) this.#queries.get(id)?.(null);
    slot.queries.clear();
    if (this.#stopping) return;
    const young = Date.now() - slot.startedAt < YOUNG_MS;
    slot.youngDeaths = young ? slot.youngDeaths + 1 : 0;
    const delay = Math.min(MAX_RESTART_DELAY_MS, RESTART_DELAY_MS * 2 ** Math.max(0, slot.youngDeaths - 1));
    log.error(`worker ${slot.index} exited (code ${code}); its sessions ended and their channels were released; restarting in ${delay} ms`);
    slot.restarts++;
    for (const w of this.#readyWaiters) w();
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      if (!this.#stopping) this.#spawn(slot);
    }, delay);
  }
}
