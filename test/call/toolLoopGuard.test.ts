// What this proves: the tool-loop bound answers `limit` calls in a row, refuses the next one once,
// ignores the rest until the caller is active again, and 0 means no bound.
import { describe, expect, it } from 'vitest';
import { ToolLoopGuard } from '../../src/call/toolLoopGuard.js';

describe('ToolLoopGuard', () => {
  it('answers up to the limit, refuses once, then ignores until the caller is active', () => {
    const g = new ToolLoopGuard(2);
    expect([g.admit(), g.admit(), g.admit(), g.admit(), g.admit()]).toEqual(['answer', 'answer', 'refuse-once', 'ignore', 'ignore']);
    expect(g.status()).toEqual({ maxRoundTrips: 2, consecutiveRoundTrips: 2, roundTrips: 2, loopsStopped: 1, stoppedNow: true });
    g.callerActive();
    expect([g.admit(), g.admit(), g.admit()]).toEqual(['answer', 'answer', 'refuse-once']);
    expect(g.status()).toMatchObject({ roundTrips: 4, loopsStopped: 2 });
    expect(JSON.parse(g.unavailableOutput()).error).toContain('2 function calls in a row without the caller speaking');
  });

  it('0 is no bound', () => {
    const g = new ToolLoopGuard(0);
    for (let i = 0; i < 1000; i++) expect(g.admit()).toBe('answer');
  });
});
