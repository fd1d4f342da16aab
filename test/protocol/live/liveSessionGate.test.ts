// What this proves: nothing but session.start leaves before session.started (application events
// wait in order, up to a bound, then get a reason; audio is dropped); a refused start ends the
// stream with its error, fatal for credential/quota/model codes; errors during the session end it
// only when fatal; close sends session.close with a 5 s wait, and session.closed ends the session
// with the server's reason and usage.
import { describe, expect, it } from 'vitest';
import { LiveSessionGate, isFatalLiveError } from '../../../src/protocol/live/liveSessionGate.js';
import { commentaryAppend, inputAudioAppend, inputAudioMute, sessionStart } from '../../../src/protocol/live/liveClientBuilders.js';
import type { LiveServerEvent } from '../../../src/protocol/live/liveTypes.js';

const started: LiveServerEvent = { type: 'session.started', event_id: 'e1', session: { id: 'live_1', expires_at: 2_000_000_000, model: 'gpt-live-1', status: 'active' } };
const error = (code: string): LiveServerEvent => ({ type: 'error', event_id: 'e2', error: { type: 'invalid_request_error', code, message: 'm' } });

describe('LiveSessionGate', () => {
  it('holds application events until session.started, drops early audio, then flushes in order', () => {
    const gate = new LiveSessionGate();
    const greet = commentaryAppend('Greet the caller.');
    const mute = inputAudioMute();
    expect(gate.submit(greet)).toEqual({ action: 'queued' });
    expect(gate.start(sessionStart({ model: 'gpt-live-1' }))).toEqual({ send: sessionStart({ model: 'gpt-live-1' }) });
    expect(gate.submit(inputAudioAppend('AAAA'))).toEqual({ action: 'drop' });
    expect(gate.submit(mute)).toEqual({ action: 'queued' });
    expect(gate.state).toBe('starting');
    expect(gate.serverEvent(started)).toEqual([{ kind: 'started', flush: [greet, mute] }]);
    expect(gate.state).toBe('active');
    expect(gate.submit(inputAudioAppend('AAAA'))).toEqual({ action: 'send' });
    expect(gate.droppedAudioAppends).toBe(1);
  });

  it('refuses past the bound and refuses a second start', () => {
    const gate = new LiveSessionGate({ maxQueued: 2 });
    gate.start(sessionStart({ model: 'gpt-live-1' }));
    gate.submit(commentaryAppend('a'));
    gate.submit(commentaryAppend('b'));
    expect(gate.submit(commentaryAppend('c'))).toEqual({ action: 'refuse', reason: 'the session has not started yet and 2 events are already waiting' });
    expect(gate.start(sessionStart({ model: 'gpt-live-1' }))).toEqual({ refuse: 'the session has already been started' });
    expect(gate.submit(sessionStart({ model: 'gpt-live-1' }))).toMatchObject({ action: 'refuse' });
  });

  it('ends the stream when the start is refused, fatal for credentials, quota and model', () => {
    const unknown = new LiveSessionGate();
    unknown.start(sessionStart({ model: 'gpt-live-1' }));
    unknown.submit(commentaryAppend('held'));
    expect(unknown.serverEvent(error('unknown_parameter'))).toEqual([{ kind: 'start_failed', error: { type: 'invalid_request_error', code: 'unknown_parameter', message: 'm' }, fatal: false }]);
    expect(unknown.state).toBe('ended');
    expect(unknown.serverEvent(started)).toEqual([]);
    const noModel = new LiveSessionGate();
    noModel.start(sessionStart({ model: 'gpt-live-1' }));
    expect(noModel.serverEvent(error('model_not_found'))).toMatchObject([{ kind: 'start_failed', fatal: true }]);
    expect(['invalid_api_key', 'insufficient_quota', 'credit_balance_exhausted', 'invalid_model'].every((code) => isFatalLiveError({ code }))).toBe(true);
    expect(isFatalLiveError({ code: null })).toBe(false);
  });

  it('reports errors during the session and ends it only for fatal ones', () => {
    const gate = new LiveSessionGate();
    gate.start(sessionStart({ model: 'gpt-live-1' }));
    gate.serverEvent(started);
    expect(gate.serverEvent(error('invalid_value'))).toMatchObject([{ kind: 'error', fatal: false }]);
    expect(gate.state).toBe('active');
    expect(gate.serverEvent(error('insufficient_quota'))).toMatchObject([{ kind: 'error', fatal: true }]);
    expect(gate.state).toBe('ended');
  });

  it('closes with session.close and a 5 s wait, ending on session.closed with reason and usage', () => {
    const gate = new LiveSessionGate();
    gate.start(sessionStart({ model: 'gpt-live-1' }));
    gate.serverEvent(started);
    expect(gate.close()).toEqual({ send: { type: 'session.close' }, waitMs: 5000 });
    expect(gate.state).toBe('closing');
    expect(gate.submit(commentaryAppend('late'))).toEqual({ action: 'refuse', reason: 'the session is closing' });
    expect(gate.close()).toBeNull();
    expect(gate.serverEvent({ type: 'session.closed', reason: 'close_requested', usage: { seconds: 42.5 } })).toEqual([{ kind: 'ended', reason: 'close_requested', usageSeconds: 42.5 }]);
    expect(gate.submit(commentaryAppend('after'))).toEqual({ action: 'refuse', reason: 'the session has ended' });
  });

  it('has nothing to close before the session started, and ends on the server’s own session.closed', () => {
    const early = new LiveSessionGate();
    early.start(sessionStart({ model: 'gpt-live-1' }));
    expect(early.close()).toBeNull();
    expect(early.state).toBe('ended');
    const expired = new LiveSessionGate();
    expired.start(sessionStart({ model: 'gpt-live-1' }));
    expired.serverEvent(started);
    expect(expired.serverEvent({ type: 'session.closed', reason: 'expired' })).toEqual([{ kind: 'ended', reason: 'expired', usageSeconds: undefined }]);
  });
});
