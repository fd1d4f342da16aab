#!/usr/bin/env bash
# test/freeswitch/run-integration.sh — mod_openai_realtime inside a real FreeSWITCH.
#
# Not part of `npm test` (CI has no FreeSWITCH). Runs where `pkg-config freeswitch` and a `freeswitch`
# binary are found, else says it skipped and exits 0. It:
#   - starts FreeSWITCH (-nf, so its exit code is ours to check) from a minimal configuration it
#     generates in a temporary directory: only the modules the test needs plus ours, the event socket
#     on 127.0.0.1, a `test` dialplan context; the module directory is a scratch directory of
#     symlinks (the stock modules + the module under test), so nothing is installed;
#   - starts the realtime simulator (dist/cli/realtimeSim.js, tone voice) on a free port;
#   - places loopback calls and checks what the caller hears in stereo recordings of the A leg
#     (left: what A hears, i.e. the AI leg's output; right: what A sends);
#   - prints PASS/FAIL per check and exits non-zero if any check failed.
#
# Checks: load, usage (empty API arguments), echo_parked (`openai_realtime echo` on a parked channel,
# no silence_stream: the writer thread), handover (the channel starts/stops writing itself during the
# echo: no hole, no latency growth), rates (16/48 kHz, 30 ms), dtmf_hook, concurrent_echo (N calls),
# hangup (either leg, any moment), reload (unload/load ×5 with calls streaming), v8_refusal, bad_bundle,
# host_ops (every host operation through a stand-in runtime bundle), mix (mono/mixed/stereo), and —
# once the runtime has uuid_openai_audio_stream — conversation / conversation_parked (the seed README
# dialplan with and without silence_stream), events, secrets, bargein, hangup_playback,
# concurrent_conversation (N calls), end_call (the ready-made tool: the call is hung up only after the
# caller heard the whole goodbye), jambonz_s2s (jambonz's uuid_openai_s2s command sequence, tool call and
# session.delete after kill, server close and server error); GPT-Live against the simulator's Live endpoint (the dialplan sends
# its session.start with send_json): live_parked (a parked Live conversation heard), live_bargein (the
# Live model stops talking when the caller talks, the caller stops hearing it), live_end_call (end_call
# under `responses` delegation: hung up after the goodbye was heard), live_pcmu (a PCMU channel with
# audio/pcmu at 8000: no resampling, heard); shutdown (`fsctl shutdown` with calls streaming, exit
# code 0) last. The simulator calls end_call after a caller turn in sessions that offer it.
#
# To test an installed module and bundle:
#   test/freeswitch/run-integration.sh --module "$(pkg-config --variable=modulesdir freeswitch)/mod_openai_realtime.so" \
#       --bundle <prefix>/share/mod_openai_realtime
#
# Usage: test/freeswitch/run-integration.sh [--keep] [--calls N] [--module PATH] [--bundle DIR] [--only a,b]
#   --keep          keep the temporary directory (logs, recordings) and print its path
#   --calls N       concurrent calls for the load checks (default 20)
#   --module PATH   module to test (default build-native/mod_openai_realtime.so)
#   --bundle DIR    runtime bundle (dist/, node_modules/) the module runs (default: this checkout)
#   --only LIST     run only these checks (comma separated names, see the list printed at start)
# Environment: PKG_CONFIG_PATH (e.g. /opt/freeswitch/lib/pkgconfig), FREESWITCH_BIN.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v pkg-config >/dev/null || ! pkg-config --exists freeswitch 2>/dev/null; then
  echo "SKIP: FreeSWITCH not found by pkg-config (set PKG_CONFIG_PATH, e.g. /opt/freeswitch/lib/pkgconfig)"
  exit 0
fi
fs_prefix=$(pkg-config --variable=prefix freeswitch)
fs_bin=${FREESWITCH_BIN:-}
if [ -z "$fs_bin" ]; then
  if [ -x "$fs_prefix/bin/freeswitch" ]; then fs_bin=$fs_prefix/bin/freeswitch; else fs_bin=$(command -v freeswitch || true); fi
fi
if [ -z "$fs_bin" ] || [ ! -x "$fs_bin" ]; then
  echo "SKIP: no freeswitch binary (looked in $fs_prefix/bin and PATH; set FREESWITCH_BIN)"
  exit 0
fi
if [ ! -f "$root/dist/main.js" ] || [ ! -f "$root/dist/cli/realtimeSim.js" ]; then
  echo "FAIL: $root/dist is not built (npm run build:ts)"
  exit 1
fi

export OAIR_ROOT=$root OAIR_FS_BIN=$fs_bin OAIR_FS_MODDIR=$(pkg-config --variable=modulesdir freeswitch) OAIR_FS_INCLUDE=$(pkg-config --variable=includedir freeswitch)
exec node --input-type=module - "$@" <<'JS'
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = process.env.OAIR_ROOT;
// The FreeSWITCH configuration and process, shared with the bench (one place writes them).
const fsInstance = await import(pathToFileURL(join(ROOT, 'bench', 'freeswitch', 'fsInstance.mjs')).href);
const { freePort, xmlEscape } = fsInstance;
const FS_BIN = process.env.OAIR_FS_BIN;
const STOCK_MODDIR = process.env.OAIR_FS_MODDIR;
const FS_INCLUDE = process.env.OAIR_FS_INCLUDE;

const { values: opts } = parseArgs({
  args: process.argv.slice(2),
  options: {
    keep: { type: 'boolean', default: false },
    calls: { type: 'string', default: '20' },
    module: { type: 'string', default: join(ROOT, 'build-native', 'mod_openai_realtime.so') },
    bundle: { type: 'string', default: ROOT },
    only: { type: 'string' },
  },
});
const CALLS = Number(opts.calls);
const ONLY = opts.only ? new Set(opts.only.split(',')) : null;
if (!existsSync(opts.module)) {
  console.log(`FAIL: module ${opts.module} not built (PKG_CONFIG_PATH=... bash scripts/build-native.sh)`);
  process.exit(1);
}

const T = mkdtempSync(join(tmpdir(), 'oair-fs-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
const info = (m) => console.log(`${stamp()}  ${m}`);
const results = [];
function check(name, pass, detail) {
  results.push({ name, pass });
  console.log(`${stamp()}  ${pass ? 'PASS' : 'FAIL'}  ${name}${detail ? `  — ${detail}` : ''}`);
  return pass;
}
function skip(name, why) {
  results.push({ name, pass: true, skipped: true });
  console.log(`${stamp()}  SKIP  ${name}  — ${why}`);
}

// ------------------------------------------------------------------------------------------ audio
const RATE = 8000;
function wavBytes(channels, rate, samples) {
  const b = Buffer.alloc(44 + samples.length * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + samples.length * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * channels * 2, 28); b.writeUInt16LE(channels * 2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i], 44 + i * 2);
  return b;
}
function readWav(path) {
  const b = readFileSync(path);
  let off = 12, fmt = null, data = null;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4), size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') fmt = { channels: b.readUInt16LE(off + 10), rate: b.readUInt32LE(off + 12), bits: b.readUInt16LE(off + 22) };
    if (id === 'data') { data = b.subarray(off + 8, Math.min(b.length, off + 8 + size)); break; }
    off += 8 + size + (size & 1);
  }
  if (!fmt || !data || fmt.bits !== 16) throw new Error(`${path}: not 16-bit PCM WAV`);
  const n = Math.floor(data.length / 2 / fmt.channels);
  const ch = Array.from({ length: fmt.channels }, () => new Int16Array(n));
  for (let i = 0; i < n; i++) for (let c = 0; c < fmt.channels; c++) ch[c][i] = data.readInt16LE((i * fmt.channels + c) * 2);
  return { rate: fmt.rate, channels: ch };
}
// Deterministic white-noise bursts: 300 ms on, 700 ms off, -12 dBFS peak.
function noiseBursts(seconds, rate) {
  let s = 0x12345678;
  const out = new Int16Array(seconds * rate);
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    const on = (i % rate) < 0.3 * rate;
    out[i] = on ? Math.round(((s >>> 0) / 0xffffffff * 2 - 1) * 8000) : 0;
  }
  return out;
}
function tone(seconds, rate, hz, amp) {
  const out = new Int16Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}
// Speech-like caller for the conversation: `talk` seconds of noise at `at`, silence elsewhere.
function utterances(seconds, rate, spans) {
  const out = new Int16Array(seconds * rate);
  let s = 0x2468ace1;
  for (const [at, len] of spans) {
    for (let i = Math.round(at * rate); i < Math.min(out.length, Math.round((at + len) * rate)); i++) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      out[i] = Math.round(((s >>> 0) / 0xffffffff * 2 - 1) * 6000);
    }
  }
  return out;
}
const rms = (a, from, n) => { let e = 0; for (let i = from; i < from + n; i++) e += a[i] * a[i]; return Math.sqrt(e / n); };
const dbfs = (r) => 20 * Math.log10(Math.max(r, 1e-3) / 32768);
// Goertzel power of `hz` relative to the window's total power (0..1).
function toneShare(a, from, n, rate, hz) {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0, s2 = 0, tot = 0;
  for (let i = from; i < from + n; i++) { const s0 = a[i] + k * s1 - s2; s2 = s1; s1 = s0; tot += a[i] * a[i]; }
  const p = s1 * s1 + s2 * s2 - k * s1 * s2;
  return tot > 0 ? (2 * p) / (n * tot) : 0;
}

/**
 * Echo analysis of a stereo recording of A (left: heard, right: sent). For every energetic 20 ms
 * block of the left channel, finds the lag at which it matches what A sent (normalized correlation
 * > 0.98, exact on L16). Returns the share of matched blocks, the lags seen and how often the lag
 * changed (a dropped or inserted frame changes it).
 */
function analyzeEcho(path, { fromSec = 0, toSec = Infinity, maxLagMs = 3000 } = {}) {
  const { rate, channels } = readWav(path);
  const [heard, sent] = channels;
  const block = Math.round(rate * 0.02);
  const maxLag = Math.round((maxLagMs * rate) / 1000);
  const start = Math.max(Math.round(fromSec * rate), maxLag);
  const end = Math.min(heard.length - block, Math.round(toSec * rate));
  const lags = [];
  let energetic = 0, matched = 0, changes = 0, last = null;
  // Index of `sent`: exact 4-sample keys → positions (the noise makes them practically unique).
  const index = new Map();
  for (let i = 0; i + 4 <= sent.length; i++) {
    if (sent[i] === 0 && sent[i + 1] === 0) continue;
    const key = `${sent[i]},${sent[i + 1]},${sent[i + 2]},${sent[i + 3]}`;
    const list = index.get(key);
    if (list) { if (list.length < 8) list.push(i); } else index.set(key, [i]);
  }
  for (let b = start; b + block <= end; b += block) {
    if (dbfs(rms(heard, b, block)) < -40) continue;
    energetic++;
    let found = null;
    for (let o = 0; o < block - 4 && found === null; o += 7) {
      const key = `${heard[b + o]},${heard[b + o + 1]},${heard[b + o + 2]},${heard[b + o + 3]}`;
      for (const pos of index.get(key) ?? []) {
        const lag = b + o - pos;
        if (lag < 0 || lag > maxLag) continue;
        let eq = 0;
        for (let i = 0; i < block; i++) if (heard[b + i] === sent[b + i - lag]) eq++;
        if (eq >= block * 0.9) { found = lag; break; }
      }
    }
    if (found === null) continue;
    matched++;
    if (last !== null && Math.abs(found - last) > 2) changes++;
    last = found;
    lags.push(found);
  }
  const ms = (l) => Math.round((l * 1000) / rate);
  const sorted = [...lags].sort((x, y) => x - y);
  return {
    rate, energetic, matched, share: energetic ? matched / energetic : 0, changes,
    lagMs: sorted.length ? ms(sorted[sorted.length >> 1]) : null,
    minLagMs: sorted.length ? ms(sorted[0]) : null, maxLagMs: sorted.length ? ms(sorted[sorted.length - 1]) : null,
  };
}

// ------------------------------------------------------------------------------------------ ESL
class Esl {
  #sock; #buf = Buffer.alloc(0); #pending = []; #listeners = new Set(); closed = false;
  static async connect(port, password) {
    const e = new Esl();
    await e.#open(port, password);
    return e;
  }
  #open(port, password) {
    return new Promise((resolve, reject) => {
      this.#sock = createConnection({ host: '127.0.0.1', port });
      this.#sock.on('error', (err) => { if (!this.closed) reject(err); this.#fail(err); });
      this.#sock.on('close', () => { this.closed = true; this.#fail(new Error('event socket closed')); });
      this.#sock.on('data', (d) => { this.#buf = Buffer.concat([this.#buf, d]); this.#drain(); });
      this.#pending.push({ type: 'auth/request', resolve: () => {
        this.#pending.push({ type: 'command/reply', resolve: (m) => (m.headers['Reply-Text'] ?? '').startsWith('+OK') ? resolve() : reject(new Error('ESL auth failed')), reject });
        this.#sock.write(`auth ${password}\n\n`);
      }, reject });
    });
  }
  #fail(err) { for (const p of this.#pending.splice(0)) p.reject(err); }
  #drain() {
    for (;;) {
      const end = this.#buf.indexOf('\n\n');
      if (end < 0) return;
      const head = this.#buf.subarray(0, end).toString();
      const headers = {};
      for (const line of head.split('\n')) { const c = line.indexOf(':'); if (c > 0) headers[line.slice(0, c)] = line.slice(c + 1).trim(); }
      const len = Number(headers['Content-Length'] ?? 0);
      if (this.#buf.length < end + 2 + len) return;
      const body = this.#buf.subarray(end + 2, end + 2 + len).toString();
      this.#buf = this.#buf.subarray(end + 2 + len);
      this.#dispatch(headers, body);
    }
  }
  #dispatch(headers, body) {
    const type = headers['Content-Type'];
    if (type === 'text/event-plain') {
      const ev = parseEvent(body);
      for (const l of this.#listeners) l(ev);
      return;
    }
    if (type === 'text/disconnect-notice' || type === 'text/rude-rejection') return;
    const p = this.#pending.shift();
    if (p) p.resolve({ headers, body });
  }
  #send(text, type) {
    return new Promise((resolve, reject) => {
      if (this.closed) { reject(new Error('event socket closed')); return; }
      this.#pending.push({ type, resolve, reject });
      this.#sock.write(text);
    });
  }
  async api(cmd) { return (await this.#send(`api ${cmd}\n\n`, 'api/response')).body; }
  async command(cmd) { return (await this.#send(`${cmd}\n\n`, 'command/reply')).headers['Reply-Text'] ?? ''; }
  onEvent(fn) { this.#listeners.add(fn); return () => this.#listeners.delete(fn); }
  close() { this.closed = true; this.#sock?.destroy(); }
}
function parseEvent(text) {
  const split = text.indexOf('\n\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const headers = {};
  for (const line of head.split('\n')) {
    const c = line.indexOf(': ');
    if (c > 0) { try { headers[line.slice(0, c)] = decodeURIComponent(line.slice(c + 2)); } catch { headers[line.slice(0, c)] = line.slice(c + 2); } }
  }
  const len = Number(headers['Content-Length'] ?? 0);
  return { headers, body: len && split >= 0 ? text.slice(split + 2, split + 2 + len) : '' };
}

// ------------------------------------------------------------------------------------------ setup
const ESL_PORT = await freePort();
const ESL_PASSWORD = 'oair-test';
const API_KEY = 'sk-oairtest0123456789abcdefghijklmnop';

const NOISE = join(T, 'audio', 'noise_bursts.wav');
const TONE1000 = join(T, 'audio', 'tone1000.wav');

// The realtime simulator, tone voice (440 Hz, 2 s per response).
const sim = spawn(process.execPath, [join(ROOT, 'dist/cli/realtimeSim.js'), '--port', '0', '--voice', 'tone', '--tone-ms', '2000', '--call-function', 'end_call'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
const simLog = [];
const SIM_URL = await new Promise((resolve, reject) => {
  let buf = '';
  const timer = setTimeout(() => reject(new Error('simulator did not start')), 15000);
  sim.stdout.on('data', (d) => {
    buf += d; simLog.push(String(d));
    const m = buf.match(/^(wss?:\/\/\S+)/m);
    if (m) { clearTimeout(timer); resolve(m[1]); }
  });
  sim.stderr.on('data', (d) => simLog.push(String(d)));
  sim.on('exit', (c) => reject(new Error(`simulator exited (${c}): ${simLog.join('')}`)));
});
const REALTIME_URL = `ws://${new URL(SIM_URL).host}/v1/realtime?model=gpt-realtime`;
const LIVE_URL = `ws://${new URL(SIM_URL).host}/v1/live/sessions`;
// GPT-Live starts: the dialplan sends the session.start itself (send_json, base64), as an application would.
const liveB64 = (session) => Buffer.from(JSON.stringify({ type: 'session.start', session: { model: 'gpt-live-1', instructions: 'Be brief.', ...session } })).toString('base64');
const liveStart = (session) => [['set', `api_result=\${uuid_openai_audio_stream \${uuid} start ${LIVE_URL} mono 24k}`],
  ['set', `api_result=\${uuid_openai_audio_stream \${uuid} send_json ${liveB64(session)}}`]];

const ext = (name, actions) => `      <extension name="${name}"><condition field="destination_number" expression="^${name}$">
${actions.map(([app, data]) => `        <action application="${app}"${data !== undefined ? ` data="${xmlEscape(data)}"` : ''}/>`).join('\n')}
      </condition></extension>`;
const startCmd = `\${uuid_openai_audio_stream \${uuid} start ${REALTIME_URL} mono 24k}`;
// The configuration of this run (fsInstance.mjs writes it): our module loaded at start-up, the
// `test` dialplan context below, debug logs with the call's uuid.
const fsConfig = (bundle) => ({
  eslPort: ESL_PORT, eslPassword: ESL_PASSWORD, logLevel: 'debug', consoleLevel: 'info', logfileUuid: true,
  maxSessions: 2000, sessionsPerSecond: 500, switchSettings: { 'dump-cores': 'yes' },
  load: [...fsInstance.STARTUP_MODULES, 'mod_openai_realtime'],
  bundle, moduleSettings: { 'heap-limit-mb': 512, 'command-timeout-ms': 5000 },
  dialplan: `    <context name="test">
${ext('oair_park', [['answer'], ['park']])}
${ext('oair_echo', [['answer'], ['set', 'api_result=${openai_realtime echo ${uuid} start}'], ['park']])}
${ext('oair_seed', [['set', `STREAM_OPENAI_API_KEY=${API_KEY}`], ['set', 'STREAM_DISABLE_AUDIOFILES=true'], ['answer'],
    ['set', `api_result=${startCmd}`], ['playback', 'silence_stream://-1//'], ['set', 'api_result=${uuid_openai_audio_stream ${uuid} stop}'], ['hangup']])}
${ext('oair_seed_park', [['set', `STREAM_OPENAI_API_KEY=${API_KEY}`], ['set', 'STREAM_DISABLE_AUDIOFILES=true'], ['answer'],
    ['set', `api_result=${startCmd}`], ['park']])}
${ext('oair_live_park', [['set', `STREAM_OPENAI_API_KEY=${API_KEY}`], ['set', 'STREAM_DISABLE_AUDIOFILES=true'], ['answer'], ...liveStart({}), ['park']])}
${ext('oair_live_pcmu', [['set', `STREAM_OPENAI_API_KEY=${API_KEY}`], ['set', 'STREAM_DISABLE_AUDIOFILES=true'], ['answer'],
    ...liveStart({ audio: { format: { type: 'audio/pcmu', rate: 8000 } } }), ['park']])}
${ext('oair_live_end_call', [['set', `STREAM_OPENAI_API_KEY=${API_KEY}`], ['set', 'STREAM_DISABLE_AUDIOFILES=true'], ['set', 'OPENAI_REALTIME_TOOLS=end_call'], ['answer'],
    ...liveStart({ delegation: { type: 'responses', responses: { model: 'gpt-5-mini', instructions: 'Hang up when the caller is done.' } } }), ['park']])}
${ext('oair_transfer_target', [['set', 'oair_transferred=yes'], ['park']])}
${ext('oair_end_call', [['set', `STREAM_OPENAI_API_KEY=${API_KEY}`], ['set', 'STREAM_DISABLE_AUDIOFILES=true'], ['set', 'OPENAI_REALTIME_TOOLS=end_call'], ['answer'],
    ['set', `api_result=${startCmd}`], ['park']])}
    </context>`,
});
const writeConfig = (bundle) => fsInstance.writeConfig(T, fsConfig(bundle));
// The scratch directory: configuration, and a module directory of the stock modules plus the
// module under test (-mod replaces the directory), so nothing is installed.
fsInstance.prepare(T, { ...fsConfig(opts.bundle), stockModDir: STOCK_MODDIR, modules: { mod_openai_realtime: opts.module } });
mkdirSync(join(T, 'audio'));
writeFileSync(NOISE, wavBytes(1, RATE, noiseBursts(10, RATE)));
writeFileSync(TONE1000, wavBytes(1, RATE, tone(2, RATE, 1000, 8000)));

const fsOut = [];
let fsExit = null;
function startFreeswitch() {
  const p = fsInstance.start(FS_BIN, T, { output: (text) => fsOut.push(text), nosql: false });
  fsExit = p.exited;
  return p;
}
let fsProc = null;
function cleanup() {
  try { if (fsProc && fsProc.exitCode === null) fsProc.kill('SIGKILL'); } catch {}
  try { sim.kill('SIGTERM'); } catch {}
}
process.on('exit', cleanup);
process.on('SIGINT', () => { cleanup(); process.exit(130); });

async function connectEsl(timeoutMs = 30000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const e = await Esl.connect(ESL_PORT, ESL_PASSWORD);
      if ((await e.api('status')).includes('is ready')) return e;
      e.close();
    } catch {}
    if (Date.now() > until) throw new Error('FreeSWITCH did not come up (see log)');
    await sleep(250);
  }
}
const logText = () => { try { return readFileSync(join(T, 'log', 'freeswitch.log'), 'utf8'); } catch { return ''; } };
let logMark = 0;
const markLog = () => { logMark = logText().length; };
// Every ERR/CRIT/ALERT line since the mark (a clean run has none at all), and our own warnings.
const errorsSinceMark = () => logText().slice(logMark).split('\n')
  .filter((l) => /\[(ERR|CRIT|ALERT)\]/.test(l) || (/\[WARNING\]/.test(l) && /mod_openai_realtime\.c/.test(l)));

// ------------------------------------------------------------------------------------------ calls
let esl;
async function api(cmd) { return (await esl.api(cmd)).trim(); }
async function originate(dest, { record = true, source = NOISE, vars = {} } = {}) {
  const a = (await api('create_uuid')).trim();
  const v = Object.entries({ origination_uuid: a, RECORD_STEREO: 'true', ...vars }).map(([k, x]) => `${k}=${x}`).join(',');
  const r = await api(`originate {${v}}loopback/${dest}/test/XML &endless_playback(${source})`);
  if (!r.startsWith('+OK')) throw new Error(`originate ${dest}: ${r}`);
  const b = await api(`uuid_getvar ${a} other_loopback_leg_uuid`);
  const recFile = join(T, 'rec', `${dest}-${a}.wav`);
  if (record) {
    const rr = await api(`uuid_record ${a} start ${recFile}`);
    if (!rr.startsWith('+OK')) throw new Error(`uuid_record: ${rr}`);
  }
  return { a, b, recFile };
}
async function stopRecord(call) { await api(`uuid_record ${call.a} stop ${call.recFile}`); await sleep(200); }
async function hangup(call) { await api(`uuid_kill ${call.a}`); }
async function statusJson() { try { return JSON.parse(await api('openai_realtime status json')); } catch { return null; } }
async function waitFor(pred, ms, step = 100) { const until = Date.now() + ms; while (Date.now() < until) { if (await pred()) return true; await sleep(step); } return false; }
// `load` answers "+OK Reloading XML" first and the module's result on the last line.
const lastLine = (r) => r.trim().split('\n').pop().trim();
function rssMb() {
  try { return Math.round(Number(readFileSync(`/proc/${fsProc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024); } catch { return null; }
}
async function channelCount() { const r = await api('show channels count'); const m = r.match(/(\d+) total/); return m ? Number(m[1]) : -1; }

// ------------------------------------------------------------------------------------------ checks
const CHECKS = ['load', 'usage', 'echo_parked', 'handover', 'rates', 'dtmf_hook', 'concurrent_echo', 'hangup', 'reload', 'v8_refusal', 'bad_bundle', 'host_ops', 'mix',
  'conversation', 'conversation_parked', 'events', 'secrets', 'bargein', 'hangup_playback', 'concurrent_conversation', 'end_call', 'jambonz_s2s',
  'live_parked', 'live_bargein', 'live_end_call', 'live_pcmu', 'shutdown'];
const want = (n) => !ONLY || ONLY.has(n) || n === 'shutdown';
let engine = false;

async function run() {
  info(`FreeSWITCH ${FS_BIN}; module ${opts.module}; bundle ${opts.bundle}; workdir ${T}`);
  info(`simulator ${SIM_URL}; checks: ${CHECKS.join(', ')}`);
  fsProc = startFreeswitch();
  esl = await connectEsl();
  markLog();

  // ---- load
  {
    const exists = await api('module_exists mod_openai_realtime');
    const st = await api('openai_realtime status');
    const log = logText();
    check('load: module loads at startup, runtime answers', exists === 'true' && st.startsWith('sessions:') && /mod_openai_realtime loaded/.test(log),
      `module_exists=${exists}; status: ${st.split('\n')[0]}`);
  }
  // ---- usage: no-argument calls reach JS and come back with usage, never a crash
  if (want('usage')) {
    const r1 = await api('uuid_openai_audio_stream');
    const r2 = await api('openai_realtime');
    const r3 = await api('uuid_openai_s2s');
    const alive = (await api('status')).includes('is ready');
    check('usage: empty arguments reach JS (no NULL deref)', alive && r2.includes('USAGE'),
      `openai_realtime → ${JSON.stringify(r2.split('\n')[0])}; uuid_openai_audio_stream → ${JSON.stringify(r1.split('\n')[0])}; uuid_openai_s2s → ${JSON.stringify(r3.split('\n')[0])}`);
  }
  engine = !/unknown API/.test(await api('uuid_openai_audio_stream'));
  info(`session engine (uuid_openai_audio_stream in JS): ${engine ? 'present' : 'not there yet'}`);

  // ---- echo on a parked channel, no silence_stream: the writer thread carries the audio
  if (want('echo_parked')) {
    const call = await originate('oair_park');
    await sleep(500);
    const r = await api(`openai_realtime echo ${call.b} start 200`);
    await sleep(6000);
    const st = await statusJson();
    await stopRecord(call);
    const e = analyzeEcho(call.recFile, { fromSec: 1.5 });
    const dup = await api(`openai_realtime echo ${call.b} start`);
    await hangup(call);
    check('echo_parked: A hears its own audio back on a parked channel (writer thread)', r.startsWith('+OK') && e.share > 0.95 && e.changes <= 1,
      `start ${r}; ${e.matched}/${e.energetic} blocks matched (${(e.share * 100).toFixed(1)}%), lag ${e.lagMs} ms (min ${e.minLagMs}, max ${e.maxLagMs}), ${e.changes} lag changes; sessions ${st?.totals?.sessions}`);
    check('echo_parked: a second stream of the same kind is refused', /already/i.test(dup), dup);
  }

  // ---- hand-over: the channel starts/stops writing itself while the echo runs
  if (want('handover')) {
    const call = await originate('oair_park');
    await sleep(500);
    await api(`openai_realtime echo ${call.b} start 200`);
    await sleep(3000);                                     // writer
    // Eight round trips: the channel writes itself (a file, silence) → WRITE_REPLACE substitutes;
    // it stops → the writer takes over again. Latency must not creep from one trip to the next.
    for (let i = 0; i < 8; i++) {
      await api(`uuid_broadcast ${call.b} ${i % 2 ? 'silence_stream://1000' : TONE1000} aleg`);
      await sleep(i % 2 ? 1500 : 2500);
    }
    await sleep(2500);                                     // writer again
    await stopRecord(call);
    await hangup(call);
    const whole = analyzeEcho(call.recFile, { fromSec: 1.5 });
    const before = analyzeEcho(call.recFile, { fromSec: 1.5, toSec: 3.4 });
    const after = analyzeEcho(call.recFile, { fromSec: whole.rate ? (readWav(call.recFile).channels[0].length / whole.rate) - 2.3 : 0 });
    // 1000 Hz audible during the tone playback windows?
    const { rate, channels } = readWav(call.recFile);
    const heard = channels[0];
    let toneWin = 0, wins = 0;
    for (let s = 0; s + rate / 10 <= heard.length; s += rate / 10) {
      if (dbfs(rms(heard, s, rate / 10)) < -45) continue;
      wins++;
      if (toneShare(heard, s, rate / 10, rate, 1000) > 0.5) toneWin++;
    }
    const grow = after.lagMs !== null && before.lagMs !== null ? after.lagMs - before.lagMs : null;
    check('handover: 16 writer ⇄ WRITE_REPLACE hand-overs keep the echo whole and do not grow latency',
      whole.share > 0.9 && grow !== null && grow <= 40 && toneWin / Math.max(1, wins) < 0.05,
      `${(whole.share * 100).toFixed(1)}% matched, ${whole.changes} lag changes; lag before ${before.lagMs} ms, after ${after.lagMs} ms (${grow >= 0 ? '+' : ''}${grow} ms); 1000 Hz audible in ${toneWin}/${wins} windows`);
  }

  // ---- other codec rates and ptimes (loopback_initial_codec)
  if (want('rates')) {
    const details = [];
    let ok = true;
    for (const codec of ['L16@16000h@20i', 'L16@48000h@20i', 'L16@8000h@30i']) {
      // mod_loopback reads loopback_initial_codec before it applies the originate variables, but a
      // channel variable lookup falls back to the globals.
      await api(`global_setvar loopback_initial_codec=${codec}`);
      const call = await originate('oair_park');
      await api('global_setvar loopback_initial_codec=');
      await sleep(500);
      const r = await api(`openai_realtime echo ${call.b} start 100`);
      await sleep(4000);
      await stopRecord(call);
      await hangup(call);
      const e = analyzeEcho(call.recFile, { fromSec: 1.5 });
      ok &&= r.startsWith('+OK') && e.share > 0.9;
      ok &&= e.rate === Number(codec.match(/@(\d+)h/)[1]);
      details.push(`${codec}: recorded at ${e.rate} Hz, ${(e.share * 100).toFixed(0)}% matched, lag ${e.lagMs} ms, ${e.changes} lag changes`);
    }
    check('rates: echo at 16 kHz, 48 kHz and 30 ms ptime', ok, details.join('; '));
  }

  // ---- the DTMF hook does not disturb anything (digits reach the bridge; the echo ignores them)
  if (want('dtmf_hook')) {
    const call = await originate('oair_park', { record: false });
    await sleep(300);
    await api(`openai_realtime echo ${call.b} start`);
    const r = await api(`uuid_send_dtmf ${call.a} 1234#`);
    await sleep(1500);
    const st = await statusJson();
    await hangup(call);
    check('dtmf_hook: caller DTMF on a streaming channel', r.startsWith('+OK') && st?.totals?.sessions >= 1, `uuid_send_dtmf → ${r}`);
  }

  // ---- N concurrent echo calls
  if (want('concurrent_echo')) {
    markLog();
    const calls = [];
    for (let i = 0; i < CALLS; i++) calls.push(await originate('oair_park'));
    await sleep(500);
    const starts = await Promise.all(calls.map((c) => api(`openai_realtime echo ${c.b} start 200`)));
    await sleep(6000);
    const st = await statusJson();
    for (const c of calls) await stopRecord(c);
    for (const c of calls) await hangup(c);
    const res = calls.map((c) => analyzeEcho(c.recFile, { fromSec: 1.5 }));
    const worst = res.reduce((m, e) => Math.min(m, e.share), 1);
    const lags = res.map((e) => e.lagMs);
    await waitFor(async () => (await channelCount()) === 0, 10000);
    const after = await statusJson();
    check(`concurrent_echo: ${CALLS} parked calls echo at once`, starts.every((s) => s.startsWith('+OK')) && worst > 0.9 && st?.totals?.sessions === CALLS,
      `sessions ${st?.totals?.sessions}; worst call ${(worst * 100).toFixed(1)}% matched; lags ${Math.min(...lags)}..${Math.max(...lags)} ms; lag changes ${res.map((e) => e.changes).join(',')}`);
    check('concurrent_echo: all sessions and channel records gone after hangup',
      after?.totals?.sessions === 0 && after?.totals?.liveChannels === 0 && errorsSinceMark().length === 0,
      `sessions ${after?.totals?.sessions}, live channel records ${after?.totals?.liveChannels}; errors: ${errorsSinceMark().slice(0, 3).join(' | ') || 'none'}`);
  }

  // ---- hangups in every phase
  if (want('hangup')) {
    markLog();
    let n = 0;
    for (let i = 0; i < 12; i++) {
      const c = await originate('oair_park', { record: false });
      await api(`openai_realtime echo ${c.b} start ${i % 3 === 0 ? 0 : 300}`);
      await sleep([0, 30, 150, 700][i % 4]);
      if (i % 3 === 0) await api(`uuid_kill ${c.b}`);         // the AI leg
      else if (i % 3 === 1) await api(`uuid_kill ${c.a}`);    // the caller
      else { await api(`openai_realtime echo ${c.b} stop`); await api(`uuid_kill ${c.a}`); }
      n++;
    }
    await waitFor(async () => (await channelCount()) === 0, 10000);
    await sleep(500);
    const st = await statusJson();
    const errs = errorsSinceMark();
    check('hangup: hangups of either leg, stop-then-hangup, at random moments', st?.totals?.sessions === 0 && st?.totals?.liveChannels === 0 && errs.length === 0,
      `${n} calls; sessions ${st?.totals?.sessions}, live channel records ${st?.totals?.liveChannels}; errors: ${errs.slice(0, 3).join(' | ') || 'none'}`);
  }

  // ---- unload / load while a call streams, and again on the same call
  if (want('reload')) {
    markLog();
    const call = await originate('oair_park');
    await sleep(300);
    await api(`openai_realtime echo ${call.b} start 100`);
    // A conversation too, when the engine is there: unload ends it (close frame, detach) and the call stays.
    const talk = engine ? await originate('oair_seed_park', { record: false }) : null;
    await sleep(1500);
    const details = [];
    const rss0 = rssMb();
    let ok = true;
    for (let i = 0; i < 5; i++) {
      const t1 = Date.now();
      const u = await api('unload mod_openai_realtime');
      const up = (await api(`uuid_exists ${call.a}`)) === 'true';
      const l = lastLine(await api('load mod_openai_realtime'));
      const ms = Date.now() - t1;
      const st = await api('openai_realtime status');
      const r = await api(`openai_realtime echo ${call.b} start 100`);
      const talkUp = !talk || (await api(`uuid_exists ${talk.b}`)) === 'true';
      ok &&= u.startsWith('+OK') && up && talkUp && l.startsWith('+OK') && st.startsWith('sessions:') && r.startsWith('+OK');
      details.push(`unload ${u} / load ${l} ${ms} ms`);
      await sleep(1200);
    }
    await sleep(1500);
    const rss1 = rssMb();
    await stopRecord(call);
    await hangup(call);
    if (talk) await hangup(talk);
    const e = analyzeEcho(call.recFile, { fromSec: 1 });
    const errs = errorsSinceMark();
    check(`reload: unload/load ×5 with ${talk ? 'an echo and a conversation' : 'an echo'} running; calls stay up, the echo resumes on the same call`,
      ok && errs.length === 0 && e.share > 0.6,
      `${details.join('; ')}; echo after reloads ${(e.share * 100).toFixed(0)}% matched; FreeSWITCH RSS ${rss0} → ${rss1} MB; errors: ${errs.slice(0, 3).join(' | ') || 'none'}`);
  }

  // ---- refuses to load next to mod_v8 (a stand-in module of that name, built here if a compiler is around)
  if (want('v8_refusal')) {
    const fake = join(T, 'mod', 'mod_v8.so');
    const src = join(T, 'fake_mod_v8.c');
    writeFileSync(src, `#include <switch.h>
SWITCH_MODULE_LOAD_FUNCTION(mod_v8_load);
SWITCH_MODULE_DEFINITION(mod_v8, mod_v8_load, NULL, NULL);
SWITCH_MODULE_LOAD_FUNCTION(mod_v8_load) { *module_interface = switch_loadable_module_create_module_interface(pool, modname); return SWITCH_STATUS_SUCCESS; }
`);
    const cc = await new Promise((resolve) => {
      const p = spawn('cc', ['-shared', '-fPIC', '-o', fake, src, `-I${FS_INCLUDE}`], { stdio: 'ignore' });
      p.on('error', () => resolve(1));
      p.on('exit', (c) => resolve(c));
    });
    if (cc !== 0) {
      skip('v8_refusal', 'no C compiler to build a stand-in mod_v8');
    } else {
      markLog();
      const u = await api('unload mod_openai_realtime');
      const v = lastLine(await api('load mod_v8'));
      const refused = lastLine(await api('load mod_openai_realtime'));
      const crit = logText().slice(logMark).split('\n').find((l) => /\[CRIT\].*mod_v8/.test(l));
      await api('unload mod_v8');
      const back = lastLine(await api('load mod_openai_realtime'));
      const st = await api('openai_realtime status');
      check('v8_refusal: refuses to load while mod_v8 is loaded, with a CRIT line; loads once it is gone',
        u.startsWith('+OK') && v.startsWith('+OK') && refused.startsWith('-ERR') && Boolean(crit) && back.startsWith('+OK') && st.startsWith('sessions:'),
        `load with mod_v8 → ${refused.split('\n')[0]}; log: ${crit ? crit.replace(/^.*\[CRIT\]\s*/, '').slice(0, 110) : 'no CRIT line'}; after unload mod_v8 → ${back.split('\n')[0]}`);
    }
  }

  // ---- a wrong bundle-dir: load fails cleanly with a CRIT line, FreeSWITCH stays up, a good one loads again
  if (want('bad_bundle')) {
    markLog();
    writeConfig(join(T, 'no-such-bundle'));
    const u = await api('unload mod_openai_realtime');
    const t1 = Date.now();
    const l = lastLine(await api('load mod_openai_realtime'));
    const ms = Date.now() - t1;
    const crit = logText().slice(logMark).split("\n").find((x) => /\[CRIT\].*(runtime did not start|not loaded)/.test(x));
    const alive = (await api('status')).includes('is ready');
    writeConfig(opts.bundle);
    const back = lastLine(await api('load mod_openai_realtime'));
    const st = await api('openai_realtime status');
    check('bad_bundle: a missing runtime bundle fails the load cleanly; the right one loads after', u.startsWith('+OK') && l.startsWith('-ERR') && Boolean(crit) && alive && back.startsWith('+OK') && st.startsWith('sessions:'),
      `load → ${l} in ${ms} ms; ${crit ? crit.replace(/^.*\[CRIT\]\s*\S+\s*/, '').slice(0, 140) : 'no CRIT line'}; then ${back}`);
  }

  // ---- every host operation, driven by a stand-in runtime bundle that calls the bridge directly
  if (want('host_ops')) await hostOpsCheck();

  // ---- mixed and stereo capture on a parked channel (nothing writes: the first bug read fills the
  //      empty write side, so frames still flow), then stop
  if (want('mix') && engine) {
    const details = [];
    let ok = true;
    for (const mix of ['mono', 'mixed', 'stereo']) {
      const call = await originate('oair_park', { record: false });
      await sleep(300);
      const r = await api(`uuid_openai_audio_stream ${call.b} start ${REALTIME_URL} ${mix} 24k`);
      await sleep(3000);
      const st = await statusJson();
      const s = st?.sessions?.find((x) => x.uuid === call.b) ?? {};
      const stop = await api(`uuid_openai_audio_stream ${call.b} stop`);
      await hangup(call);
      ok &&= r.startsWith('+OK') && stop.startsWith('+OK') && s.framesIn >= 120 && s.overruns === 0 && s.uplinkMs >= 2000;
      details.push(`${mix}: ${r.split('\n')[0]}, ${s.framesIn} frames in, ${s.uplinkMs} ms sent, ${s.overruns} overruns, stop ${stop.split('\n')[0]}`);
    }
    check('mix: mono, mixed and stereo capture on a parked channel', ok, details.join('; '));
  } else if (want('mix')) {
    skip('mix', 'the session engine (uuid_openai_audio_stream) is not in the runtime yet');
  }

  // ---- the conversation (needs the session engine: uuid_openai_audio_stream in JS)
  const convChecks = ['conversation', 'conversation_parked', 'events', 'secrets', 'bargein', 'hangup_playback', 'concurrent_conversation'];
  if (!engine) {
    for (const c of convChecks) if (want(c)) skip(c, 'the session engine (uuid_openai_audio_stream) is not in the runtime yet');
  } else {
    await conversationChecks();
  }
  if (want('end_call')) {
    if (engine) await endCallCheck();
    else skip('end_call', 'the session engine (uuid_openai_audio_stream) is not in the runtime yet');
  }
  if (want('jambonz_s2s')) {
    if (engine) await jambonzS2sChecks();
    else skip('jambonz_s2s', 'the session engine is not in the runtime yet');
  }
  if (['live_parked', 'live_bargein', 'live_end_call', 'live_pcmu'].some(want)) await liveChecks();

  // ---- shutdown with calls active
  {
    const calls = [];
    for (let i = 0; i < 4; i++) calls.push(await originate('oair_park', { record: false }));
    for (const c of calls) await api(`openai_realtime echo ${c.b} start`);
    if (engine) calls.push(await originate('oair_seed_park', { record: false, source: NOISE }));
    await sleep(1500);
    const t1 = Date.now();
    esl.command('api fsctl shutdown').catch(() => {});
    const timeout = new Promise((r) => setTimeout(() => r({ code: 'timeout' }), 60000));
    const ex = await Promise.race([fsExit, timeout]);
    const out = fsOut.join('');
    check('shutdown: fsctl shutdown with calls streaming exits 0', ex.code === 0 && !/Segmentation|Aborted|core dumped|Assertion/.test(out),
      `exit ${ex.code}${ex.signal ? ` signal ${ex.signal}` : ''} after ${((Date.now() - t1) / 1000).toFixed(1)} s with ${calls.length} calls`);
  }
}

// ------------------------------------------------------------------------------------------ host ops
// A runtime bundle of a few lines that answers `openai_realtime <op> ...` by calling the native bridge
// itself: every host operation of mod_openai_realtime.c is exercised in the real FreeSWITCH without
// depending on what the application does with it yet.
const HOSTOPS_MAIN = `
const b = process._linkedBinding('oair_bridge');
const chans = new Map();
const key = (u, n) => u + '/' + n;
function handle(api, args) {
  if (api === '__runtime__') { setImmediate(() => b.shutdown()); return '+OK stopped'; }
  const a = args.trim().split(/\\s+/);
  switch (a[0]) {
    case 'getvar': { const v = b.getVar(a[1], a[2]); return v === undefined ? '+OK <no channel>' : v === null ? '+OK <unset>' : '+OK ' + v; }
    case 'attach': { const r = b.attach(a[1], a[2], Number(a[3] || 0), 1000, 1000); const old = chans.get(key(a[1], a[2])); if (old) b.release(old.id); chans.set(key(a[1], a[2]), r); return '+OK ' + r.sampleRate + ' ' + r.frameSamples + ' ' + r.captureChannels; }
    case 'dtmf': { const r = chans.get(key(a[1], a[2])); return '+OK ' + b.readDtmf(r.id).map((d) => d.digit).join(''); }
    case 'poll': { const r = chans.get(key(a[1], a[2])); return '+OK ' + b.poll(r.id); }
    case 'detach': { const r = chans.get(key(a[1], a[2])); b.detach(r.id); return '+OK ' + b.poll(r.id); }
    case 'release': { const r = chans.get(key(a[1], a[2])); chans.delete(key(a[1], a[2])); return '+OK ' + b.release(r.id); }
    case 'fire': return b.fireEvent(a[1], 'openai_realtime::call_control', '{"probe":1}', { 'X-Oair-Test': 'yes', 'X-Oair-Leak': 'Bearer ' + a[2] }) ? '+OK' : '-ERR not fired';
    case 'log': b.log(5, a[1], 'hostops log line ' + a[2]); return '+OK';
    case 'control': b.control(a[1], a[2], a.slice(3)); return '+OK';
    case 'counters': return '+OK ' + JSON.stringify(b.counters());
    default: return '-ERR unknown op ' + a[0];
  }
}
b.serveCommands((id, api, args) => { let r; try { r = handle(api, args); } catch (e) { r = '-ERR ' + e.message; } b.reply(id, r); });
b.ready();
`;
async function hostOpsCheck() {
  const dir = join(T, 'hostops-bundle');
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(dir, 'dist', 'main.js'), HOSTOPS_MAIN);
  writeConfig(dir);
  const sw1 = [await api('unload mod_openai_realtime'), lastLine(await api('load mod_openai_realtime'))];
  const events = [];
  const off = esl.onEvent((ev) => events.push(ev));
  await esl.command('event plain CHANNEL_HANGUP CUSTOM openai_realtime::call_control');
  markLog();
  const call = await originate('oair_park');
  const { a: A, b: B } = call;
  const op = (x) => api(`openai_realtime ${x}`);
  const r = {};
  try {
    r.getvar = await op(`getvar ${B} other_loopback_leg_uuid`);
    r.unset = await op(`getvar ${B} oair_no_such_var`);
    r.nochan = await op(`getvar 00000000-0000-0000-0000-000000000000 uuid`);
    r.attach = await op(`attach ${B} oair_probe 0`);
    r.dup = await op(`attach ${B} oair_probe 0`);
    r.attach2 = await op(`attach ${B} oair_probe2 2`);
    r.attachA = await op(`attach ${A} oair_probe 0`);
    // "~": without it FreeSWITCH marks API-sent digits "skip processing" and a loopback peer's hooks never see them
    await api(`uuid_send_dtmf ${A} ~59`);            // A sends, B receives: our recv hook on B
    r.setvar = await op(`control ${B} set_var oair_x hello`);
    r.setvarSeen = await api(`uuid_getvar ${B} oair_x`);
    r.sendDtmf = await op(`control ${B} send_dtmf ~123`); // B sends, A receives: A's hook
    await sleep(1500);
    r.dtmfB = await op(`dtmf ${B} oair_probe`);
    r.dtmfB2 = await op(`dtmf ${B} oair_probe2`);
    r.dtmfA = await op(`dtmf ${A} oair_probe`);
    r.fire = await op(`fire ${B} ${API_KEY}`);
    r.log = await op(`log ${B} 4711`);
    r.play = await op(`control ${B} play ${TONE1000}`);   // nothing in our rings: the file passes through
    await sleep(600);
    r.brk = await op(`control ${B} break`);
    await sleep(1500);
    r.evil = await op(`control ${B} play hangup::`);       // a path, never an application
    await sleep(500);
    r.aliveAfterEvil = await api(`uuid_exists ${B}`);
    r.detach = await op(`detach ${B} oair_probe2`);
    r.reattach = await op(`attach ${B} oair_probe2 1`);
    r.badAction = await op(`control ${A} frobnicate`);
    r.transfer = await op(`control ${B} transfer oair_transfer_target XML test`);
    await sleep(800);
    r.transferred = await api(`uuid_getvar ${B} oair_transferred`);
    await stopRecord(call);
    r.hangup = await op(`control ${B} hangup USER_BUSY`);
    await sleep(800);
    r.pollAfter = await op(`poll ${B} oair_probe`);
    r.detachAfter = await op(`detach ${B} oair_probe`);
    for (const [u, n] of [[B, 'oair_probe'], [B, 'oair_probe2'], [A, 'oair_probe']]) await op(`release ${u} ${n}`);
    await sleep(300);
    r.counters = await op('counters');
  } catch (err) {
    r.error = String(err);
  }
  off();
  // What A heard: the 1000 Hz file for the ~0.6 s before the break, then nothing.
  let toneMs = 0;
  try {
    const { rate, channels } = readWav(call.recFile);
    for (let s = 0; s + rate / 20 <= channels[0].length; s += rate / 20) {
      if (dbfs(rms(channels[0], s, rate / 20)) > -30 && toneShare(channels[0], s, rate / 20, rate, 1000) > 0.6) toneMs += 50;
    }
  } catch {}
  const fired = events.find((e) => e.headers['Event-Subclass'] === 'openai_realtime::call_control');
  const hung = events.find((e) => e.headers['Event-Name'] === 'CHANNEL_HANGUP' && e.headers['Unique-ID'] === B);
  const logLine = logText().split('\n').find((l) => l.includes('hostops log line 4711'));
  const errs = errorsSinceMark().filter((l) => !l.includes('hangup::')); // the file "hangup::" does not exist: expected
  writeConfig(opts.bundle);
  const sw2 = [await api('unload mod_openai_realtime'), lastLine(await api('load mod_openai_realtime'))];
  const counters = (() => { try { return JSON.parse(r.counters.slice(4)); } catch { return {}; } })();
  const items = [
    ['runtime swapped in and out', sw1.concat(sw2).every((x) => x.startsWith('+OK')), `${sw1.join('/')} … ${sw2.join('/')}`],
    ['get_var value / unset / no channel', r.getvar === `+OK ${A}` && r.unset === '+OK <unset>' && r.nochan === '+OK <no channel>', `${r.getvar} | ${r.unset} | ${r.nochan}`],
    ['attach (rate, frame, channels); same name refused; stereo; other leg', r.attach === '+OK 8000 160 1' && /already attached/.test(r.dup) && r.attach2 === '+OK 8000 160 2' && r.attachA === '+OK 8000 160 1', `${r.attach} | ${r.dup} | ${r.attach2} | ${r.attachA}`],
    ['caller DTMF reaches every stream of the channel', r.dtmfB === '+OK 59' && r.dtmfB2 === '+OK 59', `${r.dtmfB} | ${r.dtmfB2}`],
    ['send_dtmf reaches the other side', r.sendDtmf === '+OK' && r.dtmfA === '+OK 123', `${r.sendDtmf} → A's stream got ${r.dtmfA}`],
    ['set_var', r.setvar === '+OK' && r.setvarSeen === 'hello', r.setvarSeen],
    ['fire_event: channel headers, extra headers, body, no secret', Boolean(fired) && fired.headers['Unique-ID'] === B && fired.headers['X-Oair-Test'] === 'yes' && !('X-Oair-Leak' in fired.headers) && fired.body === '{"probe":1}' && !JSON.stringify(fired.headers).includes(API_KEY),
      fired ? `Unique-ID ok=${fired.headers['Unique-ID'] === B}, X-Oair-Test=${fired.headers['X-Oair-Test']}, leak header dropped=${!('X-Oair-Leak' in fired.headers)}, body ${fired.body}` : 'no event'],
    ['log tagged with the channel uuid', Boolean(logLine && logLine.startsWith(B)), logLine ? logLine.slice(0, 60) + '…' : 'no line'],
    ['play then break (broadcast of a file, to this leg)', r.play === '+OK' && r.brk === '+OK' && toneMs >= 300 && toneMs <= 1200, `1000 Hz heard for ${toneMs} ms`],
    ['play never runs an application from its path', r.evil === '+OK' && r.aliveAfterEvil === 'true', `play hangup:: → ${r.evil}; channel alive: ${r.aliveAfterEvil}`],
    ['detach is synchronous (same name attaches again at once)', /^\+OK [1-7]$/.test(r.detach) && (Number(r.detach.slice(4)) & 1) === 1 && r.reattach === '+OK 8000 160 1', `${r.detach} (closed bit) | ${r.reattach}`],
    ['transfer', r.transfer === '+OK' && r.transferred === 'yes', r.transferred],
    ['hangup with a cause; the hook closes; detach after hangup is harmless', r.hangup === '+OK' && hung?.headers['Hangup-Cause'] === 'USER_BUSY' && (Number(r.pollAfter?.slice(4)) & 1) === 1 && r.detachAfter?.startsWith('+OK'),
      `${hung?.headers['Hangup-Cause']}; poll ${r.pollAfter}; detach ${r.detachAfter}`],
    ['unknown action refused', /^-ERR unknown action frobnicate/.test(r.badAction ?? ''), r.badAction],
    ['no channel record left, no error logged', counters.liveChannels === 0 && errs.length === 0 && !r.error, `live records ${counters.liveChannels}; ${r.error ?? ''} errors: ${errs.slice(0, 3).join(' | ') || 'none'}`],
  ];
  for (const [name, pass, detail] of items) check(`host_ops: ${name}`, pass, detail);
}

// ------------------------------------------------------------------------------------------ conversation
function toneAnalysis(path, hz = 440) {
  const { rate, channels } = readWav(path);
  const heard = channels[0];
  const win = Math.round(rate / 20); // 50 ms
  const on = [];
  for (let s = 0; s + win <= heard.length; s += win) on.push(dbfs(rms(heard, s, win)) > -30 && toneShare(heard, s, win, rate, hz) > 0.6);
  return { rate, on, winMs: 50, toneMs: on.filter(Boolean).length * 50 };
}
async function conversationChecks() {
  const events = [];
  const off = esl.onEvent((ev) => events.push(ev));
  await esl.command('event plain CUSTOM mod_openai_audio_stream::connect mod_openai_audio_stream::json mod_openai_audio_stream::disconnect mod_openai_audio_stream::error mod_openai_audio_stream::openai_speech_start mod_openai_audio_stream::openai_speech_stop');
  // One spoken "question" (1.2 s of noise) then silence: the simulator answers with 2 s of 440 Hz.
  const Q = join(T, 'audio', 'question.wav');
  writeFileSync(Q, wavBytes(1, RATE, utterances(12, RATE, [[0.5, 1.2]])));
  const BARGE = join(T, 'audio', 'barge.wav');
  writeFileSync(BARGE, wavBytes(1, RATE, utterances(12, RATE, [[0.5, 1.2], [3.2, 1.0]])));

  for (const [name, dest, what] of [['conversation', 'oair_seed', 'seed README dialplan (silence_stream)'], ['conversation_parked', 'oair_seed_park', 'seed dialplan with park instead of silence_stream']]) {
    if (!want(name)) continue;
    const call = await originate(dest, { source: Q, vars: { verbose_events: 'true' } });
    await sleep(7000);
    await stopRecord(call);
    await hangup(call);
    const t = toneAnalysis(call.recFile);
    const mine = events.filter((e) => e.headers['Unique-ID'] === call.b);
    const subs = [...new Set(mine.map((e) => e.headers['Event-Subclass']))];
    check(`${name}: the caller hears the assistant — ${what}`, t.toneMs >= 1500, `440 Hz heard for ${t.toneMs} ms; events ${subs.join(', ') || 'none'}`);
  }
  if (want('events') || want('secrets')) {
    const mine = events.filter((e) => /mod_openai_audio_stream::/.test(e.headers['Event-Subclass'] ?? ''));
    const connect = mine.find((e) => e.headers['Event-Subclass'] === 'mod_openai_audio_stream::connect');
    const json = mine.find((e) => e.headers['Event-Subclass'] === 'mod_openai_audio_stream::json');
    if (want('events')) check('events: ::connect and ::json arrive over the event socket with channel headers', Boolean(connect && json && connect.headers['Unique-ID']),
      `connect body ${connect?.body ?? 'none'}; json ${json ? JSON.parse(json.body || '{}').type : 'none'}; ${mine.length} events`);
    if (want('secrets')) {
      const leaks = mine.filter((e) => Object.entries(e.headers).some(([k, v]) => v.includes(API_KEY) || /API_KEY|EXTRA_HEADERS/i.test(k)) || e.body.includes(API_KEY));
      // The dialplan set STREAM_DISABLE_AUDIOFILES next to the key: seeing it proves the channel's
      // variables were exported, so the key's absence is the scrubbing, not an absent variable.
      const hasVars = connect && 'variable_STREAM_DISABLE_AUDIOFILES' in connect.headers;
      if (process.env.OAIR_IT_DUMP) console.log(connect?.headers);
      check('secrets: verbose events carry channel variables but never the API key', leaks.length === 0 && Boolean(hasVars),
        `${mine.length} events checked, ${leaks.length} with the key; variable_STREAM_DISABLE_AUDIOFILES exported: ${Boolean(hasVars)}`);
    }
  }
  if (want('bargein')) for (const dest of ['oair_seed_park', 'oair_seed']) {
    const call = await originate(dest, { source: BARGE });
    await sleep(8000);
    await stopRecord(call);
    await hangup(call);
    const t = toneAnalysis(call.recFile);
    // Caller speaks again at 3.2 s of its own timeline; the tone (started ~2 s) must stop soon after.
    const { rate, channels } = readWav(call.recFile);
    const sent = channels[1];
    let second = null;
    for (let s = Math.round(2.5 * rate), w = Math.round(rate / 50); s + w < sent.length; s += w) {
      if (dbfs(rms(sent, s, w)) > -40) { second = s / rate; break; }
    }
    // First answer: the first run of tone windows. It must start before the caller talks again and
    // end soon after (the 2 s tone would otherwise run on); the simulator answers the second
    // utterance afterwards, which is fine.
    let toneStart = null, toneEnd = null;
    for (let i = 0; i < t.on.length; i++) {
      if (t.on[i] && toneStart === null) toneStart = i * 0.05;
      if (toneStart !== null && !t.on[i] && i * 0.05 > toneStart + 0.1) { toneEnd = i * 0.05; break; }
    }
    const stopMs = second !== null && toneEnd !== null ? Math.round((toneEnd - second) * 1000) : null;
    const natural = toneStart !== null && toneEnd !== null && toneEnd - toneStart >= 1.9;
    check(`bargein: the assistant stops when the caller talks over it (${dest === 'oair_seed' ? 'silence_stream: WRITE_REPLACE' : 'parked: writer thread'})`, stopMs !== null && stopMs < 800 && toneStart < second && !natural,
      `first answer ${toneStart?.toFixed(2)}–${toneEnd?.toFixed(2)} s (of 2 s), caller again at ${second?.toFixed(2)} s → stopped ${stopMs} ms after`);
  }
  if (want('hangup_playback')) {
    markLog();
    const calls = [];
    for (let i = 0; i < 6; i++) calls.push(await originate(i % 2 ? 'oair_seed' : 'oair_seed_park', { source: Q, record: false }));
    await sleep(2600); // inside the assistant's answer
    const t1 = Date.now();
    for (const [i, c] of calls.entries()) await api(`uuid_kill ${i % 2 ? c.a : c.b}`);
    await waitFor(async () => (await channelCount()) === 0, 10000, 20);
    const goneMs = Date.now() - t1;
    await sleep(1000);
    const st = await statusJson();
    const errs = errorsSinceMark();
    // The seed dialplan runs `uuid_openai_audio_stream ... stop` on the hung-up channel: that stop must
    // not wait for a bug removal the same (blocked) session thread would do.
    check('hangup_playback: hangups during the assistant\'s answer leave no session, record or error, and no stall',
      st?.totals?.sessions === 0 && st?.totals?.liveChannels === 0 && errs.length === 0 && goneMs < 2000,
      `all ${calls.length * 2} legs gone ${goneMs} ms after the first kill; sessions ${st?.totals?.sessions}, live records ${st?.totals?.liveChannels}; errors: ${errs.slice(0, 3).join(' | ') || 'none'}`);
  }
  if (want('concurrent_conversation')) {
    const calls = [];
    for (let i = 0; i < CALLS; i++) calls.push(await originate(i % 2 ? 'oair_seed' : 'oair_seed_park', { source: Q }));
    await sleep(7500);
    for (const c of calls) await stopRecord(c);
    for (const c of calls) await hangup(c);
    const heard = calls.map((c) => toneAnalysis(c.recFile).toneMs);
    check(`concurrent_conversation: ${CALLS} calls hold a conversation with the simulator at once`, heard.every((ms) => ms >= 1500),
      `440 Hz heard per call (ms): ${heard.join(',')}`);
  }
  off();
}

// ------------------------------------------------------------------------------------------ call control
// end_call, the ready-made tool, in a real FreeSWITCH: the assistant's goodbye (the simulator's 2 s
// tone, arrived faster than real time) is still playing when the model asks to hang up; the module
// must let it play to the end, then hang up with NORMAL_CLEARING. The A leg's recording ends with
// the hangup, so the whole tone in it, ended before the recording ends, is the proof.
async function endCallCheck() {
  const events = [];
  const off = esl.onEvent((ev) => events.push(ev));
  await esl.command('event plain CHANNEL_HANGUP CUSTOM openai_realtime::call_control');
  const SILENCE = join(T, 'audio', 'silence.wav');
  writeFileSync(SILENCE, wavBytes(1, RATE, new Int16Array(RATE * 15)));
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64');
  const call = await originate('oair_end_call', { source: SILENCE });
  const ready = await waitFor(async () => {
    const s = (await statusJson())?.sessions?.find((x) => x.uuid === call.b);
    return s?.state === 'open' && (s.tools ?? []).includes('end_call');
  }, 8000);
  await sleep(500); // the module's tools update has been answered
  const greet = await api(`uuid_openai_audio_stream ${call.b} send_json ${b64({ type: 'response.create' })}`);
  await sleep(700); // the goodbye has arrived and is playing
  const askedAt = Date.now();
  const ask = await api(`uuid_openai_audio_stream ${call.b} send_json ${b64({ type: 'response.create', response: { tool_choice: { type: 'function', name: 'end_call' } } })}`);
  const hungUp = () => events.find((ev) => ev.headers['Event-Name'] === 'CHANNEL_HANGUP' && ev.headers['Unique-ID'] === call.b);
  const gone = await waitFor(async () => Boolean(hungUp()), 15000, 20);
  const afterMs = Date.now() - askedAt;
  await waitFor(async () => (await channelCount()) === 0, 5000, 50);
  await sleep(300);
  const t = toneAnalysis(call.recFile);
  const lastTone = t.on.lastIndexOf(true);
  const tailMs = lastTone < 0 ? 0 : (t.on.length - 1 - lastTone) * t.winMs;
  const control = events.find((ev) => ev.headers['Event-Subclass'] === 'openai_realtime::call_control' && ev.headers['Unique-ID'] === call.b);
  let body = null;
  try { body = control ? JSON.parse(control.body) : null; } catch {}
  const cause = hungUp()?.headers['Hangup-Cause'];
  check('end_call: the ready-made tool hangs up (NORMAL_CLEARING) only after the caller heard the whole goodbye',
    ready && greet.startsWith('+OK') && ask.startsWith('+OK') && gone && cause === 'NORMAL_CLEARING' && t.toneMs >= 1850 && tailMs > 0 &&
      body?.action === 'hangup' && body?.source === 'tool:end_call' && body?.result === 'ok',
    `tools offered ${ready}; hangup ${afterMs} ms after the model asked, cause ${cause}; 440 Hz heard for ${t.toneMs} ms of 2000, ` +
      `${tailMs} ms of the recording after it; call_control ${control?.body ?? 'none'}`);
  off();
}

// ---- jambonz's uuid_openai_s2s sequence (its feature-server, lib/tasks/llm/llms/openai_s2s.js, as
// test/e2e/jambonzS2s.test.ts replays it on the host simulator), here through a real FreeSWITCH: every
// command an `api uuid_openai_s2s ^^|…` line as its media library sends it over the event socket.
// A simulator of its own: one that calls get_weather after every user turn (and one that ends its
// sessions after 2 s, for session.delete after the server closed the connection).
async function startSim(extra) {
  const p = spawn(process.execPath, [join(ROOT, 'dist/cli/realtimeSim.js'), '--port', '0', '--voice', 'tone', '--tone-ms', '600', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('simulator did not start')), 15000);
    p.stdout.on('data', (d) => { buf += d; const m = buf.match(/^(wss?:\/\/\S+)/m); if (m) { clearTimeout(timer); resolve(m[1]); } });
    p.on('exit', (c) => reject(new Error(`simulator exited (${c})`)));
  });
  return { proc: p, host: `ws://${new URL(url).host}` };
}
async function jambonzS2sChecks() {
  const events = [];
  const off = esl.onEvent((ev) => events.push(ev));
  await esl.command('event plain CUSTOM openai_s2s::connect openai_s2s::connect_failed openai_s2s::server_event openai_s2s::disconnect');
  const tools = await startSim(['--call-function', 'get_weather']);
  const dropping = await startSim(['--session-limit-ms', '2500']);
  const s2s = (...args) => api(`uuid_openai_s2s ^^|${args.join('|')}`);
  const clientEvent = (uuid, ev) => s2s(uuid, 'client.event', JSON.stringify(ev));
  const mine = (uuid, subclass) => events.filter((ev) => ev.headers['Unique-ID'] === uuid && (!subclass || ev.headers['Event-Subclass'] === subclass));
  const serverEvents = (uuid) => mine(uuid, 'openai_s2s::server_event').map((ev) => { try { return JSON.parse(ev.body); } catch { return { type: '(not JSON)' }; } });
  const ofType = (uuid, type) => serverEvents(uuid).filter((e) => e.type === type);
  // Its event filter: Unique-ID on every event, a JSON object body on all but connect.
  const wellFormed = (uuid) => {
    const all = events.filter((ev) => (ev.headers['Event-Subclass'] ?? '').startsWith('openai_s2s::'));
    const ours = mine(uuid);
    return ours.length > 0 && all.every((ev) => ev.headers['Unique-ID']) && ours.every((ev) => {
      if (ev.headers['Event-Subclass'] === 'openai_s2s::connect') return true;
      try { const b = JSON.parse(ev.body); return typeof b === 'object' && b !== null && !Array.isArray(b); } catch { return false; }
    });
  };
  const RESPONSE_CREATE = { modalities: ['text', 'audio'], instructions: 'Greet the caller and ask how you can help.' };
  const SESSION_UPDATE = {
    modalities: ['text', 'audio'], instructions: 'You are a helpful phone assistant.', voice: 'alloy',
    input_audio_format: 'pcm16', output_audio_format: 'pcm16',
    turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500 },
    input_audio_transcription: { model: 'whisper-1' },
    tools: [
      { type: 'function', name: 'get_weather', description: 'Get the weather at a location',
        parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } },
      { type: 'function', name: 'calendar_list_events', description: 'List calendar events (MCP)',
        parameters: { type: 'object', properties: { day: { type: 'string', format: 'date' } }, additionalProperties: false } },
    ],
    tool_choice: 'auto',
  };
  const MODEL_PATH = 'v1/realtime?model=gpt-4o-realtime-preview-2024-12-17';
  // Its _onConnect → _sendInitialMessage: response.create first, then session.update.
  const createAndGreet = async (uuid, host, path = MODEL_PATH, auth = 'bearer') => {
    const created = await s2s(uuid, 'session.create', host, path, auth, API_KEY);
    const connected = await waitFor(async () => mine(uuid, 'openai_s2s::connect').length > 0, 8000, 50);
    const rc = await clientEvent(uuid, { type: 'response.create', response: RESPONSE_CREATE });
    const su = await clientEvent(uuid, { type: 'session.update', session: SESSION_UPDATE });
    const updated = await waitFor(async () => ofType(uuid, 'session.updated').length > 0, 10000, 50);
    return { ok: created === '+OK Success' && connected && rc.startsWith('+OK') && su.startsWith('+OK') && updated, detail: `create ${created}; connect ${connected}; response.create ${rc}; session.update ${su}; session.updated ${updated}` };
  };
  // After session.delete: no media hook, no session, no more events.
  const nothingAfter = async (uuid) => {
    const n = mine(uuid).length;
    await sleep(600);
    const bugs = await api(`uuid_buglist ${uuid}`);
    const st = await statusJson();
    return { ok: mine(uuid).length === n && !(st?.sessions ?? []).some((x) => x.uuid === uuid), detail: `events after: ${mine(uuid).length - n}; buglist ${bugs.replace(/\s+/g, ' ').slice(0, 120)}` };
  };
  const ONE = join(T, 'audio', 'one_utterance.wav');
  writeFileSync(ONE, wavBytes(1, RATE, utterances(14, RATE, [[2.5, 0.9]])));
  try {
    // 1. the openai vendor: greet, configure, tool call, mid-call updates, kill with session.delete
    {
      const call = await originate('oair_park', { source: ONE });
      const uuid = call.b;
      const g = await createAndGreet(uuid, tools.host);
      const greeted = await waitFor(async () => ofType(uuid, 'output_audio.playback_stopped').length > 0, 10000, 50);
      const fc = await waitFor(async () => ofType(uuid, 'response.output_item.done').some((e) => e.item?.type === 'function_call'), 15000, 50);
      const item = ofType(uuid, 'response.output_item.done').find((e) => e.item?.type === 'function_call')?.item;
      const stoppedBefore = ofType(uuid, 'output_audio.playback_stopped').length;
      const out = await clientEvent(uuid, { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: item?.call_id, output: '{"temperature":21}' } });
      const again = await clientEvent(uuid, { type: 'response.create' });
      const answered = await waitFor(async () => ofType(uuid, 'output_audio.playback_stopped').length > stoppedBefore, 10000, 50);
      const su = await clientEvent(uuid, { type: 'session.update', session: { instructions: 'Now speak French.' } });
      const outputItem = [...ofType(uuid, 'conversation.item.created'), ...ofType(uuid, 'conversation.item.added')].find((e) => e.item?.type === 'function_call_output')?.item;
      const del = await clientEvent(uuid, { type: 'conversation.item.delete', item_id: outputItem?.id });
      const deleted = await waitFor(async () => ofType(uuid, 'conversation.item.deleted').some((e) => e.item_id === outputItem?.id), 5000, 50);
      const cancel = await clientEvent(uuid, { type: 'response.cancel' });
      await sleep(300);
      // It ends the task on `error` and on a failed response.done: none (a cancel with nothing to cancel aside).
      const errors = ofType(uuid, 'error').filter((e) => e.error?.code !== 'response_cancel_not_active');
      const failedDone = ofType(uuid, 'response.done').filter((e) => e.response?.status === 'failed');
      const kill = await s2s(uuid, 'session.delete');
      const after = await nothingAfter(uuid);
      await stopRecord(call);
      await hangup(call);
      const heard = toneAnalysis(call.recFile).toneMs;
      check("jambonz_s2s: openai vendor — greet, configure, get_weather answered, mid-call updates, session.delete",
        g.ok && greeted && fc && item?.name === 'get_weather' && out === '+OK Success' && again === '+OK Success' && answered &&
          su === '+OK Success' && del === '+OK Success' && deleted && cancel === '+OK Success' && errors.length === 0 && failedDone.length === 0 &&
          kill === '+OK Success' && after.ok && heard >= 800 && wellFormed(uuid),
        `${g.detail}; greeting played ${greeted}; function_call ${item?.name ?? 'none'} ${item?.arguments ?? ''}; output ${out}, response.create ${again}, answer played ${answered}; ` +
          `session.update ${su}, item.delete ${del} (deleted ${deleted}), response.cancel ${cancel}; errors ${JSON.stringify(errors.map((e) => e.error?.code))}, failed responses ${failedDone.length}; ` +
          `session.delete ${kill}; ${after.detail}; caller heard the tone voice ${heard} ms; events well-formed ${wellFormed(uuid)}`);
    }
    // 2. session.delete after the server closed the connection (jambonz sends it since July 2026)
    {
      const call = await originate('oair_park', { record: false, source: ONE });
      const uuid = call.b;
      const g = await createAndGreet(uuid, dropping.host);
      const dropped = await waitFor(async () => mine(uuid, 'openai_s2s::disconnect').length > 0, 10000, 50);
      const ended = await waitFor(async () => !((await statusJson())?.sessions ?? []).some((x) => x.uuid === uuid), 5000, 50);
      const kill = await s2s(uuid, 'session.delete');
      const after = await nothingAfter(uuid);
      const second = await s2s(uuid, 'session.delete');
      await hangup(call);
      check('jambonz_s2s: session.delete after the server closed the connection answers +OK and leaves nothing',
        g.ok && dropped && ended && kill === '+OK Success' && after.ok && second.startsWith('-ERR') && wellFormed(uuid),
        `${g.detail}; disconnect event ${dropped}; session ended ${ended}; session.delete ${kill}; ${after.detail}; second delete ${second}`);
    }
    // 3. its microsoft vendor (Azure's retired preview path, key as `query`: rewritten to the GA
    //    path), then session.delete after the server sent an error (it ends the task on `error`)
    {
      const call = await originate('oair_park', { record: false, source: ONE });
      const uuid = call.b;
      markLog();
      const g = await createAndGreet(uuid, tools.host, 'openai/realtime?api-version=2024-10-01-preview&deployment=my-realtime', 'query');
      const since = logText().slice(logMark);
      const rewritten = /Azure's preview path.*openai\/v1\/realtime\?model=my-realtime/.test(since);
      const keyLogged = since.includes(API_KEY);
      const bad = await clientEvent(uuid, { type: 'no_such.event' });
      const gotError = await waitFor(async () => ofType(uuid, 'error').length > 0, 5000, 50);
      const kill = await s2s(uuid, 'session.delete');
      const after = await nothingAfter(uuid);
      await hangup(call);
      check('jambonz_s2s: microsoft vendor (preview path rewritten to GA and logged, key not logged); session.delete after a server error answers +OK and leaves nothing',
        g.ok && rewritten && !keyLogged && gotError && kill === '+OK Success' && after.ok && wellFormed(uuid),
        `${g.detail}; GA rewrite logged ${rewritten}; key in log ${keyLogged}; unknown client event ${bad}; error event ${gotError}; session.delete ${kill}; ${after.detail}`);
    }
  } finally {
    off();
    tools.proc.kill('SIGTERM');
    dropping.proc.kill('SIGTERM');
  }
}

// ------------------------------------------------------------------------------------------ GPT-Live
// The same calls against the simulator's Live endpoint (/v1/live/sessions): the dialplan starts the
// stream on a Live URL and sends its session.start (send_json); the simulator's Live model answers
// a caller turn with its 2 s tone on one continuous real-time track, stops talking by itself when
// the caller talks over it, and under `responses` delegation calls end_call after the caller's turn.
async function liveChecks() {
  const events = [];
  const off = esl.onEvent((ev) => events.push(ev));
  await esl.command('event plain CHANNEL_HANGUP CUSTOM openai_realtime::call_control mod_openai_audio_stream::json mod_openai_audio_stream::error');
  const Q = join(T, 'audio', 'live-question.wav');
  writeFileSync(Q, wavBytes(1, RATE, utterances(12, RATE, [[0.5, 1.2]])));
  const BARGE = join(T, 'audio', 'live-barge.wav');
  writeFileSync(BARGE, wavBytes(1, RATE, utterances(12, RATE, [[0.5, 1.2], [3.2, 1.0]])));
  const liveTypes = (uuid) => events.filter((e) => e.headers['Unique-ID'] === uuid && e.headers['Event-Subclass'] === 'mod_openai_audio_stream::json')
    .map((e) => { try { return JSON.parse(e.body).type; } catch { return '?'; } });
  const sessionOf = async (uuid) => (await statusJson())?.sessions?.find((x) => x.uuid === uuid);

  if (want('live_parked')) {
    markLog();
    const call = await originate('oair_live_park', { source: Q });
    await sleep(3000);
    const s = await sessionOf(call.b);
    await sleep(4000);
    await stopRecord(call);
    await hangup(call);
    const t = toneAnalysis(call.recFile);
    const types = liveTypes(call.b);
    const errs = errorsSinceMark();
    check('live_parked: a GPT-Live conversation on a parked channel (no silence_stream) is heard',
      s?.protocol === 'live' && s?.live?.state === 'active' && t.toneMs >= 1500 && types[0] === 'session.started' && !types.includes('session.output_audio.delta') && errs.length === 0,
      `protocol ${s?.protocol}, live state ${s?.live?.state}, formats ${s?.inputFormat}@${s?.inputRate}/${s?.outputFormat}@${s?.outputRate}; 440 Hz heard for ${t.toneMs} ms; ` +
        `events ${[...new Set(types)].join(', ') || 'none'}; errors: ${errs.slice(0, 3).join(' | ') || 'none'}`);
  }
  if (want('live_bargein')) {
    const call = await originate('oair_live_park', { source: BARGE });
    await sleep(8000);
    await stopRecord(call);
    await hangup(call);
    const t = toneAnalysis(call.recFile);
    const { rate, channels } = readWav(call.recFile);
    const sent = channels[1];
    let second = null;
    for (let s = Math.round(2.5 * rate), w = Math.round(rate / 50); s + w < sent.length; s += w) {
      if (dbfs(rms(sent, s, w)) > -40) { second = s / rate; break; }
    }
    let toneStart = null, toneEnd = null;
    for (let i = 0; i < t.on.length; i++) {
      if (t.on[i] && toneStart === null) toneStart = i * 0.05;
      if (toneStart !== null && !t.on[i] && i * 0.05 > toneStart + 0.1) { toneEnd = i * 0.05; break; }
    }
    const stopMs = second !== null && toneEnd !== null ? Math.round((toneEnd - second) * 1000) : null;
    const natural = toneStart !== null && toneEnd !== null && toneEnd - toneStart >= 1.9;
    const sentTypes = liveTypes(call.b);
    // Live has no truncate/cancel: the model stops itself; the module sends nothing and plays the track.
    check('live_bargein: the Live model stops talking when the caller talks over it, and the caller stops hearing it',
      stopMs !== null && stopMs < 800 && toneStart < second && !natural,
      `first answer ${toneStart?.toFixed(2)}–${toneEnd?.toFixed(2)} s (of 2 s), caller again at ${second?.toFixed(2)} s → stopped ${stopMs} ms after; ` +
        `server events ${[...new Set(sentTypes)].join(', ')}`);
  }
  if (want('live_end_call')) {
    const call = await originate('oair_live_end_call', { source: Q });
    const hungUp = () => events.find((ev) => ev.headers['Event-Name'] === 'CHANNEL_HANGUP' && ev.headers['Unique-ID'] === call.b);
    const s = await (async () => { await sleep(1500); return sessionOf(call.b); })();
    const gone = await waitFor(async () => Boolean(hungUp()), 15000, 20);
    await waitFor(async () => (await channelCount()) === 0, 5000, 50);
    await sleep(300);
    const t = toneAnalysis(call.recFile);
    const lastTone = t.on.lastIndexOf(true);
    const tailMs = lastTone < 0 ? 0 : (t.on.length - 1 - lastTone) * t.winMs;
    const control = events.find((ev) => ev.headers['Event-Subclass'] === 'openai_realtime::call_control' && ev.headers['Unique-ID'] === call.b);
    let body = null;
    try { body = control ? JSON.parse(control.body) : null; } catch {}
    const cause = hungUp()?.headers['Hangup-Cause'];
    const types = liveTypes(call.b);
    check('live_end_call: under responses delegation end_call hangs up (NORMAL_CLEARING) after the caller heard the whole goodbye',
      gone && cause === 'NORMAL_CLEARING' && (s?.tools ?? []).includes('end_call') && types.includes('session.delegation.created') && types.includes('response.event') &&
        t.toneMs >= 1850 && tailMs > 0 && body?.action === 'hangup' && body?.source === 'tool:end_call' && body?.result === 'ok',
      `tools ${JSON.stringify(s?.tools)}; hangup cause ${cause}; 440 Hz heard for ${t.toneMs} ms of 2000, ${tailMs} ms of the recording after it; ` +
        `delegation ${types.includes('session.delegation.created')}, response.event ${types.includes('response.event')}; call_control ${control?.body ?? 'none'}`);
  }
  if (want('live_pcmu')) {
    // A loopback leg takes its codec from loopback_initial_codec when it is created, before the
    // originate's own variables are set: a global variable (channel lookups fall back to it) for this one call.
    await api('global_setvar loopback_initial_codec=PCMU');
    const call = await originate('oair_live_pcmu', { source: Q }).finally(() => api('global_setvar loopback_initial_codec='));
    await sleep(3000);
    const s = await sessionOf(call.b);
    const codec = await api(`uuid_getvar ${call.b} read_codec`);
    await sleep(4000);
    await stopRecord(call);
    await hangup(call);
    const t = toneAnalysis(call.recFile);
    check('live_pcmu: a G.711 call passes through untouched (audio/pcmu at 8000 both ways, channel 8 kHz) and is heard',
      codec === 'PCMU' && s?.inputFormat === 'audio/pcmu' && s?.outputFormat === 'audio/pcmu' && s?.inputRate === 8000 && s?.outputRate === 8000 && s?.channelRate === 8000 && t.toneMs >= 1500,
      `read_codec ${codec}; status ${s?.inputFormat}@${s?.inputRate} in, ${s?.outputFormat}@${s?.outputRate} out, channel ${s?.channelRate} Hz; 440 Hz heard for ${t.toneMs} ms`);
  }
  off();
}

let failed = false;
try {
  await run();
} catch (err) {
  check('harness', false, err?.stack ?? String(err));
} finally {
  try { esl?.close(); } catch {}
  if (fsProc && fsProc.exitCode === null) {
    try { await Promise.race([fsExit, sleep(100)]); } catch {}
  }
  cleanup();
  failed = results.some((r) => !r.pass);
  const passed = results.filter((r) => r.pass && !r.skipped).length;
  const skipped = results.filter((r) => r.skipped).length;
  console.log(`\n${failed ? 'FAIL' : 'PASS'}: ${passed} passed, ${results.filter((r) => !r.pass).length} failed, ${skipped} skipped`);
  if (opts.keep || failed) console.log(`logs and recordings: ${T}`);
  else rmSync(T, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
JS
