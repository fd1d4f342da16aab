/**
 * One capacity step on its own, printed as JSON: for looking into one N without the whole search.
 *
 *   node build/bench/bench/capacityStep.js --channels 200 [--rate 8000] [--workers 2] [--seconds 14]
 *        [--deflate] [--audio-files] [--no-realtime]
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { runCapacity } from './capacity/capacityRun.js';

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
  },
});
const simArgs = [join(repoRoot, 'build/bench/bench/capacity/realtimeSimServer.js'), '--voice-dir', join(repoRoot, 'assets/voice')];
const command = ['setsid', '--wait', ...(values.nice !== undefined ? ['nice', '-n', values.nice] : []), process.execPath, ...simArgs];
const sim = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
const line = await new Promise<string>((ok) => createInterface({ input: sim.stdout! }).once('line', ok));
const { url, pids } = JSON.parse(line) as { url: string; pids: number[] };
try {
  const r = await runCapacity({
    channels: Number(values.channels),
    rate: Number(values.rate),
    workers: Number(values.workers),
    seconds: Number(values.seconds),
    simUrl: url,
    simPids: pids,
    repoRoot,
    simulatorBinary: join(repoRoot, 'build-native/oair-sim'),
    deflate: values.deflate,
    audioFiles: values['audio-files'],
    realtime: !values['no-realtime'],
    extraArgs: values['node-option'].flatMap((o) => ['--node-option', o]),
    ...(values.nice !== undefined ? { nice: Number(values.nice) } : {}),
  });
  console.log(JSON.stringify(r, null, 1));
} finally {
  sim.kill('SIGTERM');
  setTimeout(() => sim.kill('SIGKILL'), 2000).unref();
}
