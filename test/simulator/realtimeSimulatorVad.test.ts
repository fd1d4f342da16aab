// What this proves: the simulator's server VAD works in audio time (samples appended, never the
// wall clock), so its speech_started / speech_stopped timestamps land within ±20 ms of the truth of
// a synthetic signal whatever the chunking, at 24 kHz PCM and at 8 kHz G.711; it commits the turn,
// answers it, and interrupts an active response on barge-in the way GA server_vad does.
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeAlaw, encodeMulaw } from '../../src/audio/g711.js';
import { EnergyVad } from '../../src/simulator/energyVad.js';
import { RealtimeProbeClient, RealtimeSimulator, type ServerEvent } from '../../src/simulator/index.js';

const TOLERANCE_MS = 20;
const PADDING_MS = 300;
const SILENCE_MS = 500;

/** Deterministic PRNG so every run appends the same "speech". */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Segment {
  ms: number;
  /** RMS level; -Infinity for digital silence. */
  dbfs: number;
}

/** Uniform noise at the given RMS level per segment: bursts of "speech" between a quiet floor. */
function synth(rate: number, segments: Segment[], seed = 1): Int16Array {
  const random = prng(seed);
  const total = segments.reduce((n, s) => n + Math.round((s.ms * rate) / 1000), 0);
  const out = new Int16Array(total);
  let offset = 0;
  for (const segment of segments) {
    const n = Math.round((segment.ms * rate) / 1000);
    // Uniform noise in [-a, a] has RMS a/√3.
    const amplitude = segment.dbfs === -Infinity ? 0 : Math.sqrt(3) * 32768 * 10 ** (segment.dbfs / 20);
    for (let i = 0; i < n; i++) out[offset + i] = Math.round((random() * 2 - 1) * amplitude);
    offset += n;
  }
  return out;
}

const FLOOR = -70;
const SPEECH = -20;

type InputFormat = 'audio/pcm' | 'audio/pcmu' | 'audio/pcma';

function encode(format: InputFormat, samples: Int16Array): Buffer {
  if (format === 'audio/pcm') {
    const bytes = Buffer.alloc(samples.length * 2);
    for (let i = 0; i < samples.length; i++) bytes.writeInt16LE(samples[i]!, i * 2);
    return bytes;
  }
  const bytes = Buffer.alloc(samples.length);
  if (format === 'audio/pcmu') encodeMulaw(samples, samples.length, bytes);
  else encodeAlaw(samples, samples.length, bytes);
  return bytes;
}

/** Append `samples` in chunks of `chunkMs`, as a bridge streaming 20 ms frames would. */
function appendAll(client: RealtimeProbeClient, format: InputFormat, samples: Int16Array, chunkMs = 20): void {
  const rate = format === 'audio/pcm' ? 24000 : 8000;
  const chunk = Math.round((chunkMs * rate) / 1000);
  for (let i = 0; i < samples.length; i += chunk) {
    client.send({ type: 'input_audio_buffer.append', audio: encode(format, samples.subarray(i, i + chunk)).toString('base64') });
  }
}

describe('EnergyVad (audio time, pure)', () => {
  it('reports onset − prefix padding and end + silence duration, for any chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 400, max: 3000 }), // leading floor
        fc.integer({ min: 100, max: 2000 }), // speech
        fc.integer({ min: 1, max: 250 }), // chunk size in ms (not a multiple of 10 ms in general)
        fc.constantFrom(24000, 8000),
        (leadMs, speechMs, chunkMs, rate) => {
          const samples = synth(rate, [
            { ms: leadMs, dbfs: FLOOR },
            { ms: speechMs, dbfs: SPEECH },
            { ms: SILENCE_MS + 300, dbfs: FLOOR },
          ]);
          const vad = new EnergyVad({ threshold: 0.5, prefixPaddingMs: PADDING_MS, silenceDurationMs: SILENCE_MS });
          const events = [];
          const chunk = Math.max(1, Math.round((chunkMs * rate) / 1000));
          for (let i = 0; i < samples.length; i += chunk) events.push(...vad.process(samples.subarray(i, i + chunk), rate, (i * 1000) / rate));
          expect(events.map((e) => e.type)).toEqual(['speech_started', 'speech_stopped']);
          const [start, stop] = events as unknown as [{ audioStartMs: number }, { audioEndMs: number }];
          expect(Math.abs(start.audioStartMs - Math.max(0, leadMs - PADDING_MS))).toBeLessThanOrEqual(TOLERANCE_MS);
          expect(Math.abs(stop.audioEndMs - (leadMs + speechMs + SILENCE_MS))).toBeLessThanOrEqual(TOLERANCE_MS);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never pads back past the start of the buffer', () => {
    const vad = new EnergyVad({ threshold: 0.5, prefixPaddingMs: PADDING_MS, silenceDurationMs: SILENCE_MS });
    vad.reset(1000); // e.g. audio up to 1000 ms was committed
    const samples = synth(24000, [{ ms: 100, dbfs: FLOOR }, { ms: 500, dbfs: SPEECH }]);
    const [start] = vad.process(samples, 24000, 1000);
    expect(start).toMatchObject({ type: 'speech_started', audioStartMs: 1000 });
  });

  it('ignores clicks shorter than the minimum speech duration', () => {
    const vad = new EnergyVad({ threshold: 0.5, prefixPaddingMs: PADDING_MS, silenceDurationMs: SILENCE_MS });
    const samples = synth(24000, [{ ms: 500, dbfs: FLOOR }, { ms: 20, dbfs: SPEECH }, { ms: 1000, dbfs: FLOOR }]);
    expect(vad.process(samples, 24000, 0)).toEqual([]);
  });

  it('needs louder audio at a higher threshold', () => {
    const quiet = synth(24000, [{ ms: 300, dbfs: FLOOR }, { ms: 600, dbfs: -45 }, { ms: 800, dbfs: FLOOR }]);
    const at = (threshold: number): string[] =>
      new EnergyVad({ threshold, prefixPaddingMs: PADDING_MS, silenceDurationMs: SILENCE_MS }).process(quiet, 24000, 0).map((e) => e.type);
    expect(at(0.5)).toEqual([]); // −40 dBFS gate
    expect(at(0.3)).toEqual(['speech_started', 'speech_stopped']); // −52 dBFS gate
  });
});

const clients: RealtimeProbeClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function connect(sim: RealtimeSimulator, session?: Record<string, unknown>): Promise<RealtimeProbeClient> {
  const client = await RealtimeProbeClient.connect(sim.url);
  clients.push(client);
  await client.waitFor('session.created');
  if (session) {
    client.send({ type: 'session.update', session: { type: 'realtime', ...session } });
    await client.waitFor('session.updated');
  }
  return client;
}

describe('server VAD over the socket', () => {
  let sim: RealtimeSimulator;
  beforeAll(async () => {
    sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 300 } });
  });
  afterAll(async () => {
    await sim.close();
  });

  it.each<InputFormat>(['audio/pcm', 'audio/pcmu', 'audio/pcma'])('%s: timestamps within ±20 ms of the audio-time truth, then commit and respond', async (format) => {
    const client = await connect(sim, format === 'audio/pcm' ? undefined : { audio: { input: { format: { type: format } } } });
    const rate = format === 'audio/pcm' ? 24000 : 8000;
    // Truth: speech from 1000 to 1800 ms, then a second turn from 3000 to 3400 ms.
    const samples = synth(rate, [
      { ms: 1000, dbfs: FLOOR },
      { ms: 800, dbfs: SPEECH },
      { ms: 1200, dbfs: FLOOR },
      { ms: 400, dbfs: SPEECH },
      { ms: 1000, dbfs: FLOOR },
    ]);
    appendAll(client, format, samples);

    const started = await client.waitFor('input_audio_buffer.speech_started');
    const stopped = await client.waitFor('input_audio_buffer.speech_stopped');
    expect(Math.abs((started.audio_start_ms as number) - (1000 - PADDING_MS))).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(Math.abs((stopped.audio_end_ms as number) - (1800 + SILENCE_MS))).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(started.item_id).toMatch(/^item_/);
    expect(stopped.item_id).toBe(started.item_id);

    const committed = await client.waitFor('input_audio_buffer.committed');
    expect(committed).toMatchObject({ item_id: started.item_id, previous_item_id: null });
    const added = await client.waitFor('conversation.item.added');
    expect(added.item).toMatchObject({ id: started.item_id, type: 'message', role: 'user' });
    await client.waitFor('conversation.item.done');
    // create_response defaults to true: the turn is answered.
    const created = await client.waitFor('response.created');
    expect(client.events.indexOf(created)).toBeGreaterThan(client.events.indexOf(committed));

    const second = await client.waitFor('input_audio_buffer.speech_stopped', { where: (e) => e.item_id !== started.item_id });
    const secondStart = client.ofType('input_audio_buffer.speech_started')[1]!;
    // Audio time counts from the first append of the session, across turns.
    expect(Math.abs((secondStart.audio_start_ms as number) - (3000 - PADDING_MS))).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(Math.abs((second.audio_end_ms as number) - (3400 + SILENCE_MS))).toBeLessThanOrEqual(TOLERANCE_MS);
    // Events are handled in order: once `cleared` is back, every append has been counted.
    client.send({ type: 'input_audio_buffer.clear' });
    await client.waitFor('input_audio_buffer.cleared');
    expect(sim.connections.at(-1)!.appendedAudioMs).toBeCloseTo(4400, 6);
  });

  it('leaves the response alone with create_response false, and needs no wall-clock pacing', async () => {
    const client = await connect(sim, { audio: { input: { turn_detection: { type: 'server_vad', create_response: false } } } });
    // One 3 s append: the VAD still sees the pause inside it.
    const samples = synth(24000, [{ ms: 500, dbfs: FLOOR }, { ms: 700, dbfs: SPEECH }, { ms: 1800, dbfs: FLOOR }]);
    appendAll(client, 'audio/pcm', samples, 3000);
    const stopped = await client.waitFor('input_audio_buffer.speech_stopped');
    expect(Math.abs((stopped.audio_end_ms as number) - 1700)).toBeLessThanOrEqual(TOLERANCE_MS);
    await client.waitFor('conversation.item.done');
    client.send({ type: 'input_audio_buffer.clear' });
    await client.waitFor('input_audio_buffer.cleared');
    expect(client.ofType('response.created')).toHaveLength(0);
  });

  it('emits a (simulated) input transcription when transcription is configured', async () => {
    const client = await connect(sim, { audio: { input: { transcription: { model: 'gpt-4o-transcribe' }, turn_detection: { type: 'server_vad', create_response: false } } } });
    appendAll(client, 'audio/pcm', synth(24000, [{ ms: 400, dbfs: FLOOR }, { ms: 600, dbfs: SPEECH }, { ms: 800, dbfs: FLOOR }]));
    const completed = await client.waitFor('conversation.item.input_audio_transcription.completed');
    expect(completed).toMatchObject({ content_index: 0 });
    expect(completed.transcript).toMatch(/simulated transcript/);
  });
});

describe('barge-in', () => {
  let sim: RealtimeSimulator;
  beforeAll(async () => {
    // A long answer streamed slowly enough to still be active when the caller speaks.
    sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 6000 }, deltaIntervalMs: 40 });
  });
  afterAll(async () => {
    await sim.close();
  });

  async function speakOver(client: RealtimeProbeClient): Promise<{ started: ServerEvent; responseId: string }> {
    client.send({ type: 'response.create' });
    const created = await client.waitFor('response.created');
    await client.waitFor('response.output_audio.delta');
    appendAll(client, 'audio/pcm', synth(24000, [{ ms: 200, dbfs: FLOOR }, { ms: 400, dbfs: SPEECH }]));
    const started = await client.waitFor('input_audio_buffer.speech_started');
    return { started, responseId: (created.response as { id: string }).id };
  }

  it('cancels the active response on speech_started when interrupt_response is true (turn_detected)', async () => {
    const client = await connect(sim);
    const { started, responseId } = await speakOver(client);
    const done = await client.waitFor('response.done');
    expect(done.response).toMatchObject({ id: responseId, status: 'cancelled', status_details: { type: 'cancelled', reason: 'turn_detected' } });
    expect(client.events.indexOf(done)).toBeGreaterThan(client.events.indexOf(started));
    expect(client.ofType('response.output_audio.done')).toHaveLength(1);
    const connection = sim.connections.at(-1)!;
    expect(connection.cancels).toEqual([expect.objectContaining({ responseId, reason: 'turn_detected' })]);
    expect(connection.cancels[0]!.audioMsSent).toBeLessThan(6000);
  });

  it('lets the response finish when interrupt_response is false', async () => {
    const client = await connect(sim, { audio: { input: { turn_detection: { type: 'server_vad', interrupt_response: false, create_response: false } } } });
    const { responseId } = await speakOver(client);
    const done = await client.waitFor('response.done', { timeoutMs: 15_000 });
    expect(done.response).toMatchObject({ id: responseId, status: 'completed' });
    expect(sim.connections.at(-1)!.cancels).toEqual([]);
  });
});
