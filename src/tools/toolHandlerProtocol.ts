/**
 * Messages between a session thread and its tool-handler worker (toolHandlerHost.ts ⇄
 * toolHandlerWorker.ts). Handlers run in their own worker thread so that one that throws, hangs,
 * blocks its thread or runs out of memory never touches the calls: the session thread only waits
 * for a message, with a timeout, and can end and restart the worker.
 *
 * Everything a handler does to its call (read a variable, hang up, transfer, ...) is a `request`
 * answered by a `reply`: the session thread checks and performs it (call/callControl.ts).
 */

export type SessionFamilyName = 'audio_stream' | 's2s';

/** What a handler learns about its call (the rest it asks for through `ctx`). */
export interface ToolCallInfo {
  uuid: string;
  family: SessionFamilyName;
  callId: string;
  name: string;
}

export type HandlerRequestOp = 'getVariable' | 'hangup' | 'transfer' | 'setVariable' | 'playFile' | 'sendDtmf';

export type HandlerLogLevel = 'error' | 'warning' | 'notice' | 'info' | 'debug';

export interface HandlerWorkerData {
  /** Absolute path of the handler module (the `tool-handlers` setting). */
  modulePath: string;
}

export type ToHandlerWorker =
  | { type: 'call'; id: number; name: string; args: Record<string, unknown>; info: ToolCallInfo }
  /** The session thread gave up on call `id` (timeout, or its session ended): its signal aborts. */
  | { type: 'abort'; id: number; reason: string }
  | { type: 'reply'; requestId: number; ok: true; value: string | null }
  | { type: 'reply'; requestId: number; ok: false; error: string }
  | { type: 'ping'; id: number };

export type FromHandlerWorker =
  | { type: 'loaded'; names: string[] }
  | { type: 'loadFailed'; error: string }
  | { type: 'result'; id: number; ok: true; output: string }
  | { type: 'result'; id: number; ok: false; error: string }
  | { type: 'request'; id: number; requestId: number; op: HandlerRequestOp; args: unknown[] }
  | { type: 'log'; id: number; level: HandlerLogLevel; message: string }
  | { type: 'pong'; id: number };
