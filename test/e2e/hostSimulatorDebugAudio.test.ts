// What this proves, on the embedded runtime through the host simulator: the debug WAV files of a
// reply are written to the temp directory the host reports (FreeSWITCH's temp_dir; the simulator's
// --temp-dir), private (0600), never to the OS's temp directory, and removed when the stream ends.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { speechBursts } from '../helpers/callerAudio.js';
import { runHostSimulator } from '../helpers/hostSimulator.js';

let sim: RealtimeSimulator;

beforeAll(async () => {
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 600 } });
});

afterAll(async () => {
  await sim.close();
});

describe('debug WAV files in the host simulator', () => {
  it("go to the host's temp directory, 0600, not the OS's, and are gone at the end", async () => {
    const root = mkdtempSync(join(tmpdir(), 'oair-debugdir-'));
    const hostTemp = join(root, 'host-temp');
    const osTemp = join(root, 'os-temp');
    mkdirSync(hostTemp);
    mkdirSync(osTemp);
    const seen = new Map<string, number>();
    const strays = new Set<string>();
    try {
      const run = await runHostSimulator({
        caller: speechBursts(8000, 4000, [{ atMs: 500, ms: 800 }]),
        url: sim.url,
        tailMs: 1500,
        vars: { STREAM_OPENAI_API_KEY: 'sk-debug-dir-test' },
        script: ['0 start ${url} mono'],
        extraArgs: ['--temp-dir', hostTemp],
        env: { TMPDIR: osTemp },
        whileRunning: () => {
          try {
            for (const f of readdirSync(hostTemp)) if (f.endsWith('.wav')) seen.set(f, statSync(join(hostTemp, f)).mode & 0o777);
            for (const f of readdirSync(osTemp)) if (f.endsWith('.wav')) strays.add(f);
          } catch {
            // a file removed between readdir and stat
          }
        },
      });
      expect(run.code).toBe(0);
      // The reply was heard, so its debug file existed while it played.
      expect(run.events('mod_openai_audio_stream::play').length).toBeGreaterThan(0);
      expect([...seen.keys()].length).toBeGreaterThan(0);
      for (const [name, mode] of seen) {
        expect(name).toMatch(/_\d+\.tmp\.wav$/);
        expect(mode).toBe(0o600);
      }
      expect([...strays]).toEqual([]);
      expect(readdirSync(hostTemp).filter((f) => f.endsWith('.wav'))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
