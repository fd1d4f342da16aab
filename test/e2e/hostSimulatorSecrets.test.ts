// What this proves, on the embedded runtime through the host simulator with verbose events (every
// channel variable on every event, scrubbed as FreeSWITCH's glue does): wherever an API key comes
// from — STREAM_OPENAI_API_KEY, an Authorization or api-key header in STREAM_EXTRA_HEADERS, a
// profile's key file, the s2s bearer or query key, the text of a send_json, the query of a good or
// a bad URL — it appears in no event (body or header), log line, API reply, status output, stderr
// or debug WAV file of the run, while each run really used it (authenticated and answered) or
// refused the bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { runSecretCases, type SecretRunResult } from '../helpers/secretRuns.js';

const KEY = 'sk-secretscan-PLANTED-4f2a9c7e1b3d5a6c';
let sim: RealtimeSimulator;

beforeAll(async () => {
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 400 }, apiKey: KEY });
});

afterAll(async () => {
  await sim.close();
});

describe('the API key in every output of a run', () => {
  let results: SecretRunResult[];

  beforeAll(async () => {
    results = await runSecretCases(sim, KEY);
  }, 240_000);

  it('each run used the key (or refused the bad input) and left it nowhere', () => {
    expect(results.map((r) => r.name)).toHaveLength(9);
    for (const r of results) {
      expect(r.worked, `${r.name}: ${r.why}`).toBe(true);
      expect(r.crashed, r.name).toBe(false);
      expect(r.found, r.name).toEqual([]);
      if (r.name !== 'a key in a bad URL query') expect(r.variableHeaders, r.name).toBeGreaterThan(0);
    }
    // The key did reach an exit (the server echoed the user's item back) and was replaced there.
    expect(results.find((r) => r.name === 'a key inside send_json text')!.redacted).toBe(true);
  });
});
