/**
 * Entry point of the tool-handler worker thread (see toolHandlerHost.ts): imports the handler
 * module once, reports the functions it exports, then runs calls as they come and answers each
 * with a `result`. Whatever a handler does — throw, reject, never settle, spin, allocate without
 * end — stays in this thread: the session thread answers the model on its own timeout and can end
 * this worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { ToolContext, ToolHandler } from './toolContext.js';
import type { FromHandlerWorker, HandlerLogLevel, HandlerRequestOp, HandlerWorkerData, ToHandlerWorker, ToolCallInfo } from './toolHandlerProtocol.js';

const port = parentPort;
if (!port) throw new Error('toolHandlerWorker.js runs only as a worker thread');
const { modulePath } = workerData as HandlerWorkerData;
const send = (message: FromHandlerWorker): void => port.postMessage(message);

/** Function names the Realtime API accepts (and so the only ones a model can call). */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const handlers = new Map<string, ToolHandler>();
const requests = new Map<number, { resolve: (v: string | null) => void; reject: (e: Error) => void }>();
const aborts = new Map<number, AbortController>();
let nextRequest = 1;

function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return typeof err === 'string' ? err : 'handler failed';
}

/** A `ctx` whose every action is a request to the session thread. */
function contextFor(id: number, info: ToolCallInfo, signal: AbortSignal): ToolContext {
  const request = (op: HandlerRequestOp, args: unknown[]): Promise<string | null> =>
    new Promise((resolve, reject) => {
      const requestId = nextRequest++;
      requests.set(requestId, { resolve, reject });
      send({ type: 'request', id, requestId, op, args });
    });
  const log = (level: HandlerLogLevel) => (message: string) => send({ type: 'log', id, level, message: String(message) });
  const act = (op: HandlerRequestOp, args: unknown[]): Promise<void> => request(op, args).then(() => undefined);
  return Object.freeze({
    uuid: info.uuid,
    family: info.family,
    callId: info.callId,
    name: info.name,
    signal,
    log: Object.freeze({ error: log('error'), warning: log('warning'), notice: log('notice'), info: log('info'), debug: log('debug') }),
    getVariable: (name: string) => request('getVariable', [name]),
    hangup: (cause?: string) => act('hangup', [cause]),
    transfer: (destination: string) => act('transfer', [destination]),
    setVariable: (name: string, value: string) => act('setVariable', [name, value]),
    playFile: (path: string) => act('playFile', [path]),
    sendDtmf: (digits: string) => act('sendDtmf', [digits]),
  });
}

function outputOf(result: unknown): string {
  if (typeof result === 'string') return result;
  if (result === undefined) return '{"ok":true}';
  const text = JSON.stringify(result);
  if (text === undefined) throw new Error('the handler returned something that is not JSON (a function or a symbol)');
  return text;
}

async function run(message: Extract<ToHandlerWorker, { type: 'call' }>): Promise<void> {
  const handler = handlers.get(message.name);
  if (!handler) {
    send({ type: 'result', id: message.id, ok: false, error: `no handler for ${message.name}` });
    return;
  }
  const abort = new AbortController();
  aborts.set(message.id, abort);
  try {
    const result: unknown = await handler(message.args, contextFor(message.id, message.info, abort.signal));
    let output: string;
    try {
      output = outputOf(result);
    } catch (err) {
      send({ type: 'result', id: message.id, ok: false, error: `result not sent: ${describeError(err)}` });
      return;
    }
    send({ type: 'result', id: message.id, ok: true, output });
  } catch (err) {
    send({ type: 'result', id: message.id, ok: false, error: describeError(err) });
  } finally {
    aborts.delete(message.id);
  }
}

port.on('message', (message: ToHandlerWorker) => {
  switch (message.type) {
    case 'call':
      void run(message);
      break;
    case 'abort':
      aborts.get(message.id)?.abort(new Error(message.reason));
      aborts.delete(message.id);
      break;
    case 'reply': {
      const pending = requests.get(message.requestId);
      if (!pending) return;
      requests.delete(message.requestId);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new Error(message.error));
      break;
    }
    case 'ping':
      send({ type: 'pong', id: message.id });
      break;
  }
});

// A promise a handler forgot to await must not end the worker (and the other calls with it).
process.on('unhandledRejection', (reason) => send({ type: 'log', id: 0, level: 'error', message: `unhandled rejection in a tool handler: ${describeError(reason)}` }));
process.on('uncaughtException', (err) => send({ type: 'log', id: 0, level: 'error', message: `uncaught exception in a tool handler: ${describeError(err)}` }));

try {
  const mod = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, value] of Object.entries(mod)) {
    if (name === 'default') {
      problems.push('a default export is not a handler (export each handler under its function name)');
    } else if (typeof value !== 'function') {
      problems.push(`export "${name}" is not a function`);
    } else if (!FUNCTION_NAME.test(name)) {
      problems.push(`export "${name}" is not a valid function name (letters, digits, _ and -, at most 64)`);
    } else {
      handlers.set(name, value as ToolHandler);
    }
  }
  if (problems.length > 0) send({ type: 'loadFailed', error: problems.join('; ') });
  else if (handlers.size === 0) send({ type: 'loadFailed', error: 'the module exports no functions' });
  else send({ type: 'loaded', names: [...handlers.keys()] });
} catch (err) {
  send({ type: 'loadFailed', error: `cannot load it: ${describeError(err)}` });
}
