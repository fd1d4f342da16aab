// EngineShutdown (src/session/engineShutdown.ts): the engine ends once, every step runs whatever the
// one before did, the owner hears `ended` last, and a hook the host never confirms gone does not
// hold the end forever.
import { describe, expect, it } from 'vitest';
import { EngineShutdown, type ShutdownSteps } from '../../src/session/engineShutdown.js';
import { recordingLog } from '../helpers/memoryChannel.js';

function steps(order: string[], overrides: Partial<ShutdownSteps> = {}): ShutdownSteps {
  return {
    first: [
      ['speech stop', () => order.push('speech stop')],
      ['detach', () => order.push('detach')],
    ],
    closeSocket: async () => {
      order.push('close');
    },
    dispose: async () => {
      order.push('dispose');
    },
    ended: (reason) => order.push(`ended: ${reason}`),
    ...overrides,
  };
}

describe('EngineShutdown', () => {
  it('runs the steps in order once, whatever number of causes ask for it; the first reason stands', async () => {
    const order: string[] = [];
    const end = new EngineShutdown('audio stream', recordingLog(), 1000);
    expect(end.ending).toBe(false);
    const first = end.run('stop', steps(order));
    expect(end.ending).toBe(true);
    // Everything up to the first wait runs at once: the hook is detached and the close begun.
    expect(order).toEqual(['speech stop', 'detach', 'close']);
    const second = end.run('hangup', steps(order));
    expect(second).toBe(first);
    end.hookClosed();
    await first;
    expect(order).toEqual(['speech stop', 'detach', 'close', 'dispose', 'ended: stop']);
    expect(end.reason).toBe('stop');
  });

  it('a step that throws is logged and the rest still run; the owner still hears the end', async () => {
    const order: string[] = [];
    const log = recordingLog();
    const end = new EngineShutdown('s2s session', log, 1000);
    end.hookClosed();
    await end.run(
      'internal error',
      steps(order, {
        first: [
          [
            'detach',
            () => {
              throw new Error('boom');
            },
          ],
        ],
        closeSocket: () => Promise.reject(new Error('socket gone')),
      }),
    );
    expect(order).toEqual(['ended: internal error']);
    expect(log.messages('error').map((m) => m.split('\n')[0])).toEqual([
      's2s session teardown (detach): Error: boom',
      's2s session teardown: Error: socket gone',
    ]);
  });

  it('without the host confirming the hook is gone, the end goes on after the wait, and says so', async () => {
    const order: string[] = [];
    const log = recordingLog();
    const end = new EngineShutdown('audio stream', log, 50);
    await end.run('stop', steps(order));
    expect(order.at(-1)).toBe('ended: stop');
    expect(log.messages('warning')).toEqual(['media hook removal not confirmed within 0.05 s']);
  });
});
