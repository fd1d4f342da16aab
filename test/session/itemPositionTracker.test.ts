// What this proves: played samples per item are counted from ring positions, so an item's
// "played ms" is exactly what the media thread consumed, whatever the interleaving of writes.
import { describe, expect, it } from 'vitest';
import { ItemPositionTracker } from '../../src/session/itemPositionTracker.js';

describe('ItemPositionTracker', () => {
  it('counts the part of each item below the played position', () => {
    const t = new ItemPositionTracker();
    t.record(0, 0, 160);
    t.record(0, 160, 160); // contiguous: merged
    t.record(1, 330, 100); // after 10 samples of padding
    expect(t.firstPosition(0)).toBe(0);
    expect(t.writtenSamples(0)).toBe(320);
    expect(t.playedSamples(0, 0)).toBe(0);
    expect(t.playedSamples(0, 200)).toBe(200);
    expect(t.playedSamples(0, 1000)).toBe(320);
    expect(t.playedSamples(1, 325)).toBe(0);
    expect(t.playedSamples(1, 380)).toBe(50);
    expect(t.playedSamples(7, 380)).toBe(0);
  });

  it('handles an item split around another item', () => {
    const t = new ItemPositionTracker();
    t.record(2, 100, 50);
    t.record(3, 150, 50);
    t.record(2, 200, 50);
    expect(t.playedSamples(2, 225)).toBe(75);
    expect(t.playedSamples(3, 225)).toBe(50);
    t.forget(2);
    expect(t.playedSamples(2, 1000)).toBe(0);
    expect(t.size).toBe(1);
  });
});
