/**
 * `npm run call` — a full simulated call: a caller WAV goes through the host simulator (the same
 * embedded runtime FreeSWITCH loads, on a real 20 ms media clock) to an OpenAI Realtime session
 * (the bundled realtime simulator unless --url names a server), and what the caller would hear
 * comes back as a WAV, sample-aligned with the input, plus every event and API reply as JSONL.
 *
 *   npm run call -- --caller in.wav --reply out.wav --events out.jsonl [--rate 8000] [--ptime 20]
 *                   [--script file] [--url ws-url] [--var NAME=VALUE ...] [--config file]
 *                   [--speed X] [--channels N] [--tail-ms MS] [--quiet]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Resampler } from '../audio/resampler.js';
import { encodeWav, readWav } from '../audio/wav.js';
import { bundleRoot } from '../bridge.js';
import { isLiveUrl } from '../protocol/live/liveEndpoint.js';
import { RealtimeSimulator } from '../simulator/index.js';
import { formatCallRecord } from './callRecord.js';

const USAGE = `usage: npm run call -- --caller <in.wav> --reply <out.wav> --events <out.jsonl>
       [--rate 8000] [--ptime 20] [--script <file>] [--url <ws-url>] [--var NAME=VALUE ...]
       [--config <file>] [--speed X] [--channels N] [--tail-ms MS] [--quiet]
Without --url the bundled realtime simulator answers (no API key needed); --live: its GPT-Live endpoint.
A GPT-Live URL without --script gets a default call: session.start (gpt-live-1) and a greeting.
Script lines: '<ms> <api-args after the uuid>', '<ms> hangup', '<ms> dtmf <digits>',
'<ms> <api> <args>' for uuid_raw_audio_stream | uuid_openai_s2s | openai_realtime; \${uuid} and \${url} are replaced.`;

function fail(message: string): never {
  process.stderr.write(`npm run call: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** Mono int16 at `rate`, whatever the caller WAV is. */
function callerAudio(path: string, rate: number): Int16Array {
  const wav = readWav(readFileSync(path));
  let mono = wav.samples;
  if (wav.channels > 1) {
    mono = new Int16Array(Math.floor(wav.samples.length / wav.channels));
    for (let i = 0; i < mono.length; i++) mono[i] = wav.samples[i * wav.channels]!;
  }
  if (wav.sampleRate === rate) return mono;
  const resampler = new Resampler(wav.sampleRate, rate);
  const out = new Int16Array(resampler.maxOutputLength(mono.length) + rate);
  let n = resampler.process(mono, mono.length, out);
  // Flush the filter's tail so the end of the recording is not cut.
  const silence = new Int16Array(Math.ceil(wav.sampleRate / 10));
  n += resampler.process(silence, silence.length, out.subarray(n));
  return out.slice(0, n);
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        caller: { type: 'string' },
        reply: { type: 'string' },
        events: { type: 'string' },
        rate: { type: 'string', default: '8000' },
        ptime: { type: 'string', default: '20' },
        script: { type: 'string' },
        url: { type: 'string' },
        var: { type: 'string', multiple: true },
        config: { type: 'string' },
        speed: { type: 'string' },
        channels: { type: 'string' },
        'tail-ms': { type: 'string' },
        live: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        'enable-test-hooks': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const o = parsed.values;
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!o.caller || !o.reply || !o.events) fail('--caller, --reply and --events are required');
  const rate = Number(o.rate);
  if (![8000, 16000, 24000, 32000, 48000].includes(rate)) fail('--rate must be 8000, 16000, 24000, 32000 or 48000');
  if (!existsSync(o.caller)) fail(`no such file: ${o.caller}`);

  const root = bundleRoot();
  const simulatorBinary = join(root, 'build-native', 'oair-sim');
  if (!existsSync(simulatorBinary)) fail(`${simulatorBinary} is missing: run scripts/setup.sh first`);

  const work = mkdtempSync(join(tmpdir(), 'oair-call-'));
  const callerPath = join(work, 'caller.wav');
  writeFileSync(callerPath, encodeWav(callerAudio(o.caller, rate), rate, 1));

  let simulator: RealtimeSimulator | undefined;
  let url = o.url;
  if (!url) {
    simulator = await RealtimeSimulator.start({ voice: 'speech', recordAudio: false });
    url = o.live ? simulator.liveUrl : simulator.url;
    if (!o.quiet) process.stdout.write(`realtime simulator listening on ${url}\n`);
  }

  const args = [
    '--bundle', root,
    '--caller', callerPath,
    '--reply', resolve(o.reply),
    '--events', resolve(o.events),
    '--rate', String(rate),
    '--ptime', o.ptime,
    '--url', url,
  ];
  if (o.script) args.push('--script', resolve(o.script));
  else if (isLiveUrl(url)) {
    // GPT-Live waits for the application's session.start: the default call sends one, then asks for a greeting.
    const b64 = (event: object): string => Buffer.from(JSON.stringify(event)).toString('base64');
    const start = { type: 'session.start', session: { model: 'gpt-live-1', instructions: 'You are a helpful phone assistant.' } };
    const greet = { type: 'session.commentary.append', content: 'Greet the caller.', delegation_id: null };
    writeFileSync(join(work, 'live.script'), `0 start \${url} mono\n5 send_json ${b64(start)}\n10 send_json ${b64(greet)}\n`);
    args.push('--script', join(work, 'live.script'));
  }
  if (o.config) args.push('--config', resolve(o.config));
  if (o.speed) args.push('--speed', o.speed);
  if (o.channels) args.push('--channels', o.channels);
  if (o['tail-ms']) args.push('--tail-ms', o['tail-ms']);
  if (o['enable-test-hooks']) args.push('--enable-test-hooks');
  for (const v of o.var ?? []) args.push('--var', v);

  const code = await new Promise<number>((done) => {
    const child = spawn(simulatorBinary, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (c, signal) => done(c ?? (signal ? 128 : 1)));
    child.on('error', (err) => {
      process.stderr.write(`cannot run ${simulatorBinary}: ${err.message}\n`);
      done(1);
    });
  });
  await simulator?.close();
  rmSync(work, { recursive: true, force: true });

  if (!o.quiet && existsSync(o.events)) {
    process.stdout.write(formatCallRecord(readFileSync(o.events, 'utf8')));
    process.stdout.write(`reply audio: ${resolve(o.reply)}\nevents: ${resolve(o.events)}\n`);
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm run call: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
