/**
 * Messages between the main runtime thread and the session workers (workerPool.ts ⇄ workerMain.ts).
 * Audio never travels here: each worker reads and writes its channels' rings itself through its own
 * bridge waker. Only commands, their completions, and lifecycle go over the message port.
 */

/** What a worker is started with (`workerData`). */
export interface WorkerData {
  /** Slot 0..count−1: which uuids it owns (workerRouting.ts shardOf). */
  index: number;
  count: number;
}

export type ToWorker =
  /** An API command to run and answer with bridge.reply(id). Negative ids are the main thread's own
   *  queries (status): the worker answers them with a `result` message instead. */
  | { type: 'command'; id: number; api: string; args: string }
  /** End every session, release the bridge, exit. */
  | { type: 'stop'; reason: string }
  /** Test hook: exit now with `code`, as if the thread had crashed. */
  | { type: 'exit'; code: number };

export type FromWorker =
  | { type: 'ready' }
  /** The command `id` has been answered (the main thread stops tracking it). */
  | { type: 'done'; id: number }
  /** The answer to one of the main thread's own queries. */
  | { type: 'result'; id: number; text: string }
  | { type: 'stopped' };
