/**
 * The module's application in plain Node 20 on the addon build of the bridge, its test host standing
 * in for FreeSWITCH (real media threads on a ptime clock), against the realtime simulator in its own
 * process: for profiling the JS path with Node's own tools, which the embedded runtime does not offer
 * (no inspector; V8's tick profiler needs SIGPROF, which the runtime thread blocks).
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof build/bench/bench/profileInProcess.js --channels 200 [--seconds 12] [--rate 8000] [--deflate] [--tls]
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startApp } from '../src/app.js';
import { launchRealtimeSim } from './capacity/simLauncher.js';
import type { NativeBridge, TestHost } from '../src/bridge.js';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const { values } = parseArgs({
  options: {
    channels: { type: 'string', default: '100' },
    rate: { type: 'string', default: '8000' },
    seconds: { type: 'string', default: '12' },
    deflate: { type: 'boolean', default: false },
    tls: { type: 'boolean', default: false },
  },
});
const channels = Number(values.channels);
const rate = Number(values.rate);
const seconds = Number(values.seconds);

const sim = await launchRealtimeSim({ script: join(repoRoot, 'build/bench/bench/capacity/realtimeSimServer.js'), voiceDir: join(repoRoot, 'assets/voice'), tls: values.tls });
const url = sim.url;

const config = join(tmpdir(), 'oair-profile.conf.xml');
writeFileSync(config, '<configuration name="openai_realtime.conf"><settings><param name="log-level" value="info"/></settings></configuration>\n');
// The addon from the repository root (this file runs from build/bench/, where loadBridge would not look).
const addon = (createRequire(import.meta.url)('node-gyp-build') as (dir: string) => NativeBridge & { testHost: TestHost })(repoRoot);
addon.testHost.install();
startApp(addon, { configFile: config });

// Caller speech every 8 s, each channel rotated so the calls are not in lockstep.
const length = rate * 16;
const speech = new Int16Array(length);
for (let c = 0; c < 2; c++) {
  const start = Math.round(rate * (c * 8 + 0.5));
  for (let i = 0; i < rate * 1.2; i++) speech[start + i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / rate));
}
const vars: Record<string, string> = { STREAM_OPENAI_API_KEY: 'x', STREAM_DISABLE_AUDIOFILES: 'true' };
if (values.deflate) vars.STREAM_MESSAGE_DEFLATE = 'false';
if (sim.caFile) vars.STREAM_TLS_CA_FILE = sim.caFile;
for (let i = 0; i < channels; i++) {
  const offset = Math.floor((i * length) / channels);
  const source = new Int16Array(length);
  source.set(speech.subarray(offset));
  source.set(speech.subarray(0, offset), length - offset);
  addon.testHost.createChannel(`ch-${i}`, { rate, ptimeMs: 20, source, vars });
  addon.testHost.startMedia(`ch-${i}`);
}
const all = (args: (i: number) => string): Promise<string[]> =>
  Promise.all(Array.from({ length: channels }, (_, i) => addon.testHost.command('uuid_openai_audio_stream', args(i), 10_000)));
await all((i) => `ch-${i} start ${url} mono`);
const t0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, seconds * 1000));
const used = process.cpuUsage(t0);
console.log(`${channels} calls: ${((used.user + used.system) / 1000 / channels / seconds).toFixed(2)} ms CPU per call-second (this process)`);
await all((i) => `ch-${i} stop`);
for (let i = 0; i < channels; i++) addon.testHost.stopMedia(`ch-${i}`);
sim.stop();
setTimeout(() => process.exit(0), 300);
