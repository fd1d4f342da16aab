/**
 * `npm run bench`: every figure of issue 7 in ONE table (also written as JSON to build/bench/results.json).
 *
 *   npm run bench                    everything (~20 min on a 2-core machine)
 *   npm run bench -- --quick         shorter calls, fewer rounds (a smoke run, not for the README)
 *   npm run bench -- --only micro    resamplers and codecs only (~1 min)
 *   npm run bench -- --only capacity
 *   npm run bench -- --nice=-10      on a shared machine (needs root): the simulators at nice −10
 *
 * Capacity runs need build-native/oair-sim (npm run build:native); the speexdsp reference needs cc
 * and libspeexdsp-dev (scripts/setup.sh). Missing pieces are skipped and said so in the table.
 * Benchmarks print figures; no test asserts any of them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCapacity, type CapacityResult } from './capacity/capacityRun.js';
import { launchRealtimeSim, type LaunchedSim } from './capacity/simLauncher.js';
import { machineLoad } from './lib/procStats.js';
import { Table } from './lib/table.js';
import { benchCodecs } from './micro/codecBench.js';
import { benchResamplers, type ResamplerRow } from './micro/resamplerBench.js';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const outDir = join(repoRoot, 'build', 'bench');
const simulatorBinary = join(repoRoot, process.env.OAIR_SIM_BINARY ?? 'build-native/oair-sim');

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'sim-processes': { type: 'string', default: '1' },
    // On a shared machine: run the host and realtime simulators at this nice level (e.g. -10).
    nice: { type: 'string' },
  },
});
const quick = values.quick;
const doMicro = values.only === undefined || values.only === 'micro';
const doCapacity = values.only === undefined || values.only === 'capacity';
const cores = availableParallelism();
/** Media threads at SCHED_FIFO like FreeSWITCH -rp, when chrt works here. */
let realtime = false;
/** Nice level of the bench's processes when the machine lets us raise it (root), else undefined. */
let nice: number | undefined;
/** CPU ms per call-second of the host simulator with no stream (its own media work), once measured. */
let hostOwnMs = NaN;

const table = new Table(['section', 'measure', 'value', 'ratio / note']);
const results: Record<string, unknown> = { startedAt: new Date().toISOString(), cores, loadBefore: machineLoad().load1 };
const log = (m: string): void => console.error(`[bench] ${m}`);

function f(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

// ───────────────────────────────────────────── resamplers and codecs
function buildSpeexHelper(): string | null {
  const out = join(outDir, 'speexdsp-bench');
  try {
    execFileSync('cc', ['-O2', '-o', out, join(repoRoot, 'bench', 'native', 'speexdspBench.c'), '-lspeexdsp'], { stdio: 'pipe' });
    return out;
  } catch (err) {
    log(`speexdsp helper not built (cc and libspeexdsp-dev needed): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return null;
  }
}

function micro(): void {
  const helper = buildSpeexHelper();
  if (helper === null) {
    table.row('resampler', 'speexdsp reference', 'skipped', 'cc + libspeexdsp-dev missing');
  } else {
    log('resamplers: speed (best of rounds) and quality, TypeScript / WebAssembly / speexdsp');
    const rows = benchResamplers(helper, quick ? 2 : 4, quick ? 80 : 150);
    results.resamplers = rows;
    const ref = (r: ResamplerRow, quality: number): ResamplerRow =>
      rows.find((x) => x.inRate === r.inRate && x.outRate === r.outRate && x.impl === 'speexdsp' && x.quality === quality)!;
    for (const r of rows) {
      const speex5 = ref(r, 5);
      const pair = `${r.inRate / 1000}k→${r.outRate / 1000}k`;
      const value = `${f(r.nsPerSample)} ns/sample · SNR ${f(r.q.snrDb)} dB · stopband ${f(r.q.stopbandDb)} dB (${f(r.q.stopbandPast5Db)} past 5 %) · flat to ${f(r.q.passband, 2)}`;
      const note = r.impl === 'speexdsp' && r.quality === 5 ? 'reference' : `time ×${f(r.nsPerSample / speex5.nsPerSample, 2)} of speexdsp q5`;
      table.row('resampler', `${pair} ${r.impl} q${r.quality}`, value, note);
    }
  }
  log('codecs');
  const codecs = benchCodecs(quick ? 2 : 3, quick ? 60 : 120);
  results.codecs = codecs;
  for (const c of codecs) {
    table.row('codec', `${c.name} (${c.block}-sample blocks)`, `${f(c.nsPerSample, 2)} ns/sample`, `${f(1000 / c.nsPerSample, 0)} M samples/s`);
  }
  table.row('micro', 'runtime', `Node ${process.version}`, 'tooling Node; the embedded runtime (Node 18) runs the same code');
}

// ───────────────────────────────────────────── capacity
interface Series {
  label: string;
  rate: number;
  workers: number;
  deflate: boolean;
  /** Host simulator pinned to these CPUs (taskset). */
  cpus?: string;
  /** Its session thread then moved to these CPUs: the module's session work on a core of its own. */
  sessionCpus?: string;
  /** Call counts to try, in order, up to the first failure (default: the general ladder). */
  steps?: number[];
}

interface SeriesResult {
  series: Series;
  runs: CapacityResult[];
  best: CapacityResult | null;
  failed: CapacityResult | null;
}

function startRealtimeSim(processes: number, more: { tls?: boolean; cpus?: string } = {}): Promise<LaunchedSim> {
  return launchRealtimeSim({
    script: join(outDir, 'bench', 'capacity', 'realtimeSimServer.js'),
    voiceDir: join(repoRoot, 'assets', 'voice'),
    processes,
    ...more,
    ...(nice !== undefined ? { nice } : {}),
  });
}

async function search(series: Series, sim: LaunchedSim): Promise<SeriesResult> {
  const steps = series.steps ?? (quick ? [25, 100, 200] : [25, 50, 100, 150, 200, 300, 400, 600, 800, 1000]);
  const seconds = quick ? 10 : 14;
  const runs: CapacityResult[] = [];
  let best: CapacityResult | null = null;
  let failed: CapacityResult | null = null;
  for (const channels of steps) {
    let r: CapacityResult | null = null;
    // A failed step runs once more: other people's work on a shared machine can spoil one run.
    for (let attempt = 0; attempt < 2 && (r === null || !r.pass); attempt++) {
      log(`${series.label}: ${channels} calls${attempt ? ' (again)' : ''} (load ${f(machineLoad().load1, 2)})`);
      r = await runCapacity({
        channels,
        rate: series.rate,
        workers: series.workers,
        seconds,
        simUrl: sim.url,
        simPids: sim.pids,
        repoRoot,
        simulatorBinary,
        deflate: series.deflate,
        audioFiles: false,
        realtime,
        ...(sim.caFile ? { tlsCaFile: sim.caFile } : {}),
        ...(series.cpus !== undefined ? { cpus: series.cpus } : {}),
        ...(series.sessionCpus !== undefined ? { sessionCpus: series.sessionCpus } : {}),
        ...(nice !== undefined ? { nice } : {}),
      });
      runs.push(r);
      log(`  ${r.pass ? 'pass' : `FAIL: ${r.why}`}; module ${f(r.cpu.process, 2)} ms CPU per call-second, ${f(r.cores.process, 2)} cores; simulator ${f(r.cores.simulator, 2)} cores`);
    }
    if (r!.pass) best = r;
    else {
      failed = r;
      break;
    }
  }
  return { series, runs, best, failed };
}

function reportSeries(s: SeriesResult): void {
  const l = s.series.label;
  const b = s.best;
  table.row(
    'capacity',
    `${l}: largest N passing`,
    b ? `${b.channels} calls` : 'none',
    s.failed ? `fails at ${s.failed.channels}: ${s.failed.why}` : 'no failure up to the last step',
  );
  const at = b ?? s.failed;
  if (!at) return;
  const tag = b ? `at ${b.channels}` : `at ${at.channels} (failing)`;
  const moduleMs = at.cpu.process - (Number.isFinite(hostOwnMs) ? hostOwnMs : 0);
  table.row(
    'capacity',
    `${l}: CPU per call-second ${tag}`,
    `${f(at.cpu.process, 2)} ms host process (JS threads ${f(at.cpu.jsThreads, 2)} ms); module alone ${f(moduleMs, 2)} ms`,
    `→ ${f(1000 / at.cpu.process, 0)} calls per core with the simulated host's own work, ${f(1000 / moduleMs, 0)} for the module alone`,
  );
  table.row('capacity', `${l}: realtime simulator CPU per call-second`, `${f(at.cpu.simulator, 2)} ms`, `its own process; ${f(at.cores.simulator, 2)} cores at N (not the module)`);
  table.row('capacity', `${l}: RSS per call ${tag}`, `${f(at.rss.perCallKb, 0)} kB`, `${f(at.rss.baselineMb, 0)} → ${f(at.rss.steadyMb, 0)} MB for the process`);
  table.row(
    'capacity',
    `${l}: JS threads busy / waiting for a CPU ${tag}`,
    at.jsThreadCores.map((u, i) => `${f(u * 100, 0)} % / ${f((at.jsThreadWaits[i] ?? NaN) * 100, 1)} %`).join(', '),
    `frames late > 5 ms: ${at.summary.lateTicks} of ${at.summary.ticks}, max ${f(at.summary.maxLateMs, 1)} ms; server gaps (the realtime simulator late, not the module): ${at.summary.serverGaps}`,
  );
  table.row('latency', `${l}: uplink capture → socket p50 / p99 ${tag}`, `${f(at.latency.uplinkP50, 2)} / ${f(at.latency.uplinkP99, 2)} ms`, `to ws.send p99 ${f(at.latency.uplinkSendP99, 2)} ms; wake-up p99 ${f(at.latency.uplinkWakeP99, 2)} ms`);
  table.row('latency', `${l}: downlink delta → ring p50 / p99 ${tag}`, `${f(at.latency.downlinkP50, 2)} / ${f(at.latency.downlinkP99, 2)} ms`, `${at.latency.downlinkCount} answer starts (+ ${at.latency.downlinkBehind} behind a previous answer); + ≤ 1 ptime to the media thread`);
  table.row('latency', `${l}: JS event-loop delay p99 / max ${tag}`, `${f(at.loopDelay.p99, 1)} / ${f(at.loopDelay.max, 1)} ms`, 'the longest stall the rings had to outlast (playback ring 80 ms ahead)');
  table.row('gc', `${l}: GC pauses p99 / max ${tag}`, `${f(at.gc.p99, 2)} / ${f(at.gc.max, 2)} ms`, `${f(at.gc.perSecond, 1)} per second per thread, ${at.gc.major} major; ${f(at.gc.share * 100, 1)} % of JS time`);
}

async function capacity(): Promise<void> {
  if (!existsSync(simulatorBinary)) {
    table.row('capacity', 'host simulator', 'skipped', `${simulatorBinary} missing: npm run build:native`);
    return;
  }
  try {
    execFileSync('chrt', ['-f', '10', 'true']);
    realtime = true;
  } catch {
    log('chrt -f not available: media threads at normal priority');
  }
  if (values.nice !== undefined) {
    try {
      execFileSync('nice', ['-n', values.nice, 'true']);
      nice = Number(values.nice);
    } catch {
      log(`nice -n ${values.nice} not allowed here: normal priority`);
    }
  }
  const sim = await startRealtimeSim(Number(values['sim-processes']));
  try {
    // The machine's own noise: the host simulator's media threads with no stream at all.
    const idleChannels = quick ? 50 : 200;
    const idle = await runCapacity({
      channels: idleChannels, rate: 8000, workers: cores, seconds: 8, simUrl: sim.url, simPids: sim.pids, repoRoot, simulatorBinary,
      deflate: false, audioFiles: false, realtime, idle: true, ...(nice !== undefined ? { nice } : {}),
    });
    table.row('capacity', `idle host simulator, ${idleChannels} channels, no stream`, `${idle.summary.lateTicks} of ${idle.summary.ticks} frames late > 5 ms, max ${f(idle.summary.maxLateMs, 1)} ms`, `the machine's own noise; media threads ${realtime ? 'SCHED_FIFO 10 (as FreeSWITCH -rp)' : 'SCHED_OTHER'}`);
    // What the simulated FreeSWITCH costs by itself (media threads on their clocks, WAV in and out):
    // FreeSWITCH pays its own version of it with or without this module.
    hostOwnMs = idle.cpu.process;
    table.row('capacity', `idle host simulator: its own CPU per call-second`, `${f(hostOwnMs, 2)} ms`, 'the simulated host alone; the module\'s share of a figure below is that figure minus this');
    const all: Series[] = [
      { label: `8 kHz, ${cores} workers`, rate: 8000, workers: cores, deflate: false },
      { label: '8 kHz, 1 worker', rate: 8000, workers: 1, deflate: false },
      { label: `48 kHz, ${cores} workers`, rate: 48000, workers: cores, deflate: false },
      { label: `8 kHz, ${cores} workers, deflate`, rate: 8000, workers: cores, deflate: true },
    ];
    const done: SeriesResult[] = [];
    for (const s of all) done.push(await search(s, sim));
    results.capacity = done;
    for (const s of done) reportSeries(s);
    // The cost of a call at scale, whether or not this machine passes the run: when the search stops
    // early (a shared machine starving the JS threads), this is the figure to size a server from.
    const loadN = quick ? 100 : 300;
    log(`load point: ${loadN} calls, 8 kHz, ${cores} workers (load ${f(machineLoad().load1, 2)})`);
    const point = await runCapacity({
      channels: loadN, rate: 8000, workers: cores, seconds: quick ? 10 : 14, simUrl: sim.url, simPids: sim.pids, repoRoot, simulatorBinary,
      deflate: false, audioFiles: false, realtime, ...(nice !== undefined ? { nice } : {}),
    });
    results.loadPoint = point;
    table.row(
      'capacity',
      `load point, ${loadN} calls at 8 kHz, ${cores} workers (${point.pass ? 'pass' : 'fails'})`,
      `${f(point.cpu.process, 2)} ms CPU per call-second (JS threads ${f(point.cpu.jsThreads, 2)} ms; module alone ${f(point.cpu.process - hostOwnMs, 2)} ms)`,
      `→ ${f(1000 / point.cpu.process, 0)} calls per core with the simulated host's work, ${f(1000 / (point.cpu.process - hostOwnMs), 0)} for the module alone${point.pass ? '' : `; ${point.why}`}`,
    );
    table.row(
      'capacity',
      `load point: JS threads busy / waiting for a CPU; RSS per call`,
      `${point.jsThreadCores.map((u, i) => `${f(u * 100, 0)} % / ${f((point.jsThreadWaits[i] ?? NaN) * 100, 1)} %`).join(', ')}; ${f(point.rss.perCallKb, 0)} kB`,
      `uplink p50/p99 ${f(point.latency.uplinkP50, 2)}/${f(point.latency.uplinkP99, 2)} ms, downlink ${f(point.latency.downlinkP50, 2)}/${f(point.latency.downlinkP99, 2)} ms, GC p99 ${f(point.gc.p99, 1)} ms`,
    );
    const multi = done[0]!.best;
    const single = done[1]!.best;
    table.row(
      'workers',
      `${cores} workers vs 1: largest N passing`,
      `${multi?.channels ?? 0} vs ${single?.channels ?? 0}`,
      multi && single ? `×${f(multi.channels / single.channels, 2)}` : 'one of them passed no step',
    );
    // Per-call JS cost at the largest N both ran: sharding must not make a call dearer.
    const common = done[0]!.runs.map((r) => r.channels).filter((n) => done[1]!.runs.some((q) => q.channels === n));
    if (common.length > 0) {
      const n = Math.max(...common);
      const a = done[0]!.runs.find((r) => r.channels === n)!;
      const b = done[1]!.runs.find((r) => r.channels === n)!;
      table.row(
        'workers',
        `JS CPU per call-second at ${n} calls, ${cores} workers vs 1`,
        `${f(a.cpu.jsThreads, 2)} vs ${f(b.cpu.jsThreads, 2)} ms`,
        `one JS thread uses at most one core: ${cores} workers can use ×${cores} the CPU`,
      );
    }
    // Calls per core: the module's session thread (one worker) on core 0 alone; the simulated
    // FreeSWITCH's media threads, the runtime's other threads and the realtime simulator on the
    // other cores; over wss:// as against the real API (TLS and all). On a 2-core machine the other
    // core runs out first (the simulators), which the server-gap count shows.
    if (cores >= 2) {
      const rest = `1-${cores - 1}`;
      const pinnedSim = await startRealtimeSim(1, { tls: true, cpus: rest });
      try {
        const oneCore = await search(
          {
            label: '8 kHz, session thread alone on 1 core, wss://',
            rate: 8000,
            workers: 1,
            deflate: false,
            cpus: rest,
            sessionCpus: '0',
            steps: quick ? [100, 200] : [100, 150, 200, 250, 300, 350, 400, 500],
          },
          pinnedSim,
        );
        results.oneCore = oneCore;
        reportSeries(oneCore);
      } finally {
        pinnedSim.stop();
      }
    }
    table.row(
      'capacity',
      'setup',
      'host simulator (embedded Node 18) + realtime simulator on loopback',
      `calls staggered; speech turn every 8 s; audio files off; log-level info${nice !== undefined ? `; both simulators at nice ${nice}` : ''}`,
    );
  } finally {
    sim.stop();
  }
}

mkdirSync(outDir, { recursive: true });
if (doMicro) micro();
if (doCapacity) await capacity();
results.loadAfter = machineLoad().load1;
table.row('machine', 'cores; load average before / after', `${cores}; ${f(results.loadBefore as number, 2)} / ${f(results.loadAfter as number, 2)}`, 'shared machine: other work inflates the figures');
writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 1));
console.log(table.render());
