// What this proves: the uplink backlog policy (uplink-backlog-ms) admits caller audio only while
// what already waits in the socket is worth less than the limit in the current encoding, counts
// every dropped chunk and its duration, and tells the engine when a stall starts and ends (so the
// log gets one line each, not one per chunk).
import { describe, expect, it } from 'vitest';
import { UplinkBacklog } from '../../src/session/uplinkBacklog.js';

describe('UplinkBacklog', () => {
  it('caps the socket backlog at limitMs worth of chunks, counts drops, reports each stall once', () => {
    const b = new UplinkBacklog(100, 20); // 100 ms of 20 ms chunks
    expect(b.capBytes(1000)).toBe(5000);
    expect(b.admit(1000, 0)).toBe('send');
    expect(b.admit(1000, 5000)).toBe('send');
    expect(b.admit(1000, 5001)).toBe('drop-first');
    expect(b.admit(1000, 9000)).toBe('drop');
    expect(b.admit(1000, 9000)).toBe('drop');
    expect(b.dropping).toBe(true);
    expect(b.admit(1000, 100)).toBe('send-after-drops');
    expect(b.takeEpisodeDroppedMs()).toBe(60);
    expect(b.admit(1000, 100)).toBe('send');
    expect(b.admit(1000, 7000)).toBe('drop-first');
    expect([b.droppedChunks, b.droppedMs, b.episodes, b.maxBufferedBytes]).toEqual([4, 80, 2, 9000]);
  });

  it('scales with the encoding: G.711 chunks are smaller, so is the cap', () => {
    const pcm = new UplinkBacklog(5000, 20);
    const g711 = new UplinkBacklog(5000, 20);
    expect(pcm.capBytes(1325)).toBeGreaterThan(g711.capBytes(261));
    expect(g711.capBytes(261)).toBe(65_250);
  });
});
