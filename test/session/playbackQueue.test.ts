// What this proves: the playback queue is a FIFO that keeps each sample's item tag, grows up to
// its bound, drops (and counts) the NEWEST samples on overflow, and clears at once (barge-in).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlaybackQueue, SILENCE_TAG } from '../../src/session/playbackQueue.js';

const ramp = (from: number, n: number) => Int16Array.from({ length: n }, (_, i) => (from + i) & 0x7fff);

function drain(q: PlaybackQueue, chunk: number): Array<{ tag: number; samples: number[] }> {
  const out = new Int16Array(chunk);
  const runs: Array<{ tag: number; samples: number[] }> = [];
  while (q.length > 0) {
    const tag = q.headTag!;
    const n = q.readRun(out, chunk);
    const last = runs[runs.length - 1];
    if (last && last.tag === tag) last.samples.push(...out.subarray(0, n));
    else runs.push({ tag, samples: Array.from(out.subarray(0, n)) });
  }
  return runs;
}

describe('PlaybackQueue', () => {
  it('#push/#readRun keep order and tags, one run per read', () => {
    const q = new PlaybackQueue(8000, 1);
    q.push(ramp(0, 100), 100, 0);
    q.push(ramp(100, 50), 50, 0);
    q.pushSilence(10);
    q.push(ramp(150, 30), 30, 1);
    expect(q.length).toBe(190);
    const out = new Int16Array(1000);
    expect(q.headTag).toBe(0);
    expect(q.readRun(out, 1000)).toBe(150); // stops at the tag change
    expect(Array.from(out.subarray(0, 150))).toEqual(Array.from(ramp(0, 150)));
    expect(q.headTag).toBe(SILENCE_TAG);
    expect(q.readRun(out, 1000)).toBe(10);
    expect(Array.from(out.subarray(0, 10))).toEqual(new Array(10).fill(0));
    expect(q.readRun(out, 7)).toBe(7);
    expect(q.headTag).toBe(1);
    expect(q.readRun(out, 1000)).toBe(23);
    expect(q.length).toBe(0);
    expect(q.headTag).toBeUndefined();
  });

  it('drops the newest samples beyond the bound and counts them', () => {
    const q = new PlaybackQueue(1000, 1); // 1000 samples max
    expect(q.push(ramp(0, 700), 700, 0)).toBe(700);
    expect(q.push(ramp(700, 700), 700, 1)).toBe(300);
    expect(q.droppedSamples).toBe(400);
    expect(q.length).toBe(1000);
    const runs = drain(q, 64);
    expect(runs.map((r) => [r.tag, r.samples.length])).toEqual([[0, 700], [1, 300]]);
    expect(runs[1]!.samples).toEqual(Array.from(ramp(700, 300)));
  });

  it('clear() empties at once and the queue is reusable', () => {
    const q = new PlaybackQueue(8000);
    q.push(ramp(0, 5000), 5000, 3);
    q.clear();
    expect(q.length).toBe(0);
    q.push(ramp(9, 5), 5, 4);
    expect(drain(q, 100)).toEqual([{ tag: 4, samples: Array.from(ramp(9, 5)) }]);
  });

  it('behaves like an array FIFO under random pushes and reads (ring wrap and growth)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 3000 }), tag: fc.integer({ min: -1, max: 3 }) }), fc.record({ read: fc.integer({ min: 1, max: 4000 }) })), {
          maxLength: 60,
        }),
        (ops) => {
          const q = new PlaybackQueue(1000, 10); // 10 000 samples max, starts at 2 000
          const model: Array<{ v: number; tag: number }> = [];
          let next = 0;
          let dropped = 0;
          const out = new Int16Array(4000);
          for (const op of ops) {
            if ('push' in op) {
              const data = ramp(next, op.push);
              next += op.push;
              const accepted = q.push(data, op.push, op.tag);
              expect(accepted).toBe(Math.min(op.push, 10_000 - model.length));
              dropped += op.push - accepted;
              for (let i = 0; i < accepted; i++) model.push({ v: data[i]!, tag: op.tag });
            } else {
              const tag = q.headTag;
              const n = q.readRun(out, op.read);
              const expected = model.splice(0, n);
              expect(expected.every((m) => m.tag === tag)).toBe(true);
              expect(Array.from(out.subarray(0, n))).toEqual(expected.map((m) => m.v));
              if (model.length > 0 && n < op.read) expect(model[0]!.tag).not.toBe(tag);
            }
            expect(q.length).toBe(model.length);
          }
          expect(q.droppedSamples).toBe(dropped);
        },
      ),
    );
  });
});
