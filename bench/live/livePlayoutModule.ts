/**
 * The playout delay GPT-Live audio gets in the module itself: N calls through the host simulator
 * (the embedded runtime, real media threads on a 20 ms clock) to the realtime simulator's Live
 * endpoint, each a whole Live session (session.start, a greeting, the caller talking, replies), and
 * for every output delta the time from its arrival on the socket to its first sample taken by the
 * media thread (LiveTrack's figure, `live.track.playoutDelayMs` in `openai_realtime status`: a frame
 * is taken whole, so this includes up to one ptime of frame quantisation). Prints figures, asserts
 * nothing.
 *
 *   npm run build:ts && tsc -p bench/tsconfig.json && node build/bench/bench/live/livePlayoutModule.js [--calls 1,20] [--seconds 20] [--start-delay 40]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeWav } from '../../src/audio/wav.js';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { Table } from '../lib/table.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1,20' },
    seconds: { type: 'string', default: '20' },
    'start-delay': { type: 'string', default: '40' },
  },
});
const seconds = Number(values.seconds);
const RATE = 8000;

/** The caller: a second of speech-like tone every 4 s, so the model answers now and then. */
function caller(ms: number): Int16Array {
  const out = new Int16Array((RATE * ms) / 1000);
  for (let i = 0; i < out.length; i++) {
    const t = i / RATE;
    if (t % 4 >= 1 && t % 4 < 2) out[i] = Math.round(6000 * Math.sin(2 * Math.PI * 300 * t));
  }
  return out;
}

interface TrackStatus {
  playoutDelayMs: { p50: number | null; p99: number | null; max: number | null; count: number };
  primes: number;
  trimmedMs: number;
}

async function run(calls: number): Promise<{ tracks: TrackStatus[]; underruns: number; serverGaps: number }> {
  const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 1500 }, recordEvents: false, recordAudio: false });
  const dir = mkdtempSync(join(tmpdir(), 'oair-bench-live-'));
  try {
    const b64 = (event: object): string => Buffer.from(JSON.stringify(event)).toString('base64');
    const start = { type: 'session.start', session: { model: 'gpt-live-1' } };
    const greet = { type: 'session.commentary.append', content: 'Greet the caller.', delegation_id: null };
    const endMs = seconds * 1000;
    writeFileSync(join(dir, 'call.script'), [`0 start ${sim.liveUrl} mono 8k`, `5 send_json ${b64(start)}`, `10 send_json ${b64(greet)}`, `${endMs - 300} openai_realtime status json`, `${endMs - 100} stop`, ''].join('\n'));
    writeFileSync(join(dir, 'caller.wav'), encodeWav(caller(endMs + 500), RATE, 1));
    // Run from the repository's root (where dist/ and build-native/ are), as the command above does.
    const root = process.cwd();
    const args = ['--bundle', root, '--caller', join(dir, 'caller.wav'), '--reply', join(dir, 'reply.wav'), '--events', join(dir, 'events.jsonl'), '--rate', String(RATE), '--script', join(dir, 'call.script'), '--channels', String(calls), '--tail-ms', '300', '--record-ms', '1000', '--var', 'read_codec=PCMU', '--var', 'STREAM_DISABLE_AUDIOFILES=true', '--var', `OPENAI_LIVE_PLAYOUT_DELAY_MS=${values['start-delay']}`];
    await new Promise<void>((done, fail) => {
      const child = spawn(join(root, 'build-native', 'oair-sim'), args, { stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`oair-sim exited ${code}`))));
    });
    const tracks: TrackStatus[] = [];
    let underruns = 0;
    let serverGaps = 0;
    for (const line of readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n')) {
      if (!line.includes('"kind":"api"') || !line.includes('openai_realtime')) continue;
      const record = JSON.parse(line) as { reply?: string };
      const status = JSON.parse(String(record.reply)) as { sessions: Array<{ underruns: number; serverGaps: number; live?: { track: TrackStatus } }> };
      // Every channel asks for the status; each sees all sessions — keep each session once.
      if (tracks.length > 0) continue;
      for (const s of status.sessions) {
        if (s.live?.track) tracks.push(s.live.track);
        underruns += s.underruns;
        serverGaps += s.serverGaps;
      }
    }
    return { tracks, underruns, serverGaps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.close();
  }
}

const table = new Table(['Calls', 'Deltas', 'Start delay', 'Arrival → first sample: median of p50 / worst p99 / max (ms)', 'Re-primes', 'Trimmed', 'Underruns / server gaps']);
for (const calls of values.calls.split(',').map(Number)) {
  const { tracks, underruns, serverGaps } = await run(calls);
  const p50s = tracks.map((t) => t.playoutDelayMs.p50 ?? NaN).sort((a, b) => a - b);
  const worst99 = Math.max(...tracks.map((t) => t.playoutDelayMs.p99 ?? NaN));
  const max = Math.max(...tracks.map((t) => t.playoutDelayMs.max ?? NaN));
  table.row(
    `${calls} (${tracks.length} seen)`,
    String(tracks.reduce((n, t) => n + t.playoutDelayMs.count, 0)),
    `${values['start-delay']} ms`,
    `${p50s[Math.floor(p50s.length / 2)]} / ${worst99} / ${max}`,
    String(tracks.reduce((n, t) => n + t.primes - 1, 0)),
    `${tracks.reduce((n, t) => n + t.trimmedMs, 0)} ms`,
    `${underruns} / ${serverGaps}`,
  );
}
console.log(table.render());
// The figures depend on what else the machine runs: say how busy it was.
console.log(`load average (1/5/15 min) at the end: ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
