/**
 * `npm run call` — a full simulated call: a caller WAV goes through the host simulator (the same
 * embedded runtime FreeSWITCH loads, on a real 20 ms media clock) to an OpenAI Realtime session
 * (the bundled realtime simulator unless --url names a server), and what the caller would hear
 * comes back as a WAV, sample-aligned with the input, plus every event and API reply as JSONL.
 *
 *   npm run call -- --caller in.wav --reply out.wav --events out.jsonl [--rate 8000] [--ptime 20]
 *                   [--script file] [--url ws-url] [--var NAME=VALUE ...] [--config file]
 *                   [--speed X] [--channels N] [--tail-ms MS] [--quiet] [--sim-call NAME ...]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Resampler } from '../audio/resampler.js';
import { encodeWav, readWav } from '../audio/wav.js';
import { bundleRoot } from '../bridge.js';
import { isLiveUrl } from '../protocol/live/liveEndpoint.js';
import { RealtimeSimulator } from '../simulator/index.js';
import { parseCallArguments, UsageError, type CallArguments } from './callArguments.js';
import { judgeCall } from './callOutcome.js';
import { formatCallRecord, parseCallRecord } from './callRecord.js';
import { readScript } from './callScript.js';

const USAGE = `usage: npm run call -- --caller <in.wav> --reply <out.wav> --events <out.jsonl>
       [--rate 8000|16000|24000|32000|48000] [--ptime 10|20|30|40|50|60] [--script <file>] [--url <ws-url>]
       [--var NAME=VALUE ...] [--config <file>] [--speed X] [--channels N] [--tail-ms MS] [--quiet]
       [--sim-call <function> ...] [--live]
Without --url the bundled realtime simulator answers (no API key needed); --sim-call makes it call
that declared function after each caller turn, with arguments made from the tool's JSON schema;
--live uses its GPT-Live endpoint. A GPT-Live URL without --script gets a default call:
session.start (gpt-live-1) and a greeting.
Script lines: '<ms> <api-args after the uuid>', '<ms> hangup', '<ms> dtmf <digits>',
'<ms> <api> <args>' for uuid_raw_audio_stream | uuid_openai_s2s | openai_realtime (uuid added, except
for openai_realtime and the ^^<d> form of uuid_openai_s2s), '<ms> api <name> <args>' (as written);
\${uuid} and \${url} are replaced.
Exit status: 0 the call ran and every stream connected; 1 the call failed (the reason is the last line);
2 a bad argument.`;

/** One line on stderr, the way every failure of this command ends. */
function complain(message: string): void {
  process.stderr.write(`npm run call: ${message}\n`);
}

/** Mono int16 at `rate`, whatever the caller WAV is. Throws UsageError when it is not a usable WAV. */
function callerAudio(path: string, rate: number): Int16Array {
  let wav;
  try {
    wav = readWav(readFileSync(path));
  } catch (err) {
    throw new UsageError(`--caller ${path}: ${err instanceof Error ? err.message : String(err)} (a 16-bit PCM WAV is needed)`);
  }
  let mono = wav.samples;
  if (wav.channels > 1) {
    mono = new Int16Array(Math.floor(wav.samples.length / wav.channels));
    for (let i = 0; i < mono.length; i++) mono[i] = wav.samples[i * wav.channels]!;
  }
  if (mono.length === 0) throw new UsageError(`--caller ${path}: the WAV has no samples`);
  if (wav.sampleRate === rate) return mono;
  const resampler = new Resampler(wav.sampleRate, rate);
  const out = new Int16Array(resampler.maxOutputLength(mono.length) + rate);
  let n = resampler.process(mono, mono.length, out);
  // Flush the filter's tail so the end of the recording is not cut.
  const silence = new Int16Array(Math.ceil(wav.sampleRate / 10));
  n += resampler.process(silence, silence.length, out.subarray(n));
  return out.slice(0, n);
}

function runSimulator(binary: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise<number>((done) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    child.on('exit', (c, signal) => done(c ?? (signal ? 128 : 1)));
    child.on('error', (err) => {
      complain(`cannot run ${binary}: ${err.message}`);
      done(1);
    });
  });
}

async function call(o: CallArguments, work: string): Promise<number> {
  const root = bundleRoot();
  const simulatorBinary = join(root, 'build-native', 'oair-sim');
  if (!existsSync(simulatorBinary)) throw new UsageError(`${simulatorBinary} is missing: run scripts/setup.sh first`);

  const callerPath = join(work, 'caller.wav');
  writeFileSync(callerPath, encodeWav(callerAudio(o.caller, o.rate), o.rate, 1));
  let scriptPath: string | undefined;
  if (o.script !== undefined) {
    scriptPath = join(work, 'script.txt');
    writeFileSync(scriptPath, readScript(o.script));
  }
  const vars = [...o.vars];
  const env: NodeJS.ProcessEnv = { ...process.env };
  let simulator: RealtimeSimulator | undefined;
  let url = o.url;
  if (!url) {
    // The bundled simulator checks a key like the real service; the call gets a fresh one (unless
    // the user set their own), so no "OPENAI_API_KEY is not set" warning for a run that needs none.
    // It is also the host's OPENAI_API_KEY, for a --config profile with api-key-env: a real key in
    // this shell's environment never goes to the simulator.
    const ownKey = vars.some(([name]) => name === 'STREAM_OPENAI_API_KEY');
    const apiKey = ownKey ? undefined : `sk-simulator-${randomBytes(12).toString('hex')}`;
    if (apiKey) {
      vars.push(['STREAM_OPENAI_API_KEY', apiKey]);
      env.OPENAI_API_KEY = apiKey;
    }
    simulator = await RealtimeSimulator.start({
      voice: 'speech',
      recordAudio: false,
      ...(apiKey ? { apiKey } : {}),
      // Arguments come from each tool's schema (src/simulator/schemaArguments.ts).
      ...(o.simCalls.length > 0 ? { functionCall: o.simCalls.map((name) => ({ name })) } : {}),
    });
    url = o.live ? simulator.liveUrl : simulator.url;
    if (!o.quiet) process.stdout.write(`realtime simulator listening on ${url}\n`);
  }

  const args = [
    '--bundle', root,
    '--caller', callerPath,
    '--reply', resolve(o.reply),
    '--events', resolve(o.events),
    '--rate', String(o.rate),
    '--ptime', String(o.ptime),
    '--url', url,
  ];
  if (!scriptPath && isLiveUrl(url)) {
    // GPT-Live waits for the application's session.start: the default call sends one, then asks for a greeting.
    const b64 = (event: object): string => Buffer.from(JSON.stringify(event)).toString('base64');
    const start = { type: 'session.start', session: { model: 'gpt-live-1', instructions: 'You are a helpful phone assistant.' } };
    const greet = { type: 'session.commentary.append', content: 'Greet the caller.', delegation_id: null };
    scriptPath = join(work, 'live.script');
    writeFileSync(scriptPath, `0 start \${url} mono\n5 send_json ${b64(start)}\n10 send_json ${b64(greet)}\n`);
  }
  if (scriptPath) args.push('--script', scriptPath);
  if (o.config) args.push('--config', resolve(o.config));
  if (o.speed !== undefined) args.push('--speed', String(o.speed));
  if (o.channels !== undefined) args.push('--channels', String(o.channels));
  if (o.tailMs !== undefined) args.push('--tail-ms', String(o.tailMs));
  if (o.testHooks) args.push('--enable-test-hooks');
  for (const [name, value] of vars) args.push('--var', `${name}=${value}`);

  // A record left by an earlier run must never be summarised as this one.
  rmSync(resolve(o.events), { force: true });
  let code: number;
  try {
    code = await runSimulator(simulatorBinary, args, env);
  } finally {
    await simulator?.close();
  }
  if (!existsSync(o.events)) {
    complain(`the host simulator wrote no call record (exit status ${code})`);
    return 1;
  }
  const record = readFileSync(o.events, 'utf8');
  if (!o.quiet) {
    process.stdout.write(formatCallRecord(record));
    process.stdout.write(`reply audio: ${resolve(o.reply)}\nevents: ${resolve(o.events)}\n`);
  }
  const outcome = judgeCall(parseCallRecord(record));
  if (!outcome.ok) {
    complain(`call failed: ${outcome.reason}`);
    return 1;
  }
  if (code !== 0) {
    complain(`the host simulator exited with status ${code}`);
    return 1;
  }
  return 0;
}

async function main(): Promise<number> {
  let work: string | undefined;
  try {
    const o = parseCallArguments(process.argv.slice(2));
    if (o.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    work = mkdtempSync(join(tmpdir(), 'oair-call-'));
    return await call(o, work);
  } catch (err) {
    if (err instanceof UsageError) {
      complain(`${err.message} (--help shows the usage)`);
      return 2;
    }
    complain(err instanceof Error ? err.message : String(err));
    return 1;
  } finally {
    if (work) rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    complain(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
