#!/usr/bin/env node
/**
 * The realtime peer of the FreeSWITCH bench, in its own process (so its CPU is not FreeSWITCH's):
 * the repository's realtime simulator (dist/simulator) with the bench's voice — server VAD, after
 * each caller burst a 3 s reply as 100 ms deltas sent at 4× real time (one every 25 ms), barge-in
 * (the response is cancelled and `speech_started` sent) when the caller speaks again. The reply is
 * a 600 Hz tone so the analysis can find it in what the caller hears.
 *
 * Started by run.mjs with an IPC channel: it sends `{ url }` once listening, and answers
 * `{ cmd: 'stats' }` with per-connection counts (appends received, deltas sent, responses,
 * cancels, session.updates received, deflate), `{ cmd: 'reset' }` by zeroing them (start of a
 * measurement window) and `{ cmd: 'clear' }` by forgetting every connection (start of a soak phase).
 *
 *   node bench/freeswitch/peer.mjs [--reply-ms 3000] [--chunk-ms 100] [--speed 4] [--tone-hz 600]
 */
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { RealtimeSimulator } = await import(join(root, 'dist', 'simulator', 'index.js'));

const { values: o } = parseArgs({
  options: {
    'reply-ms': { type: 'string', default: '3000' },
    'chunk-ms': { type: 'string', default: '100' },
    speed: { type: 'string', default: '4' },
    'tone-hz': { type: 'string', default: '600' },
    port: { type: 'string', default: '0' },
  },
});
const chunkMs = Number(o['chunk-ms']);
const sim = await RealtimeSimulator.start({
  port: Number(o.port),
  voice: 'tone',
  tone: { frequencyHz: Number(o['tone-hz']), durationMs: Number(o['reply-ms']) },
  audioChunkMs: chunkMs,
  deltaIntervalMs: chunkMs / Number(o.speed),
  recordAudio: false,
  recordEvents: false,
});

/** Counts per connection index; zeroed by `reset`. */
const counts = new Map();
/** Connections numbered below this were opened before the last `clear`: counted nowhere. */
let clearedBelow = 0, nextIndex = 0;
const entry = (c) => {
  nextIndex = Math.max(nextIndex, c.index + 1);
  if (c.index < clearedBelow) return { appends: 0, deltas: 0, responses: 0, speechStarted: 0, cancelled: 0, sessionUpdates: 0 };
  let e = counts.get(c.index);
  if (!e) { e = { appends: 0, deltas: 0, responses: 0, speechStarted: 0, cancelled: 0, sessionUpdates: 0, deflate: c.handshake.deflate, open: true }; counts.set(c.index, e); }
  return e;
};
sim.on('connection', (c) => entry(c));
sim.on('close', (c) => { entry(c).open = false; });
sim.on('clientEvent', (c, ev) => {
  if (ev.type === 'input_audio_buffer.append') entry(c).appends++;
  else if (ev.type === 'session.update') entry(c).sessionUpdates++;
});
sim.on('serverEvent', (c, ev) => {
  const e = entry(c);
  if (ev.type === 'response.output_audio.delta') e.deltas++;
  else if (ev.type === 'response.created') e.responses++;
  else if (ev.type === 'input_audio_buffer.speech_started') e.speechStarted++;
  else if (ev.type === 'response.done' && ev.response?.status === 'cancelled') e.cancelled++;
});

process.on('message', (m) => {
  if (m?.cmd === 'stats') process.send({ stats: [...counts.values()] });
  else if (m?.cmd === 'reset') {
    for (const e of counts.values()) Object.assign(e, { appends: 0, deltas: 0, responses: 0, speechStarted: 0, cancelled: 0 });
    process.send({ reset: true });
  } else if (m?.cmd === 'clear') {
    counts.clear();
    clearedBelow = nextIndex;
    process.send({ cleared: true });
  }
});
process.on('disconnect', () => { void sim.close().finally(() => process.exit(0)); });
if (process.send) process.send({ url: sim.url });
else console.log(sim.url);
