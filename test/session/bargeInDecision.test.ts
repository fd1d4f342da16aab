// What this proves: barge-in sends truncate with the played ms clamped to what was received,
// truncates to 0 when nothing was heard, skips items heard in full, and cancels only an active
// response the server will not cancel itself.
import { describe, expect, it } from 'vitest';
import { decideBargeIn } from '../../src/session/bargeInDecision.js';

describe('decideBargeIn', () => {
  it('does nothing while the assistant is silent', () => {
    const plan = decideBargeIn({ assistantAudioPending: false, activeResponseId: 'r1', interruptResponse: false, items: [] });
    expect(plan).toEqual({ interrupt: false, truncates: [], cancelResponseId: null });
  });

  it('truncates to the played ms, clamped to the received audio', () => {
    const plan = decideBargeIn({
      assistantAudioPending: true,
      activeResponseId: 'r1',
      interruptResponse: true,
      items: [
        { itemId: 'a', playedMs: 1234.9, receivedMs: 3000, complete: false },
        { itemId: 'b', playedMs: 520.4, receivedMs: 500.7, complete: false },
      ],
    });
    expect(plan.interrupt).toBe(true);
    expect(plan.truncates).toEqual([
      { type: 'conversation.item.truncate', item_id: 'a', content_index: 0, audio_end_ms: 1234 },
      { type: 'conversation.item.truncate', item_id: 'b', content_index: 0, audio_end_ms: 500 },
    ]);
    expect(plan.cancelResponseId).toBeNull(); // the server interrupts by itself
  });

  it('truncates to 0 when nothing was heard and skips items heard in full', () => {
    const plan = decideBargeIn({
      assistantAudioPending: true,
      activeResponseId: null,
      interruptResponse: false,
      items: [
        { itemId: 'heard', playedMs: 2000, receivedMs: 2000, complete: true },
        { itemId: 'unheard', playedMs: 0, receivedMs: 800, complete: true },
      ],
    });
    expect(plan.truncates.map((t) => [t.item_id, t.audio_end_ms])).toEqual([['unheard', 0]]);
    expect(plan.cancelResponseId).toBeNull(); // no active response
  });

  it('cancels an active response only when interrupt_response is off', () => {
    const input = { assistantAudioPending: true, activeResponseId: 'r9', items: [] };
    expect(decideBargeIn({ ...input, interruptResponse: false }).cancelResponseId).toBe('r9');
    expect(decideBargeIn({ ...input, interruptResponse: true }).cancelResponseId).toBeNull();
  });
});
