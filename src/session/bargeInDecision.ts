/**
 * What to send when the caller starts talking over the assistant (`input_audio_buffer.speech_started`),
 * as a pure decision (docs/realtime-protocol.md §4, docs/DESIGN.md §5):
 *
 * - Nothing, unless assistant audio is queued, in the ring, or still streaming: a speech start
 *   while the assistant is silent is an ordinary turn.
 * - Otherwise flush local playout, and for every item whose audio was not entirely heard send
 *   `conversation.item.truncate {item_id, content_index: 0, audio_end_ms}` with the milliseconds
 *   the media thread actually played, clamped to what was received for the item (the server
 *   rejects more). An item of which nothing was heard is truncated to 0 ms rather than deleted:
 *   the item stays in the conversation (an app may still refer to its id), its unheard transcript
 *   is dropped, and there is one code path.
 * - `response.cancel` only if a response is active (`response.created` seen, `response.done` not)
 *   AND the session's `interrupt_response` is false; with it true the server has cancelled already
 *   and a second cancel only earns `response_cancel_not_active`.
 */
export interface BargeInItem {
  itemId: string;
  /** Milliseconds of the item the media thread played (may include up to one frame in flight). */
  playedMs: number;
  /** Milliseconds of audio received for the item. */
  receivedMs: number;
  /** All its audio has arrived (output_audio.done / response.done). */
  complete: boolean;
}

export interface BargeInInput {
  /** Samples in the queue or the ring, or an item's audio still streaming. */
  assistantAudioPending: boolean;
  activeResponseId: string | null;
  interruptResponse: boolean;
  items: readonly BargeInItem[];
}

export interface TruncateEvent {
  type: 'conversation.item.truncate';
  item_id: string;
  content_index: 0;
  audio_end_ms: number;
}

export interface BargeInPlan {
  /** Flush the queue and the ring, reset the downlink, drop late deltas. */
  interrupt: boolean;
  truncates: TruncateEvent[];
  /** Response id to cancel, or null. */
  cancelResponseId: string | null;
}

const NOTHING: BargeInPlan = Object.freeze({ interrupt: false, truncates: [], cancelResponseId: null }) as BargeInPlan;

export function decideBargeIn(input: BargeInInput): BargeInPlan {
  if (!input.assistantAudioPending) return NOTHING;
  const truncates: TruncateEvent[] = [];
  for (const item of input.items) {
    const received = Math.floor(item.receivedMs);
    const played = Math.max(0, Math.floor(item.playedMs));
    // Heard in full: nothing to correct.
    if (item.complete && played >= received) continue;
    truncates.push({ type: 'conversation.item.truncate', item_id: item.itemId, content_index: 0, audio_end_ms: Math.min(played, received) });
  }
  const cancelResponseId = input.activeResponseId !== null && !input.interruptResponse ? input.activeResponseId : null;
  return { interrupt: true, truncates, cancelResponseId };
}
