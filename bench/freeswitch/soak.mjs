#!/usr/bin/env node
/**
 * The module's soak in a real FreeSWITCH (issue #18 points 2 and 6). Run by hand against a local
 * FreeSWITCH build; never in CI. One FreeSWITCH (fsInstance.mjs, generated configuration, our module
 * loaded after start-up) and the realtime peer in its own process (peer.mjs), the phases in order:
 *
 *   starts   N calls up, then N `start` each followed at once by `send_json` of the GA
 *            session.update, over several event-socket connections at the same time: every reply
 *            counted (+OK / +OK queued / -ERR), and at the peer every session must have its
 *            session.update (the early client-event queue, issue #18 point 2).
 *   hangups  ≥1000 calls, `--concurrency` at a time, each the seed's flow (start, then send_json at
 *            once), hung up (leg A or B at random) at a random moment; most wait for the reply to
 *            start playing first (openai_speech_start), so many end during playback.
 *   reload   `unload mod_openai_realtime` / `load mod_openai_realtime` cycles, each with calls
 *            started (and streaming) before the unload; the calls are hung up after the load.
 *   long     N concurrent conversations for M minutes (the caller's bursts, the peer's replies).
 *
 * After each phase, every call is hung up and the soak checks: FreeSWITCH still running, no
 * ERR/CRIT/ALERT line from mod_openai_realtime.c in its log, `openai_realtime status json` totals
 * back to 0 (sessions, media hooks, native channel records `liveChannels` and `tableChannels`), no
 * contained JS exception, no command timeout, and the RSS after malloc_trim (gdb) — flat across
 * phases within `--rss-tolerance-mb`. Prints a figures table; exits 1 on any violation.
 *
 *   PKG_CONFIG_PATH=/usr/local/freeswitch/lib/pkgconfig node bench/freeswitch/soak.mjs \
 *     [--phases starts,hangups,reload,long] [--start-calls 200] [--hangup-calls 1000] [--concurrency 50]
 *     [--reload-cycles 30] [--reload-calls 10] [--long-calls 100] [--long-minutes 10]
 *     [--esl-connections 16] [--rss-tolerance-mb 30] [--json out.json]
 */
import { existsSync, openSync, readSync, fstatSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RATE, speechLikeCycle, wavBytes } from './audio.mjs';
import { ESL_PASSWORD, freePort, prepare, start, stop } from './fsInstance.mjs';
import { API_KEY, EslConnection, freeswitchInstall, moduleStatus, originatePair, ROOT, SESSION_UPDATE_B64, sleep, startPeer, waitReady } from './harness.mjs';
import { processTicks, rssMb, TICK_MS, trimmedRssMb } from './procSample.mjs';

const { values: o } = parseArgs({
  options: {
    module: { type: 'string', default: join(ROOT, 'build-native', 'mod_openai_realtime.so') },
    bundle: { type: 'string', default: ROOT },
    phases: { type: 'string', default: 'starts,hangups,reload,long' },
    'start-calls': { type: 'string', default: '200' },
    'hangup-calls': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '50' },
    'reload-cycles': { type: 'string', default: '30' },
    'reload-calls': { type: 'string', default: '10' },
    'long-calls': { type: 'string', default: '100' },
    'long-minutes': { type: 'string', default: '10' },
    'esl-connections': { type: 'string', default: '16' },
    'rss-tolerance-mb': { type: 'string', default: '30' },
    'log-level': { type: 'string', default: 'info' },
    dir: { type: 'string', default: join(tmpdir(), 'oair-fs-soak') },
    json: { type: 'string' },
  },
});
const phases = o.phases.split(',').map((p) => p.trim()).filter(Boolean);
for (const p of phases) if (!['starts', 'hangups', 'reload', 'long'].includes(p)) throw new Error(`unknown phase ${p}`);
if (!existsSync(o.module)) throw new Error(`${o.module}: not built (bash scripts/build-native.sh)`);
const MODULE = 'mod_openai_realtime';
const EVENTS = ['CUSTOM', 'mod_openai_audio_stream::openai_speech_start', 'mod_openai_audio_stream::openai_speech_stop'];
const t0 = Date.now();
const log = (m) => console.log(`${((Date.now() - t0) / 1000).toFixed(0).padStart(5)}s  ${m}`);
const rand = (lo, hi) => lo + Math.random() * (hi - lo);
const { stockModDir, fsBin } = freeswitchInstall();

// ---- FreeSWITCH, the peer, event-socket connections ----------------------------------------------
const { peer, ask: peerAsk, streamUrl } = await startPeer();
const dir = o.dir;
const eslPort = await freePort();
prepare(dir, { stockModDir, bundle: o.bundle, eslPort, logLevel: o['log-level'], modules: { [MODULE]: o.module } });
const burst = join(dir, 'rec', 'burst.wav');
writeFileSync(burst, wavBytes(1, RATE, speechLikeCycle()));
const logFile = join(dir, 'log', 'freeswitch.log');
const fs = start(fsBin, dir);
const connect = (events) => new EslConnection({ host: '127.0.0.1', port: eslPort, password: ESL_PASSWORD, reconnect: false, commandTimeoutMs: 120000, ...(events ? { events } : {}) });
const main = connect(EVENTS);
const pool = [];
const violations = [];
const results = [];
const alive = () => fs.exitCode === null && fs.signalCode === null;

/** Leg B uuid → whether a reply is playing on it (openai_speech_start … openai_speech_stop). */
const playing = new Map();
let speechStarts = 0;
main.on('event', (ev) => {
  const uuid = ev.headers['Unique-ID'];
  const sub = ev.headers['Event-Subclass'] ?? '';
  if (!uuid) return;
  if (sub.endsWith('openai_speech_start')) { playing.set(uuid, true); speechStarts++; }
  else if (sub.endsWith('openai_speech_stop')) playing.set(uuid, false);
});

const apiOn = (conn) => async (cmd) => (await conn.api(cmd)).trim();
const api = apiOn(main);
let next = 0;
const pooled = () => apiOn(pool[next++ % pool.length]);

// ---- one call ---------------------------------------------------------------------------------------
const newReplies = () => ({ startOk: 0, startErr: 0, jsonOk: 0, jsonQueued: 0, jsonErr: 0, errors: new Map() });
function tally(r, what, reply) {
  if (what === 'start') { if (reply.startsWith('+OK')) r.startOk++; else r.startErr++; }
  else if (reply === '+OK queued') r.jsonQueued++;
  else if (reply.startsWith('+OK')) r.jsonOk++;
  else r.jsonErr++;
  if (!reply.startsWith('+OK')) r.errors.set(`${what}: ${reply}`, (r.errors.get(`${what}: ${reply}`) ?? 0) + 1);
}

/** The seed's flow on B: key and no debug files, `start … mono 24k`, then `send_json` at once. */
async function startStream(call, call_api, replies) {
  await call_api(`uuid_setvar_multi ${call.b} STREAM_OPENAI_API_KEY=${API_KEY};STREAM_DISABLE_AUDIOFILES=true`);
  const s = await call_api(`uuid_openai_audio_stream ${call.b} start ${streamUrl} mono 24k`);
  tally(replies, 'start', s);
  if (!s.startsWith('+OK')) return false;
  tally(replies, 'send_json', await call_api(`uuid_openai_audio_stream ${call.b} send_json ${SESSION_UPDATE_B64}`));
  return true;
}

async function streamingCall(replies) {
  const call_api = pooled();
  const call = await originatePair(call_api, burst);
  await startStream(call, call_api, replies);
  return call;
}

/** Runs `n` jobs with at most `width` at a time. */
async function inParallel(n, width, job) {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, width) }, async () => { while (i < n) await job(i++); }));
}

// ---- the checks after each phase ------------------------------------------------------------------
let logOffset = 0;
/** ERR/CRIT/ALERT lines in the FreeSWITCH log since the last look: ours (mod_openai_realtime.c) and all. */
function newLogErrors() {
  const fd = openSync(logFile, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(size - logOffset);
    readSync(fd, buf, 0, buf.length, logOffset);
    logOffset = size;
    const all = buf.toString('utf8').split('\n');
    const lines = all.filter((l) => /\[(ERR|CRIT|ALERT)\]/.test(l));
    const warnings = all.filter((l) => /\[WARNING\] mod_openai_realtime\.c:/.test(l));
    return { ours: lines.filter((l) => /\[(ERR|CRIT|ALERT)\] mod_openai_realtime\.c:/.test(l)), all: lines.length,
      warnings: warnings.length, connectRetries: warnings.filter((l) => /connect attempt \d+ failed/.test(l)).length };
  } finally { closeSync(fd); }
}

async function channelCount() {
  // `show channels` needs the core database, which this FreeSWITCH runs without (-nosql).
  const m = (await api('status')).match(/(\d+) session\(s\) -/);
  return m ? Number(m[1]) : NaN;
}

/** Hangs up everything, waits for channels, sessions and records to reach 0, then takes the figures. */
async function settle(r) {
  const s0 = Date.now();
  if (alive()) await api('hupall NORMAL_CLEARING');
  let st = null, channels = NaN;
  for (let i = 0; i < 60 && alive(); i++) {
    await sleep(500);
    channels = await channelCount();
    st = await moduleStatus(api);
    const t = st?.totals ?? {};
    if (channels === 0 && t.sessions === 0 && t.mediaHooks === 0 && t.liveChannels === 0 && t.tableChannels === 0) break;
  }
  r.settleS = (Date.now() - s0) / 1000;
  r.alive = alive();
  const t = st?.totals ?? {};
  r.after = { channels, sessions: t.sessions, mediaHooks: t.mediaHooks, liveChannels: t.liveChannels, tableChannels: t.tableChannels,
    uncaughtErrors: t.uncaughtErrors, commandTimeouts: t.commandTimeouts };
  const errs = newLogErrors();
  r.errLines = errs.ours.length;
  r.errLinesAll = errs.all;
  r.errSamples = errs.ours.slice(0, 5);
  r.warnLines = errs.warnings;
  r.connectRetries = errs.connectRetries;
  r.rssTrimMb = r.alive ? trimmedRssMb(fs.pid) : null;
  const v = (m) => { violations.push(`${r.phase}: ${m}`); log(`VIOLATION ${r.phase}: ${m}`); };
  if (!r.alive) v(`FreeSWITCH is gone (exit ${fs.exitCode}, signal ${fs.signalCode})`);
  for (const k of ['channels', 'sessions', 'mediaHooks', 'liveChannels', 'tableChannels', 'uncaughtErrors', 'commandTimeouts']) {
    if (r.alive && r.after[k] !== 0) v(`${k} = ${r.after[k]} after the phase`);
  }
  if (r.errLines > 0) v(`${r.errLines} ERR/CRIT lines from ${MODULE}.c, e.g. ${r.errSamples[0]}`);
  if (r.replies) {
    r.replies.errors = Object.fromEntries(r.replies.errors);
    if (r.phase !== 'reload' && (r.replies.startErr || r.replies.jsonErr)) v(`-ERR replies: ${JSON.stringify(r.replies.errors)}`);
  }
  log(`${r.phase}: settled in ${r.settleS.toFixed(1)} s, ${JSON.stringify(r.after)}, ${r.errLines} ERR/CRIT lines of ours (${r.errLinesAll} in all), RSS trimmed ${r.rssTrimMb?.toFixed(1)} MB`);
}

// ---- phases -------------------------------------------------------------------------------------------
async function phaseStarts() {
  const n = Number(o['start-calls']);
  const r = { phase: 'starts', calls: n, replies: newReplies() };
  await peerAsk('clear');
  const calls = [];
  await inParallel(n, 20, async () => { calls.push(await originatePair(pooled(), burst)); });
  log(`starts: ${calls.length} call pairs up; ${n} starts, each followed at once by send_json`);
  const s0 = Date.now();
  await Promise.all(calls.map((c) => startStream(c, pooled(), r.replies)));
  r.commandsS = (Date.now() - s0) / 1000;
  // Every session must get its session.update at the peer (it was queued until session.created).
  let stats = [];
  for (let i = 0; i < 120; i++) {
    stats = (await peerAsk('stats')).stats;
    if (stats.filter((s) => s.sessionUpdates > 0).length >= n) break;
    await sleep(500);
  }
  r.deliveredS = (Date.now() - s0) / 1000;
  r.peerConnections = stats.length;
  r.delivered = stats.filter((s) => s.sessionUpdates > 0).length;
  r.deliveredTwice = stats.filter((s) => s.sessionUpdates > 1).length;
  log(`starts: replies ${JSON.stringify({ ...r.replies, errors: Object.fromEntries(r.replies.errors) })} in ${r.commandsS.toFixed(1)} s; `
    + `peer: ${r.peerConnections} connections, ${r.delivered} sessions got their session.update within ${r.deliveredS.toFixed(1)} s`);
  // More connections than sessions at the peer: handshakes that timed out under load and were
  // retried (counted in the log as connect retries); what counts is that each session got its message.
  if (r.delivered !== n) violations.push(`starts: ${r.delivered} of ${n} session.updates delivered (${r.peerConnections} connections at the peer)`);
  if (r.deliveredTwice) violations.push(`starts: ${r.deliveredTwice} sessions got the session.update twice`);
  return r;
}

async function phaseHangups() {
  const n = Number(o['hangup-calls']);
  const r = { phase: 'hangups', calls: n, replies: newReplies(), duringPlayback: 0, legA: 0, legB: 0, rssTrimDuring: [] };
  let done = 0;
  await inParallel(n, Number(o.concurrency), async () => {
    const call = await streamingCall(r.replies);
    // Most calls wait for the reply to start playing, then a random part of it; the rest end at
    // any moment from right after send_json on (connecting, listening, between replies).
    if (Math.random() < 0.7) {
      for (let w = 0; w < 240 && !playing.get(call.b); w++) await sleep(50);
      await sleep(rand(0, 2500));
    } else {
      await sleep(rand(0, 8000));
    }
    const leg = Math.random() < 0.5 ? call.a : call.b;
    if (playing.get(call.b)) r.duringPlayback++;
    if (leg === call.a) r.legA++; else r.legB++;
    await pooled()(`uuid_kill ${leg}`);
    for (let w = 0; w < 100 && (await pooled()(`uuid_exists ${call.b}`)) === 'true'; w++) await sleep(50);
    playing.delete(call.b);
    if (++done % 250 === 0) {
      const rss = trimmedRssMb(fs.pid);
      r.rssTrimDuring.push(rss);
      log(`hangups: ${done}/${n} calls, ${r.duringPlayback} during playback, RSS trimmed ${rss?.toFixed(1)} MB (${o.concurrency} calls live)`);
    }
  });
  return r;
}

async function phaseReload() {
  const cycles = Number(o['reload-cycles']), per = Number(o['reload-calls']);
  const r = { phase: 'reload', calls: cycles * per, cycles, replies: newReplies(), unloadOk: 0, loadOk: 0, playingAtUnload: 0, reloadErrors: [], rssTrimDuring: [] };
  for (let c = 1; c <= cycles && alive(); c++) {
    const calls = [];
    await inParallel(per, per, async () => { calls.push(await streamingCall(r.replies)); });
    await sleep(rand(1500, 4000));
    r.playingAtUnload += calls.filter((x) => playing.get(x.b)).length;
    const u = await api(`unload ${MODULE}`);
    if (u.startsWith('+OK')) r.unloadOk++; else r.reloadErrors.push(`unload: ${u}`);
    await sleep(rand(0, 1000));
    const l = await api(`load ${MODULE}`);
    if (l.startsWith('+OK')) r.loadOk++; else r.reloadErrors.push(`load: ${l}`);
    for (const x of calls) { await api(`uuid_kill ${x.a}`); playing.delete(x.b); }
    if (c % 10 === 0 || c === cycles) {
      await sleep(1000);
      const rss = trimmedRssMb(fs.pid);
      r.rssTrimDuring.push(rss);
      log(`reload: ${c}/${cycles} cycles, unload +OK ${r.unloadOk}, load +OK ${r.loadOk}, ${r.playingAtUnload} calls playing at unload, RSS trimmed ${rss?.toFixed(1)} MB`);
    }
  }
  if (r.unloadOk !== cycles || r.loadOk !== cycles) violations.push(`reload: ${r.unloadOk}/${cycles} unloads and ${r.loadOk}/${cycles} loads answered +OK (${r.reloadErrors.slice(0, 3).join('; ')})`);
  return r;
}

async function phaseLong() {
  const n = Number(o['long-calls']), minutes = Number(o['long-minutes']);
  const r = { phase: 'long', calls: n, minutes, replies: newReplies(), samples: [] };
  await peerAsk('clear');
  await inParallel(n, 25, async () => { await streamingCall(r.replies); });
  const s0 = Date.now();
  log(`long: ${n} conversations up, holding ${minutes} min`);
  while (Date.now() - s0 < minutes * 60000 && alive()) {
    await sleep(Math.min(60000, minutes * 60000 - (Date.now() - s0)));
    const st = await moduleStatus(api);
    const sample = { minute: (Date.now() - s0) / 60000, sessions: st?.totals?.sessions, rssMb: rssMb(fs.pid) };
    r.samples.push(sample);
    log(`long: ${sample.minute.toFixed(1)} min, ${sample.sessions} sessions, RSS ${sample.rssMb.toFixed(1)} MB`);
  }
  const stats = (await peerAsk('stats')).stats;
  r.peerSessions = stats.length;
  r.peerOpen = stats.filter((s) => s.open).length;
  r.responses = stats.reduce((x, s) => x + s.responses, 0);
  r.sessionsAtEnd = r.samples.at(-1)?.sessions;
  const st = await moduleStatus(api);
  const sum = (k) => (st?.sessions ?? []).reduce((x, s) => x + Number(s[k] ?? 0), 0);
  r.counters = { underruns: sum('underruns'), overruns: sum('overruns'), reconnects: sum('reconnects'), bargeIns: sum('bargeIns'), responses: sum('responses') };
  log(`long: peer ${r.peerSessions} sessions (${r.peerOpen} open), ${r.responses} responses; module ${JSON.stringify(r.counters)}`);
  if (r.sessionsAtEnd !== n || r.peerOpen !== n) violations.push(`long: ${r.sessionsAtEnd} sessions in status and ${r.peerOpen} open at the peer after ${minutes} min (want ${n})`);
  return r;
}

// ---- main ---------------------------------------------------------------------------------------------
let exitInfo = null;
try {
  await waitReady(main, dir);
  for (let i = 0; i < Number(o['esl-connections']); i++) { const c = connect(); await c.connect(); pool.push(c); }
  const loaded = await api(`load ${MODULE}`);
  if (!loaded.startsWith('+OK')) throw new Error(`load ${MODULE}: ${loaded}`);
  await sleep(3000);
  const base = { phase: 'loaded', calls: 0 };
  await settle(base);
  results.push(base);
  log(`loaded: RSS trimmed ${base.rssTrimMb?.toFixed(1)} MB`);
  const run = { starts: phaseStarts, hangups: phaseHangups, reload: phaseReload, long: phaseLong };
  for (const p of phases) {
    if (!alive()) break;
    const s0 = Date.now(), fs0 = processTicks(fs.pid), peer0 = processTicks(peer.pid);
    log(`phase ${p}`);
    let r;
    try { r = await run[p](); } catch (e) { r = { phase: p, calls: 0, failed: e.message }; violations.push(`${p}: failed: ${e.message}`); log(`${p}: FAILED ${e.stack}`); }
    r.seconds = (Date.now() - s0) / 1000;
    if (alive()) {
      r.fsCpuPct = ((processTicks(fs.pid) - fs0) * TICK_MS) / (r.seconds * 10);
      r.peerCpuPct = ((processTicks(peer.pid) - peer0) * TICK_MS) / (r.seconds * 10);
    }
    await settle(r);
    results.push(r);
    if (o.json) writeFileSync(o.json, JSON.stringify({ results, violations }, null, 2));
  }
} finally {
  for (const c of pool) await c.close().catch(() => {});
  if (alive()) exitInfo = await stop(fs, main);
  else exitInfo = { code: fs.exitCode, signal: fs.signalCode, crashed: true };
  await main.close().catch(() => {});
  peer.disconnect();
}
if (exitInfo.signal || exitInfo.crashed) violations.push(`FreeSWITCH ended with ${JSON.stringify(exitInfo)}`);

// RSS after malloc_trim, flat across phases: every phase's figure within the tolerance of the first.
const rssPhases = results.filter((r) => r.phase !== 'loaded' && typeof r.rssTrimMb === 'number');
if (rssPhases.length > 1) {
  const first = rssPhases[0].rssTrimMb, tol = Number(o['rss-tolerance-mb']);
  for (const r of rssPhases.slice(1)) {
    if (r.rssTrimMb - first > tol) violations.push(`RSS trimmed after ${r.phase} ${r.rssTrimMb.toFixed(1)} MB, ${(r.rssTrimMb - first).toFixed(1)} MB above after ${rssPhases[0].phase} (tolerance ${tol})`);
  }
}

// ---- the figures ------------------------------------------------------------------------------------
const cell = (v) => (v === undefined || v === null ? '-' : String(v));
const during = (r) => (r.rssTrimDuring?.length ? `; RSS trim ${r.rssTrimDuring.map((x) => x?.toFixed(0)).join('→')} MB` : '');
const rows = results.map((r) => {
  const rp = r.replies;
  const detail = r.phase === 'starts' ? `${r.delivered}/${r.calls} session.update delivered in ${r.deliveredS?.toFixed(0)} s`
    : r.phase === 'hangups' ? `${r.duringPlayback} during playback, A ${r.legA} / B ${r.legB}${during(r)}`
      : r.phase === 'reload' ? `${r.unloadOk}/${r.cycles} unload, ${r.loadOk}/${r.cycles} load, ${r.playingAtUnload} playing at unload${during(r)}`
        : r.phase === 'long' ? `${r.minutes} min, ${r.sessionsAtEnd} live at end, ${r.responses} replies, ${r.counters?.underruns} underruns`
          : '';
  return [r.phase, cell(r.calls), rp ? `${rp.startOk}/${rp.startErr}` : '-', rp ? `${rp.jsonOk}/${rp.jsonQueued}/${rp.jsonErr}` : '-',
    r.failed ? `FAILED: ${r.failed}` : detail, r.alive ? '0' : 'CRASH', cell(r.errLines),
    `${cell(r.after?.sessions)}/${cell(r.after?.liveChannels)}/${cell(r.after?.tableChannels)}/${cell(r.after?.mediaHooks)}`,
    `${cell(r.after?.uncaughtErrors)}/${cell(r.after?.commandTimeouts)}`, `${cell(r.warnLines)}/${cell(r.connectRetries)}`,
    r.rssTrimMb?.toFixed(1) ?? '-', r.seconds?.toFixed(0) ?? '-', r.fsCpuPct === undefined ? '-' : `${r.fsCpuPct.toFixed(0)}/${r.peerCpuPct.toFixed(0)}`];
});
const head = ['phase', 'calls', 'start +OK/-ERR', 'send_json +OK/queued/-ERR', 'detail', 'crashes', 'ERR/CRIT ours',
  'sessions/liveCh/tableCh/hooks after', 'uncaught/timeouts', 'WARN ours/connect retries', 'RSS trim MB', 's', 'CPU % FS/peer'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`\n${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}`);
console.log(`\nFreeSWITCH shutdown: ${JSON.stringify(exitInfo)}; speech starts seen ${speechStarts}; log ${logFile}`);
if (o.json) writeFileSync(o.json, JSON.stringify({ results, violations, exitInfo }, null, 2));
if (violations.length) {
  console.log(`\n${violations.length} violation(s):\n${violations.map((v) => `  - ${v}`).join('\n')}`);
  process.exit(1);
}
console.log('\nno violation');
