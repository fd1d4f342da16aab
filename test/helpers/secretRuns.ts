/**
 * Calls through the host simulator (the embedded runtime) with an API key planted in every place a
 * key can come from — STREAM_OPENAI_API_KEY, an Authorization or api-key header in
 * STREAM_EXTRA_HEADERS, a profile's key file, the s2s bearer and query keys, the text of a
 * send_json, the query of a bad URL and of a good one — and a scan of everything each run leaves
 * behind for it: the JSONL record (events with their headers, verbose-event channel variables
 * included; log lines; API replies), status output, stderr and the debug WAV files written during
 * the call. Shared by test/e2e/hostSimulatorSecrets.test.ts and the soak.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RealtimeSimulator } from '../../src/simulator/index.js';
import { b64json, speechBursts } from './callerAudio.js';
import { runHostSimulator } from './hostSimulator.js';

export interface SecretRunResult {
  name: string;
  /** Where the key was found ("record line 12", "status reply", "debug WAV x.wav", "stderr"). */
  found: string[];
  /** The run did what it should (authenticated and answered, or refused the bad input): the scan means something. */
  worked: boolean;
  why: string;
  crashed: boolean;
  /** Channel variables seen on events (verbose events on): the scrub had something to do. */
  variableHeaders: number;
  /** `[REDACTED]` in the output: the key reached an exit and was replaced there. */
  redacted: boolean;
}

interface SecretCase {
  name: string;
  vars?: Record<string, string>;
  config?: (dir: string, url: string) => string;
  /** Script lines after the start (status lines are added). */
  script: (url: string, port: number) => string[];
  /** The run authenticated with the key (else: a refusal is what it should do). */
  connects: boolean;
}

const update = { type: 'session.update', session: { type: 'realtime', instructions: 'secret test' } };

export function secretCases(key: string): SecretCase[] {
  const say = (text: string) => ({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
  return [
    { name: 'STREAM_OPENAI_API_KEY', vars: { STREAM_OPENAI_API_KEY: key }, script: () => ['0 start ${url} mono'], connects: true },
    {
      name: 'STREAM_EXTRA_HEADERS Authorization',
      vars: { STREAM_EXTRA_HEADERS: JSON.stringify({ Authorization: `Bearer ${key}`, 'X-Other': 'x' }) },
      script: () => ['0 start ${url} mono'],
      connects: true,
    },
    { name: 'STREAM_EXTRA_HEADERS api-key', vars: { STREAM_EXTRA_HEADERS: JSON.stringify({ 'api-key': key }) }, script: () => ['0 start ${url} mono'], connects: true },
    {
      name: 'profile key file',
      config: (dir, url) => {
        const keyFile = join(dir, 'profile.key');
        writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
        const file = join(dir, 'openai_realtime.conf.xml');
        writeFileSync(
          file,
          `<configuration name="openai_realtime.conf"><profiles><profile name="sim"><param name="url" value="${url}"/><param name="api-key-file" value="${keyFile}"/></profile></profiles></configuration>\n`,
        );
        return file;
      },
      script: () => ['0 start profile:sim mono'],
      connects: true,
    },
    { name: 's2s bearer key', script: (_, port) => [`0 uuid_openai_s2s session.create ws://127.0.0.1:${port} v1/realtime?model=gpt-realtime bearer ${key}`, `1500 uuid_openai_s2s client.event ${JSON.stringify(update)}`], connects: true },
    { name: 's2s query key', script: (_, port) => [`0 uuid_openai_s2s session.create ws://127.0.0.1:${port} v1/realtime?model=gpt-realtime query ${key}`, `1500 uuid_openai_s2s client.event ${JSON.stringify(update)}`], connects: true },
    {
      name: 'a key inside send_json text',
      vars: { STREAM_OPENAI_API_KEY: key },
      script: () => ['0 start ${url} mono', `1500 send_json ${b64json(say(`my key is ${key}, keep it safe`))}`, `1600 send_json ${b64json({ type: 'response.create' })}`],
      connects: true,
    },
    { name: 'a key in a good URL query', script: (url) => [`0 start ${url}&api-key=${key} mono`], connects: true },
    {
      name: 'a key in a bad URL query',
      vars: { STREAM_OPENAI_API_KEY: 'sk-not-the-planted-one-000000000000' },
      script: (url) => [`0 start ${url.replace('127.0.0.1', 'bad_host')}&api-key=${key} mono`, `10 start ftp://h/v1?api-key=${key} mono`, `20 uuid_openai_s2s session.create wss://h/?api-key=${key} v1 bearer`],
      connects: false,
    },
  ];
}

/** Every place `key` occurs in what the run left behind. */
function scan(key: string, texts: Array<[string, string]>, wavs: Map<string, Buffer>): string[] {
  const found: string[] = [];
  for (const [where, text] of texts) {
    text.split('\n').forEach((line, i) => {
      if (line.includes(key)) found.push(`${where} line ${i + 1}: ${line.slice(0, 160)}`);
    });
  }
  const needle = Buffer.from(key);
  for (const [name, data] of wavs) if (data.includes(needle)) found.push(`debug WAV ${name}`);
  return found;
}

/** Runs every case against `sim` (which must require `key`); `binaryEnv` for ASan options. */
export async function runSecretCases(sim: RealtimeSimulator, key: string, env: Record<string, string> = {}, concurrency = 3): Promise<SecretRunResult[]> {
  const cases = secretCases(key);
  const results: SecretRunResult[] = new Array<SecretRunResult>(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await runCase(sim, key, cases[i]!, env);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return results;
}

async function runCase(sim: RealtimeSimulator, key: string, c: SecretCase, env: Record<string, string>): Promise<SecretRunResult> {
  {
    const dir = mkdtempSync(join(tmpdir(), 'oair-secrets-'));
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const wavs = new Map<string, Buffer>();
    const look = (): void => {
      try {
        for (const f of readdirSync(tmp)) if (f.endsWith('.wav')) wavs.set(f, readFileSync(join(tmp, f)));
      } catch {
        // a file deleted between readdir and read
      }
    };
    try {
      const run = await runHostSimulator({
        caller: speechBursts(8000, 3000, [{ atMs: 500, ms: 800 }]),
        url: sim.url,
        tailMs: 2000,
        vars: { ...c.vars },
        ...(c.config ? { config: c.config(dir, sim.url) } : {}),
        extraArgs: ['--verbose-events'],
        script: [...c.script(sim.url, sim.port), '2500 openai_realtime status json', '2600 openai_realtime status'],
        env: { TMPDIR: tmp, ...env },
        whileRunning: look,
      });
      look();
      // What the run typed (the API lines' arguments, like fs_cli input) is not output: blanked.
      const record = readFileSync(run.eventsPath, 'utf8')
        .split('\n')
        .map((line) => {
          if (!line.includes('"kind":"api"')) return line;
          const parsed = JSON.parse(line) as Record<string, unknown>;
          return JSON.stringify({ ...parsed, args: '(input)' });
        })
        .join('\n');
      const found = scan(key, [['record', record], ['stderr', run.stderr]], wavs);
      const replies = run.api().map((a) => String(a.reply));
      // The simulator refuses a handshake without the key, so session.created already proves the key
      // was used; a reply may not come within the run on a loaded machine (an ASan build beside
      // other jobs).
      const answered = run.events().some((e) => /response\.(output_audio\.)?done|"session\.(updated|created)"/.test(String(e.body)));
      const worked = c.connects ? answered && replies[0] === '+OK Success\n' : replies.slice(0, -2).every((r) => r.startsWith('-ERR'));
      return {
        name: c.name,
        found,
        worked,
        why: worked ? '' : `replies ${JSON.stringify(replies.map((r) => r.slice(0, 100)))}`,
        crashed: run.code !== 0 || /Sanitizer|runtime error:/.test(run.stderr),
        variableHeaders: (record.match(/"variable_/g) ?? []).length,
        redacted: record.includes('[REDACTED]'),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
