// LiveClientDelegations: a client delegation becomes a live_delegation function call for the call
// features (with the caller's words since the previous one), and the handler's result becomes the
// append events naming the delegation.
import { describe, expect, it } from 'vitest';
import { LIVE_DELEGATION_HANDLER, LiveClientDelegations } from '../../../src/session/live/liveClientDelegation.js';

const created = (id: string, target = 'client') => ({ type: 'session.delegation.created', delegation: { id, target, type: 'delegation' }, offset_ms: 1200 });

describe('LiveClientDelegations', () => {
  it('turns a client delegation into a live_delegation call carrying the caller transcript since the last one', () => {
    const d = new LiveClientDelegations();
    d.serverEvent({ type: 'session.input_transcript.delta', delta: 'where is', start_ms: 0, end_ms: 1 });
    d.serverEvent({ type: 'session.input_transcript.delta', delta: ' my order', start_ms: 1, end_ms: 2 });
    const [call] = d.serverEvent(created('del_1'));
    expect(call).toEqual({ type: 'response.output_item.done', item: { type: 'function_call', status: 'completed', call_id: 'del_1', name: LIVE_DELEGATION_HANDLER, arguments: expect.any(String) } });
    expect(JSON.parse((call!.item as { arguments: string }).arguments)).toEqual({ delegation_id: 'del_1', offset_ms: 1200, transcript: 'where is my order' });
    const [next] = d.serverEvent(created('del_2'));
    expect(JSON.parse((next!.item as { arguments: string }).arguments).transcript).toBe('');
    expect(d.serverEvent(created('del_3', 'responses'))).toEqual([]); // the backend's delegation is not the client's
    expect(d.owns('del_1') && d.owns('del_2') && !d.owns('del_3')).toBe(true);
  });

  it('a string is spoken (commentary); thinking and commentary fields go out in that order; ok and errors send nothing', () => {
    const d = new LiveClientDelegations();
    for (const id of ['a', 'b', 'c', 'e']) d.serverEvent(created(id));
    expect(d.answer('a', 'It ships tomorrow.')).toEqual([{ type: 'session.commentary.append', content: 'It ships tomorrow.', delegation_id: 'a' }]);
    expect(d.answer('b', JSON.stringify({ commentary: 'Done.', thinking: 'Checked the order.' }))).toEqual([
      { type: 'session.thinking.append', content: 'Checked the order.', delegation_id: 'b' },
      { type: 'session.commentary.append', content: 'Done.', delegation_id: 'b' },
    ]);
    expect(d.answer('c', '{"ok":true}')).toEqual([]);
    expect(d.answer('e', '{"error":"timed out after 10000 ms"}')).toEqual([]);
    expect(d.answered).toBe(2);
    expect(d.owns('a')).toBe(false);
  });
});
