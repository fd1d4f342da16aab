/**
 * The open function calls of a Live session under Responses delegation, and when the one
 * `response.create` that continues the backend may go. The service refuses a partial batch, so
 * the rule is: every call announced so far must have its output first. A failed or incomplete
 * backend response discards its calls (outputs for them would be refused).
 *
 * Pure bookkeeping; the session sends the events it is told to.
 */
import type { LiveFunctionCall, LiveResponseEnd } from './liveResponseEvents.js';

export type OutputDecision =
  /** Send the `function_call_output`; `continueNow`: then send `response.create` too. */
  | { action: 'send'; continueNow: boolean }
  /** The call is unknown, already answered or discarded: send nothing. */
  | { action: 'drop'; reason: string };

export class FunctionCallBatch {
  readonly #open = new Map<string, LiveFunctionCall>();
  readonly #answered = new Set<string>();
  readonly #discarded = new Set<string>();

  /** Calls announced and not yet answered. */
  get pending(): LiveFunctionCall[] {
    return [...this.#open.values()].filter((call) => !this.#answered.has(call.callId));
  }

  /** A call arrived (`response.output_item.done`). Returns false for a repeat. */
  announce(call: LiveFunctionCall): boolean {
    if (this.#open.has(call.callId) || this.#discarded.has(call.callId)) return false;
    this.#open.set(call.callId, call);
    return true;
  }

  /**
   * A backend response ended; a failed or incomplete one takes its unanswered calls with it.
   * `continueNow`: that completed the batch (the other calls were already answered), so the
   * session sends the `response.create` it was holding back.
   */
  responseEnded(responseId: string | undefined, status: LiveResponseEnd): { dropped: LiveFunctionCall[]; continueNow: boolean } {
    if (status === 'completed' || responseId === undefined) return { dropped: [], continueNow: false };
    const dropped: LiveFunctionCall[] = [];
    for (const call of this.#open.values()) {
      if (call.responseId === responseId && !this.#answered.has(call.callId)) dropped.push(call);
    }
    for (const call of dropped) {
      this.#open.delete(call.callId);
      this.#discarded.add(call.callId);
    }
    const continueNow = dropped.length > 0 && this.#answered.size > 0 && this.pending.length === 0;
    if (continueNow) this.#closeBatch();
    return { dropped, continueNow };
  }

  /** An output is ready for `callId`. */
  output(callId: string): OutputDecision {
    if (this.#discarded.has(callId)) return { action: 'drop', reason: 'its backend response failed or was incomplete' };
    if (!this.#open.has(callId)) return { action: 'drop', reason: 'no such open call' };
    if (this.#answered.has(callId)) return { action: 'drop', reason: 'already answered' };
    this.#answered.add(callId);
    const continueNow = this.pending.length === 0;
    if (continueNow) this.#closeBatch();
    return { action: 'send', continueNow };
  }

  /** The batch is complete: the next calls start a new one. */
  #closeBatch(): void {
    for (const id of this.#answered) this.#open.delete(id);
    this.#answered.clear();
  }
}
