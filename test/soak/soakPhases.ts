/**
 * The soak, phase by phase. Everything that runs the module runs the embedded runtime through the
 * host simulator (the ASan build when OAIR_SIM_BINARY points at it), against one realtime
 * simulator that gives a share of its connections a random fault:
 *
 * - cycles: start/stop of every API (stream, raw stream, s2s, echo; with send_json and a final
 *   stop message) back to back on many channels of one process, its RSS sampled throughout;
 * - hangups: calls in sequence per channel, each hung up at a seeded random moment while a reply
 *   plays and while stop, start, send_json, mute and pause race it; commands for the channel that
 *   just ended follow;
 * - bad input: the corpus (helpers/badInputCorpus.ts) through the embedded runtime;
 * - secrets: the key-scan runs (helpers/secretRuns.ts);
 * - fuzz: the grammars, the command path and the server-event handler (in this process, on the
 *   addon bridge).
 *
 * Crashes (a non-zero exit, a sanitizer report), leaks (LeakSanitizer, channel records or
 * sessions still held once every call has ended), timed-out commands and bad replies are counted;
 * a soak passes when all of them are zero.
 */
import { readFileSync } from 'node:fs';
import { RealtimeSimulator, type SimulatedConnection, type SimulatorFaults } from '../../src/simulator/index.js';
import { b64json } from '../helpers/callerAudio.js';
import { CORPUS_KEY, badInputCorpus, replyProblem, type BadInput } from '../helpers/badInputCorpus.js';
import { fuzzCommands, fuzzGrammars } from '../helpers/fuzzGrammars.js';
import { fuzzServerFrames, type FrameFuzzTarget } from '../helpers/fuzzServerFrames.js';
import { noise, runHostSimulator, simulatorBinary, type SimRun, type SimRunOptions } from '../helpers/hostSimulator.js';
import { connectionsOfChannel, inProcessHost, newUuid, waitFor } from '../helpers/inProcessHost.js';
import { runSecretCases } from '../helpers/secretRuns.js';
import type { SoakProfile } from './soakProfile.js';
import { emptyReport, type SoakReport } from './soakReport.js';
// The same seed, the same faults: a soak that found something runs the same way again.
import { prng } from '../helpers/seededSignals.js';

/** LeakSanitizer on; a small quarantine so the RSS figure shows the module, not ASan's bookkeeping. */
const SANITIZER_ENV = { ASAN_OPTIONS: 'detect_leaks=1:quarantine_size_mb=32:malloc_context_size=8', UBSAN_OPTIONS: 'print_stacktrace=1' };
const SECRET_KEY = 'sk-soak-PLANTED-9d8c7b6a5f4e3d2c';

/**
 * The fuzzed sessions run without permessage-deflate: with it, ws and zlib (both ends in this
 * process) wedge one connection every few thousand batches — neither side sends nor reads again —
 * which is not the handler under test (see the reliability notes; the engine bounds the teardown
 * of such a connection).
 */
const FUZZ_VARS = (uuid: string): Record<string, string> => ({ STREAM_EXTRA_HEADERS: JSON.stringify({ 'X-Test-Channel': uuid }), STREAM_DISABLE_AUDIOFILES: 'true', STREAM_MESSAGE_DEFLATE: 'true' });


type Log = (message: string) => void;

const CLOSE_CODES = [1000, 1001, 1008, 1011, 1012, 4000, 4321, 4999];

/** Gives a share of the simulator's connections a random fault, and some upgrades a refusal. */
function injectFaults(sim: RealtimeSimulator, rate: number, random: () => number, maxHuge: number): void {
  let huge = 0;
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = (): SimulatorFaults => {
    switch (int(0, 9)) {
      case 0:
        return { dropMidResponse: { afterDeltas: int(1, 6) } };
      case 1:
        return { closeWith: { code: CLOSE_CODES[int(0, CLOSE_CODES.length - 1)]!, reason: 'soak', afterMs: int(0, 800) } };
      case 2:
        return { closeWith: { code: CLOSE_CODES[int(0, CLOSE_CODES.length - 1)]!, reason: 'soak', afterDeltas: int(1, 5) } };
      case 3:
        return { stall: { afterMs: int(0, 500), muteServer: random() < 0.5 } };
      case 4:
        return { slowReads: { readMs: 5, pauseMs: int(20, 200) } };
      case 5:
        return { garbage: { frames: (['text', 'binary', 'untyped', 'unknownType', 'truncatedJson'] as const).filter(() => random() < 0.6), afterMs: int(0, 300) } };
      case 6:
        return { badAudio: { kind: random() < 0.5 ? 'invalidBase64' : 'oddLength', atDelta: int(1, 4), count: int(1, 3) } };
      case 7:
        if (huge < maxHuge) {
          huge++;
          return { hugeFrame: { afterMs: int(0, 300) } };
        }
        return { noSessionCreated: true };
      case 8:
        return { noSessionCreated: true };
      default:
        return { garbage: { frames: ['truncatedJson', 'binary'], afterMs: 0 } };
    }
  };
  const maybeRefuseNext = (): void => {
    if (random() < rate / 4) sim.queueFaults({ refuseHandshake: { status: [401, 403, 429, 500][int(0, 3)]! } });
  };
  sim.on('connection', (c: SimulatedConnection) => {
    if (random() < rate) c.applyFaults(pick());
    maybeRefuseNext();
  });
  sim.on('refused', maybeRefuseNext);
}

/** Faults that really happened, by kind (what fired on the connections, and the refusals). */
function countFaults(sims: RealtimeSimulator[], into: Map<string, number>): void {
  const add = (kind: string): void => {
    into.set(kind, (into.get(kind) ?? 0) + 1);
  };
  for (const sim of sims) {
    for (const c of sim.connections) {
      if (c.faults.noSessionCreated) add('no session.created');
      for (const f of c.faultsFired) {
        if (f.startsWith('dropMidResponse')) add('drop mid-response (1006)');
        else if (f.startsWith('closeWith:')) add(`close ${f.slice('closeWith:'.length)}`);
        else if (f.startsWith('stall')) add('stall (server stops reading)');
        else if (f.startsWith('slowReads')) add('slow reads');
        else if (f.startsWith('garbage:')) add(`garbage frame (${f.slice('garbage:'.length)})`);
        else if (f.startsWith('badAudio:')) add(`bad audio (${f.slice('badAudio:'.length).split('@')[0]})`);
        else if (f.startsWith('hugeFrame')) add('20 MiB frame');
        else add(f);
      }
    }
    for (const r of sim.refusedHandshakes) if (r.cause === 'fault') add(`handshake refused ${r.status}`);
  }
}

interface Rss {
  samples: Array<[number, number]>;
}

function readRssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs the host simulator and counts what went wrong in it: crashes, leaks, timeouts. */
async function simRun(report: SoakReport, name: string, o: SimRunOptions, rss?: Rss): Promise<SimRun> {
  let lastSample = 0;
  const run = await runHostSimulator({
    ...o,
    env: { ...SANITIZER_ENV, ...o.env },
    extraArgs: [...(o.extraArgs ?? []), '--final-command', 'openai_realtime status json'],
    timeoutMs: o.timeoutMs ?? 1_800_000,
    whileRunning: (pid) => {
      o.whileRunning?.(pid);
      if (!rss || Date.now() - lastSample < 250) return;
      lastSample = Date.now();
      const kb = readRssKb(pid);
      if (kb > 0) rss.samples.push([Date.now(), kb]);
    },
  });
  const sanitizer = run.stderr.split('\n').find((l) => /ERROR: (Address|Leak)Sanitizer|runtime error:|terminate called|Segmentation fault/.test(l));
  if (/ERROR: LeakSanitizer/.test(run.stderr)) {
    const leaks = run.stderr.split('\n').filter((l) => /^(Direct|Indirect) leak of/.test(l));
    for (const l of leaks.length ? leaks : ['LeakSanitizer report']) report.leaks.push(`${name}: ${l}`);
  } else if (run.code !== 0 || sanitizer) {
    report.crashes.push(`${name}: exit ${String(run.code)}${sanitizer ? `, ${sanitizer.trim()}` : ''}; ${run.stderr.slice(-300)}`);
  }
  const summary = run.summary();
  if (summary && Number(summary.liveChannelRecords) !== 0) report.leaks.push(`${name}: ${String(summary.liveChannelRecords)} channel records still alive`);
  const final = run.record.find((l) => l.kind === 'final');
  if (final) {
    try {
      const totals = (JSON.parse(String(final.reply)) as { totals: { sessions: number; mediaHooks: number } }).totals;
      if (totals.sessions !== 0 || totals.mediaHooks !== 0) report.leaks.push(`${name}: ${totals.sessions} sessions, ${totals.mediaHooks} media hooks left after every call ended`);
    } catch {
      report.crashes.push(`${name}: the final status did not answer (${String(final.reply).slice(0, 100)})`);
    }
  } else if (run.code === 0) {
    report.crashes.push(`${name}: no final status`);
  }
  for (const a of run.api()) {
    report.commands++;
    if (String(a.reply).startsWith('-ERR timeout')) {
      report.commandTimeouts++;
      if (report.timeoutDetails.length < 10) report.timeoutDetails.push(`${name} at ${a.t} ms: ${String(a.api)} ${String(a.args).slice(0, 120)}`);
    }
    if (String(a.reply).trimEnd() === '-ERR internal error') report.badReplies.push(`${name}: ${String(a.api)} ${String(a.args).slice(0, 80)} → -ERR internal error`);
  }
  return run;
}

const RESPONSE = b64json({ type: 'response.create' });
const SAY = b64json({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'soak' }] } });
const BYE = b64json({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'bye' }] } });

/** Phase 1: start/stop cycles of every kind, back to back, on many channels of one process. */
async function cycles(p: SoakProfile, sim: RealtimeSimulator, report: SoakReport, log: Log): Promise<void> {
  const s2s = `ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`;
  const variants: string[][] = [
    ['0 start ${url} mono', '0 stop'],
    ['0 api uuid_raw_audio_stream ${uuid} start ${url} mono 16k 16k', '0 stop'],
    [`0 uuid_openai_s2s session.create ${s2s}`, '0 uuid_openai_s2s session.delete'],
    // stop <json> before the socket is open is refused (-ERR not connected) and stops nothing: the plain stop does.
    ['0 start ${url} stereo 8k 24k', `0 send_json ${SAY}`, `0 stop ${BYE}`, '0 stop'],
    ['0 openai_realtime echo ${uuid} start 0', '0 openai_realtime echo ${uuid} stop'],
    ['0 start ${url} mixed 16k mute_user', '0 unmute', '0 pause', '0 resume', '0 stop'],
  ];
  const script: string[] = [];
  for (let i = 0; i < p.cyclesPerChannel; i++) script.push(...variants[i % variants.length]!);
  script.push('0 hangup');
  const rss: Rss = { samples: [] };
  const started = Date.now();
  const run = await simRun(
    report,
    'cycles',
    { caller: noise(8000), channels: p.cycleChannels, tailMs: 3_600_000, url: sim.url, script, extraArgs: ['--record-ms', '0', '--caller-offset-ms', '7'] },
    rss,
  );
  const starts = run.api().filter((a) => /(^|\s)(start|session\.create)\s/.test(String(a.args)) && a.reply === '+OK Success\n').length;
  report.cycles += starts;
  // RSS after warm-up (V8's heap and ASan's quarantine grow for the first quarter or so) and at the end.
  const duration = Date.now() - started;
  const warm = rss.samples.find(([t]) => t - started >= duration * 0.25) ?? rss.samples[0];
  report.rssStartKb = warm?.[1] ?? 0;
  report.rssEndKb = rss.samples.at(-1)?.[1] ?? 0;
  report.rssMaxKb = Math.max(0, ...rss.samples.map(([, kb]) => kb));
  log(`cycles: ${starts} started of ${p.cycleChannels * p.cyclesPerChannel} in ${(duration / 1000).toFixed(0)} s`);
}

/**
 * Phase 2: calls hung up at seeded random moments while a reply plays, with stop, start,
 * send_json, mute and pause racing the hangup, and commands for the channel that just ended.
 */
async function hangups(p: SoakProfile, sim: RealtimeSimulator, report: SoakReport, log: Log): Promise<void> {
  const s2s = `ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`;
  // A reply plays for most of the hangup window (150–1350 ms): asked for at 60 ms, cut by one
  // stop/start at 700 ms and asked for again; commands land every 40–100 ms around it.
  const stream = [
    '0 start ${url} mono',
    `60 send_json ${RESPONSE}`,
    '250 mute user',
    `300 send_json ${SAY}`,
    '340 unmute user',
    '400 mute openai',
    '440 unmute openai',
    '500 pause',
    '540 resume',
    `600 send_json ${SAY}`,
    `700 stop ${BYE}`,
    '705 stop',
    '710 start ${url} mono',
    `730 send_json ${RESPONSE}`,
    '900 pause',
    '950 resume',
    `1050 send_json ${SAY}`,
    '1150 mute user',
    '1200 unmute user',
    '1300 stop',
    '1360 api uuid_openai_audio_stream ${uuid} pause',
    `1380 api uuid_openai_audio_stream \${uuid} send_json ${SAY}`,
    '1400 api uuid_openai_audio_stream ${uuid} stop',
  ];
  const update = JSON.stringify({ type: 'session.update', session: { type: 'realtime', instructions: 'soak' } });
  const say = '{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"soak"}]}}';
  const s2sScript = [
    `0 uuid_openai_s2s session.create ${s2s}`,
    `30 uuid_openai_s2s client.event ${update}`,
    '60 uuid_openai_s2s client.event {"type":"response.create"}',
    `300 uuid_openai_s2s client.event ${say}`,
    `500 uuid_openai_s2s client.event ${update}`,
    '700 uuid_openai_s2s session.delete',
    `710 uuid_openai_s2s session.create ${s2s}`,
    `740 uuid_openai_s2s client.event ${update}`,
    '770 uuid_openai_s2s client.event {"type":"response.create"}',
    `1000 uuid_openai_s2s client.event ${say}`,
    '1300 uuid_openai_s2s session.delete',
    '1360 api uuid_openai_s2s ${uuid} client.event {"type":"response.create"}',
    '1400 api uuid_openai_s2s ${uuid} session.delete',
  ];
  const half = Math.max(1, Math.floor(p.hangupChannels / 2));
  const common = (seed: number): string[] => ['--calls', String(p.hangupCallsPerChannel), '--hangup-at', '150:1350', '--seed', String(seed), '--record-ms', '0'];
  const [a, b] = await Promise.all([
    simRun(report, 'hangups (stream)', { caller: noise(8000 * 2), channels: half, tailMs: 2000, url: sim.url, script: stream, extraArgs: common(p.seed) }),
    simRun(report, 'hangups (s2s)', { caller: noise(8000 * 2), channels: p.hangupChannels - half, tailMs: 2000, url: sim.url, script: s2sScript, extraArgs: common(p.seed + 1) }),
  ]);
  for (const [run, started, stopped] of [
    [a, (e: { subclass?: unknown }) => e.subclass === 'mod_openai_audio_stream::openai_speech_start', (e: { subclass?: unknown }) => e.subclass === 'mod_openai_audio_stream::openai_speech_stop'],
    [b, (e: { body?: unknown }) => String(e.body).includes('output_audio.playback_started'), (e: { body?: unknown }) => String(e.body).includes('output_audio.playback_stopped')],
  ] as const) {
    // A call hung up while a reply played: its last playback start came before the hangup, with no stop in between.
    const playing = new Map<string, boolean>();
    for (const line of run.record) {
      const uuid = String(line.uuid);
      if (line.kind === 'event' && started(line)) playing.set(uuid, true);
      else if (line.kind === 'event' && stopped(line)) playing.set(uuid, false);
      else if (line.kind === 'channel') {
        report.hangups++;
        if (playing.get(uuid)) report.hangupsDuringPlayback++;
      }
    }
  }
  log(`hangups: ${report.hangups} (${report.hangupsDuringPlayback} while a reply played)`);
}

/** Phase 3: the bad-input corpus through the embedded runtime. */
async function badInput(p: SoakProfile, sim: RealtimeSimulator, report: SoakReport, log: Log): Promise<void> {
  // Script lines cannot hold a line break, and channel variables apply to every channel of a run.
  const usable = (e: BadInput): boolean => !/[\r\n]/.test(e.api + e.args) && e.vars === undefined;
  const corpus = badInputCorpus().filter(usable);
  const lines: Array<{ line: string; entry: BadInput | null }> = [];
  const add = (entry: BadInput | null, line: string): void => {
    lines.push({ line, entry });
  };
  for (let r = 0; r < p.corpusRepeats; r++) {
    for (const e of corpus.filter((x) => !x.session)) add(e, `0 api ${e.api} ${e.args}`);
    add(null, '0 start ${url} mono');
    // Forwarded events last: the server may end the session over one (4000 after a beta shape).
    const live = (kind: 'stream' | 's2s'): BadInput[] => corpus.filter((x) => x.session === kind).sort((x, y) => Number(Boolean(x.forwarded)) - Number(Boolean(y.forwarded)));
    for (const e of live('stream')) add(e, `0 api ${e.api} ${e.args}`);
    add(null, '0 stop');
    add(null, `0 uuid_openai_s2s session.create ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`);
    for (const e of live('s2s')) add(e, `0 api ${e.api} ${e.args}`);
    add(null, '0 uuid_openai_s2s session.delete');
  }
  const run = await simRun(report, 'bad input', {
    caller: noise(8000),
    channels: 2,
    tailMs: 3_600_000,
    url: sim.url,
    script: [...lines.map((l) => l.line), '0 hangup'],
    extraArgs: ['--record-ms', '0'],
  });
  const byChannel = new Map<string, string[]>();
  for (const a of run.api()) {
    const list = byChannel.get(String(a.uuid)) ?? [];
    list.push(String(a.reply));
    byChannel.set(String(a.uuid), list);
  }
  for (const [uuid, replies] of byChannel) {
    lines.forEach(({ entry }, i) => {
      if (!entry) return;
      report.badInputs++;
      const reply = replies[i] ?? '(no reply)';
      // A live session the server ended (4000 after a beta-shaped event) answers later cases with "no stream": still a clean -ERR.
      const problem = replyProblem(entry, reply);
      if (problem) report.badReplies.push(`${uuid} ${entry.api} "${entry.note}": ${problem}`);
    });
  }
  const leaked = run.record.filter((l) => JSON.stringify(l).includes(CORPUS_KEY) && l.kind !== 'api');
  for (const l of leaked) report.secretsFound.push(`bad input run: ${String(l.kind)} ${JSON.stringify(l).slice(0, 160)}`);
  for (const a of run.api()) if (String(a.reply).includes(CORPUS_KEY)) report.secretsFound.push(`bad input reply: ${String(a.reply).slice(0, 160)}`);
  log(`bad input: ${report.badInputs} tried`);
}

/** Phase 4: the key-scan runs. */
async function secrets(report: SoakReport, log: Log): Promise<void> {
  const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 400 }, apiKey: SECRET_KEY, recordAudio: false });
  try {
    const results = await runSecretCases(sim, SECRET_KEY, SANITIZER_ENV);
    for (const r of results) {
      for (const f of r.found) report.secretsFound.push(`${r.name}: ${f}`);
      if (!r.worked) report.secretRunsNotWorking.push(`${r.name}: ${r.why}`);
      if (r.crashed) report.crashes.push(`secrets run "${r.name}" crashed`);
    }
    log(`secrets: ${results.length} runs scanned`);
  } finally {
    await sim.close();
  }
}

/** Phase 5: fast-check on the grammars, the command path and the server-event handler (this process). */
async function fuzz(p: SoakProfile, report: SoakReport, log: Log): Promise<void> {
  const grammars = fuzzGrammars(p.grammarRuns, p.seed, p.grammarTimeLimitS * 1000);
  log(`fuzz: ${grammars.iterations} grammar iterations`);
  const h = inProcessHost();
  const commands = await fuzzCommands((api, args) => h.command(api, args), p.commandRuns, p.seed);
  const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 300 }, recordAudio: false });
  try {
    const targets: FrameFuzzTarget[] = [];
    for (const kind of ['stream', 'raw', 's2s'] as const) {
      const uuid = newUuid(`soak-fuzz-${kind}`);
      h.host.createChannel(uuid, { rate: 8000, ptimeMs: 20, source: new Int16Array(8000 * 60), vars: FUZZ_VARS(uuid) });
      const reply =
        kind === 's2s'
          ? await h.command('uuid_openai_s2s', `${uuid} session.create ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`)
          : await h.command(kind === 'raw' ? 'uuid_raw_audio_stream' : 'uuid_openai_audio_stream', `${uuid} start ${sim.url} mono 16k 16k`);
      if (reply !== '+OK Success') throw new Error(`fuzz session ${kind}: ${reply}`);
      const connection = await waitFor(() => connectionsOfChannel(sim, uuid)[0], 'fuzz connection');
      const subclass = kind === 's2s' ? 'openai_s2s::server_event' : 'mod_openai_audio_stream::json';
      await waitFor(() => h.events(uuid, subclass).length > 0, 'fuzz session.created');
      h.host.startMedia(uuid);
      const family = kind === 's2s' ? 's2s' : 'audio_stream';
      targets.push({ name: `${kind} ${uuid}`, connection, texts: () => h.events(uuid, subclass).map((e) => e.body), status: () => h.app.registry.get(uuid, family)?.status() });
    }
    const frames = await fuzzServerFrames(targets, p.frameRuns, p.seed);
    for (const o of [grammars, commands, frames]) {
      report.fuzzIterations += o.iterations;
      report.fuzzFailures.push(...o.failures);
    }
    await h.app.stop('soak fuzz done');
    // Their media threads are joined here, not left to the process's exit.
    for (const t of targets) h.host.removeChannel(t.name.split(' ')[1]!);
  } finally {
    await sim.close();
  }
  log(`fuzz: ${report.fuzzIterations} iterations`);
}

export async function runSoak(p: SoakProfile, log: Log = () => {}): Promise<SoakReport> {
  const report = emptyReport(p.name, simulatorBinary.replace(/^.*\/(build[^/]*)\//, '$1/'));
  const started = Date.now();
  const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 2500 }, recordAudio: false, deltaIntervalMs: 20 });
  injectFaults(sim, p.faultRate, prng(p.seed), p.name === 'full' ? 25 : 3);
  try {
    await cycles(p, sim, report, log);
    await hangups(p, sim, report, log);
  } finally {
    await sim.close();
  }
  // Bad input is about what the module answers: a server without faults, so none ends a live session under it.
  const quiet = await RealtimeSimulator.start({ voice: 'tone', recordAudio: false });
  try {
    await badInput(p, quiet, report, log);
  } finally {
    await quiet.close();
  }
  countFaults([sim], report.faults);
  await secrets(report, log);
  await fuzz(p, report, log);
  report.seconds = (Date.now() - started) / 1000;
  return report;
}
