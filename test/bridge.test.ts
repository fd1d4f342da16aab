// What this proves: the bridge's rings carry audio between a real native media thread on a real
// 20 ms clock and JS without losing or reordering a frame; the media thread never waits for JS
// (not even while JS is stuck in a loop); overruns and underruns are counted; a hangup while JS
// holds the channel frees it exactly once; API commands get exactly one reply, or a timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostError, Mix, PlaybackMode, PollBits, hostErrorOf, loadBridge, loadTestHost, type HostErrorValue, type NativeBridge, type TestHost } from '../src/bridge.js';

let bridge: NativeBridge;
let host: TestHost;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything JS read from one channel, as one array. */
class Collector {
  readonly chunks: Int16Array[] = [];
  total = 0;
  add(buf: Int16Array, n: number): void {
    this.chunks.push(buf.slice(0, n));
    this.total += n;
  }
  all(): Int16Array {
    const out = new Int16Array(this.total);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

const collectors = new Map<number, Collector>();
const buffer = new Int16Array(16384);
/** Every [id, bits] pair the wake-ups drained from the ready list, in order. */
const drained: Array<[number, number]> = [];

beforeAll(() => {
  bridge = loadBridge();
  host = loadTestHost();
  host.install();
  bridge.onWake(() => {
    // As the media pump does: only the channels the media threads queued as ready.
    const ready = new Int32Array(64);
    let n: number;
    do {
      n = bridge.drainReady(ready);
      for (let i = 0; i < n; i++) {
        drained.push([ready[2 * i]!, ready[2 * i + 1]!]);
        const col = collectors.get(ready[2 * i]!);
        if (!col || !(ready[2 * i + 1]! & PollBits.capture)) continue;
        let got: number;
        while ((got = bridge.read(ready[2 * i]!, buffer)) > 0) col.add(buffer, got);
      }
    } while (n === 32);
  });
});

afterAll(() => {
  for (const id of collectors.keys()) bridge.release(id);
});

function expectCounterPattern(samples: Int16Array, startAt: number): void {
  for (let i = 0; i < samples.length; i++) {
    if (samples[i] !== ((startAt + i) & 0x7fff)) {
      throw new Error(`sample ${i}: expected ${(startAt + i) & 0x7fff}, got ${samples[i]}`);
    }
  }
}

describe('capture ring', () => {
  it('delivers every frame of a 20 ms media thread in order', async () => {
    host.createChannel('cap-1', { rate: 8000, ptimeMs: 20 });
    const ch = bridge.attach('cap-1', 'test', Mix.mono, 400, 400);
    expect(ch.sampleRate).toBe(8000);
    expect(ch.frameSamples).toBe(160);
    const col = new Collector();
    collectors.set(ch.id, col);
    bridge.adopt(ch.id);
    host.startMedia('cap-1');
    await sleep(1000);
    host.stopMedia('cap-1');
    await sleep(50);
    const stats = bridge.stats(ch.id)!;
    expect(stats.framesIn).toBeGreaterThan(30);
    expect(stats.captureOverruns).toBe(0);
    expect(col.total).toBe(stats.framesIn * 160);
    expectCounterPattern(col.all(), 0);
    collectors.delete(ch.id);
    bridge.release(ch.id);
    host.removeChannel('cap-1');
  });

  it('keeps the media thread running while JS is stuck, counting overruns instead of waiting', async () => {
    host.createChannel('cap-2', { rate: 16000, ptimeMs: 20 });
    const ch = bridge.attach('cap-2', 'test', Mix.mono, 200, 200); // room for ~200 ms
    const col = new Collector();
    collectors.set(ch.id, col);
    bridge.adopt(ch.id);
    host.startMedia('cap-2');
    await sleep(200);
    const before = host.mediaStats('cap-2')!.ticks;
    const until = Date.now() + 700;
    while (Date.now() < until) {
      // JS stuck for 700 ms: the ring (≈200 ms) must overflow, the media thread must not notice.
    }
    const during = host.mediaStats('cap-2')!;
    expect(during.ticks - before).toBeGreaterThanOrEqual(25); // ~35 ticks happened while JS was stuck
    expect(during.maxCallUs).toBeLessThan(100_000); // never blocked for anything like the 700 ms stall
    await sleep(300);
    host.stopMedia('cap-2');
    await sleep(50);
    const stats = bridge.stats(ch.id)!;
    expect(stats.captureOverruns).toBeGreaterThan(0);
    // What did arrive is whole frames, in order, with one gap where frames were dropped.
    const all = col.all();
    expect(all.length % 320).toBe(0);
    let gaps = 0;
    for (let f = 1; f < all.length / 320; f++) {
      const prev = all[(f - 1) * 320]!;
      const cur = all[f * 320]!;
      if (((prev + 320) & 0x7fff) !== cur) gaps++;
    }
    expect(gaps).toBe(1);
    collectors.delete(ch.id);
    bridge.release(ch.id);
    host.removeChannel('cap-2');
  });
});

describe('playback ring', () => {
  it('plays what JS writes, whole frames only; an empty ring is silence, an underrun or a server gap as JS said', async () => {
    host.createChannel('play-1', { rate: 8000, ptimeMs: 20, recordMs: 3000 });
    const ch = bridge.attach('play-1', 'test', Mix.mono, 400, 1000);
    const tone = new Int16Array(8000 / 2); // 500 ms
    for (let i = 0; i < tone.length; i++) tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
    expect(bridge.write(ch.id, tone)).toBe(tone.length);
    bridge.setPlaybackMode(ch.id, PlaybackMode.idle);
    host.startMedia('play-1');
    await sleep(800);
    let stats = bridge.stats(ch.id)!;
    expect(stats.framesOut).toBe(25);
    expect(stats.underruns).toBe(0); // idle after the tone: silence, not underruns
    expect(stats.serverGaps).toBe(0);
    bridge.setPlaybackMode(ch.id, PlaybackMode.awaitingServer);
    await sleep(200);
    stats = bridge.stats(ch.id)!;
    expect(stats.serverGaps).toBeGreaterThan(3); // an answer streaming, its audio not here yet
    expect(stats.underruns).toBe(0);
    bridge.setPlaybackMode(ch.id, PlaybackMode.queued);
    await sleep(200);
    host.stopMedia('play-1');
    stats = bridge.stats(ch.id)!;
    expect(stats.underruns).toBeGreaterThan(3); // JS said it held audio: the gap is ours
    expect(Array.from(host.played('play-1')!)).toEqual(Array.from(tone));
    bridge.release(ch.id);
    host.removeChannel('play-1');
  });

  it('flush drops queued audio before the next frame (barge-in)', async () => {
    host.createChannel('play-2', { rate: 8000, ptimeMs: 20, recordMs: 3000 });
    const ch = bridge.attach('play-2', 'test', Mix.mono, 400, 2000);
    const ramp = new Int16Array(8000); // 1 s of distinct values
    for (let i = 0; i < ramp.length; i++) ramp[i] = i + 1;
    bridge.write(ch.id, ramp);
    host.startMedia('play-2');
    await sleep(300);
    const playedAtFlush = bridge.flushPlayback(ch.id);
    await sleep(300);
    host.stopMedia('play-2');
    const played = host.played('play-2')!;
    // At most one frame went out after the flush was requested.
    expect(played.length - playedAtFlush).toBeLessThanOrEqual(160);
    expect(played.length).toBeLessThan(ramp.length);
    expect(Array.from(played)).toEqual(Array.from(ramp.subarray(0, played.length)));
    const info = new Float64Array(4);
    bridge.playbackInfo(ch.id, info);
    expect(info[0]).toBe(0);
    bridge.release(ch.id);
    host.removeChannel('play-2');
  });
});

describe('channel lifetime', () => {
  it('a hangup while JS holds the channel closes it; the record is freed after both references go', async () => {
    await sleep(30); // earlier tests' records leave the ready list at a wake-up's drain
    const before = bridge.counters().liveChannels;
    host.createChannel('life-1', { rate: 8000, ptimeMs: 20 });
    const ch = bridge.attach('life-1', 'test', Mix.mono, 400, 400);
    bridge.adopt(ch.id);
    host.startMedia('life-1');
    await sleep(100);
    host.hangup('life-1');
    expect(bridge.poll(ch.id) & PollBits.closed).toBe(PollBits.closed);
    expect(bridge.write(ch.id, new Int16Array(160))).toBe(0); // writes to a closed record are no-ops
    expect(bridge.counters().liveChannels).toBe(before + 1); // JS still holds it
    expect(bridge.release(ch.id)).toBe(true);
    expect(bridge.poll(ch.id)).toBe(-1);
    // The ready list's own reference goes at the next wake-up's drain.
    await sleep(50);
    expect(bridge.counters().liveChannels).toBe(before);
    host.removeChannel('life-1');
  });

  it('refuses a second hook on the same channel and an unknown channel', () => {
    host.createChannel('life-2');
    const ch = bridge.attach('life-2', 'test', Mix.mono, 400, 400);
    expect(() => bridge.attach('life-2', 'test', Mix.mono, 400, 400)).toThrow(/already attached/);
    // JS decides on the host's error code, not on the wording (native/host.h's oair_host_error).
    const codeOf = (fn: () => unknown): HostErrorValue | 'no error' => {
      try {
        fn();
        return 'no error';
      } catch (err) {
        return hostErrorOf(err);
      }
    };
    expect(codeOf(() => bridge.attach('life-2', 'test', Mix.mono, 400, 400))).toBe(HostError.alreadyAttached);
    expect(() => bridge.attach('nope', 'test', Mix.mono, 400, 400)).toThrow(/no such channel/);
    expect(codeOf(() => bridge.attach('nope', 'test', Mix.mono, 400, 400))).toBe(HostError.failed);
    bridge.detach(ch.id);
    bridge.release(ch.id);
    host.removeChannel('life-2');
  });
});

describe('ready list', () => {
  it('wakes JS with the channels that have news only, each once per drain, and with the hangup', async () => {
    host.createChannel('ready-busy', { rate: 8000, ptimeMs: 20 });
    host.createChannel('ready-idle', { rate: 8000, ptimeMs: 20 });
    const busy = bridge.attach('ready-busy', 'test', Mix.mono, 400, 400);
    const idle = bridge.attach('ready-idle', 'test', Mix.mono, 400, 400);
    bridge.adopt(busy.id);
    bridge.adopt(idle.id);
    collectors.set(busy.id, new Collector());
    await sleep(30); // the adopt signals drain
    drained.length = 0;
    host.startMedia('ready-busy');
    await sleep(400);
    const busyPairs = drained.filter(([id]) => id === busy.id);
    // About 20 frames: the channel came up with its audio at least half of the times, and never more
    // often than its media thread signalled (once per frame; a drain may find a frame already read).
    expect(busyPairs.filter(([, bits]) => (bits & PollBits.capture) !== 0).length).toBeGreaterThanOrEqual(10);
    expect(busyPairs.length).toBeLessThanOrEqual(bridge.stats(busy.id)!.framesIn);
    expect(drained.some(([id]) => id === idle.id)).toBe(false); // a silent channel costs no wake-up work
    expect(collectors.get(busy.id)!.total).toBeGreaterThanOrEqual(160 * 15);
    host.hangup('ready-idle');
    await sleep(30);
    const idlePairs = drained.filter(([id]) => id === idle.id);
    expect(idlePairs.length).toBe(1);
    expect(idlePairs[0]![1] & PollBits.closed).toBe(PollBits.closed);
    host.hangup('ready-busy');
    collectors.delete(busy.id);
    bridge.release(busy.id);
    bridge.release(idle.id);
    host.removeChannel('ready-busy');
    host.removeChannel('ready-idle');
  });
});

describe('command queue', () => {
  it('answers each API command once, and times out when JS does not answer', async () => {
    bridge.serveCommands((id, api, args) => {
      if (args === 'silent') return; // never answered: the API thread must time out
      setTimeout(() => bridge.reply(id, `+OK ${api} ${args}\n`), 5);
    });
    const replies = await Promise.all([1, 2, 3, 4, 5].map((i) => host.command('test_api', `arg${i}`, 2000)));
    expect(replies).toEqual([1, 2, 3, 4, 5].map((i) => `+OK test_api arg${i}\n`));
    expect(await host.command('test_api', 'silent', 200)).toBe('-ERR timeout\n');
    expect(bridge.counters().commandTimeouts).toBeGreaterThanOrEqual(1);
  });
});
