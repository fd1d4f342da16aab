/**
 * Property-based fuzzing (fast-check) of the command grammars, shared by test/e2e/fuzz.test.ts and the
 * soak: any text — random bytes, unicode, or tokens that look almost right — is either a clean
 * error (the last line `-ERR <reason>`, short, one line, no control characters) or a well-formed
 * command. A parser never throws.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import {
  AUDIO_STREAM_API,
  RAW_AUDIO_STREAM_API,
  decodeBase64Json,
  parseAudioStreamCommand,
  tokenize,
  validateWsUri,
  type AudioStreamCommand,
  type GrammarError,
} from '../../src/commands/audioStreamGrammar.js';
import { parseS2sCommand, type S2sCommand, type S2sGrammarError } from '../../src/commands/s2sGrammar.js';

/** The error a failed property threw, first: the report that follows can be long. */
export function errorOf<T>(details: fc.RunDetails<T>): string {
  const error = (details as { errorInstance?: unknown }).errorInstance;
  return error instanceof Error ? error.message : String(error);
}

export interface FuzzOutcome {
  /** Inputs tried. */
  iterations: number;
  /** The shrunk counterexample of each property that failed, with fast-check's report. */
  failures: string[];
}

const WORDS = [
  'start', 'stop', 'send_json', 'pause', 'resume', 'mute', 'unmute', 'START', 'Send_Json',
  'mono', 'mixed', 'stereo', 'MONO', '8k', '16k', '24k', '48k', '8000', '0', '-1', '99999999', '7',
  'mute_user', 'user', 'openai', 'all', 'both',
  'ws://h', 'wss://api.openai.com/v1/realtime?model=gpt-realtime', 'ws://127.0.0.1:1', 'ws://h:0', 'ws://[::1]:80',
  'http://x', 'ws://', 'profile:p', 'profile:', 'profile:../x',
  'session.create', 'client.event', 'session.delete', 'SESSION.CREATE', 'bearer', 'query', 'digest',
  'api.openai.com', 'x.openai.azure.com', 'v1/realtime?model=gpt-realtime', 'wss://h:443', 'ws://h', 'h:99999',
  '{"type":"response.create"}', '{', '}', '[]', '"x"', 'eyJ0eXBlIjoieCJ9', '%%%', '',
];

const TEXT = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom(...WORDS),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64')),
  fc.nat().map(String),
);

const SEPARATOR = fc.constantFrom(' ', '  ', '\t', ' \n ', '\r\n');

/** A uuid-ish first word, then up to 9 tokens that look almost right. */
const ARGS = fc.oneof(
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom('u', 'abc-123', '☎️', ''), fc.array(fc.tuple(SEPARATOR, TEXT), { maxLength: 9 }))
      .map(([uuid, rest]) => uuid + rest.map(([sep, t]) => sep + t).join('')),
  },
  {
    weight: 1,
    // jambonz's delimiter form.
    arbitrary: fc
      .tuple(fc.constantFrom('|', ',', ' ', '\n', 'x'), fc.array(TEXT, { maxLength: 5 }))
      .map(([d, fields]) => `^^${d}${fields.join(d)}`),
  },
);

function errorProblem(reply: string): string | null {
  const last = reply.split('\n').at(-1) ?? '';
  if (!/^-ERR \S/.test(last)) return `last line is not -ERR: ${JSON.stringify(last.slice(0, 80))}`;
  if (last.length > 400) return `a ${last.length}-character -ERR line`;
  if (/[\r\u0000-\u0008\u000b-\u001f]/.test(reply)) return 'a control character in the reply';
  return null;
}

function audioStreamProblem(args: string, r: AudioStreamCommand | GrammarError): string | null {
  if (r.kind === 'error') return errorProblem(r.reply);
  const argv = tokenize(args);
  if (r.uuid !== argv[0]) return `uuid ${JSON.stringify(r.uuid)} is not the first word`;
  if (r.kind === 'start') {
    if (!r.url.startsWith('profile:') && validateWsUri(r.url) !== null) return `start with an invalid url ${r.url}`;
    if (!['mono', 'mixed', 'stereo'].includes(r.mix)) return `mix ${r.mix}`;
    for (const rate of [r.sendRate, r.playbackRate]) if (!(Number.isInteger(rate) && rate > 0 && rate % 8000 === 0 && rate <= 192000)) return `rate ${rate}`;
  }
  if ((r.kind === 'send_json' || (r.kind === 'stop' && r.json !== null)) && typeof JSON.parse(r.kind === 'stop' ? r.json! : r.json) !== 'object') return 'json is not an object';
  return null;
}

function s2sProblem(r: S2sCommand | S2sGrammarError): string | null {
  if (r.kind === 'error') return errorProblem(r.reply);
  if (r.uuid.length === 0) return 'empty uuid';
  if (r.kind === 'create' && 'url' in r && !/^wss?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/\S*$/.test(r.url)) return `create with url ${r.url}`;
  if (r.kind === 'client.event' && (r.json.length === 0 || r.json !== r.json.trim())) return 'client.event json not trimmed';
  return null;
}

function run<T extends unknown[]>(
  name: string,
  property: fc.IProperty<T>,
  numRuns: number,
  seed: number | undefined,
  out: FuzzOutcome,
  timeLimitMs?: number,
): void {
  const limit = timeLimitMs !== undefined ? { interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: false } : {};
  const details = fc.check(property, { numRuns, ...limit, ...(seed !== undefined ? { seed } : {}) });
  out.iterations += details.numRuns;
  if (details.failed) out.failures.push(`${name}: ${errorOf(details)} — ${fc.defaultReportMessage(details) ?? 'failed'}`);
}

/** Runs every grammar property `numRuns` times (or until `timeLimitMs` has passed, shared out between them). */
export function fuzzGrammars(numRuns: number, seed?: number, timeLimitMs?: number): FuzzOutcome {
  const out: FuzzOutcome = { iterations: 0, failures: [] };
  const each = timeLimitMs !== undefined ? Math.max(1, Math.floor(timeLimitMs / 3)) : undefined;
  const throws = (f: () => string | null): string | null => {
    try {
      return f();
    } catch (err) {
      return `threw ${err instanceof Error ? err.message : String(err)}`;
    }
  };
  run(
    'uuid_openai_audio_stream / uuid_raw_audio_stream grammar',
    fc.property(fc.constantFrom(AUDIO_STREAM_API, RAW_AUDIO_STREAM_API), ARGS, fc.constantFrom(1024, 2048, 1024 * 1024), (api, args, max) => {
      const problem = throws(() => audioStreamProblem(args, parseAudioStreamCommand(api, args, max)));
      if (problem) throw new Error(problem);
    }),
    numRuns,
    seed,
    out,
    each,
  );
  run(
    'uuid_openai_s2s grammar',
    fc.property(ARGS, (args) => {
      const problem = throws(() => s2sProblem(parseS2sCommand(args)));
      if (problem) throw new Error(problem);
    }),
    numRuns,
    seed,
    out,
    each,
  );
  run(
    'send_json base64 JSON decoder',
    fc.property(fc.oneof(TEXT, fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64'))), fc.integer({ min: 1, max: 4096 }), (b64, max) => {
      const problem = throws(() => {
        const r = decodeBase64Json(b64, max);
        if ('error' in r) return r.error.length > 0 && r.error.length < 200 ? null : `error ${r.error}`;
        return r.value !== null && typeof r.value === 'object' && !Array.isArray(r.value) ? null : 'not an object';
      });
      if (problem) throw new Error(problem);
    }),
    numRuns,
    seed,
    out,
    each,
  );
  return out;
}

/**
 * The whole command path (native queue, router, handlers) with fuzzed arguments for a channel that
 * does not exist: every reply's last line is a clean -ERR (never an internal error or a timeout);
 * `openai_realtime` may also answer with status or usage text, never an internal error.
 */
export async function fuzzCommands(command: (api: string, args: string) => Promise<string>, numRuns: number, seed?: number): Promise<FuzzOutcome> {
  const out: FuzzOutcome = { iterations: 0, failures: [] };
  const apis = ['uuid_openai_audio_stream', 'uuid_raw_audio_stream', 'uuid_openai_s2s', 'openai_realtime'];
  const details = await fc.check(
    fc.asyncProperty(fc.constantFrom(...apis), ARGS, async (api, args) => {
      // A uuid no channel has, in front of whatever came out (the admin API takes none).
      const text = api === 'openai_realtime' ? args : `fuzz-no-such-channel ${args}`;
      const reply = (await command(api, text)).replace(/\n$/, '');
      out.iterations++;
      const last = reply.split('\n').at(-1) ?? '';
      if (last === '-ERR internal error' || last === '-ERR timeout') throw new Error(`${api}: ${last}`);
      if (api !== 'openai_realtime' && !/^-ERR \S/.test(last)) throw new Error(`${api}: ${JSON.stringify(last.slice(0, 120))}`);
    }),
    { numRuns, ...(seed !== undefined ? { seed } : {}) },
  );
  if (details.failed) out.failures.push(`commands: ${errorOf(details)} — ${fc.defaultReportMessage(details) ?? 'failed'}`);
  return out;
}
