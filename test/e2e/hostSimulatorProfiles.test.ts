// What this proves, through the host simulator (the embedded libnode runtime FreeSWITCH loads,
// `--config <file>` as `npm run call -- --config` passes it): a call names a profile and the
// simulator, which refuses a wrong key, answers it with a full conversation; and the key — from a
// profile's key file, or from STREAM_OPENAI_API_KEY — appears nowhere in what the run leaves
// behind: the JSONL record (events with their headers, log lines, API replies), the status
// output, stderr, or the debug WAV files written during the call.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { speechBursts } from '../helpers/callerAudio.js';
import { runHostSimulator, simulatorBinary, type SimRun } from '../helpers/hostSimulator.js';

const PROFILE_KEY = 'sk-hostsim-PROFILEKEY-7c1e9a2b5d';
const CHANNEL_KEY = 'sk-hostsim-CHANNELKEY-3f8d6e0a4b';
const EV = 'mod_openai_audio_stream::';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oair-hostsim-profile-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a call with its debug WAV files in a private TMPDIR, keeping every WAV file seen during the call. */
async function call(name: string, sim: RealtimeSimulator, options: { config?: string; vars?: Record<string, string>; start: string }): Promise<{ run: SimRun; wavs: Map<string, Buffer> }> {
  const tmp = mkdtempSync(join(dir, `${name}-tmp-`));
  const wavs = new Map<string, Buffer>();
  const look = (): void => {
    for (const f of readdirSync(tmp)) {
      if (!f.endsWith('.wav')) continue;
      try {
        wavs.set(f, readFileSync(join(tmp, f)));
      } catch {
        // deleted between readdir and read
      }
    }
  };
  const run = await runHostSimulator({
    caller: speechBursts(8000, 5000, [{ atMs: 600, ms: 900 }]),
    url: sim.url,
    tailMs: 2500,
    script: [`0 ${options.start}`, '4000 openai_realtime status json', '4100 openai_realtime status'],
    ...(options.config ? { config: options.config } : {}),
    ...(options.vars ? { vars: options.vars } : {}),
    env: { TMPDIR: tmp },
    whileRunning: look,
  });
  look();
  return { run, wavs };
}

function expectNoKey(key: string, run: SimRun, wavs: Map<string, Buffer>): void {
  const record = readFileSync(run.eventsPath, 'utf8');
  expect(record.length).toBeGreaterThan(2000);
  expect(record).not.toContain(key);
  expect(run.stderr).not.toContain(key);
  const statusReplies = run.api().filter((a) => String(a.args).startsWith('status')).map((a) => String(a.reply));
  expect(statusReplies).toHaveLength(2);
  for (const reply of statusReplies) expect(reply).not.toContain(key);
  expect(wavs.size).toBeGreaterThan(0);
  for (const data of wavs.values()) expect(data.includes(Buffer.from(key))).toBe(false);
}

describe.skipIf(!existsSync(simulatorBinary))('profiles through the host simulator', () => {
  it('start profile:<name> with --config: the key file authenticates, the call is answered, the key is nowhere in the output', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 800 }, apiKey: PROFILE_KEY });
    try {
      const keyFile = join(dir, 'openai.key');
      writeFileSync(keyFile, `${PROFILE_KEY}\n`, { mode: 0o600 });
      const config = join(dir, 'openai_realtime.conf.xml');
      writeFileSync(
        config,
        `<configuration name="openai_realtime.conf">
  <profiles>
    <profile name="sim">
      <param name="url" value="${sim.url}"/>
      <param name="api-key-file" value="${keyFile}"/>
      <session><![CDATA[ {"type":"realtime","instructions":"Profile instructions.","audio":{"output":{"voice":"cedar"}}} ]]></session>
    </profile>
  </profiles>
</configuration>
`,
        { mode: 0o600 },
      );
      const { run, wavs } = await call('profile', sim, { config, start: 'start profile:sim mono' });
      expect(run.code).toBe(0);
      expect(run.api()[0]!.reply).toBe('+OK Success\n');
      expect(sim.refusedHandshakes).toEqual([]);
      const connection = sim.connections[0]!;
      expect(connection.handshake.auth).toBe('bearer');
      expect(connection.session.instructions).toBe('Profile instructions.');
      expect(connection.responses.length).toBeGreaterThan(0);
      expect(run.events(`${EV}openai_speech_start`).length).toBeGreaterThan(0);
      const status = JSON.parse(String(run.api()[1]!.reply)) as { config: { file: string; profiles: string[] }; sessions: Array<{ profile: string }> };
      expect(status.config).toMatchObject({ file: config, profiles: ['sim'] });
      expect(status.sessions[0]!.profile).toBe('sim');
      expectNoKey(PROFILE_KEY, run, wavs);
    } finally {
      await sim.close();
    }
  });

  it('STREAM_OPENAI_API_KEY without a profile: authenticated, answered, and the key is nowhere in the output', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 800 }, apiKey: CHANNEL_KEY });
    try {
      const { run, wavs } = await call('channel', sim, { vars: { STREAM_OPENAI_API_KEY: CHANNEL_KEY }, start: 'start ${url} mono' });
      expect(run.code).toBe(0);
      expect(run.api()[0]!.reply).toBe('+OK Success\n');
      expect(sim.refusedHandshakes).toEqual([]);
      expect(sim.connections[0]!.handshake.auth).toBe('bearer');
      expect(sim.connections[0]!.responses.length).toBeGreaterThan(0);
      // Event headers are part of the scan. (The simulator does not copy channel variables into
      // them; in FreeSWITCH the C module scrubs secret headers, which its integration check covers.)
      expect(run.events().length).toBeGreaterThan(3);
      expectNoKey(CHANNEL_KEY, run, wavs);
    } finally {
      await sim.close();
    }
  });
});
