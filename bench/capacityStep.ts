/**
 * One capacity step on its own, printed as JSON: for looking into one N without the whole search.
 *
 *   node build/bench/bench/capacityStep.js --channels 200 [--rate 8000] [--workers 2] [--seconds 14]
 *        [--deflate] [--audio-files] [--no-realtime] [--tls] [--cpus 0 --sim-cpus 1] [--idle]
 *
 * --tls: the simulator serves wss:// (as the real API), so the module's TLS cost is in the figures.
 * --cpus / --sim-cpus: pin the host simulator and the realtime simulator (taskset): with one worker
 * on one core, the largest N passing is the number of calls per core.
 * --session-cpus 0 (with --cpus 1 --sim-cpus 1): the worker JS threads, where sessions run, moved to
 * a core of their own once they start: the module's session work for N calls on one core.
 * --idle: the channels without any stream: what the simulated host costs by itself.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCapacity } from './capacity/capacityRun.js';
import { launchRealtimeSim } from './capacity/simLauncher.js';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const { values } = parseArgs({
  options: {
    channels: { type: 'string', default: '100' },
    rate: { type: 'string', default: '8000' },
    workers: { type: 'string', default: String(availableParallelism()) },
    seconds: { type: 'string', default: '14' },
    deflate: { type: 'boolean', default: false },
    'audio-files': { type: 'boolean', default: false },
    'no-realtime': { type: 'boolean', default: false },
    'node-option': { type: 'string', multiple: true, default: [] },
    nice: { type: 'string' },
    tls: { type: 'boolean', default: false },
    cpus: { type: 'string' },
    'sim-cpus': { type: 'string' },
    'session-cpus': { type: 'string' },
    idle: { type: 'boolean', default: false },
    'sim-node-option': { type: 'string', multiple: true, default: [] },
  },
});
const sim = await launchRealtimeSim({
  script: join(repoRoot, 'build/bench/bench/capacity/realtimeSimServer.js'),
  voiceDir: join(repoRoot, 'assets/voice'),
  tls: values.tls,
  nodeArgs: values['sim-node-option'],
  ...(values['sim-cpus'] !== undefined ? { cpus: values['sim-cpus'] } : {}),
  ...(values.nice !== undefined ? { nice: Number(values.nice) } : {}),
});
try {
  const r = await runCapacity({
    channels: Number(values.channels),
    rate: Number(values.rate),
    workers: Number(values.workers),
    seconds: Number(values.seconds),
    simUrl: sim.url,
    simPids: sim.pids,
    ...(sim.caFile ? { tlsCaFile: sim.caFile } : {}),
    ...(values.cpus !== undefined ? { cpus: values.cpus } : {}),
    ...(values['session-cpus'] !== undefined ? { sessionCpus: values['session-cpus'] } : {}),
    repoRoot,
    simulatorBinary: join(repoRoot, 'build-native/oair-sim'),
    deflate: values.deflate,
    audioFiles: values['audio-files'],
    realtime: !values['no-realtime'],
    idle: values.idle,
    extraArgs: values['node-option'].flatMap((o) => ['--node-option', o]),
    ...(values.nice !== undefined ? { nice: Number(values.nice) } : {}),
  });
  console.log(JSON.stringify(r, null, 1));
} finally {
  sim.stop();
}
