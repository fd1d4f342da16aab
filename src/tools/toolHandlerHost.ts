/**
 * The in-process tool handlers of one session thread (the module setting `tool-handlers`): a worker
 * thread (toolHandlerWorker.js) that imports the handler module once — at start, and again on
 * `openai_realtime reload` — and runs the calls. Why a thread of their own: a handler is operator
 * code, and one that throws, never settles, blocks its thread or leaks memory must not affect the
 * calls (their audio runs on the session thread, every 20 ms).
 *
 * - Each call has a timeout (`tool-handler-timeout-ms`); when it passes the model is told
 *   (`{"error":"timed out ..."}`), the handler's `ctx.signal` aborts, and its late result or
 *   actions are ignored. If the worker does not even answer a ping then, a handler is blocking
 *   its thread: the worker is ended (other calls still running in it get an error) and a new one
 *   loads the module for the next call.
 * - A worker that dies (a handler called process.exit, ran out of memory) fails its running calls
 *   and is replaced at the next call.
 * - A reload loads the module in a new worker; when it fails, the previous handlers stay in use.
 *   The old worker finishes its running calls, then ends. (Loading in a fresh worker is also what
 *   makes a reload pick up edited code: an ES module, once imported, is never re-read.)
 * - Handler output to the console (console.log) goes to the FreeSWITCH log.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { bundleRoot } from '../bridge.js';
import { log as rootLog } from '../runtime/logger.js';
import { describe } from '../runtime/processGuards.js';
import type { ToolHandlerStatus } from '../status/moduleStatus.js';
import type { FromHandlerWorker, HandlerLogLevel, HandlerRequestOp, HandlerWorkerData, ToHandlerWorker, ToolCallInfo } from './toolHandlerProtocol.js';

export type HandlerOutcome = { ok: true; output: string } | { ok: false; error: string };

/** What a running handler may do to its call, answered on the session thread. */
export interface HandlerCallControls {
  getVariable(name: string): string | null;
  /** Performs (or refuses) an action; the error is what the handler's promise rejects with. */
  act(op: Exclude<HandlerRequestOp, 'getVariable'>, args: unknown[]): { ok: true } | { ok: false; error: string };
  log(level: HandlerLogLevel, message: string): void;
}

export interface HandlerRun {
  result: Promise<HandlerOutcome>;
  /** The session no longer waits (it ended): the handler's signal aborts, its actions are refused. */
  cancel(reason: string): void;
}

export type LoadOutcome = { ok: true; names: string[] } | { ok: false; error: string };

export type { ToolHandlerStatus };

/** Heap and stack of the handler thread: enough for ordinary handlers, bounded for a leaking one. */
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 256, stackSizeMb: 4 };
/** Loading the module (its top-level code, its imports) may take this long. */
const LOAD_TIMEOUT_MS = 15_000;
/** After a timeout, a worker that does not answer a ping within this is blocked: it is ended. */
const PING_GRACE_MS = 1000;
/** Longest console line kept in the log. */
const MAX_CONSOLE_LINE = 2000;

export function defaultWorkerEntry(): string {
  return join(bundleRoot(), 'dist', 'tools', 'toolHandlerWorker.js');
}

interface RunningCall {
  resolve(outcome: HandlerOutcome): void;
  controls: HandlerCallControls;
}

/** One worker thread with the module loaded (or loading, or failed). */
class HandlerWorker {
  readonly modulePath: string;
  readonly loaded: Promise<LoadOutcome>;
  names: ReadonlySet<string> = new Set();
  alive = true;
  readonly #worker: Worker;
  readonly #calls = new Map<number, RunningCall>();
  readonly #onDeath: (worker: HandlerWorker) => void;
  #settleLoad: (outcome: LoadOutcome) => void = () => {};
  #nextId = 1;
  #pingId = 0;
  #pingTimer: NodeJS.Timeout | null = null;
  #retired = false;

  constructor(entry: string, modulePath: string, onDeath: (worker: HandlerWorker) => void) {
    this.modulePath = modulePath;
    this.#onDeath = onDeath;
    this.loaded = new Promise((resolve) => {
      this.#settleLoad = resolve;
    });
    const data: HandlerWorkerData = { modulePath };
    this.#worker = new Worker(entry, { workerData: data, resourceLimits: RESOURCE_LIMITS, name: 'oair-tool-handlers', stdout: true, stderr: true });
    // Never what keeps the runtime (or a test process) alive.
    this.#worker.unref();
    this.#pipeConsole(this.#worker.stdout, 'info');
    this.#pipeConsole(this.#worker.stderr, 'warning');
    const loadTimer = setTimeout(() => {
      this.#settleLoad({ ok: false, error: `loading took longer than ${LOAD_TIMEOUT_MS / 1000} s` });
      this.terminate();
    }, LOAD_TIMEOUT_MS);
    loadTimer.unref();
    void this.loaded.then(() => clearTimeout(loadTimer));
    this.#worker.on('message', (message: FromHandlerWorker) => this.#onMessage(message));
    this.#worker.on('error', (err) => rootLog.error(`tool handlers: ${describe(err)}`));
    this.#worker.on('exit', (code) => this.#exited(code));
  }

  get running(): number {
    return this.#calls.size;
  }

  run(name: string, args: Record<string, unknown>, info: ToolCallInfo, controls: HandlerCallControls): { id: number; result: Promise<HandlerOutcome> } {
    const id = this.#nextId++;
    const result = new Promise<HandlerOutcome>((resolve) => {
      if (!this.alive) {
        resolve({ ok: false, error: 'tool handlers are not running' });
        return;
      }
      this.#calls.set(id, { resolve, controls });
      this.#post({ type: 'call', id, name, args, info });
    });
    return { id, result };
  }

  /** Stops waiting for call `id`: answered with `error`, its signal aborted, its actions refused from now on. */
  giveUp(id: number, error: string, checkBlocked: boolean): void {
    const call = this.#calls.get(id);
    if (!call) return;
    this.#calls.delete(id);
    call.resolve({ ok: false, error });
    this.#post({ type: 'abort', id, reason: error });
    if (checkBlocked) this.#ping();
    this.#maybeEndRetired();
  }

  /** A newer worker took over: end once the running calls are done. */
  retire(): void {
    this.#retired = true;
    this.#maybeEndRetired();
  }

  terminate(): void {
    if (!this.alive) return;
    this.alive = false;
    void this.#worker.terminate();
  }

  #maybeEndRetired(): void {
    if (this.#retired && this.#calls.size === 0) this.terminate();
  }

  #ping(): void {
    if (this.#pingTimer !== null || !this.alive) return;
    const id = ++this.#pingId;
    this.#post({ type: 'ping', id });
    this.#pingTimer = setTimeout(() => {
      this.#pingTimer = null;
      rootLog.error(`tool handlers: a handler is blocking its thread (no answer within ${PING_GRACE_MS} ms); ending the worker, the next call starts a new one`);
      this.terminate();
    }, PING_GRACE_MS);
  }

  #post(message: ToHandlerWorker): void {
    if (!this.alive) return;
    try {
      this.#worker.postMessage(message);
    } catch (err) {
      rootLog.error(`tool handlers: cannot reach the worker: ${describe(err)}`);
    }
  }

  #onMessage(message: FromHandlerWorker): void {
    switch (message.type) {
      case 'loaded':
        this.names = new Set(message.names);
        this.#settleLoad({ ok: true, names: message.names });
        break;
      case 'loadFailed':
        this.#settleLoad({ ok: false, error: message.error });
        this.terminate();
        break;
      case 'result': {
        const call = this.#calls.get(message.id);
        if (!call) return; // given up on already: a late result is dropped
        this.#calls.delete(message.id);
        call.resolve(message.ok ? { ok: true, output: message.output } : { ok: false, error: message.error });
        this.#maybeEndRetired();
        break;
      }
      case 'request':
        this.#onRequest(message);
        break;
      case 'log': {
        const call = this.#calls.get(message.id);
        if (call) call.controls.log(message.level, message.message);
        else rootLog[message.level](`tool handlers: ${message.message}`);
        break;
      }
      case 'pong':
        if (message.id === this.#pingId && this.#pingTimer !== null) {
          clearTimeout(this.#pingTimer);
          this.#pingTimer = null;
        }
        break;
    }
  }

  #onRequest(message: Extract<FromHandlerWorker, { type: 'request' }>): void {
    const call = this.#calls.get(message.id);
    const reply = (r: { ok: true; value: string | null } | { ok: false; error: string }): void => this.#post({ type: 'reply', requestId: message.requestId, ...r });
    if (!call) {
      reply({ ok: false, error: 'this tool call is over (timed out, or its session ended)' });
      return;
    }
    try {
      if (message.op === 'getVariable') {
        reply({ ok: true, value: call.controls.getVariable(String(message.args[0] ?? '')) });
        return;
      }
      const r = call.controls.act(message.op, Array.isArray(message.args) ? message.args : []);
      reply(r.ok ? { ok: true, value: null } : { ok: false, error: r.error });
    } catch (err) {
      reply({ ok: false, error: describe(err) });
    }
  }

  #exited(code: number): void {
    const wasAlive = this.alive;
    this.alive = false;
    if (this.#pingTimer) clearTimeout(this.#pingTimer);
    this.#pingTimer = null;
    this.#settleLoad({ ok: false, error: `the worker exited (code ${code}) while loading` });
    const reason = wasAlive ? `tool handlers stopped (worker exited with code ${code})` : 'tool handlers were restarted';
    for (const call of this.#calls.values()) call.resolve({ ok: false, error: reason });
    this.#calls.clear();
    if (wasAlive && !this.#retired) rootLog.error(`tool handlers: ${reason}`);
    this.#onDeath(this);
  }

  #pipeConsole(stream: NodeJS.ReadableStream | null, level: 'info' | 'warning'): void {
    if (!stream) return;
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.length > 0) rootLog[level](`tool handlers console: ${line.slice(0, MAX_CONSOLE_LINE)}`);
      }
      if (pending.length > MAX_CONSOLE_LINE) {
        rootLog[level](`tool handlers console: ${pending.slice(0, MAX_CONSOLE_LINE)}`);
        pending = '';
      }
    });
  }
}

export class ToolHandlerHost {
  readonly #entry: string;
  #path: string | null = null;
  #current: HandlerWorker | null = null;
  #loading: Promise<LoadOutcome> | null = null;
  #error: string | null = null;
  #restarts = 0;
  #calls = 0;
  #failures = 0;
  #timeouts = 0;
  #closed = false;

  constructor(entry: string = defaultWorkerEntry()) {
    this.#entry = entry;
  }

  /**
   * Loads the handler module at `path` (null: no handlers). On success the new handlers serve
   * every call from now on; on failure the ones loaded before stay in use.
   */
  configure(path: string | null): Promise<LoadOutcome> {
    if (path === null) {
      this.#current?.retire();
      this.#current = null;
      this.#path = null;
      this.#error = null;
      this.#loading = null;
      return Promise.resolve({ ok: true, names: [] });
    }
    const loading = this.#load(path);
    this.#loading = loading;
    void loading.finally(() => {
      if (this.#loading === loading) this.#loading = null;
    });
    return loading;
  }

  async #load(path: string): Promise<LoadOutcome> {
    let worker: HandlerWorker;
    try {
      worker = new HandlerWorker(this.#entry, path, (w) => this.#died(w));
    } catch (err) {
      const error = `cannot start the tool-handler worker: ${describe(err)}`;
      return this.#loadFailed(path, error);
    }
    const outcome = await worker.loaded;
    if (this.#closed) {
      worker.terminate();
      return outcome;
    }
    if (!outcome.ok) return this.#loadFailed(path, outcome.error);
    const previous = this.#current;
    this.#current = worker;
    this.#path = path;
    this.#error = null;
    previous?.retire();
    rootLog.notice(`tool handlers loaded from ${path}: ${outcome.names.join(', ')}`);
    return outcome;
  }

  #loadFailed(path: string, error: string): LoadOutcome {
    const message = `tool handlers not loaded from ${path}: ${error}${this.#current ? '; the previous handlers stay in use' : ''}`;
    rootLog.error(message);
    if (!this.#current) {
      this.#path = path;
      this.#error = error;
    }
    return { ok: false, error: message };
  }

  #died(worker: HandlerWorker): void {
    if (this.#current !== worker || this.#closed) return;
    // Replaced at the next call, with the module that was loaded.
    this.#current = null;
    this.#restarts++;
  }

  /** Whether a handler exists for `name` (waits for a load in progress). */
  async has(name: string): Promise<boolean> {
    if (this.#loading) await this.#loading;
    const worker = await this.#worker();
    return worker !== null && worker.names.has(name);
  }

  /** The live worker, restarted after a death with the module last loaded. */
  async #worker(): Promise<HandlerWorker | null> {
    if (this.#current?.alive) return this.#current;
    if (this.#current && !this.#closed) {
      // Ended (blocked, crashed) and not yet reported gone: replace it now.
      this.#current = null;
      this.#restarts++;
    }
    if (this.#current === null && this.#path !== null && this.#error === null && !this.#closed) {
      const outcome = await this.configure(this.#path);
      if (!outcome.ok) return null;
    }
    return this.#current?.alive ? this.#current : null;
  }

  run(name: string, args: Record<string, unknown>, info: ToolCallInfo, timeoutMs: number, controls: HandlerCallControls): HandlerRun {
    let cancel: (reason: string) => void = () => {};
    const result = (async (): Promise<HandlerOutcome> => {
      const worker = await this.#worker();
      if (!worker || !worker.names.has(name)) return { ok: false, error: `no handler for ${name}` };
      this.#calls++;
      const started = worker.run(name, args, info, controls);
      const timer = setTimeout(() => {
        this.#timeouts++;
        worker.giveUp(started.id, `timed out after ${timeoutMs} ms`, true);
      }, timeoutMs);
      cancel = (reason) => worker.giveUp(started.id, reason, false);
      const outcome = await started.result;
      clearTimeout(timer);
      if (!outcome.ok) this.#failures++;
      return outcome;
    })();
    return { result, cancel: (reason) => cancel(reason) };
  }

  status(): ToolHandlerStatus {
    return {
      module: this.#path,
      handlers: [...(this.#current?.names ?? [])],
      error: this.#error,
      restarts: this.#restarts,
      calls: this.#calls,
      failures: this.#failures,
      timeouts: this.#timeouts,
    };
  }

  /** Ends the worker (runtime shutdown). */
  close(): void {
    this.#closed = true;
    this.#current?.terminate();
    this.#current = null;
  }
}

/**
 * The module to load for the `tool-handlers` setting: an absolute path as it is; a relative one
 * from the configuration file's directory (else the working directory). Null: none.
 */
export function handlerModulePath(setting: string | null, configFile: string | null): string | null {
  if (setting === null || setting.trim() === '') return null;
  return isAbsolute(setting) ? setting : resolve(configFile ? dirname(configFile) : process.cwd(), setting);
}
