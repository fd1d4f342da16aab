// What this proves: the one response.create that continues a Live Responses backend is released
// only once every open call has its output (the service refuses a partial batch), repeats and
// unknown calls send nothing, and a failed backend response discards its calls.
import { describe, expect, it } from 'vitest';
import { FunctionCallBatch } from '../../../src/protocol/live/functionCallBatch.js';
import type { LiveFunctionCall } from '../../../src/protocol/live/liveResponseEvents.js';

const call = (callId: string, responseId = 'resp_1'): LiveFunctionCall => ({ callId, name: 'lookup', arguments: '{}', responseId, delegationId: 'del_1' });

describe('FunctionCallBatch', () => {
  it('continues after a single call is answered', () => {
    const batch = new FunctionCallBatch();
    expect(batch.announce(call('a'))).toBe(true);
    expect(batch.output('a')).toEqual({ action: 'send', continueNow: true });
    expect(batch.pending).toEqual([]);
  });

  it('holds response.create until every call of a parallel batch has its output', () => {
    const batch = new FunctionCallBatch();
    batch.announce(call('a'));
    batch.announce(call('b'));
    batch.announce(call('c'));
    expect(batch.output('b')).toEqual({ action: 'send', continueNow: false });
    expect(batch.output('a')).toEqual({ action: 'send', continueNow: false });
    expect(batch.pending.map((c) => c.callId)).toEqual(['c']);
    expect(batch.output('c')).toEqual({ action: 'send', continueNow: true });
    // The next call starts a new batch.
    batch.announce(call('d', 'resp_2'));
    expect(batch.output('d')).toEqual({ action: 'send', continueNow: true });
  });

  it('sends nothing for repeats and for calls it never saw', () => {
    const batch = new FunctionCallBatch();
    batch.announce(call('a'));
    batch.announce(call('b'));
    expect(batch.announce(call('a'))).toBe(false);
    expect(batch.output('a')).toMatchObject({ action: 'send' });
    expect(batch.output('a')).toEqual({ action: 'drop', reason: 'already answered' });
    expect(batch.output('zzz')).toEqual({ action: 'drop', reason: 'no such open call' });
  });

  it('discards the calls of a failed or incomplete response, which may complete the batch', () => {
    const batch = new FunctionCallBatch();
    batch.announce(call('a', 'resp_1'));
    batch.announce(call('b', 'resp_2'));
    expect(batch.responseEnded('resp_1', 'completed')).toEqual({ dropped: [], continueNow: false });
    expect(batch.responseEnded('resp_2', 'failed')).toEqual({ dropped: [call('b', 'resp_2')], continueNow: false });
    expect(batch.output('b')).toEqual({ action: 'drop', reason: 'its backend response failed or was incomplete' });
    expect(batch.announce(call('b', 'resp_2'))).toBe(false);
    expect(batch.output('a')).toEqual({ action: 'send', continueNow: true });
  });

  it('releases the held response.create when a failure discards the last unanswered call', () => {
    const batch = new FunctionCallBatch();
    batch.announce(call('a', 'resp_1'));
    batch.announce(call('b', 'resp_2'));
    expect(batch.output('a')).toEqual({ action: 'send', continueNow: false });
    expect(batch.responseEnded('resp_2', 'incomplete')).toEqual({ dropped: [call('b', 'resp_2')], continueNow: true });
    expect(batch.pending).toEqual([]);
  });
});
