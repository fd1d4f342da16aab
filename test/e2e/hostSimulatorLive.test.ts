// What this proves, through the host simulator (the embedded runtime, real media threads on a
// 20 ms clock) against the realtime simulator's GPT-Live endpoint: uuid_openai_audio_stream and
// uuid_openai_s2s speak Live when the URL's path is a Live path or a profile says protocol=live —
// no query sent, the key in the header Live takes; the application's session.start goes first with
// the channel's audio.format added, events sent before session.started wait for it; caller audio
// flows continuously from session.started, silence included while muted or paused; the output
// track is heard in the reply WAV (and, as for Realtime, written to one debug WAV with a ::play per
// delta); every server event but the audio reaches the app under its Live
// name; transcript turns come as openai_realtime::transcript (Live and Realtime GA); stop and
// session.delete close with session.close → session.closed; a refused start ends the stream with
// its code and is never retried; a session the server closes ends the stream with its reason; an
// abnormal drop starts a new session seeded with the conversation so far.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { b64json, speechBursts } from '../helpers/callerAudio.js';
import { runHostSimulator, simulatorBinary, type SimRun } from '../helpers/hostSimulator.js';

const KEY = 'sk-live-hostsim-KEY-5f4e3d2c1b';
const START = { type: 'session.start', session: { model: 'gpt-live-1', instructions: 'Be brief.' } };
const GREET = { type: 'session.commentary.append', content: 'Greet the caller.', delegation_id: null };

const dir = mkdtempSync(join(tmpdir(), 'oair-live-hostsim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Body = Record<string, unknown>;
const bodies = (run: SimRun, subclass: string): Body[] => run.events(subclass).map((e) => JSON.parse(String(e.body)) as Body);
const loudSamples = (samples: Int16Array): number => samples.reduce((n, s) => (Math.abs(s) > 1000 ? n + 1 : n), 0);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!existsSync(simulatorBinary))('GPT-Live through the host simulator', () => {
  it('audio stream: selected by the URL path, session.start first with the channel format, a greeting and a reply heard, Live events, transcripts, session.close on stop', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 600 }, apiKey: KEY, live: { usageIntervalMs: 2000 } });
    try {
      const run = await runHostSimulator({
        caller: speechBursts(8000, 7000, [{ atMs: 3000, ms: 800 }]),
        tailMs: 300,
        vars: { read_codec: 'PCMU', STREAM_OPENAI_API_KEY: KEY },
        script: [
          // A query on a Live URL is not sent (the model goes in session.start).
          `0 start ${sim.liveUrl}?model=gpt-live-1 mono 8k`,
          `5 send_json ${b64json(START)}`,
          // Sent before session.started: held, then sent after it.
          `10 send_json ${b64json(GREET)}`,
          '6000 openai_realtime status json',
          '6300 stop',
        ],
      });
      expect(run.code).toBe(0);
      // session.start and the greeting went in before session.started: the replies say they were queued.
      // (The greeting is 'queued' unless a slow test machine ran it after session.started.)
      expect(run.api().map((a) => a.reply)).toEqual(['+OK Success\n', '+OK queued\n', expect.stringMatching(/^\+OK (queued|Success)\n$/), expect.stringMatching(/^\{/), '+OK Success\n']);
      expect(sim.live.connections).toHaveLength(1);
      const connection = sim.live.connections[0]!;
      expect(connection.handshake.url).toBe('/v1/live/sessions');
      expect(connection.handshake.auth).toBe('bearer');
      expect(connection.handshake.headers['openai-beta']).toBeUndefined();

      // The start first, with the channel's G.711 format added; the held greeting after it; the close last.
      const types = connection.clientEventTypes();
      expect(types[0]).toBe('session.start');
      expect(connection.clientEvents[0]!.event).toMatchObject({ session: { model: 'gpt-live-1', audio: { format: { type: 'audio/pcmu', rate: 8000 } } } });
      expect(types[1]).toBe('session.commentary.append');
      expect(types[types.length - 1]).toBe('session.close');
      expect(types.filter((t) => t !== 'session.input_audio.append')).toEqual(['session.start', 'session.commentary.append', 'session.close']);
      // Continuous uplink from session.started: about the whole call (6.3 s, less the start), silence included.
      expect(connection.appendedAudioMs).toBeGreaterThan(5500);
      expect(connection.spoken.map((s) => s.situation)).toEqual(['greeting', 'reply']);

      // The caller heard both utterances (2 × 600 ms of tone).
      expect(loudSamples(run.replies[0]!)).toBeGreaterThan(8000 * 0.9);

      // Every server event but the audio, under its Live name.
      const json = bodies(run, 'mod_openai_audio_stream::json').map((b) => String(b.type));
      expect(json).not.toContain('session.output_audio.delta');
      expect(json[0]).toBe('session.started');
      expect(json).toContain('session.commentary.appended');
      expect(json).toContain('session.input_transcript.delta');
      expect(json).toContain('session.output_transcript.delta');
      expect(json[json.length - 1]).toBe('session.closed');
      // The model's voice on the track: speech start/stop per utterance.
      expect(run.events('mod_openai_audio_stream::openai_speech_start').length).toBe(2);
      expect(run.events('mod_openai_audio_stream::openai_speech_stop').length).toBe(2);

      // Turns: the greeting, the caller, the reply, in order, with their times on the session timeline.
      const turns = bodies(run, 'openai_realtime::transcript');
      expect(turns.map((t) => t.role)).toEqual(['assistant', 'user', 'assistant']);
      expect(turns[0]).toMatchObject({ text: 'This is a test tone.', family: 'audio_stream', protocol: 'live' });
      expect(String(turns[1]!.text)).toMatch(/^\[simulated transcript of \d\.\d s of audio\]$/);
      for (const t of turns) expect(Number(t.end_ms)).toBeGreaterThanOrEqual(Number(t.start_ms));

      expect(bodies(run, 'mod_openai_audio_stream::disconnect')).toEqual([{ status: 'disconnected', message: { code: 1000, reason: 'session.closed: close_requested' } }]);
      const status = JSON.parse(String(run.api()[3]!.reply)) as { sessions: Array<Record<string, unknown> & { live: Record<string, unknown> & { track: Record<string, unknown> } }> };
      const s = status.sessions[0]!;
      expect(s).toMatchObject({ protocol: 'live', inputFormat: 'audio/pcmu', outputFormat: 'audio/pcmu', uplinkOpen: true });
      expect(s.live).toMatchObject({ state: 'active', sessionsStarted: 1 });
      // Usage in seconds (latest session.usage.updated, every 2 s here) and the context ratio.
      expect(s.live.usageSeconds).toBeGreaterThanOrEqual(4);
      expect(typeof s.live.contextUsageRatio).toBe('number');
      expect(String(s.live.sessionId)).toMatch(/^live_/);
      expect(s.live.track).toMatchObject({ startDelayMs: 40 });
      expect((s.live.track.playoutDelayMs as { count: number }).count).toBeGreaterThan(30);
      // Debug files on (the default, as for Realtime): one ::play per track delta — the delta event
      // and the file — all into one file for the session's whole track, removed when the session ends.
      const plays = bodies(run, 'mod_openai_audio_stream::play');
      expect(plays.length).toBeGreaterThanOrEqual(Number(s.live.track.deltas));
      expect(plays.every((p) => p.type === 'session.output_audio.delta' && typeof p.delta === 'string')).toBe(true);
      const files = new Set(plays.map((p) => String(p.file)));
      expect(files.size).toBe(1);
      const [file] = [...files];
      expect(file).toMatch(/_0\.tmp\.wav$/);
      expect(existsSync(file!)).toBe(false);
      const produced = [...run.record.filter((l) => l.kind !== 'api').map((l) => JSON.stringify(l)), ...run.api().map((a) => String(a.reply)), run.stderr].join('\n');
      expect(produced).not.toContain(KEY);
    } finally {
      await sim.close();
    }
  });

  it('uuid_raw_audio_stream refuses a Live URL with a clear -ERR, and nothing is attached', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone' });
    try {
      const run = await runHostSimulator({
        caller: new Int16Array(8000),
        tailMs: 200,
        script: [`0 uuid_raw_audio_stream start ${sim.liveUrl} mono 8k`, '300 openai_realtime status json'],
      });
      expect(run.code).toBe(0);
      expect(run.api()[0]!.reply).toBe('-ERR GPT-Live takes JSON events only: use uuid_openai_audio_stream for a Live URL or profile\n');
      expect(JSON.parse(String(run.api()[1]!.reply))).toMatchObject({ sessions: [], totals: { mediaHooks: 0 } });
      expect(sim.live.connections).toHaveLength(0);
    } finally {
      await sim.close();
    }
  });

  it('a refused start ends the stream with ::error carrying the code, and is never retried', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone' });
    try {
      const bad = { type: 'session.start', session: { model: 'gpt-nope' } };
      const run = await runHostSimulator({
        caller: new Int16Array(8000 * 3),
        tailMs: 300,
        script: [`0 start ${sim.liveUrl} mono 8k`, `5 send_json ${b64json(bad)}`, '2000 openai_realtime status json'],
      });
      expect(run.code).toBe(0);
      expect(sim.live.connections).toHaveLength(1);
      expect(sim.live.connections[0]!.clientEventTypes()).toEqual(['session.start']);
      const errors = bodies(run, 'mod_openai_audio_stream::error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ status: 'error', message: { code: 'model_not_found', fatal: true } });
      expect(bodies(run, 'mod_openai_audio_stream::disconnect')).toEqual([{ status: 'disconnected', message: { code: 1000, reason: 'session.start refused: model_not_found' } }]);
      expect(JSON.parse(String(run.api()[2]!.reply))).toMatchObject({ sessions: [] });
    } finally {
      await sim.close();
    }
  });

  it('a key the server refuses (HTTP 401) ends the stream at once: no retry loop', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', apiKey: KEY });
    try {
      const run = await runHostSimulator({
        caller: new Int16Array(8000 * 3),
        tailMs: 300,
        vars: { STREAM_OPENAI_API_KEY: 'sk-wrong-key-000000' },
        script: [`0 start ${sim.liveUrl} mono 8k`, `5 send_json ${b64json(START)}`, '2500 openai_realtime status json'],
      });
      expect(run.code).toBe(0);
      expect(sim.refusedHandshakes).toHaveLength(1);
      expect(sim.live.connections).toHaveLength(0);
      const errors = bodies(run, 'mod_openai_audio_stream::error');
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatchObject({ message: { http_status: 401, wait_time: 0 } });
      expect(errors[1]).toMatchObject({ message: { code: 'http_401', fatal: true } });
      expect(JSON.parse(String(run.api()[2]!.reply))).toMatchObject({ sessions: [] });
    } finally {
      await sim.close();
    }
  });

  it('mute user sends session.input_audio.mute/unmute and pause/resume keep the timeline fed with silence', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone' });
    try {
      const run = await runHostSimulator({
        caller: speechBursts(8000, 6000, [{ atMs: 0, ms: 6000 }]),
        tailMs: 300,
        script: [
          `0 start ${sim.liveUrl} mono 8k`,
          `5 send_json ${b64json(START)}`,
          '1000 mute user',
          '2000 unmute user',
          '3000 pause',
          '4000 resume',
          '5000 stop',
        ],
      });
      expect(run.code).toBe(0);
      // session.start 5 ms after start waits for the socket (queued); the rest runs on a started session.
      expect(run.api().map((a) => a.reply)).toEqual(['+OK Success\n', '+OK queued\n', ...Array<string>(5).fill('+OK Success\n')]);
      const connection = sim.live.connections[0]!;
      const types = connection.clientEventTypes().filter((t) => t !== 'session.input_audio.append');
      expect(types).toEqual(['session.start', 'session.input_audio.mute', 'session.input_audio.unmute', 'session.close']);
      // Never a gap in the timeline: about 5 s of audio for 5 s of call (muted and paused parts are silence).
      expect(connection.appendedAudioMs).toBeGreaterThan(4500);
      const json = bodies(run, 'mod_openai_audio_stream::json').map((b) => b.type);
      expect(json).toContain('session.input_audio.muted');
      expect(json).toContain('session.input_audio.unmuted');
    } finally {
      await sim.close();
    }
  });

  it('a session the server closes ends the stream with its reason', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone' });
    sim.live.on('connection', (connection) => {
      setTimeout(() => connection.endSession('expired'), 1500);
    });
    try {
      const run = await runHostSimulator({
        caller: new Int16Array(8000 * 3),
        tailMs: 300,
        script: [`0 start ${sim.liveUrl} mono 8k`, `5 send_json ${b64json(START)}`, '2500 openai_realtime status json'],
      });
      expect(run.code).toBe(0);
      expect(sim.live.connections).toHaveLength(1);
      const json = bodies(run, 'mod_openai_audio_stream::json');
      expect(json[json.length - 1]).toMatchObject({ type: 'session.closed', reason: 'expired' });
      expect(bodies(run, 'mod_openai_audio_stream::disconnect')).toEqual([{ status: 'disconnected', message: { code: 1000, reason: 'session.closed: expired' } }]);
      expect(JSON.parse(String(run.api()[2]!.reply))).toMatchObject({ sessions: [] });
    } finally {
      await sim.close();
    }
  });

  it('after an abnormal drop the reconnect is a new session whose session.start carries the conversation so far', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 500 } });
    sim.live.on('connection', (connection) => {
      // Once the greeting has been said and heard, the network drops.
      if (connection.index === 0) setTimeout(() => connection.terminate(), 2000);
    });
    try {
      const run = await runHostSimulator({
        caller: new Int16Array(8000 * 5),
        tailMs: 300,
        script: [`0 start ${sim.liveUrl} mono 8k`, `5 send_json ${b64json(START)}`, `10 send_json ${b64json(GREET)}`, '4000 stop'],
      });
      expect(run.code).toBe(0);
      expect(sim.live.connections).toHaveLength(2);
      const restart = sim.live.connections[1]!.clientEvents[0]!.event as { type: string; session: { model: string; input: Array<{ role: string; content: Array<{ text: string }> }> } };
      expect(restart.type).toBe('session.start');
      expect(restart.session.model).toBe('gpt-live-1');
      expect(restart.session.input.map((m) => m.role)).toEqual(['developer', 'assistant']);
      expect(restart.session.input[1]!.content[0]!.text).toBe('This is a test tone.');
      expect(bodies(run, 'openai_realtime::session_restarted')).toEqual([{ protocol: 'live', messages: 2, dropped_turns: 0, family: 'audio_stream' }]);
      expect(run.events('mod_openai_audio_stream::connect')).toHaveLength(2);
      expect(sim.live.connections[1]!.clientEventTypes()).toContain('session.close');
    } finally {
      await sim.close();
    }
  });

  it('client delegation: session.delegation.created reaches the application, whose commentary the model speaks', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 400 }, live: { delegateAfterTurns: [1] } });
    try {
      const answer = { type: 'session.commentary.append', content: 'The order ships tomorrow.', delegation_id: null };
      const run = await runHostSimulator({
        caller: speechBursts(8000, 6000, [{ atMs: 500, ms: 800 }]),
        tailMs: 300,
        script: [`0 start ${sim.liveUrl} mono 8k`, `5 send_json ${b64json(START)}`, `3500 send_json ${b64json(answer)}`, '5500 stop'],
      });
      expect(run.code).toBe(0);
      const created = bodies(run, 'mod_openai_audio_stream::json').filter((b) => b.type === 'session.delegation.created');
      expect(created).toEqual([expect.objectContaining({ delegation: expect.objectContaining({ target: 'client' }) })]);
      const connection = sim.live.connections[0]!;
      expect(connection.clientDelegations).toHaveLength(1);
      expect(connection.spoken.length).toBeGreaterThanOrEqual(1);
    } finally {
      await sim.close();
    }
  });

  it('s2s: session.create on a Live path, client.event session.start, Live names unchanged to the app, session.delete closes with session.close', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 500 }, apiKey: KEY });
    try {
      const run = await runHostSimulator({
        caller: new Int16Array(8000 * 4),
        tailMs: 300,
        vars: { read_codec: 'PCMA' },
        script: [
          `0 uuid_openai_s2s session.create ws://127.0.0.1:${sim.port} v1/live/sessions bearer ${KEY}`,
          `5 uuid_openai_s2s client.event ${JSON.stringify(START)}`,
          `10 uuid_openai_s2s client.event ${JSON.stringify(GREET)}`,
          '3000 uuid_openai_s2s session.delete',
        ],
      });
      expect(run.code).toBe(0);
      // session.start waits for the socket; the greeting is 'queued' unless a slow machine ran it after session.started.
      expect(run.api().map((a) => a.reply)).toEqual(['+OK Success\n', '+OK queued\n', expect.stringMatching(/^\+OK (queued|Success)\n$/), '+OK Success\n']);
      const connection = sim.live.connections[0]!;
      expect(connection.handshake.auth).toBe('bearer');
      expect(connection.clientEvents[0]!.event).toMatchObject({ type: 'session.start', session: { audio: { format: { type: 'audio/pcma', rate: 8000 } } } });
      expect(connection.clientEventTypes().filter((t) => t !== 'session.input_audio.append')).toEqual(['session.start', 'session.commentary.append', 'session.close']);
      const server = bodies(run, 'openai_s2s::server_event').map((b) => b.type);
      expect(server[0]).toBe('session.started');
      expect(server).toContain('session.output_transcript.delta');
      expect(server).not.toContain('session.output_audio.delta');
      expect(server[server.length - 1]).toBe('session.closed');
      expect(run.events('openai_s2s::connect')).toHaveLength(1);
      expect(run.events('openai_s2s::disconnect')).toEqual([]); // session.delete is ours
      expect(bodies(run, 'openai_realtime::transcript')).toEqual([{ role: 'assistant', text: 'This is a test tone.', start_ms: expect.any(Number), end_ms: expect.any(Number), family: 's2s', protocol: 'live' }]);
      expect(loudSamples(run.replies[0]!)).toBeGreaterThan(8000 * 0.4);
    } finally {
      await sim.close();
    }
  });

  it('s2s: a session the server closes is a disconnect for the application, with the reason', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone' });
    sim.live.on('connection', (connection) => {
      setTimeout(() => connection.endSession('content'), 1200);
    });
    try {
      const run = await runHostSimulator({
        caller: new Int16Array(8000 * 3),
        tailMs: 300,
        script: [`0 uuid_openai_s2s session.create ws://127.0.0.1:${sim.port} v1/live/sessions bearer`, `5 uuid_openai_s2s client.event ${JSON.stringify(START)}`],
      });
      expect(run.code).toBe(0);
      const server = bodies(run, 'openai_s2s::server_event');
      expect(server[server.length - 1]).toMatchObject({ type: 'session.closed', reason: 'content' });
      expect(bodies(run, 'openai_s2s::disconnect')).toEqual([{ code: 1000, reason: 'session.closed: content' }]);
    } finally {
      await sim.close();
    }
  });

  it('s2s profile:<name>: a Live profile (Azure path, api-key-query auth) sends its <session> as session.start, the key in the api-key header and no query; its live-playout-delay-ms is the jitter buffer', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 400 }, apiKey: KEY });
    try {
      const config = join(dir, 'live.conf.xml');
      writeFileSync(
        config,
        `<configuration name="openai_realtime.conf">
  <profiles>
    <profile name="live">
      <param name="url" value="ws://127.0.0.1:${sim.port}/openai/v1/live/sessions"/>
      <param name="protocol" value="live"/>
      <param name="auth" value="api-key-query"/>
      <param name="api-key" value="${KEY}"/>
      <param name="live-playout-delay-ms" value="60"/>
      <session><![CDATA[ {"model":"gpt-live-1","instructions":"Profile instructions."} ]]></session>
    </profile>
  </profiles>
</configuration>
`,
        { mode: 0o600 },
      );
      const run = await runHostSimulator({
        caller: new Int16Array(8000 * 3),
        tailMs: 300,
        config,
        script: ['0 uuid_openai_s2s session.create profile:live', `800 uuid_openai_s2s client.event ${JSON.stringify(GREET)}`, '2300 openai_realtime status json', '2500 uuid_openai_s2s session.delete'],
      });
      expect(run.code).toBe(0);
      expect(run.api().map((a) => a.reply)).toEqual(['+OK Success\n', '+OK Success\n', expect.stringMatching(/^\{/), '+OK Success\n']);
      // The profile's jitter buffer (live-playout-delay-ms) is the session's.
      const status = JSON.parse(String(run.api()[2]!.reply)) as { sessions: Array<{ live: { track: { startDelayMs: number } } }> };
      expect(status.sessions[0]!.live.track.startDelayMs).toBe(60);
      const connection = sim.live.connections[0]!;
      expect(connection.handshake.path).toBe('/openai/v1/live/sessions');
      expect(connection.handshake.query).toEqual({});
      expect(connection.handshake.auth).toBe('api-key-header');
      // An L16 channel (no read_codec) at 8 kHz gets PCM at 16 kHz.
      expect(connection.clientEvents[0]!.event).toMatchObject({
        type: 'session.start',
        session: { model: 'gpt-live-1', instructions: 'Profile instructions.', audio: { format: { type: 'audio/pcm', rate: 16000 } } },
      });
      expect(connection.spoken.map((s) => s.situation)).toEqual(['greeting']);
      const produced = [...run.record.filter((l) => l.kind !== 'api').map((l) => JSON.stringify(l)), run.stderr].join('\n');
      expect(produced).not.toContain(KEY);
    } finally {
      await sim.close();
    }
  });

  it('responses delegation: end_call is offered to the backend, its call answered with response.item.create, and the call hung up', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 400 }, functionCall: { name: 'end_call', arguments: { reason: 'the caller is done' } } });
    try {
      const start = { type: 'session.start', session: { model: 'gpt-live-1', delegation: { type: 'responses', responses: { model: 'gpt-5-mini', instructions: 'Hang up when asked.' } } } };
      const run = await runHostSimulator({
        caller: speechBursts(8000, 8000, [{ atMs: 1000, ms: 800 }]),
        tailMs: 300,
        vars: { OPENAI_REALTIME_TOOLS: 'end_call' },
        script: [`0 start ${sim.liveUrl} mono 8k`, `5 send_json ${b64json(start)}`],
      });
      expect(run.code).toBe(0);
      const connection = sim.live.connections[0]!;
      // The tool's schema went to the backend with the start.
      const sent = connection.clientEvents[0]!.event as unknown as { session: { delegation: { responses: { tools: Array<{ name: string; type: string }> } } } };
      expect(sent.session.delegation.responses.tools.map((t) => [t.type, t.name])).toEqual([['function', 'end_call']]);
      // The call came inside response.event and was answered in Live's shape.
      expect(connection.backend!.calls).toEqual([expect.objectContaining({ name: 'end_call', output: expect.stringContaining('"ok":true') })]);
      const types = connection.clientEventTypes().filter((t) => t !== 'session.input_audio.append');
      expect(types.slice(0, 2)).toEqual(['session.start', 'response.item.create']);
      expect(types).not.toContain('conversation.item.create');
      // The module hung up (call control), which ended the stream with session.close.
      expect(bodies(run, 'openai_realtime::call_control')).toEqual([expect.objectContaining({ action: 'hangup', result: 'ok', source: 'tool:end_call' })]);
      expect(types[types.length - 1]).toBe('session.close');
      // The hangup waited for the model's words after the tool output (the voice speaks them only
      // once the continuation went out): the caller heard the whole 400 ms goodbye.
      expect(connection.spoken.map((s) => s.situation)).toEqual(['afterToolOutput']);
      expect(loudSamples(run.replies[0]!)).toBeGreaterThan(8000 * 0.4 * 0.9);
      const json = bodies(run, 'mod_openai_audio_stream::json').map((b) => b.type);
      expect(json).toContain('session.delegation.created');
      expect(json).toContain('response.event');
    } finally {
      await sim.close();
    }
  });

  it('DTMF forwarding reaches the model as context (session.thinking.append with OPENAI_REALTIME_DTMF_RESPONSE=false), and the dtmf event fires', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 300 } });
    try {
      const run = await runHostSimulator({
        caller: new Int16Array(8000 * 3),
        tailMs: 300,
        vars: { OPENAI_REALTIME_DTMF: 'forward', OPENAI_REALTIME_DTMF_RESPONSE: 'false' },
        script: [`0 start ${sim.liveUrl} mono 8k`, `5 send_json ${b64json(START)}`, '1000 dtmf 1', '2500 stop'],
      });
      expect(run.code).toBe(0);
      const events = sim.live.connections[0]!.clientEvents.map((r) => r.event as { type: string; content?: string }).filter((e) => e.type !== 'session.input_audio.append');
      expect(events.map((e) => e.type)).toEqual(['session.start', 'session.thinking.append', 'session.close']);
      expect(events[1]!.content).toBe('The caller pressed 1 on the phone keypad.');
      expect(bodies(run, 'openai_realtime::dtmf')).toEqual([expect.objectContaining({ digit: '1', family: 'audio_stream' })]);
    } finally {
      await sim.close();
    }
  });

  it('Realtime GA sessions get openai_realtime::transcript turns too', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 500 } });
    try {
      const update = { type: 'session.update', session: { type: 'realtime', audio: { input: { transcription: { model: 'whisper-1' } } } } };
      const run = await runHostSimulator({
        caller: speechBursts(8000, 5000, [{ atMs: 1000, ms: 800 }]),
        tailMs: 300,
        script: [`0 start ${sim.url} mono 8k`, `300 send_json ${b64json(update)}`, '4500 stop'],
      });
      expect(run.code).toBe(0);
      const turns = bodies(run, 'openai_realtime::transcript');
      expect(turns.map((t) => [t.role, t.protocol, t.family])).toEqual([
        ['user', 'realtime', 'audio_stream'],
        ['assistant', 'realtime', 'audio_stream'],
      ]);
      expect(turns[1]!.text).toBe('This is a test tone.');
      await sleep(0);
    } finally {
      await sim.close();
    }
  });
});
