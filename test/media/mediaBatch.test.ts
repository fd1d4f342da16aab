// What this proves, with real media threads on a real 20 ms clock: with a batch interval the bridge
// wakes a JS thread at most about once per interval however many calls tick on their own phases,
// and still delivers every frame of every call, in order; with no batch it wakes per frame.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mix, PollBits, loadBridge, loadTestHost, type NativeBridge, type TestHost } from '../../src/bridge.js';

let bridge: NativeBridge;
let host: TestHost;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CALLS = 40;
const buffer = new Int16Array(16384);
const ready = new Int32Array(512);
/** Per channel id: samples read, and whether they kept the test host's counter pattern. */
const received = new Map<number, { samples: number; inOrder: boolean }>();
let wakes = 0;

function onWake(): void {
  wakes++;
  let n: number;
  do {
    n = bridge.drainReady(ready);
    for (let i = 0; i < n; i++) {
      const id = ready[2 * i]!;
      const r = received.get(id);
      if (!r || !(ready[2 * i + 1]! & PollBits.capture)) continue;
      let got: number;
      while ((got = bridge.read(id, buffer)) > 0) {
        for (let k = 0; k < got; k++) if (buffer[k] !== ((r.samples + k) & 0x7fff)) r.inOrder = false;
        r.samples += got;
      }
    }
  } while (n === ready.length / 2);
}

beforeAll(() => {
  bridge = loadBridge();
  host = loadTestHost();
  host.install();
});

afterAll(() => {
  bridge.onWake(() => undefined, 0);
});

/** CALLS channels started about 0.5 ms apart (own phases), run for `ms`; returns wakes per second. */
async function run(batchMs: number, ms: number): Promise<{ wakesPerSecond: number; ids: number[] }> {
  bridge.onWake(onWake, batchMs);
  const ids: number[] = [];
  for (let c = 0; c < CALLS; c++) {
    const uuid = `batch-${batchMs}-${c}`;
    host.createChannel(uuid, { rate: 8000, ptimeMs: 20 });
    const ch = bridge.attach(uuid, 'test', Mix.mono, 1000, 400);
    received.set(ch.id, { samples: 0, inOrder: true });
    bridge.adopt(ch.id);
    ids.push(ch.id);
  }
  for (let c = 0; c < CALLS; c++) {
    host.startMedia(`batch-${batchMs}-${c}`);
    const until = performance.now() + 0.5;
    while (performance.now() < until) {
      // spread the phases
    }
  }
  await sleep(100);
  const before = wakes;
  const t0 = performance.now();
  await sleep(ms);
  const wakesPerSecond = ((wakes - before) * 1000) / (performance.now() - t0);
  for (let c = 0; c < CALLS; c++) host.stopMedia(`batch-${batchMs}-${c}`);
  await sleep(100);
  return { wakesPerSecond, ids };
}

function expectEveryFrame(ids: number[]): void {
  for (const id of ids) {
    const stats = bridge.stats(id)!;
    const r = received.get(id)!;
    expect(stats.captureOverruns).toBe(0);
    expect(r.samples).toBe(stats.framesIn * 160);
    expect(r.inOrder).toBe(true);
    bridge.release(id);
  }
}

describe('media wake-up batching', () => {
  it('with a 10 ms batch: about 100 wake-ups a second for 40 calls, every frame delivered in order', async () => {
    const { wakesPerSecond, ids } = await run(10, 1000);
    // 40 calls × 50 frames = 2,000 frames a second; one batch every ≥ 10 ms (+ the odd command).
    expect(wakesPerSecond).toBeLessThanOrEqual(110);
    expect(wakesPerSecond).toBeGreaterThan(20);
    expectEveryFrame(ids);
  });

  it('without batching: a wake-up per frame or so, every frame delivered in order', async () => {
    const { wakesPerSecond, ids } = await run(0, 1000);
    expect(wakesPerSecond).toBeGreaterThan(200);
    expectEveryFrame(ids);
  });
});
