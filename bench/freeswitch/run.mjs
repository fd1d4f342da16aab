#!/usr/bin/env node
/**
 * CPU, memory and audio of the module in a real FreeSWITCH, side by side with a comparison module
 * (VoiSmart's C++ mod_openai_audio_stream, built locally; its path is an option) and with no module
 * at all (baseline). Run by hand against a local FreeSWITCH build; never in CI.
 *
 *   PKG_CONFIG_PATH=/usr/local/freeswitch/lib/pkgconfig node bench/freeswitch/run.mjs \
 *     [--compare /path/mod_openai_audio_stream.so] [--calls 30,100,200] [--repeats 2] [--parked] \
 *     [--variants base,ours,theirs,base-parked,ours-parked] [--parked-calls 30,100] [--warmup 10] [--window 30]
 *     [--record 10] [--json results.json] [--module2 other/mod_openai_realtime.so (variants ours2, ours2-parked)]
 *     [--workers N (our module's `workers` setting; default: the module's, one per core)] [--workers2 N (for ours2*)]
 *
 * Workload (issue #16): N loopback call pairs at 8 kHz L16. A: endless_playback of a 4 s loop (a
 * 0.8 s speech-like burst, then silence). B: `uuid_broadcast B silence_stream://-1 aleg` (the
 * "parked" variants leave B parked, so our writer thread plays), then the stream to the peer
 * (peer.mjs, its own process: server VAD, 3 s reply of 100 ms deltas at 4× real time after each
 * burst, barge-in on the next) with `mono 24k` and a GA session.update. Each run is a fresh
 * FreeSWITCH: load the module, start the calls (spread over one cycle), warm up, then a measured
 * window: process CPU and per-thread CPU from /proc, RSS untrimmed and after malloc_trim (gdb),
 * what the first `--record` A legs heard (stereo uuid_record), our status counters, the peer's
 * per-connection counts. Runs are interleaved (repeat → N → variant) so drift hits all alike.
 * Module cost = (run CPU − baseline CPU of the same repeat and N) / (N × window).
 */
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { heardReply, RATE, speechLikeCycle, wavBytes } from './audio.mjs';
import { ESL_PASSWORD, freePort, prepare, start, stop } from './fsInstance.mjs';
import { API_KEY, EslConnection, freeswitchInstall, originatePair, ROOT, SESSION_UPDATE_B64, sleep, startPeer, waitReady } from './harness.mjs';
import { processTicks, rssMb, threadDelta, threadTicks, TICK_MS, trimmedRssMb } from './procSample.mjs';
import { printReport } from './report.mjs';

const { values: o } = parseArgs({
  options: {
    module: { type: 'string', default: join(ROOT, 'build-native', 'mod_openai_realtime.so') },
    bundle: { type: 'string', default: ROOT },
    compare: { type: 'string' },
    module2: { type: 'string' },
    workers: { type: 'string' },
    workers2: { type: 'string' },
    calls: { type: 'string', default: '30,100,200' },
    repeats: { type: 'string', default: '2' },
    variants: { type: 'string' },
    parked: { type: 'boolean', default: false },
    'parked-calls': { type: 'string' },
    warmup: { type: 'string', default: '10' },
    window: { type: 'string', default: '30' },
    record: { type: 'string', default: '10' },
    'log-level': { type: 'string', default: 'info' },
    dir: { type: 'string', default: join(tmpdir(), 'oair-fs-bench') },
    json: { type: 'string' },
  },
});
const { stockModDir, fsBin } = freeswitchInstall();
const callsList = o.calls.split(',').map(Number);
const parkedCalls = o['parked-calls'] ? o['parked-calls'].split(',').map(Number) : callsList;
const variants = o.variants ? o.variants.split(',')
  : ['base', 'ours', ...(o.compare ? ['theirs'] : []), ...(o.parked ? ['base-parked', 'ours-parked'] : [])];
if (variants.includes('theirs') && !o.compare) throw new Error('variant theirs needs --compare <path to the comparison .so>');
if (variants.some((v) => v.startsWith('ours2')) && !o.module2) throw new Error('variants ours2* need --module2 <another build of our module>');
if (!existsSync(o.module)) throw new Error(`${o.module}: not built (bash scripts/build-native.sh)`);
const WARMUP_MS = Number(o.warmup) * 1000, WINDOW_MS = Number(o.window) * 1000;
const TONE_HZ = 600;
const t0 = Date.now();
const log = (m) => console.log(`${((Date.now() - t0) / 1000).toFixed(0).padStart(5)}s  ${m}`);

// The peer: the realtime simulator with the bench's voice, in its own process.
const { peer, ask: peerAsk, streamUrl } = await startPeer();
const sessionUpdate = SESSION_UPDATE_B64;

async function oneRun(variant, calls, repeat) {
  const dir = join(o.dir, `${variant}-${calls}-${repeat}`);
  const eslPort = await freePort();
  const streaming = variant !== 'base' && variant !== 'base-parked';
  const parked = variant.endsWith('-parked');
  const moduleName = variant === 'theirs' ? 'mod_openai_audio_stream' : 'mod_openai_realtime';
  const workers = variant.startsWith('ours2') ? (o.workers2 ?? o.workers) : o.workers;
  prepare(dir, { stockModDir, bundle: o.bundle, eslPort, logLevel: o['log-level'], workers,
    modules: { mod_openai_realtime: variant.startsWith('ours2') ? o.module2 : o.module, mod_openai_audio_stream: o.compare ?? null } });
  const burst = join(dir, 'rec', 'burst.wav');
  writeFileSync(burst, wavBytes(1, RATE, speechLikeCycle()));
  const fs = start(fsBin, dir);
  const esl = new EslConnection({ host: '127.0.0.1', port: eslPort, password: ESL_PASSWORD, reconnect: false, commandTimeoutMs: 60000 });
  try {
    return await measure({ variant, calls, repeat, dir, fs, esl, burst, streaming, parked, moduleName });
  } finally {
    // A failed run must not leave its FreeSWITCH running under the next one.
    if (fs.exitCode === null && fs.signalCode === null) { fs.kill('SIGKILL'); await fs.exited; }
    await esl.close().catch(() => {});
  }
}

async function measure({ variant, calls, repeat, dir, fs, esl, burst, streaming, parked, moduleName }) {
  await waitReady(esl, dir);
  const api = async (cmd) => (await esl.api(cmd)).trim();
  const r = { variant, calls, repeat, pid: fs.pid };
  await sleep(1000);
  r.rssIdle = rssMb(fs.pid);
  if (streaming || variant === 'base' || variant === 'base-parked') {
    if (streaming) {
      const loaded = await api(`load ${moduleName}`);
      if (!loaded.startsWith('+OK')) throw new Error(`load ${moduleName}: ${loaded}`);
    }
  }
  await sleep(3000);
  r.rssLoaded = rssMb(fs.pid);
  r.rssLoadedTrim = trimmedRssMb(fs.pid);

  const legs = [];
  const spacing = 4000 / calls;
  const setups = [];
  const tStart = Date.now();
  for (let i = 0; i < calls; i++) {
    await sleep(Math.max(0, tStart + i * spacing - Date.now()));
    setups.push((async () => {
      const { a, b } = await originatePair(api, burst, { parked, extraVars: 'RECORD_STEREO=true' });
      if (streaming) {
        await api(`uuid_setvar ${b} STREAM_OPENAI_API_KEY ${API_KEY}`);
        await api(`uuid_setvar ${b} STREAM_DISABLE_AUDIOFILES true`);
        const s = await api(`uuid_openai_audio_stream ${b} start ${streamUrl} mono 24k`);
        if (!s.startsWith('+OK')) throw new Error(`start: ${s}`);
        for (let k = 0; ; k++) {
          const j = await api(`uuid_openai_audio_stream ${b} send_json ${sessionUpdate}`);
          if (j.startsWith('+OK')) break;
          if (k > 150) throw new Error(`send_json: ${j}`);
          await sleep(200);
        }
      }
      legs.push({ a, b });
    })());
  }
  await Promise.all(setups);
  log(`${variant} N=${calls} #${repeat}: ${legs.length} calls up in ${((Date.now() - tStart) / 1000).toFixed(1)} s`);
  await sleep(WARMUP_MS);

  const recorded = legs.slice(0, Number(o.record));
  for (const [i, l] of recorded.entries()) await api(`uuid_record ${l.a} start ${join(dir, 'rec', `a${i}.wav`)}`);
  await peerAsk('reset');
  const statusBefore = variant.startsWith('ours') ? await moduleCounters(api) : null;
  const p0 = processTicks(fs.pid), th0 = threadTicks(fs.pid), peer0 = processTicks(peer.pid), w0 = Date.now();
  await sleep(WINDOW_MS);
  const p1 = processTicks(fs.pid), th1 = threadTicks(fs.pid), peer1 = processTicks(peer.pid), w1 = Date.now();
  const statusAfter = variant.startsWith('ours') ? await moduleCounters(api) : null;
  const peerStats = (await peerAsk('stats')).stats;
  for (const l of recorded) await api(`uuid_record ${l.a} stop all`);
  const windowS = (w1 - w0) / 1000;
  r.windowS = windowS;
  r.cpuMs = (p1 - p0) * TICK_MS;
  r.peerCpuMs = (peer1 - peer0) * TICK_MS;
  r.threads = threadDelta(th0, th1);
  r.rssCalls = rssMb(fs.pid);
  r.rssCallsTrim = trimmedRssMb(fs.pid);
  r.load1 = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  const open = peerStats.filter((s) => s.open);
  r.peer = {
    connections: open.length,
    appendsPerCallS: open.reduce((x, s) => x + s.appends, 0) / Math.max(1, open.length) / windowS,
    deltasPerCallS: open.reduce((x, s) => x + s.deltas, 0) / Math.max(1, open.length) / windowS,
    responses: open.reduce((x, s) => x + s.responses, 0),
    cancelled: open.reduce((x, s) => x + s.cancelled, 0),
    deflate: open.filter((s) => s.deflate).length,
  };
  if (statusBefore && statusAfter) {
    r.counters = Object.fromEntries(Object.keys(statusAfter).map((k) => [k, statusAfter[k] - (statusBefore[k] ?? 0)]));
  }
  await sleep(500);
  const heard = recorded.map((_, i) => heardReply(join(dir, 'rec', `a${i}.wav`), TONE_HZ)).filter(Boolean);
  r.heard = heard.length ? {
    calls: heard.length,
    share: heard.reduce((x, h) => x + h.share, 0) / heard.length,
    holesPerMin: heard.reduce((x, h) => x + h.holes, 0) / heard.reduce((x, h) => x + h.seconds, 0) * 60,
  } : null;
  await api('hupall NORMAL_CLEARING');
  await sleep(1000);
  r.exit = await stop(fs, esl);
  log(`${variant} N=${calls} #${repeat}: FreeSWITCH ${(r.cpuMs / windowS / 10).toFixed(1)} % CPU, peer ${(r.peerCpuMs / windowS / 10).toFixed(1)} %, `
    + `RSS ${r.rssCalls.toFixed(0)} MB (trimmed ${r.rssCallsTrim?.toFixed(0)}), heard ${r.heard ? (r.heard.share * 100).toFixed(0) : '-'} %, `
    + `${r.peer.connections} streams, ${r.peer.appendsPerCallS.toFixed(1)} appends and ${r.peer.deltasPerCallS.toFixed(1)} deltas/s/call, `
    + `${r.peer.responses} responses, deflate ${r.peer.deflate}, ${r.counters ? `counters ${JSON.stringify(r.counters)}, ` : ''}load ${r.load1}`);
  return r;
}

/** Our per-session counters summed (cumulative; the run takes the window's difference). */
async function moduleCounters(api) {
  const st = JSON.parse(await api('openai_realtime status json'));
  const keys = ['framesIn', 'framesOut', 'underruns', 'serverGaps', 'overruns', 'playbackDroppedMs', 'bargeIns', 'responses'];
  const sum = Object.fromEntries(keys.map((k) => [k, 0]));
  for (const s of st.sessions ?? []) for (const k of keys) sum[k] += Number(s[k] ?? 0);
  return sum;
}

const results = [];
try {
  for (let repeat = 1; repeat <= Number(o.repeats); repeat++) {
    for (const calls of callsList) {
      for (const v of variants) {
        if (v.endsWith('-parked') && !parkedCalls.includes(calls)) continue;
        try { results.push(await oneRun(v, calls, repeat)); } catch (e) { log(`${v} N=${calls} #${repeat}: FAILED ${e.message}`); }
        if (o.json) writeFileSync(o.json, JSON.stringify(results, null, 2));
      }
    }
  }
} finally {
  peer.disconnect();
}
if (o.json) writeFileSync(o.json, JSON.stringify(results, null, 2));
printReport(results, { windowS: Number(o.window) });
