/**
 * Property-based fuzzing (fast-check) of the server-event handler, shared by test/e2e/fuzz.test.ts and
 * the soak: a scripted simulator connection sends live sessions arbitrary frames — realtime events
 * with random and hostile fields (formats, rates, ids, deltas, usage, errors), any JSON, any text,
 * binary — then a sentinel. The session must take the sentinel (it still reads and forwards) and
 * stay open with no internal error: a frame may be ignored, forwarded or logged, never thrown on.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import type { SimulatedConnection } from '../../src/simulator/index.js';
import { errorOf, type FuzzOutcome } from './fuzzGrammars.js';

export interface FrameFuzzTarget {
  name: string;
  connection: SimulatedConnection;
  /** Server texts the session handed to its app so far (audio stream ::json, s2s server_event). */
  texts(): string[];
  status(): Record<string, unknown> | undefined;
}

const IDS = fc.constantFrom('resp_1', 'resp_2', 'item_1', 'item_2', 'oair_1', '', 'x');
const ANY = fc.anything({ maxDepth: 2, maxKeys: 4 });
const B64 = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b).toString('base64')),
  fc.uint8Array({ maxLength: 301 }).map((b) => Buffer.from(b).toString('base64').replace(/=+$/, '')),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '%%%', '====', 'AAA', 'A'),
);
const RATE = fc.oneof(fc.constantFrom(24000, 8000, 16000, 48000, 44100, 0, -1, 1, 7, 24000.5, 999_999, 1e9, Number.MAX_SAFE_INTEGER), fc.double(), fc.string({ maxLength: 8 }));
const FORMAT = fc.oneof(
  fc.record({ type: fc.constantFrom('audio/pcm', 'audio/pcmu', 'audio/pcma', 'audio/opus', 'pcm16'), rate: RATE }, { requiredKeys: ['type'] }),
  ANY,
);
const TURN = fc.oneof(fc.constant(null), fc.record({ type: fc.constantFrom('server_vad', 'semantic_vad', 'x'), interrupt_response: ANY, create_response: ANY }, { requiredKeys: [] }), ANY);
const SESSION = fc.oneof(
  fc.record(
    {
      type: fc.constantFrom('realtime', 'transcription', 'x'),
      audio: fc.record(
        { input: fc.record({ format: FORMAT, turn_detection: TURN }, { requiredKeys: [] }), output: fc.record({ format: FORMAT, voice: ANY }, { requiredKeys: [] }) },
        { requiredKeys: [] },
      ),
      input_audio_format: fc.oneof(fc.constantFrom('pcm16', 'g711_ulaw', 'g711_alaw'), ANY),
      output_audio_format: fc.oneof(fc.constantFrom('pcm16', 'g711_ulaw', 'g711_alaw'), ANY),
      turn_detection: TURN,
    },
    { requiredKeys: [] },
  ),
  ANY,
);
const TYPES = fc.constantFrom(
  'session.created',
  'session.updated',
  'response.created',
  'response.done',
  'response.output_audio.delta',
  'response.audio.delta',
  'response.output_audio.done',
  'response.audio.done',
  'input_audio_buffer.speech_started',
  'input_audio_buffer.speech_stopped',
  'input_audio_buffer.committed',
  'error',
  'conversation.item.created',
  'conversation.item.added',
  'conversation.item.done',
  'conversation.item.truncated',
  'response.output_item.added',
  'response.output_item.done',
  'response.content_part.added',
  'response.output_audio_transcript.delta',
  'response.output_text.delta',
  'response.function_call_arguments.done',
  'rate_limits.updated',
  'conversation.item.input_audio_transcription.completed',
);
const EVENT = fc.record(
  {
    type: fc.oneof({ weight: 9, arbitrary: TYPES }, { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 20 }), ANY) }),
    event_id: fc.oneof(IDS, ANY),
    response_id: fc.oneof(IDS, ANY),
    item_id: fc.oneof(IDS, ANY),
    delta: fc.oneof({ weight: 3, arbitrary: B64 }, { weight: 1, arbitrary: ANY }),
    response: fc.oneof(
      fc.record({ id: fc.oneof(IDS, ANY), status: fc.constantFrom('completed', 'cancelled', 'failed', 'in_progress'), usage: ANY, output: ANY }, { requiredKeys: [] }),
      ANY,
    ),
    session: SESSION,
    error: fc.oneof(
      fc.record(
        { type: fc.string({ maxLength: 12 }), code: fc.oneof(fc.constantFrom('response_cancel_not_active', 'session_expired', 'invalid_value'), ANY), message: ANY, event_id: fc.oneof(IDS, ANY) },
        { requiredKeys: [] },
      ),
      ANY,
    ),
    item: ANY,
    audio_end_ms: ANY,
    rate_limits: ANY,
  },
  { requiredKeys: ['type'] },
);
/** One frame: mostly realtime-looking events, then any JSON, any text, binary. */
export const SERVER_FRAME = fc.oneof(
  { weight: 8, arbitrary: EVENT.map((e) => JSON.stringify(e)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4000 }).map((b) => Buffer.from(b)) },
);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let sentinels = 0;

/** Runs `numRuns` batches of 1–8 frames, each against one of `targets`. Counts frames as iterations. */
export async function fuzzServerFrames(targets: FrameFuzzTarget[], numRuns: number, seed?: number): Promise<FuzzOutcome> {
  const out: FuzzOutcome = { iterations: 0, failures: [] };
  const details = await fc.check(
    fc.asyncProperty(fc.nat(targets.length - 1), fc.array(SERVER_FRAME, { minLength: 1, maxLength: 8 }), async (index, frames) => {
      const target = targets[index]!;
      for (const frame of frames) target.connection.sendRaw(frame);
      out.iterations += frames.length;
      const marker = `fuzz-sentinel-${++sentinels}`;
      target.connection.sendRaw(JSON.stringify({ type: 'fuzz.sentinel', event_id: marker }));
      const until = Date.now() + 5000;
      while (!target.texts().some((t) => t.includes(marker))) {
        const status = target.status();
        if (!status) throw new Error(`${target.name}: the session ended`);
        if (Date.now() > until) {
          const c = target.connection;
          const seen = target.texts().length;
          throw new Error(
            `${target.name}: the sentinel never reached the app (state ${String(status.state)}, ${seen} texts forwarded, ` +
              `simulator side closed ${JSON.stringify(c.closed)}, server events sent ${c.serverEvents.length}, buffered ${String(status.socketBufferedBytes)})`,
          );
        }
        await sleep(2);
      }
      const status = target.status();
      if (!status || status.state !== 'open' || status.internalErrors !== 0) {
        throw new Error(`${target.name}: state ${String(status?.state)}, internal errors ${String(status?.internalErrors)}`);
      }
    }),
    // A session a frame broke cannot be used again: report the frames as they were, unshrunk.
    { numRuns, endOnFailure: true, ...(seed !== undefined ? { seed } : {}) },
  );
  if (details.failed) out.failures.push(`server frames: ${errorOf(details)} — ${fc.defaultReportMessage(details) ?? 'failed'}`);
  return out;
}
