// What this proves, through the host simulator (the embedded libnode 18 runtime FreeSWITCH loads,
// real media threads on a 20 ms clock): a uuid_openai_s2s call written for the beta — session.create
// with Azure-style `query` auth, a beta session.update and response.create — is answered by the GA
// simulator and heard in the reply WAV; every openai_s2s event carries the channel's headers plus
// llm-vendor: openai and media-bugname: openai_s2s; session.delete answers; the key appears in no
// event, log line or reply.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { runHostSimulator, simulatorBinary } from '../helpers/hostSimulator.js';

const KEY = 'sk-hostsim-s2s-QUERYKEY-8a7b6c5d';

describe.skipIf(!existsSync(simulatorBinary))('uuid_openai_s2s through the host simulator', () => {
  it('a beta application is answered over GA; events carry the seed headers; the key is in no event, log or reply', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 800 }, apiKey: KEY });
    try {
      const update = { type: 'session.update', session: { voice: 'alloy', turn_detection: null, temperature: 0.7, input_audio_transcription: { model: 'whisper-1' } } };
      const create = { type: 'response.create', response: { modalities: ['text', 'audio'], instructions: 'Greet the caller.', temperature: 0.7 } };
      const run = await runHostSimulator({
        caller: new Int16Array(8000 * 4),
        tailMs: 500,
        script: [
          `0 uuid_openai_s2s session.create ws://127.0.0.1:${sim.port} openai/v1/realtime?model=my-deployment query ${KEY}`,
          `600 uuid_openai_s2s client.event ${JSON.stringify(update)}`,
          `800 uuid_openai_s2s client.event ${JSON.stringify(create)}`,
          '3000 openai_realtime status json',
          '3500 uuid_openai_s2s session.delete',
        ],
      });
      expect(run.code).toBe(0);
      expect(run.api().map((a) => a.reply)).toEqual(['+OK Success\n', '+OK Success\n', '+OK Success\n', expect.stringMatching(/^\{/), '+OK Success\n']);
      expect(sim.connections[0]!.handshake.auth).toBe('api-key-query');
      expect(sim.connections[0]!.session.audio.output.voice).toBe('alloy');

      const events = run.events().filter((e) => String(e.subclass).startsWith('openai_s2s::'));
      expect(events.map((e) => e.subclass)).toContain('openai_s2s::connect');
      for (const e of events) {
        expect(e.headers).toMatchObject({ 'llm-vendor': 'openai', 'media-bugname': 'openai_s2s', 'Unique-ID': e.uuid });
      }
      const bodies = run.events('openai_s2s::server_event').map((e) => JSON.parse(String(e.body)) as { type: string; completion_reason?: string });
      const types = bodies.map((b) => b.type);
      expect(types).toContain('session.updated');
      expect(types).toContain('response.audio.done');
      expect(types).toContain('response.audio_transcript.done');
      expect(types).not.toContain('response.output_audio.done');
      expect(bodies.filter((b) => b.type === 'output_audio.playback_stopped')).toEqual([expect.objectContaining({ completion_reason: 'completed' })]);
      expect(run.events('openai_s2s::disconnect')).toEqual([]); // session.delete is ours

      // The caller heard the reply (the tone) in the reply WAV.
      const reply = run.replies[0]!;
      let loud = 0;
      for (const s of reply) if (Math.abs(s) > 1000) loud++;
      expect(loud).toBeGreaterThan(8000 * 0.5);

      const status = JSON.parse(String(run.api()[3]!.reply)) as { sessions: Array<{ family: string; connection: { auth: string } }> };
      expect(status.sessions[0]).toMatchObject({ family: 's2s', connection: { auth: 'api-key-query' } });
      // Everything the module produced: events (headers and bodies), log lines, replies. (The
      // record's `args` is the host's copy of the command as typed, which holds the key the seed
      // grammar passes as an argument; a profile keeps it out of the command altogether.)
      const produced = [
        ...run.record.filter((l) => l.kind !== 'api').map((l) => JSON.stringify(l)),
        ...run.api().map((a) => String(a.reply)),
      ].join('\n');
      expect(produced).toContain('openai_s2s::server_event');
      expect(produced).not.toContain(KEY);
      expect(run.stderr).not.toContain(KEY);
    } finally {
      await sim.close();
    }
  });
});
