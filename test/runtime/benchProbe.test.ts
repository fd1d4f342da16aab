// What this proves: the runtime's bench mode (OAIR_BENCH_PROBE, src/runtime/benchProbe.ts) works in
// the embedded runtime, with and without worker threads — every JS thread writes its histograms
// when the runtime stops, the uplink records one sample per append that reached the socket, the
// downlink the starts of the answers, GC pauses are observed — and calls behave as without it.
// Figures are not asserted (benchmarks print them); their presence and counts are.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { speechBursts } from '../helpers/callerAudio.js';
import { runHostSimulator, simulatorBinary } from '../helpers/hostSimulator.js';

interface Histogram {
  total: number;
  maxMs: number;
}
interface ProbeFile {
  tid: number;
  channels: number;
  uplink: Histogram;
  uplinkWake: Histogram;
  uplinkSend: Histogram;
  downlink: Histogram;
  gc: Histogram;
}

let dir: string;
let sim: RealtimeSimulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oair-probe-'));
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 600 } });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(simulatorBinary))('bench probe', () => {
  it.each([1, 2])('workers %i: each JS thread writes its latency and GC histograms', async (workers) => {
    const probeDir = mkdtempSync(join(dir, `probe-${workers}-`));
    const config = join(dir, `w${workers}.conf.xml`);
    writeFileSync(config, `<configuration name="openai_realtime.conf"><settings><param name="workers" value="${workers}"/></settings></configuration>\n`);
    const run = await runHostSimulator({
      caller: speechBursts(8000, 3000, [{ atMs: 300, ms: 600 }]),
      url: sim.url,
      channels: 2,
      tailMs: 200,
      config,
      script: ['0 start ${url} mono'],
      env: { OAIR_BENCH_PROBE: probeDir },
    });
    expect(run.code).toBe(0);
    expect(run.events('mod_openai_audio_stream::connect')).toHaveLength(2);
    const files = readdirSync(probeDir).filter((f) => f.startsWith('probe-'));
    expect(files).toHaveLength(workers === 1 ? 1 : workers + 1); // + the routing main thread
    const probes = files.map((f) => JSON.parse(readFileSync(join(probeDir, f), 'utf8')) as ProbeFile);
    const withCalls = probes.filter((p) => p.channels > 0);
    expect(withCalls.map((p) => p.channels).reduce((a, b) => a + b)).toBe(2);
    const sum = (key: 'uplink' | 'uplinkSend' | 'uplinkWake' | 'downlink'): number => probes.reduce((a, p) => a + p[key].total, 0);
    // Every append that left got a capture → socket sample; the wake-up part counts frames read.
    expect(sum('uplink')).toBeGreaterThan(50);
    expect(sum('uplinkSend')).toBe(sum('uplink'));
    expect(sum('uplinkWake')).toBeGreaterThanOrEqual(sum('uplink'));
    expect(sum('downlink')).toBeGreaterThanOrEqual(2); // each call's answer started
    for (const p of probes) expect(p.tid).toBeGreaterThan(0);
  });
});
