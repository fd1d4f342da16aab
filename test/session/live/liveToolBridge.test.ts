// LiveToolBridge: the call features' GA-shaped tool traffic on a GPT-Live session under Responses
// delegation — calls from response.event, outputs as response.item.create, one response.create per
// complete batch; withDelegationTools adds the schemas to the start.
import { describe, expect, it } from 'vitest';
import { LIVE_REPLY_WAIT_MS, LiveToolBridge, withDelegationTools } from '../../../src/session/live/liveToolBridge.js';
import { log } from '../../../src/runtime/logger.js';
import type { LiveSessionStart } from '../../../src/protocol/live/liveTypes.js';

const call = (callId: string, name = 'end_call') => ({
  type: 'response.event',
  delegation_id: 'del_1',
  event: { type: 'response.output_item.done', response_id: 'resp_1', item: { type: 'function_call', status: 'completed', call_id: callId, name, arguments: '{}' } },
});
const ended = (status: string) => ({ type: 'response.event', delegation_id: 'del_1', event: { type: `response.${status}`, response: { id: 'resp_1', output: [] } } });

function bridge(): { b: LiveToolBridge; sent: Array<Record<string, unknown>> } {
  const sent: Array<Record<string, unknown>> = [];
  const b = new LiveToolBridge((event) => {
    sent.push(event);
    return true;
  }, log);
  return { b, sent };
}

describe('LiveToolBridge', () => {
  it("the idle policy's check-in becomes session.commentary.append; the caller's words are caller activity", () => {
    const { b, sent } = bridge();
    expect(b.clientEvent({ type: 'response.create', event_id: 'oair_1', response: { instructions: 'Are you still there?' } })).toBe(true);
    expect(sent).toEqual([{ type: 'session.commentary.append', event_id: 'oair_1', content: 'Are you still there?', delegation_id: null }]);
    expect(b.serverEvent({ type: 'session.input_transcript.delta', delta: 'hello', start_ms: 0, end_ms: 400 })).toEqual([{ type: 'input_audio_buffer.speech_started' }]);
    expect(b.serverEvent({ type: 'session.input_transcript.delta', delta: ' ', start_ms: 400, end_ms: 410 })).toEqual([]);
  });

  it('turns the backend stream into the GA events the call features act on', () => {
    const { b } = bridge();
    expect(b.serverEvent({ type: 'response.event', delegation_id: 'del_1', event: { type: 'response.created', response: { id: 'resp_1' } } })).toEqual([
      { type: 'response.created', response: { id: 'resp_1' } },
    ]);
    expect(b.serverEvent(call('c1'))).toEqual([
      { type: 'response.output_item.done', response_id: 'resp_1', item: { type: 'function_call', status: 'completed', call_id: 'c1', name: 'end_call', arguments: '{}' } },
    ]);
    expect(b.serverEvent(call('c1'))).toEqual([]); // a repeat is not run twice
    expect(b.serverEvent(ended('completed'))).toEqual([{ type: 'response.done', response: { id: 'resp_1', status: 'completed' } }]);
    expect(b.serverEvent({ type: 'session.output_transcript.delta', delta: 'x', start_ms: 0, end_ms: 1 })).toEqual([]);
  });

  it('sends outputs as response.item.create and holds response.create until the whole batch is answered', () => {
    const { b, sent } = bridge();
    b.serverEvent(call('c1'));
    b.serverEvent(call('c2', 'send_dtmf'));
    expect(b.clientEvent({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'c1', output: '{"ok":true}' } })).toBe(true);
    expect(b.clientEvent({ type: 'response.create' })).toBe(true); // held: c2 has no output yet
    expect(sent).toEqual([{ type: 'response.item.create', item: { type: 'function_call_output', call_id: 'c1', output: '{"ok":true}' } }]);
    b.clientEvent({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'c2', output: '{"ok":true}' } });
    expect(sent.map((e) => e.type)).toEqual(['response.item.create', 'response.item.create', 'response.create']);
    expect(b.status()).toEqual({ outputs: 2, continuations: 1, openCalls: 0, clientDelegationsAnswered: 0 });
  });

  it('continues a complete batch once even when the call features do not ask (a call that leaves), and only once when they do', () => {
    const { b, sent } = bridge();
    b.serverEvent(call('c1'));
    b.clientEvent({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'c1', output: '{"ok":true}' } });
    expect(sent.map((e) => e.type)).toEqual(['response.item.create', 'response.create']);
    expect(b.clientEvent({ type: 'response.create' })).toBe(true); // the features' own ask for the same batch
    expect(sent.map((e) => e.type)).toEqual(['response.item.create', 'response.create']);
    expect(b.status()).toEqual({ outputs: 1, continuations: 1, openCalls: 0, clientDelegationsAnswered: 0 });
  });

  it('drops outputs for calls of a failed backend response, and Realtime-only requests', () => {
    const { b, sent } = bridge();
    b.serverEvent(call('c1'));
    b.serverEvent(ended('failed'));
    expect(b.clientEvent({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'c1', output: '{}' } })).toBe(false);
    expect(b.clientEvent({ type: 'session.update', session: { tools: [] } })).toBe(false);
    expect(sent).toEqual([]);
  });

  it('keeps call control waiting for the reply to the tool outputs: open calls, then the continuation until the voice is heard after a quiet track', () => {
    const { b } = bridge();
    expect(b.replyPending(true)).toBe(false); // nothing delegated: nothing to wait for
    b.serverEvent(call('c1'));
    b.serverEvent(ended('completed'));
    expect(b.replyPending(true)).toBe(true); // the call is open: its reply cannot have started
    b.clientEvent({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'c1', output: '{"ok":true}' } });
    b.clientEvent({ type: 'response.create' });
    // Still speaking something from before the continuation: that is not the reply.
    expect(b.replyPending(false)).toBe(false);
    expect(b.replyPending(true)).toBe(true); // quiet: the reply is still to come
    expect(b.replyPending(false)).toBe(false); // the voice again: the reply is playing
    expect(b.replyPending(true)).toBe(false); // and once it ended, nothing more to wait for
  });

  it('stops waiting for a reply that never comes', () => {
    const { b } = bridge();
    b.serverEvent(call('c1'));
    b.clientEvent({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'c1', output: '{}' } });
    b.clientEvent({ type: 'response.create' });
    const now = Date.now();
    expect(b.replyPending(true, now + 100)).toBe(true);
    expect(b.replyPending(true, now + LIVE_REPLY_WAIT_MS + 100)).toBe(false);
    expect(b.replyPending(true, now + LIVE_REPLY_WAIT_MS + 200)).toBe(false);
  });
});

describe('withDelegationTools', () => {
  const tool = { type: 'function', name: 'end_call', description: 'End the call.', parameters: { type: 'object', properties: {} } };
  it('adds the schemas under responses delegation, keeping the application\'s own tool of the same name', () => {
    const start: LiveSessionStart = { type: 'session.start', session: { model: 'gpt-live-1', delegation: { type: 'responses', responses: { model: 'gpt-5-mini', tools: [{ type: 'function', name: 'lookup', parameters: {} }] } } } };
    const out = withDelegationTools(start, [tool]);
    expect(out.session.delegation).toEqual({ type: 'responses', responses: { model: 'gpt-5-mini', tools: [{ type: 'function', name: 'lookup', parameters: {} }, tool] } });
    expect(start.session.delegation).toMatchObject({ responses: { tools: [{ name: 'lookup' }] } }); // not changed in place
    const mine = { type: 'function', name: 'end_call', description: 'mine', parameters: {} };
    const own: LiveSessionStart = { type: 'session.start', session: { model: 'gpt-live-1', delegation: { type: 'responses', responses: { model: 'gpt-5-mini', tools: [mine] } } } };
    expect(withDelegationTools(own, [tool])).toBe(own);
  });

  it('leaves a client-delegation start alone (the voice model has no tools)', () => {
    const start: LiveSessionStart = { type: 'session.start', session: { model: 'gpt-live-1' } };
    expect(withDelegationTools(start, [tool])).toBe(start);
  });
});
