/**
 * The playout delay GPT-Live audio would get from PlayoutPolicy (src/protocol/live/playoutPolicy.ts):
 * real Live sessions against the realtime simulator on loopback (continuous output track, one
 * 100 ms delta every 100 ms, paced in real time), a 20 ms frame clock per call as a channel's media
 * clock would run, and for each delta the time from its arrival to its first sample being played.
 *
 * This is what the policy adds on top of network and timer jitter; the module's own figure (the
 * engine's LiveTrack, through the host simulator's media threads) is livePlayoutModule.ts.
 * Prints figures, asserts nothing.
 *
 *   npm run build:ts && tsc -p bench/tsconfig.json && node build/bench/bench/live/livePlayout.js [--calls 1,20] [--seconds 20] [--start-delay 40]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { PlayoutPolicy } from '../../src/protocol/live/playoutPolicy.js';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { percentile } from '../lib/histogram.js';
import { Table } from '../lib/table.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1,20' },
    seconds: { type: 'string', default: '20' },
    'start-delay': { type: 'string', default: '40' },
  },
});
const seconds = Number(values.seconds);
const startDelayMs = Number(values['start-delay']);
const FRAME_MS = 20;
const SILENCE_FRAME = Buffer.alloc(160, 0xff).toString('base64'); // 20 ms of μ-law silence

interface CallResult {
  delays: number[];
  underruns: number;
  droppedMs: number;
  trimmedMs: number;
}

async function runCall(url: string, durationMs: number): Promise<CallResult> {
  const delays: number[] = [];
  const policy = new PlayoutPolicy({ startDelayMs }, (d) => delays.push(d));
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let started = false;
  ws.on('message', (data) => {
    const at = performance.now();
    const event = JSON.parse(data.toString()) as { type: string; delta?: string };
    if (event.type === 'session.started') started = true;
    if (event.type === 'session.output_audio.delta' && event.delta) policy.delta(at, (Buffer.from(event.delta, 'base64').length / 8000) * 1000);
  });
  ws.send(JSON.stringify({ type: 'session.start', session: { model: 'gpt-live-1', audio: { format: { type: 'audio/pcmu', rate: 8000 } } } }));
  while (!started) await new Promise((resolve) => setTimeout(resolve, 5));
  ws.send(JSON.stringify({ type: 'session.commentary.append', content: 'Greet the caller.', delegation_id: null }));
  // The media clock: one frame every 20 ms, drift-corrected; the uplink sends silence on the same clock.
  const t0 = performance.now();
  for (let n = 0; performance.now() - t0 < durationMs; n++) {
    ws.send(JSON.stringify({ type: 'session.input_audio.append', audio: SILENCE_FRAME }));
    policy.frame(performance.now(), FRAME_MS);
    const wait = t0 + (n + 1) * FRAME_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  ws.close(1000);
  return { delays, underruns: policy.underruns, droppedMs: policy.droppedMs, trimmedMs: policy.trimmedMs };
}

const sim = await RealtimeSimulator.start({ voice: 'tone', recordEvents: false });
const table = new Table(['Calls', 'Deltas', 'Start delay', 'Arrival → first sample p50 / p99 / max (ms)', 'Underruns', 'Dropped / trimmed']);
for (const calls of values.calls.split(',').map(Number)) {
  const results = await Promise.all(Array.from({ length: calls }, () => runCall(sim.liveUrl, seconds * 1000)));
  const delays = results.flatMap((r) => r.delays).sort((a, b) => a - b);
  const f = (v: number): string => v.toFixed(1);
  table.row(
    String(calls),
    String(delays.length),
    `${startDelayMs} ms`,
    `${f(percentile(delays, 0.5))} / ${f(percentile(delays, 0.99))} / ${f(delays[delays.length - 1] ?? NaN)}`,
    String(results.reduce((n, r) => n + r.underruns, 0)),
    `${results.reduce((n, r) => n + r.droppedMs, 0)} / ${Math.round(results.reduce((n, r) => n + r.trimmedMs, 0))} ms`,
  );
}
await sim.close();
console.log(table.render());
