/**
 * The engine's barge-in: the caller started talking (`input_audio_buffer.speech_started`) over the
 * assistant. Playout is cut first — the caller's ear cannot wait — then the server is told what was
 * heard (`conversation.item.truncate` per item, `response.cancel` when it will not cancel by itself:
 * the decision is {@link decideBargeIn}), late deltas of what was cut are marked to be dropped, and
 * only then do the playout's events (speech stop, responses interrupted) go out.
 */
import type { Logger } from '../runtime/logger.js';
import { decideBargeIn } from './bargeInDecision.js';
import type { LatencyMeter } from './latencyMeter.js';
import type { Playout } from './playout.js';
import type { ResponseTracker } from './responseTracker.js';

export interface BargeInDeps {
  playout: Playout;
  responses: ResponseTracker;
  latency: LatencyMeter;
  log: Logger;
  /** Sends one client event (JSON text) on the socket. */
  send(text: string): void;
  /** An `event_id` for a client event the engine sends on its own account. */
  eventId(): string;
}

export class BargeIn {
  readonly #deps: BargeInDeps;
  #count = 0;

  constructor(deps: BargeInDeps) {
    this.#deps = deps;
  }

  /** Barge-ins that cut assistant audio (a speech start over silence is an ordinary turn). */
  get count(): number {
    return this.#count;
  }

  /** `interruptResponse`: the session's turn detection cancels the response on the server by itself. */
  speechStarted(interruptResponse: boolean): void {
    const { playout, responses, log } = this.#deps;
    if (!playout.pending) return;
    const cut = playout.cut();
    const active = responses.activeResponseId;
    if (active) cut.responseIds.add(active);
    const plan = decideBargeIn({ assistantAudioPending: true, activeResponseId: active, interruptResponse, items: cut.items });
    this.#count++;
    this.#deps.latency.flushed();
    for (const truncate of plan.truncates) this.#deps.send(JSON.stringify({ ...truncate, event_id: this.#deps.eventId() }));
    if (plan.cancelResponseId !== null) {
      this.#deps.send(JSON.stringify({ type: 'response.cancel', event_id: this.#deps.eventId(), response_id: plan.cancelResponseId }));
    }
    responses.interrupt(active, cut.items.map((i) => i.itemId));
    // The active response is never settled: the server may still be sending it.
    for (const id of cut.responseIds) responses.interrupt(id, [], id !== active && cut.settledResponseIds.has(id));
    log.info(
      `barge-in: flushed playback${plan.truncates.map((t) => `, truncated ${t.item_id} at ${t.audio_end_ms} ms`).join('')}` +
        `${plan.cancelResponseId ? `, cancelled ${plan.cancelResponseId}` : ''}`,
    );
    playout.finishCut(cut);
  }
}
