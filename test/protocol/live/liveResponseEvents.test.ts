// What this proves: of the nested Responses events a Live session forwards, completed function
// calls and the ends of backend responses are recognised (with their ids), calls that are not
// completed are ignored, and everything else is only "other".
import { describe, expect, it } from 'vitest';
import { classifyResponseEvent } from '../../../src/protocol/live/liveResponseEvents.js';
import type { LiveResponseEvent } from '../../../src/protocol/live/liveTypes.js';

const wrap = (event: LiveResponseEvent['event'], delegationId?: string | null): LiveResponseEvent => ({
  type: 'response.event',
  event,
  ...(delegationId !== undefined ? { delegation_id: delegationId } : {}),
});

describe('classifyResponseEvent', () => {
  it('finds a completed function call in response.output_item.done', () => {
    const item = { type: 'function_call', status: 'completed', call_id: 'call_1', name: 'end_call', arguments: '{"reason":"done"}' };
    expect(classifyResponseEvent(wrap({ type: 'response.output_item.done', response_id: 'resp_1', output_index: 0, item }, 'del_1'))).toEqual({
      kind: 'function_call',
      call: { callId: 'call_1', name: 'end_call', arguments: '{"reason":"done"}', responseId: 'resp_1', delegationId: 'del_1' },
    });
  });

  it('ignores calls that are not completed and items that are not calls', () => {
    const partial = { type: 'function_call', status: 'in_progress', call_id: 'c', name: 'n', arguments: '' };
    expect(classifyResponseEvent(wrap({ type: 'response.output_item.done', item: partial }))).toEqual({ kind: 'other', type: 'response.output_item.done' });
    expect(classifyResponseEvent(wrap({ type: 'response.output_item.done', item: { type: 'message', content: [] } })).kind).toBe('other');
    expect(classifyResponseEvent(wrap({ type: 'response.output_item.added', item: { type: 'function_call', call_id: 'c', name: 'n' } })).kind).toBe('other');
  });

  it('reports the end of a backend response with its status', () => {
    expect(classifyResponseEvent(wrap({ type: 'response.completed', response: { id: 'resp_1', output: [] } }, 'del_1'))).toEqual({
      kind: 'response_end',
      status: 'completed',
      responseId: 'resp_1',
      delegationId: 'del_1',
    });
    expect(classifyResponseEvent(wrap({ type: 'response.failed', response: { id: 'resp_2' } }, null))).toMatchObject({ status: 'failed', delegationId: null });
    expect(classifyResponseEvent(wrap({ type: 'response.incomplete' }))).toMatchObject({ status: 'incomplete', responseId: undefined });
  });
});
