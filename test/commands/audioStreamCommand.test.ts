// What this proves, through the native command queue exactly as fs_cli would call it: every
// command of uuid_openai_audio_stream / uuid_raw_audio_stream answers +OK Success or a specific
// -ERR, and bad input changes nothing; send_json and stop <text> really reach the server (or say
// "not connected"); pause, resume, mute and unmute gate the audio as documented; every event body
// has the seed's exact shape; the API key never leaves the module; a hangup ends the stream.
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { b64json, speechBursts } from '../helpers/callerAudio.js';
import { connectionsOfChannel, startAudioStream, createTaggedChannel, inProcessHost, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
const RAW = 'uuid_raw_audio_stream';
const EV = 'mod_openai_audio_stream::';
const KEY = 'sk-sim-secret-key-0123456789';
let h: InProcessHost;
let sim: RealtimeSimulator;
let deadUrl: string;

beforeAll(async () => {
  h = inProcessHost();
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 600 }, apiKey: KEY });
  // A port nobody listens on: connects are refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  deadUrl = `ws://127.0.0.1:${port}/v1/realtime?model=x`;
});

afterAll(async () => {
  // Sessions first: a stream reconnects after the simulator's 1001 "going away".
  await h.app.stop('end of test file');
  await sim.close();
});

const channel = (prefix: string, vars: Record<string, string> = {}, options: { source?: Int16Array; rate?: number } = {}): string =>
  createTaggedChannel(h, prefix, {
    rate: options.rate ?? 8000,
    recordMs: 6000,
    // Silence unless a test wants speech: the default counter pattern would trigger the VAD.
    source: options.source ?? new Int16Array(8000),
    vars: { STREAM_OPENAI_API_KEY: KEY, ...vars },
  });

const connectionOf = (uuid: string, index = 0): SimulatedConnection | undefined =>
  connectionsOfChannel(sim, uuid)[index];

const startConnected = (uuid: string, args = 'mono'): Promise<SimulatedConnection> => startAudioStream(h, sim, uuid, args);

const status = (uuid: string) => h.app.registry.get(uuid, 'audio_stream')?.status();

describe('replies and reasons', () => {
  it('usage and -ERR for missing or unknown arguments', async () => {
    const usage = await h.command(API, '');
    expect(usage.startsWith('USAGE:\n')).toBe(true);
    expect(usage.endsWith('\n-ERR missing arguments')).toBe(true);
    expect(await h.command(RAW, 'x')).toMatch(/^USAGE:\n[\s\S]*uuid_raw_audio_stream <uuid> send_json <base64json>[\s\S]*\n-ERR missing arguments$/);
    expect(await h.command(API, 'x dance')).toBe("-ERR unknown command 'dance', expected start, stop, send_json, pause, resume, mute or unmute");
    expect(await h.command(API, `x start ${sim.url} quad`)).toBe("-ERR invalid mix type 'quad', expected mono, mixed or stereo");
    expect(await h.command(API, 'x start http://h mono')).toBe("-ERR invalid websocket uri: 'http://h' must start with ws:// or wss://");
    expect(await h.command(API, `x start ${sim.url} mono 11025`)).toBe("-ERR invalid send_rate '11025', expected 8k, 16k, 24k, 48k or a multiple of 8000");
    expect(await h.command(API, 'x mute nobody')).toBe("-ERR invalid mute target 'nobody', expected user, openai or all");
  });

  it('no such channel / no stream on this channel', async () => {
    expect(await h.command(API, `no-such-uuid start ${sim.url} mono`)).toBe('-ERR no such channel');
    for (const cmd of ['stop', 'pause', 'resume', 'mute', 'unmute openai', `send_json ${b64json({ type: 'x' })}`]) {
      expect(await h.command(API, `no-such-uuid ${cmd}`)).toBe('-ERR no such channel');
    }
    const uuid = channel('nostream');
    for (const cmd of ['stop', 'pause', 'resume', 'mute all', `send_json ${b64json({ type: 'x' })}`]) {
      expect(await h.command(API, `${uuid} ${cmd}`)).toBe('-ERR no stream on this channel');
    }
  });

  it('one stream per channel, whichever API; a hook of another feature is reported', async () => {
    const uuid = channel('twice');
    await startConnected(uuid);
    expect(await h.command(API, `${uuid} start ${sim.url} mono`)).toBe('-ERR stream already running on this channel');
    expect(await h.command(RAW, `${uuid} start ${sim.url} mono`)).toBe('-ERR stream already running on this channel');
    expect(connectionsOfChannel(sim, uuid)).toHaveLength(1);
    // Lifecycle commands work through either API name.
    expect(await h.command(RAW, `${uuid} stop`)).toBe('+OK Success');
    expect(status(uuid)).toBeUndefined();

    const echoed = channel('echoed');
    expect(await h.command('openai_realtime', `echo ${echoed} start`)).toBe('+OK Success');
    expect(await h.command(API, `${echoed} start ${sim.url} mono`)).toBe('-ERR a media hook is already attached to this channel');
    expect(await h.command('openai_realtime', `echo ${echoed} stop`)).toBe('+OK Success');
  });

  it('bad channel variables are refused before anything starts', async () => {
    const uuid = channel('badvars', { STREAM_EXTRA_HEADERS: '{"X-A":"1\\r\\nInjected: yes"}' });
    expect(await h.command(API, `${uuid} start ${sim.url} mono`)).toBe("-ERR invalid STREAM_EXTRA_HEADERS: value of header 'X-A' contains CR or LF");
    expect(status(uuid)).toBeUndefined();
    const uuid2 = channel('badca', { STREAM_TLS_CA_FILE: '/nonexistent/ca.pem' });
    expect(await h.command(API, `${uuid2} start ${sim.url} mono`)).toBe("-ERR cannot read the TLS CA file '/nonexistent/ca.pem' (ENOENT)");
    expect(status(uuid2)).toBeUndefined();
  });
});

describe('send_json and stop', () => {
  it('send_json reaches the server; invalid input and a closed socket are -ERR and send nothing', async () => {
    const uuid = channel('sendjson');
    const connection = await startConnected(uuid);
    const update = { type: 'session.update', session: { type: 'realtime', instructions: 'Be brief.' } };
    expect(await h.command(API, `${uuid} send_json ${b64json(update)}`)).toBe('+OK Success');
    await waitFor(() => connection.clientEventTypes().includes('session.update'), 'session.update received');
    expect(connection.clientEvents.find((r) => r.event.type === 'session.update')!.event).toEqual(update);
    const before = connection.clientEvents.length;
    expect(await h.command(API, `${uuid} send_json %%%`)).toBe('-ERR invalid base64');
    expect(await h.command(API, `${uuid} send_json ${Buffer.from('{"type":').toString('base64')}`)).toMatch(/^-ERR invalid JSON: /);
    const huge = b64json({ type: 'conversation.item.create', pad: 'x'.repeat(1024 * 1024) });
    expect(await h.command(API, `${uuid} send_json ${huge}`)).toBe('-ERR json too large (max 1048576 bytes)');
    await sleep(100);
    expect(connection.clientEvents.slice(before).filter((r) => r.event.type !== 'input_audio_buffer.append')).toHaveLength(0);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('payloads reach the server byte for byte: big integers, 1E400, duplicate keys, spacing', async () => {
    const uuid = channel('bytes');
    const connection = await startConnected(uuid);
    const texts = [
      '{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"n"}]},"n":9007199254740993}',
      '{"type":"response.create","big":12345678901234567890}',
      '{"type":"response.create","x":1E400}',
      '{ "type" : "response.create", "a": 1, "a": 2 }',
    ];
    for (const text of texts) {
      expect(await h.command(API, `${uuid} send_json ${Buffer.from(text).toString('base64')}`)).toBe('+OK Success');
    }
    const final = '{"type":"response.create","final":9007199254740993,"d":1,"d":2}';
    expect(await h.command(API, `${uuid} stop ${Buffer.from(final).toString('base64')}`)).toBe('+OK Success');
    await connection.waitForClose();
    const sent = connection.clientEvents.filter((r) => r.event.type !== 'input_audio_buffer.append').map((r) => r.text);
    expect(sent).toEqual([...texts, final]);
  });

  it('extra arguments are refused and change nothing', async () => {
    const uuid = channel('extra');
    expect(await h.command(API, `${uuid} start ${sim.url} mono 24k 24k unexpected`)).toMatch(/^-ERR too many arguments: /);
    expect(status(uuid)).toBeUndefined();
    const connection = await startConnected(uuid);
    expect(await h.command(API, `${uuid} pause extra`)).toBe('-ERR too many arguments: pause takes no argument');
    expect(await h.command(API, `${uuid} mute user openai`)).toBe('-ERR too many arguments: mute takes one target (user, openai or all)');
    expect(await h.command(API, `${uuid} send_json e30= extra`)).toBe('-ERR too many arguments: send_json takes one argument (<base64json>)');
    expect(status(uuid)).toMatchObject({ state: 'open', paused: false, mutedUser: false, mutedOpenai: false });
    expect(connection.clientEventTypes().filter((t) => t !== 'input_audio_buffer.append')).toEqual([]);
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('a payload nested deeper than 128 levels: send_json refused with one line, nothing sent; stop still stops', async () => {
    const uuid = channel('deepjson');
    const connection = await startConnected(uuid);
    const deep = Buffer.from(`{"type":"conversation.item.create","v":${'['.repeat(128)}${']'.repeat(128)}}`).toString('base64');
    expect(await h.command(API, `${uuid} send_json ${deep}`)).toBe('-ERR invalid JSON: nested deeper than 128 levels');
    expect(status(uuid)).toMatchObject({ state: 'open' });
    expect(await h.command(API, `${uuid} stop ${deep}`)).toBe(
      '-ERR final message not sent (invalid JSON: nested deeper than 128 levels); the stream was stopped',
    );
    expect(await connection.waitForClose()).toMatchObject({ code: 1000, initiatedBy: 'client' });
    expect(status(uuid)).toBeUndefined();
    expect(connection.clientEventTypes().filter((t) => t !== 'input_audio_buffer.append')).toEqual([]);
  });

  it('stop with an invalid final message still stops, and says the message was not sent', async () => {
    const uuid = channel('stopbad');
    const connection = await startConnected(uuid);
    expect(await h.command(API, `${uuid} stop ${Buffer.from('{"type":').toString('base64')}`)).toMatch(
      /^-ERR final message not sent \(invalid JSON: .*\); the stream was stopped$/,
    );
    expect(await connection.waitForClose()).toMatchObject({ code: 1000, initiatedBy: 'client' });
    expect(status(uuid)).toBeUndefined();
    expect(h.host.mediaStats(uuid)!.attached).toBe(false);
    expect(connection.clientEventTypes().filter((t) => t !== 'input_audio_buffer.append')).toEqual([]);
    expect(h.logs(uuid).some((l) => /stop: the final message was not sent \(invalid JSON/.test(l))).toBe(true);
  });

  it('while not connected: send_json is queued (earlyClientEvents.test.ts); stop <text> stops and says the message was not sent', async () => {
    const uuid = channel('notconnected');
    expect(await h.command(API, `${uuid} start ${deadUrl} mono`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${EV}error`).length > 0, 'first ::error');
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toBe('+OK queued');
    expect(status(uuid)).toMatchObject({ state: 'connecting' });
    // Caller audio while not connected is dropped and counted (never sent later as a burst).
    h.host.startMedia(uuid);
    await waitFor(() => (status(uuid)?.droppedUplinkMs as number) >= 100, 'dropped uplink counted');
    // The failed attempts are events with the back-off they wait.
    const error = JSON.parse(h.events(uuid, `${EV}error`)[0]!.body) as { status: string; message: Record<string, unknown> };
    expect(error.status).toBe('error');
    expect(error.message).toMatchObject({ retries: 1, http_status: 0, error: expect.stringContaining('ECONNREFUSED') });
    expect(error.message.wait_time as number).toBeGreaterThanOrEqual(80);
    expect(error.message.wait_time as number).toBeLessThanOrEqual(120);
    expect(await h.command(API, `${uuid} stop ${b64json({ type: 'response.create' })}`)).toBe(
      '-ERR final message not sent (not connected); the stream was stopped',
    );
    expect(status(uuid)).toBeUndefined();
    expect(h.events(uuid, `${EV}disconnect`)).toHaveLength(0); // it never connected
  });

  it('stop <text> sends the final message, then closes with 1000 Normal closure', async () => {
    const uuid = channel('stoptext');
    const connection = await startConnected(uuid);
    const final = { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'bye' }] } };
    expect(await h.command(API, `${uuid} stop ${b64json(final)}`)).toBe('+OK Success');
    const closed = await connection.waitForClose();
    expect(closed).toEqual({ code: 1000, reason: 'Normal closure', initiatedBy: 'client' });
    const events = connection.clientEvents.map((r) => r.event).filter((e) => e.type !== 'input_audio_buffer.append');
    expect(events[events.length - 1]).toEqual(final);
    expect(h.events(uuid, `${EV}disconnect`).map((e) => e.body)).toEqual(['{"status":"disconnected","message":{"code":1000,"reason":"Normal closure"}}']);
    expect(status(uuid)).toBeUndefined();
    expect(h.host.mediaStats(uuid)!.attached).toBe(false);
  });
});

describe('pause, resume, mute, unmute', () => {
  it('pause stops the uplink and resume restarts it', async () => {
    const uuid = channel('pause');
    const connection = await startConnected(uuid);
    h.host.startMedia(uuid);
    await waitFor(() => connection.appendedAudioMs >= 200, 'audio flowing');
    expect(await h.command(API, `${uuid} pause`)).toBe('+OK Success');
    await sleep(50);
    const paused = connection.appendedAudioMs;
    await sleep(300);
    expect(connection.appendedAudioMs).toBe(paused);
    expect(status(uuid)).toMatchObject({ paused: true });
    expect(await h.command(API, `${uuid} resume`)).toBe('+OK Success');
    await waitFor(() => connection.appendedAudioMs >= paused + 200, 'audio flowing again');
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('mute user sends 1 s of silence once and gates the caller; unmute reopens it', async () => {
    const uuid = channel('muteuser', {}, { source: speechBursts(8000, 10_000, [{ atMs: 0, ms: 10_000 }]) });
    const connection = await startConnected(uuid);
    h.host.startMedia(uuid);
    await waitFor(() => connection.appendedAudioMs >= 200, 'audio flowing');
    expect(await h.command(API, `${uuid} mute`)).toBe('+OK Success');
    await sleep(50);
    const appends = () => connection.clientEvents.filter((r) => r.event.type === 'input_audio_buffer.append');
    const silent = appends().filter((r) => {
      const bytes = Buffer.from(String((r.event as { audio?: unknown }).audio), 'base64');
      return bytes.length === 48_000 && bytes.every((b) => b === 0);
    });
    expect(silent).toHaveLength(1); // 1 s of 24 kHz PCM16 zeros
    const muted = connection.appendedAudioMs;
    await sleep(300);
    expect(connection.appendedAudioMs).toBe(muted);
    expect(await h.command(API, `${uuid} mute user`)).toBe('+OK Success'); // already muted: no second silence
    await sleep(50);
    expect(appends().filter((r) => String((r.event as { audio?: unknown }).audio).length > 60_000)).toHaveLength(1);
    expect(status(uuid)).toMatchObject({ mutedUser: true, mutedOpenai: false });
    expect(await h.command(API, `${uuid} unmute`)).toBe('+OK Success');
    await waitFor(() => connection.appendedAudioMs >= muted + 200, 'audio flowing again');
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('mute_user at start: nothing is sent until unmute; mute while not connected is +OK without silence', async () => {
    const uuid = channel('mutestart');
    const connection = await startConnected(uuid, 'mono 24k mute_user');
    h.host.startMedia(uuid);
    await sleep(300);
    expect(connection.appendedAudioMs).toBe(0);
    expect(status(uuid)).toMatchObject({ mutedUser: true });
    expect(await h.command(API, `${uuid} unmute user`)).toBe('+OK Success');
    await waitFor(() => connection.appendedAudioMs >= 100, 'audio flowing');
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');

    const offline = channel('muteoffline');
    expect(await h.command(API, `${offline} start ${deadUrl} mono`)).toBe('+OK Success');
    expect(await h.command(API, `${offline} mute all`)).toBe('+OK Success');
    expect(status(offline)).toMatchObject({ mutedUser: true, mutedOpenai: true });
    expect(await h.command(API, `${offline} stop`)).toBe('+OK Success');
  });

  it('mute openai: the reply plays as silence on the same timeline, without speech events', async () => {
    const uuid = channel('muteopenai', { STREAM_DISABLE_AUDIOFILES: 'true' });
    const connection = await startConnected(uuid);
    h.host.startMedia(uuid);
    expect(await h.command(API, `${uuid} mute openai`)).toBe('+OK Success');
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toBe('+OK Success');
    await waitFor(() => connection.responses[0]?.status === 'completed', 'response done');
    await waitFor(() => (h.host.played(uuid)?.length ?? 0) >= 4800, 'muted reply consumed', 5000);
    await sleep(200);
    const played = h.host.played(uuid)!;
    expect(played.every((s) => s === 0)).toBe(true);
    expect(h.events(uuid, `${EV}openai_speech_start`)).toHaveLength(0);
    expect(h.events(uuid, `${EV}openai_speech_stop`)).toHaveLength(0);
    expect(await h.command(API, `${uuid} unmute openai`)).toBe('+OK Success');
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });
});

describe('events, secrets and lifecycle', () => {
  it('::connect, ::json (raw frame text), ::error with the HTTP status, and the key stays secret', async () => {
    sim.queueFaults({ refuseHandshake: { status: 429 } });
    const uuid = channel('events');
    expect(await h.command(API, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${EV}connect`).length > 0, 'connect after one refusal', 5000);
    const connection = connectionOf(uuid)!;
    expect(connection.handshake.auth).toBe('bearer');
    const error = JSON.parse(h.events(uuid, `${EV}error`)[0]!.body) as { message: Record<string, unknown> };
    expect(Object.keys(error)).toEqual(['status', 'message']);
    expect(Object.keys(error.message)).toEqual(['retries', 'error', 'wait_time', 'http_status']);
    expect(error.message).toMatchObject({ retries: 1, http_status: 429 });
    expect(error.message.error).toMatch(/^Expecting status 101 \(Switching Protocol\), got 429 status connecting to ws:\/\/127\.0\.0\.1:\d+\/v1\/realtime, HTTP Status line: HTTP\/1\.1 429/);
    expect(h.events(uuid, `${EV}connect`).map((e) => e.body)).toEqual(['{"status":"connected"}']);
    await waitFor(() => h.events(uuid, `${EV}json`).length > 0, '::json');
    const first = h.events(uuid, `${EV}json`)[0]!.body;
    expect(first).toBe(JSON.stringify(connection.serverEvents[0])); // the frame text, unchanged
    expect(JSON.parse(first)).toMatchObject({ type: 'session.created' });
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');

    const everything = [...h.events().map((e) => e.body), ...h.logs(), JSON.stringify(h.app.registry.all().map((s) => s.status()))].join('\n');
    expect(everything).not.toContain(KEY);
    expect(await h.command('openai_realtime', 'status json')).not.toContain(KEY);
  });

  it('a hangup ends the stream: socket closed 1000, ::disconnect, hook gone, debug files removed', async () => {
    const uuid = channel('hangup');
    const connection = await startConnected(uuid);
    h.host.startMedia(uuid);
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${EV}play`).length > 0, '::play');
    const file = (JSON.parse(h.events(uuid, `${EV}play`)[0]!.body) as { file: string }).file;
    await waitFor(() => existsSync(file), 'debug file on disk');
    h.host.hangup(uuid);
    const closed = await connection.waitForClose();
    expect(closed.code).toBe(1000);
    await waitFor(() => status(uuid) === undefined, 'session gone');
    expect(h.events(uuid, `${EV}disconnect`).map((e) => e.body)).toEqual(['{"status":"disconnected","message":{"code":1000,"reason":"Normal closure"}}']);
    expect(existsSync(file)).toBe(false);
    expect(await h.command(API, `${uuid} stop`)).toBe('-ERR no stream on this channel');
  });
});
