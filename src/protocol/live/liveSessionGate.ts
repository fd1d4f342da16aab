/**
 * The order a Live session's client events may go out in, as a pure state machine the engine will
 * drive (it sends what it is told, and reports what the server said).
 *
 *   idle ──start()──▶ starting ──session.started──▶ active ──close()──▶ closing ──session.closed──▶ ended
 *                        │ error (the start refused)                       │ deadline passed: close anyway
 *                        └──────────────────────────▶ ended ◀── session.closed (server's reason) ──┘
 *
 * - Nothing but `session.start` goes out before `session.started`. Events the application sends
 *   meanwhile wait, up to `maxQueued`, and go out in order once the session has started; past the
 *   bound they are refused with a reason (`-ERR`). Uplink audio before the start is dropped, not
 *   queued: the session's timeline begins at `session.started`.
 * - An `error` while starting is the start refused: the stream ends with that error.
 * - Errors while active are reported; the session goes on unless the code is one of the fatal ones.
 * - `close()` sends `session.close` and gives the server `closeTimeoutMs` (5 s, as OpenAI's SDKs and
 *   Azure's do) to answer with `session.closed` before the socket is closed with 1000 regardless.
 */
import type { LiveClientEvent, LiveErrorBody, LiveServerEvent, LiveSessionStart } from './liveTypes.js';

export type GateState = 'idle' | 'starting' | 'active' | 'closing' | 'ended';

/**
 * Codes that no retry can fix: credentials, quota and billing, access to the model. A stream
 * ending with one of them must not reconnect in a loop.
 */
export const FATAL_LIVE_ERROR_CODES: ReadonlySet<string> = new Set([
  'invalid_api_key',
  'insufficient_quota',
  'account_deactivated',
  'billing_hard_limit_reached',
  'credit_balance_exhausted',
  'model_not_found',
  'invalid_model',
]);

export function isFatalLiveError(error: Pick<LiveErrorBody, 'code'>): boolean {
  return typeof error.code === 'string' && FATAL_LIVE_ERROR_CODES.has(error.code);
}

export type SubmitDecision =
  | { action: 'send' }
  /** Held until `session.started`. */
  | { action: 'queued' }
  /** Uplink audio before the session exists: discarded. */
  | { action: 'drop' }
  | { action: 'refuse'; reason: string };

export type GateEffect =
  /** The session started: send these held events, in order. */
  | { kind: 'started'; flush: LiveClientEvent[] }
  /** The start was refused: end the stream with this error (never retried when `fatal`). */
  | { kind: 'start_failed'; error: LiveErrorBody; fatal: boolean }
  /** An error during the session; the stream ends only when `fatal`. */
  | { kind: 'error'; error: LiveErrorBody; fatal: boolean }
  /** The session is over (`session.closed`); close the socket with 1000. */
  | { kind: 'ended'; reason: string; usageSeconds: number | undefined };

export interface GateOptions {
  /** Application events held before `session.started`. Default 64. */
  maxQueued?: number;
  /** How long `close()` waits for `session.closed`. Default 5000 ms. */
  closeTimeoutMs?: number;
}

export class LiveSessionGate {
  readonly maxQueued: number;
  readonly closeTimeoutMs: number;
  #state: GateState = 'idle';
  readonly #queue: LiveClientEvent[] = [];
  #droppedAudio = 0;

  constructor(options: GateOptions = {}) {
    this.maxQueued = Math.max(0, options.maxQueued ?? 64);
    this.closeTimeoutMs = Math.max(0, options.closeTimeoutMs ?? 5000);
  }

  get state(): GateState {
    return this.#state;
  }

  /** Uplink appends dropped because the session had not started. */
  /** Client events held until `session.started`. */
  get queued(): number {
    return this.#queue.length;
  }

  get droppedAudioAppends(): number {
    return this.#droppedAudio;
  }

  /** The one `session.start` of this session; returns it to send, or why not. */
  start(event: LiveSessionStart): { send: LiveSessionStart } | { refuse: string } {
    if (this.#state !== 'idle') return { refuse: 'the session has already been started' };
    this.#state = 'starting';
    return { send: event };
  }

  /** An event the application (or the module) wants to send. */
  submit(event: LiveClientEvent): SubmitDecision {
    if (event.type === 'session.start') {
      return { action: 'refuse', reason: this.#state === 'idle' ? 'session.start goes through start()' : 'the session has already been started' };
    }
    switch (this.#state) {
      case 'active':
        return { action: 'send' };
      case 'idle':
      case 'starting':
        if (event.type === 'session.input_audio.append') {
          this.#droppedAudio++;
          return { action: 'drop' };
        }
        if (this.#queue.length >= this.maxQueued) return { action: 'refuse', reason: `the session has not started yet and ${this.maxQueued} events are already waiting` };
        this.#queue.push(event);
        return { action: 'queued' };
      case 'closing':
        return { action: 'refuse', reason: 'the session is closing' };
      case 'ended':
        return { action: 'refuse', reason: 'the session has ended' };
    }
  }

  /** A server event arrived (already parsed). Returns what the engine must do about it. */
  serverEvent(event: LiveServerEvent): GateEffect[] {
    switch (event.type) {
      case 'session.started':
        if (this.#state !== 'starting') return [];
        this.#state = 'active';
        return [{ kind: 'started', flush: this.#queue.splice(0) }];
      case 'error': {
        const fatal = isFatalLiveError(event.error);
        if (this.#state === 'starting') {
          this.#state = 'ended';
          this.#queue.length = 0;
          return [{ kind: 'start_failed', error: event.error, fatal }];
        }
        if (fatal) this.#state = 'ended';
        return [{ kind: 'error', error: event.error, fatal }];
      }
      case 'session.closed':
        if (this.#state === 'ended') return [];
        this.#state = 'ended';
        this.#queue.length = 0;
        return [{ kind: 'ended', reason: event.reason, usageSeconds: event.usage?.seconds }];
      default:
        return [];
    }
  }

  /**
   * The stream is stopping (stop, session.delete, hangup). Returns what to send and how long to
   * wait for `session.closed`; `null` when there is no session to close (close the socket now).
   */
  close(): { send: { type: 'session.close' }; waitMs: number } | null {
    const state = this.#state;
    if (state === 'active') {
      this.#state = 'closing';
      return { send: { type: 'session.close' }, waitMs: this.closeTimeoutMs };
    }
    if (state !== 'closing') {
      this.#state = 'ended';
      this.#queue.length = 0;
    }
    return null;
  }

  /** The socket closed (or the close wait ran out). */
  socketClosed(): void {
    this.#state = 'ended';
    this.#queue.length = 0;
  }
}
