// EngineFaults (src/session/engineFaults.ts): an exception in a session's own code is logged, the
// owner is told once, that session ends, and nothing is thrown back into the caller's stack.
import { describe, expect, it } from 'vitest';
import { EngineFaults } from '../../src/session/engineFaults.js';
import { recordingLog } from '../helpers/memoryChannel.js';

function setup(failed?: (reason: string) => void) {
  const log = recordingLog();
  const ended: string[] = [];
  let ending = false;
  const faults = new EngineFaults({
    label: 'audio stream',
    log,
    ending: () => ending,
    ...(failed ? { failed } : {}),
    shutdown: (reason) => {
      ending = true;
      ended.push(reason);
    },
  });
  return { log, ended, faults };
}

describe('EngineFaults', () => {
  it('contains a throw: logged with the label, the owner told, the session ended, nothing rethrown', () => {
    const told: string[] = [];
    const { log, ended, faults } = setup((reason) => told.push(reason));
    expect(() => faults.contain(() => {
      throw new Error('bug in a handler');
    })).not.toThrow();
    expect(faults.count).toBe(1);
    expect(log.messages('error')).toEqual([expect.stringMatching(/^audio stream failed: .*bug in a handler/)]);
    expect(told).toEqual(['internal error']);
    expect(ended).toEqual(['internal error']);
  });

  it('runs code that does not throw as it is', () => {
    const { ended, faults } = setup();
    let ran = false;
    faults.contain(() => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(faults.count).toBe(0);
    expect(ended).toEqual([]);
  });

  it('a second fault while ending is counted and logged, but ends nothing twice', () => {
    const told: string[] = [];
    const { log, ended, faults } = setup((reason) => told.push(reason));
    faults.fault(new Error('first'));
    faults.fault(new Error('second'));
    expect(faults.count).toBe(2);
    expect(log.messages('error')).toHaveLength(2);
    expect(told).toEqual(['internal error']);
    expect(ended).toEqual(['internal error']);
  });

  it('an owner whose report throws does not stop the end', () => {
    const { log, ended, faults } = setup(() => {
      throw new Error('listener broke');
    });
    faults.fault(new Error('bug'));
    expect(ended).toEqual(['internal error']);
    expect(log.messages('error').some((m) => m.includes('failure report failed') && m.includes('listener broke'))).toBe(true);
  });
});
