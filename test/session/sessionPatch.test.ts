// What this proves: the configuration replayed after a reconnect is what the server holds after
// the same updates — nested fields merge (a later voice keeps an earlier input format), arrays and
// null replace — and neither input is changed.
import { describe, expect, it } from 'vitest';
import { mergeSessionPatch } from '../../src/session/sessionPatch.js';

describe('mergeSessionPatch', () => {
  it('merges nested objects the way the server applies session.update', () => {
    const profile = { type: 'realtime', instructions: 'A', audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' }, voice: 'marin' } } };
    const app = { type: 'realtime', audio: { output: { voice: 'cedar' } }, tools: [{ type: 'function', name: 'f' }] };
    expect(mergeSessionPatch(profile, app)).toEqual({
      type: 'realtime',
      instructions: 'A',
      audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' }, voice: 'cedar' } },
      tools: [{ type: 'function', name: 'f' }],
    });
  });

  it('arrays and null replace; the inputs are not modified', () => {
    const base = { tools: [{ name: 'a' }, { name: 'b' }], audio: { input: { turn_detection: { type: 'server_vad' } } } };
    const frozen = JSON.stringify(base);
    const patch = { tools: [], audio: { input: { turn_detection: null } } };
    const out = mergeSessionPatch(base, patch);
    expect(out).toEqual({ tools: [], audio: { input: { turn_detection: null } } });
    expect(JSON.stringify(base)).toBe(frozen);
    (out.tools as unknown[]).push(1);
    expect(patch.tools).toEqual([]);
    expect(mergeSessionPatch(null, { type: 'realtime' })).toEqual({ type: 'realtime' });
  });
});
