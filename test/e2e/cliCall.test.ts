/**
 * `npm run call` run as a user runs it: the compiled CLI (dist/cli/call.js) as a child process, with
 * the real host simulator and real sockets. A failed call or a bad argument must end with one clear
 * line on stderr and a non-zero exit, never a stack trace or the summary of an earlier run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/audio/wav.js';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { repoRoot } from '../helpers/hostSimulator.js';

const cli = join(repoRoot, 'dist', 'cli', 'call.js');
const dir = mkdtempSync(join(tmpdir(), 'oair-cli-'));
const caller = join(dir, 'caller.wav');
const reply = join(dir, 'reply.wav');
const events = join(dir, 'events.jsonl');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, OPENAI_API_KEY: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

// Script times and the tail run on the media clock: at --speed 5 a 1.2 s caller plus a 2 s tail take
// about 0.65 s, long enough for a start command to reach the channel on a loaded machine.
const base = (): string[] => ['--caller', caller, '--reply', reply, '--events', events, '--speed', '5', '--tail-ms', '2000'];
const lastLine = (text: string): string => text.trim().split('\n').pop() ?? '';

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  // 1.2 s of a 440 Hz tone at 8 kHz: long enough for a turn, short enough for a quick call.
  const samples = new Int16Array(9600);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  writeFileSync(caller, encodeWav(samples, 8000, 1));
});

describe('npm run call: bad arguments are one line and exit status 2', () => {
  const notWav = join(dir, 'not.wav');
  const badConfig = join(dir, 'bad.conf.xml');
  const badScript = join(dir, 'bad.script');
  beforeAll(() => {
    writeFileSync(notWav, 'this is text, not audio\n');
    writeFileSync(badConfig, '<configuration name="openai_realtime.conf"><settings><param name="heap-limit-mb" value="lots"/></settings></configuration>\n');
    writeFileSync(badScript, '0 start ${url} mono\nsoon hangup\n');
  });

  const cases: Array<[string, () => string[], RegExp]> = [
    ['--var without =', () => [...base(), '--var', 'STREAM_BUFFER_SIZE'], /--var wants NAME=VALUE, got "STREAM_BUFFER_SIZE"/],
    ['a missing --config', () => [...base(), '--config', join(dir, 'nope.xml')], /--config: no such file: .*nope\.xml/],
    ['a malformed --config', () => [...base(), '--config', badConfig], /--config: .*bad\.conf\.xml:1: .*heap-limit-mb/],
    ['a caller file that is not a WAV', () => ['--caller', notWav, '--reply', reply, '--events', events], /--caller .*not\.wav: Not a WAV file/],
    ['an unsupported --ptime', () => [...base(), '--ptime', '25'], /--ptime must be one of 10, 20, 30, 40, 50, 60 \(ms\), got "25"/],
    ['an unsupported --rate', () => [...base(), '--rate', '11025'], /--rate must be one of 8000, 16000, 24000, 32000, 48000/],
    ['an unknown option', () => [...base(), '--colour'], /Unknown option '--colour'/],
    ['a script line without a time', () => [...base(), '--script', badScript], /bad\.script:2: expected '<ms> <command>'/],
    ['a URL that is not ws(s)://', () => [...base(), '--url', 'http://example.com'], /--url must be a ws:\/\/ or wss:\/\/ URL/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    // A record left by an earlier run must not be shown as if this call had happened.
    writeFileSync(events, '{"t":1,"kind":"channel","state":"hangup","cause":"STALE_RUN"}\n');
    const run = await runCli(args());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('npm run call: a call whose stream never started fails with the reason', () => {
  let sim: RealtimeSimulator;
  beforeAll(async () => {
    sim = await RealtimeSimulator.start({ voice: 'tone' });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('connection refused', async () => {
    const run = await runCli([...base(), '--quiet', '--url', 'ws://127.0.0.1:9/v1/realtime?model=gpt-realtime']);
    expect(run.code).toBe(1);
    expect(lastLine(run.stderr)).toMatch(/^npm run call: call failed: the stream never connected: connect ECONNREFUSED 127\.0\.0\.1:9/);
  });

  it('HTTP 404 from the server', async () => {
    const url = `ws://127.0.0.1:${sim.port}/v1/no-such-endpoint?model=gpt-realtime`;
    const run = await runCli([...base(), '--quiet', '--url', url, '--var', 'STREAM_OPENAI_API_KEY=sk-test']);
    expect(run.code).toBe(1);
    expect(lastLine(run.stderr)).toMatch(/call failed: the stream never connected: .*\(HTTP 404\)/);
  });

  it('a host name that does not resolve', async () => {
    const run = await runCli([...base(), '--quiet', '--url', 'ws://no-such-host.invalid:8080/v1/realtime']);
    expect(run.code).toBe(1);
    expect(lastLine(run.stderr)).toMatch(/call failed: the stream never connected: getaddrinfo (ENOTFOUND|EAI_AGAIN) no-such-host\.invalid/);
  });

  it('a refused API command', async () => {
    const script = join(dir, 'refused.script');
    writeFileSync(script, '0 send_json bm90IGpzb24=\n500 hangup\n');
    const run = await runCli([...base(), '--quiet', '--script', script]);
    expect(run.code).toBe(1);
    expect(lastLine(run.stderr)).toMatch(/call failed: uuid_openai_audio_stream .* replied -ERR /);
  });
});

describe('npm run call: a working call', () => {
  it('against the bundled simulator: exit 0, a summary, and no API key warning', async () => {
    const run = await runCli(['--caller', join(repoRoot, 'samples', 'caller-8k.wav'), '--reply', reply, '--events', events, '--speed', '10']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/mod_openai_audio_stream::connect/);
    expect(run.stdout).toMatch(/response\.done/);
    expect(run.stderr).not.toMatch(/OPENAI_API_KEY/);
    expect(readFileSync(events, 'utf8')).not.toMatch(/OPENAI_API_KEY is not set/);
    expect(existsSync(reply)).toBe(true);
  });

  it("the README's ^^| form of uuid_openai_s2s works in --script as written", async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone' });
    try {
      const script = join(dir, 's2s.script');
      writeFileSync(
        script,
        [
          `0 uuid_openai_s2s session.create ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer sk-test`,
          '1000 uuid_openai_s2s client.event {"type":"session.update","session":{"type":"realtime"}}',
          '1300 uuid_openai_s2s ^^|${uuid}|client.event|{"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "a | b"}]}}',
          '1600 uuid_openai_s2s ^^|${uuid}|client.event|{"type": "response.create"}',
          '2000 hangup',
        ].join('\n'),
      );
      // Real time (no --speed): each client.event must find the session connected, as in a real call.
      const run = await runCli(['--caller', caller, '--reply', reply, '--events', events, '--quiet', '--url', `ws://127.0.0.1:${sim.port}`, '--script', script]);
      // The one warning is the module's: a key given on the command line goes over plain ws://.
      expect(run.stderr.replace(/^\[WARN\] \S+ the key goes to 127\.0\.0\.1:\d+ over plain ws:\/\/ \(unencrypted\)\n/m, '')).toBe('');
      expect(run.code).toBe(0);
      const sent = sim.connections[0]!.clientEvents.map((e) => e.event);
      expect(sent.some((e) => e.type === 'response.create')).toBe(true);
      const item = sent.find((e) => e.type === 'conversation.item.create') as { item?: { content?: Array<{ text?: string }> } } | undefined;
      expect(item?.item?.content?.[0]?.text).toBe('a | b');
    } finally {
      await sim.close();
    }
  });

  it('examples/weather-tools.conf.xml end to end: the simulator calls get_weather, examples/tool-handlers.mjs answers, the reply quotes it', async () => {
    const run = await runCli([
      '--caller', join(repoRoot, 'samples', 'caller-8k.wav'), '--reply', reply, '--events', events, '--speed', '10',
      '--config', join(repoRoot, 'examples', 'weather-tools.conf.xml'), '--sim-call', 'get_weather',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/response\.function_call_arguments\.done/);
    expect(run.stdout).toContain('get_weather returned {"location":"Paris","temperature":21,"scale":"celsius","conditions":"sunny"}.');
    const record = readFileSync(events, 'utf8');
    expect(record).toMatch(/function_call_output/);
  });

  it('--sim-call is refused with --url (it steers only the bundled simulator)', async () => {
    const run = await runCli([...base(), '--url', 'ws://127.0.0.1:9', '--sim-call', 'get_weather']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--sim-call steers the bundled simulator/);
  });
});
