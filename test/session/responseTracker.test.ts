// ResponseTracker (src/session/responseTracker.ts): which response is active, and which responses
// and items a barge-in cut, so their late deltas are dropped instead of played.
import { describe, expect, it } from 'vitest';
import { ResponseTracker } from '../../src/session/responseTracker.js';

describe('ResponseTracker', () => {
  it('a response is active from response.created to its own response.done', () => {
    const t = new ResponseTracker();
    expect(t.activeResponseId).toBeNull();
    t.created('resp_1');
    t.done('resp_0'); // another response's done does not end this one
    expect(t.activeResponseId).toBe('resp_1');
    t.done('resp_1');
    expect(t.activeResponseId).toBeNull();
    t.created('resp_2');
    t.reset(); // a new connection
    expect(t.activeResponseId).toBeNull();
  });

  it('deltas of an interrupted response or item are dropped; others are not', () => {
    const t = new ResponseTracker();
    t.interrupt('resp_1', ['item_1']);
    expect(t.isDropped('resp_1', 'item_9')).toBe(true);
    expect(t.isDropped(undefined, 'item_1')).toBe(true);
    expect(t.isDropped('resp_2', 'item_2')).toBe(false);
    expect(t.isDropped(undefined, undefined)).toBe(false);
    // The interruption survives a reconnect (late deltas may still be in flight).
    t.reset();
    expect(t.isDropped('resp_1', undefined)).toBe(true);
  });

  it('remembers only the last 32 interrupted ids', () => {
    const t = new ResponseTracker();
    for (let i = 0; i < 40; i++) t.interrupt(`resp_${i}`, []);
    expect(t.isDropped('resp_0', undefined)).toBe(false);
    expect(t.isDropped('resp_8', undefined)).toBe(true);
    expect(t.isDropped('resp_39', undefined)).toBe(true);
  });

  it('a cut response is dropped until the server ends it or announces a new one under its id', () => {
    const t = new ResponseTracker();
    t.interrupt('resp_1', []);
    t.interrupt('resp_2', []);
    t.done('resp_1'); // its last event: nothing of it can follow
    expect(t.isDropped('resp_1', undefined)).toBe(false);
    t.created('resp_2'); // a server reusing the id: a new response
    expect(t.isDropped('resp_2', undefined)).toBe(false);
    expect(t.activeResponseId).toBe('resp_2');
  });

  it('a response whose audio had all arrived before the cut is not dropped; its cut items are', () => {
    const t = new ResponseTracker();
    t.interrupt('resp_1', ['item_1'], true);
    expect(t.isDropped('resp_1', undefined)).toBe(false);
    expect(t.isDropped('resp_1', 'item_1')).toBe(true);
  });
});
