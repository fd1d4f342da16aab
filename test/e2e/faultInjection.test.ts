// What this proves, for both APIs (uuid_openai_audio_stream and uuid_openai_s2s) on the real app,
// the real bridge and real sockets, against the realtime simulator's scripted faults: whatever the
// server or the network does, the session survives or ends cleanly (hook detached, session gone,
// the app told by an event), never crashes or hangs, and the other calls are not touched.
//
// Covered here: a drop mid-response, every close code class, garbage and non-JSON frames, invalid
// base64 and odd-length audio, a 20 MiB frame, a stalled server (bounded uplink, dropped audio
// counted and reported), handshake refusals 401/403/429/500, a self-signed TLS server with
// verification on, an unresolvable host, the session time limit. Reconnect-with-replay details
// are in audioStreamReconnect.test.ts, the private-CA TLS matrix in audioStreamVariables.test.ts.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { armSessionFault } from '../../src/runtime/faultHooks.js';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { b64json } from '../helpers/callerAudio.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const AS = 'uuid_openai_audio_stream';
const S2S = 'uuid_openai_s2s';
const AS_EV = 'mod_openai_audio_stream::';
const S2S_EV = 'openai_s2s::';
type Api = 'stream' | 's2s';

let h: InProcessHost;
let sim: RealtimeSimulator;

beforeAll(async () => {
  h = inProcessHost();
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 600 }, deltaIntervalMs: 20 });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
});

const channel = (prefix: string, vars: Record<string, string> = {}): string =>
  createTaggedChannel(h, prefix, { seconds: 20, recordMs: 20_000, vars: { STREAM_DISABLE_AUDIOFILES: 'true', ...vars } });

const connectionsOf = (uuid: string): SimulatedConnection[] => connectionsOfChannel(sim, uuid);
const family = (api: Api): string => (api === 'stream' ? 'audio_stream' : 's2s');
const sessionStatus = (api: Api, uuid: string) => h.app.registry.get(uuid, family(api))?.status();
const bodies = (uuid: string, subclass: string) => h.events(uuid, subclass).map((e) => JSON.parse(e.body) as Record<string, unknown>);
const s2sUrlArgs = (): string => `ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`;

/** Starts a session of `api` on `uuid` with the media running; resolves with its first connection. */
async function startSession(api: Api, uuid: string): Promise<SimulatedConnection> {
  const connections = connectionsOf(uuid).length;
  if (api === 'stream') {
    const connects = h.events(uuid, `${AS_EV}connect`).length;
    expect(await h.command(AS, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${AS_EV}connect`).length > connects, '::connect');
  } else {
    const connects = h.events(uuid, `${S2S_EV}connect`).length;
    expect(await h.command(S2S, `${uuid} session.create ${s2sUrlArgs()}`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${S2S_EV}connect`).length > connects, 'openai_s2s::connect');
    // The s2s uplink opens with the app's first session.update, as jambonz sends it.
    const updated = appServerTexts(api, uuid).filter((t) => t.includes('"session.updated"')).length;
    expect(await clientEvent(api, uuid, { type: 'session.update', session: { type: 'realtime', instructions: 'fault test' } })).toBe('+OK Success');
    await waitFor(() => appServerTexts(api, uuid).filter((t) => t.includes('"session.updated"')).length > updated, 'session.updated');
  }
  if (!h.host.mediaStats(uuid)?.running) h.host.startMedia(uuid);
  return waitFor(() => connectionsOf(uuid)[connections], 'simulator connection');
}

function clientEvent(api: Api, uuid: string, event: Record<string, unknown>): Promise<string> {
  return api === 'stream' ? h.command(AS, `${uuid} send_json ${b64json(event)}`) : h.command(S2S, `${uuid} client.event ${JSON.stringify(event)}`);
}

/** Server events the app got (audio stream ::json, s2s server_event), parsed where JSON. */
function appServerTexts(api: Api, uuid: string): string[] {
  return h.events(uuid, api === 'stream' ? `${AS_EV}json` : `${S2S_EV}server_event`).map((e) => e.body);
}

/** The session still works: a response.create is answered and its audio is heard on the channel. */
async function stillAnswers(api: Api, uuid: string, minHeard = 4000): Promise<void> {
  const doneBefore = appServerTexts(api, uuid).filter((t) => t.includes('"response.done"')).length;
  const heardBefore = heard(uuid);
  expect(await clientEvent(api, uuid, { type: 'response.create' })).toBe('+OK Success');
  await waitFor(() => appServerTexts(api, uuid).filter((t) => t.includes('"response.done"')).length > doneBefore, 'response.done', 8000);
  await waitFor(() => heard(uuid) > heardBefore + minHeard, 'the reply heard', 8000);
}

/** Non-silent samples the channel has played. */
function heard(uuid: string): number {
  let n = 0;
  for (const s of h.host.played(uuid) ?? []) if (s !== 0) n++;
  return n;
}

async function stop(api: Api, uuid: string): Promise<void> {
  expect(await h.command(api === 'stream' ? AS : S2S, api === 'stream' ? `${uuid} stop` : `${uuid} session.delete`)).toBe('+OK Success');
  expect(sessionStatus(api, uuid)).toBeUndefined();
}

/** Ended cleanly: gone from the registry, media hook detached. */
async function endedCleanly(api: Api, uuid: string): Promise<void> {
  await waitFor(() => sessionStatus(api, uuid) === undefined, 'session ended', 8000);
  await waitFor(() => h.host.mediaStats(uuid)?.attached === false, 'hook detached');
}

describe.each<Api>(['stream', 's2s'])('%s', (api) => {
  it('a drop mid-response: the app is told; the stream plays what arrived and reconnects, s2s ends', async () => {
    const uuid = channel(`drop-${api}`);
    const first = await startSession(api, uuid);
    first.applyFaults({ dropMidResponse: { afterDeltas: 3 } });
    expect(await clientEvent(api, uuid, { type: 'response.create' })).toBe('+OK Success');
    await waitFor(() => first.closed !== null, 'dropped');
    if (api === 'stream') {
      await waitFor(() => heard(uuid) > 1500, 'the deltas received before the drop are heard');
      await waitFor(() => h.events(uuid, `${AS_EV}connect`).length === 2, 'reconnected');
      expect(bodies(uuid, `${AS_EV}disconnect`)).toEqual([{ status: 'disconnected', message: { code: 1006, reason: '' } }]);
      await stillAnswers(api, uuid);
      await stop(api, uuid);
    } else {
      await waitFor(() => h.events(uuid, `${S2S_EV}disconnect`).length > 0, 'disconnect');
      expect(bodies(uuid, `${S2S_EV}disconnect`)).toEqual([{ code: 1006, reason: '' }]);
      await endedCleanly(api, uuid);
    }
  });

  it('every close code class: the app gets the code; abnormal ones reconnect the stream, the rest end it', async () => {
    const cases: Array<[number, boolean]> = [
      [1000, false],
      [1001, true],
      [1006, true],
      [1008, false],
      [1011, true],
      [1012, true],
      [4000, false],
      [4321, false],
      [4999, false],
    ];
    for (const [code, reconnects] of cases) {
      const uuid = channel(`close${code}-${api}`);
      const first = await startSession(api, uuid);
      if (code === 1006) first.terminate();
      else first.close(code, `closing with ${code}`);
      const reason = code === 1006 ? '' : `closing with ${code}`;
      if (api === 's2s') {
        await waitFor(() => h.events(uuid, `${S2S_EV}disconnect`).length > 0, `disconnect ${code}`);
        expect(bodies(uuid, `${S2S_EV}disconnect`)).toEqual([{ code, reason }]);
        await endedCleanly(api, uuid);
        expect(connectionsOf(uuid)).toHaveLength(1);
        continue;
      }
      await waitFor(() => h.events(uuid, `${AS_EV}disconnect`).length > 0, `disconnect ${code}`);
      expect(bodies(uuid, `${AS_EV}disconnect`)[0]).toEqual({ status: 'disconnected', message: { code, reason } });
      if (reconnects) {
        await waitFor(() => h.events(uuid, `${AS_EV}connect`).length === 2, `reconnect after ${code}`);
        expect(sessionStatus(api, uuid)).toMatchObject({ state: 'open', reconnects: 1 });
        await stop(api, uuid);
      } else {
        await endedCleanly(api, uuid);
        await sleep(200);
        expect(connectionsOf(uuid)).toHaveLength(1);
      }
    }
  });

  it('garbage and non-JSON frames: nothing breaks, the session goes on answering', async () => {
    const uuid = channel(`garbage-${api}`);
    const first = await startSession(api, uuid);
    first.applyFaults({ garbage: { frames: ['text', 'binary', 'untyped', 'unknownType', 'truncatedJson'] } });
    await waitFor(() => first.faultsFired.length === 5, 'garbage sent');
    // More junk than the simulator's list: empty, whitespace, JSON that is not an object, huge numbers, deep nesting.
    for (const junk of ['', ' ', 'null', '[1,2,3]', '"text"', '1e999', '{"type":42}', '{"type":"error","error":"not an object"}', '['.repeat(5000)]) first.sendRaw(junk);
    first.sendRaw('{"type":"response.output_audio.delta","delta":12345}');
    first.sendRaw('{"type":"response.output_audio.delta","delta":"","item_id":{}}');
    first.sendRaw('{"type":"response.created","response":"not an object"}');
    first.sendRaw('{"type":"response.done","response":{"id":7,"usage":{"total_tokens":"many"}}}');
    first.sendRaw('{"type":"session.updated","session":{"audio":{"output":{"format":{"type":"audio/opus","rate":-1}}}}}');
    first.sendRaw('{"type":"input_audio_buffer.speech_started"}');
    await sleep(200);
    if (api === 'stream') {
      // The seed's contract: every server text frame that is not played audio reaches the app as ::json.
      const texts = appServerTexts(api, uuid);
      expect(texts).toContain('<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>');
      expect(texts.some((t) => t.startsWith('{"type":"response.output_audio.delta","event_id":"event_cut"'))).toBe(true);
      expect(h.logs(uuid).some((l) => l.includes('binary frame from the server ignored'))).toBe(true);
    } else {
      expect(h.logs(uuid).some((l) => l.includes('not a JSON event'))).toBe(true);
    }
    expect(sessionStatus(api, uuid)).toMatchObject({ state: 'open', internalErrors: 0 });
    await stillAnswers(api, uuid);
    await stop(api, uuid);
  });

  it('invalid base64 and odd-length audio deltas: dropped or carried over, counted, never a crash', async () => {
    const uuid = channel(`badaudio-${api}`);
    const first = await startSession(api, uuid);
    first.applyFaults({ badAudio: { kind: 'oddLength', atDelta: 1, count: 3 } });
    await stillAnswers(api, uuid);
    expect(first.faultsFired).toContain('badAudio:oddLength@3');
    expect(sessionStatus(api, uuid)).toMatchObject({ invalidAudioDeltas: 0 });
    first.applyFaults({ badAudio: { kind: 'invalidBase64', atDelta: 7, count: 2 } });
    await stillAnswers(api, uuid, 1600); // 4 of its 6 deltas
    expect(sessionStatus(api, uuid)).toMatchObject({ invalidAudioDeltas: 2, state: 'open' });
    // Whole frames only, whatever came in.
    expect(h.host.played(uuid)!.length % 160).toBe(0);
    await stop(api, uuid);
  });

  it('a 20 MiB frame is refused at the socket (1009) and the session ends cleanly; another call is not touched', async () => {
    const bystander = channel(`bystander-${api}`);
    await startSession(api, bystander);
    const uuid = channel(`huge-${api}`);
    const first = await startSession(api, uuid);
    first.applyFaults({ hugeFrame: {} });
    await waitFor(() => first.faultsFired.some((f) => f.startsWith('hugeFrame:')), 'huge frame sent');
    const disconnect = api === 'stream' ? `${AS_EV}disconnect` : `${S2S_EV}disconnect`;
    await waitFor(() => h.events(uuid, disconnect).length > 0, 'disconnect', 15_000);
    const body = bodies(uuid, disconnect)[0]!;
    expect(api === 'stream' ? body.message : body).toEqual({ code: 1009, reason: 'Max payload size exceeded' });
    await endedCleanly(api, uuid);
    expect(connectionsOf(uuid)).toHaveLength(1); // a refused frame is not retried
    await stillAnswers(api, bystander);
    await stop(api, bystander);
  });

  it('a stalled server: the uplink stays bounded, dropped audio is counted and reported, stop still ends it', async () => {
    const uuid = channel(`stall-${api}`, { STREAM_MESSAGE_DEFLATE: 'true' });
    const first = await startSession(api, uuid);
    await waitFor(() => first.appendedAudioMs > 200, 'audio flowing');
    first.applyFaults({ stall: {} });
    // The kernel's socket buffers take a few MiB first: fill them with big app events.
    const big = { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: randomBytes(700 * 1024).toString('base64') }] } };
    const replies: string[] = [];
    for (let i = 0; i < 24 && !replies.some((r) => r.startsWith('-ERR')); i++) {
      replies.push(await clientEvent(api, uuid, big));
      await sleep(20);
    }
    // The app is refused with a reason once four of the largest app events wait in the socket.
    expect(replies.at(-1)).toMatch(/^-ERR send buffer full: the server is not reading \(\d+ bytes waiting, max 4194304\)$/);
    await waitFor(() => Number(sessionStatus(api, uuid)!.uplinkBacklogDroppedMs) >= 500, 'caller audio dropped', 10_000);
    const status = sessionStatus(api, uuid)!;
    expect(status).toMatchObject({ state: 'open', uplinkBacklogStalls: 1, appEventsRefused: 1 });
    // Bounded: what waits is the app events let in plus at most one audio chunk; it does not grow.
    const waiting = Number(status.socketBufferedBytes);
    expect(waiting).toBeLessThan(4 * 1024 * 1024 + 1024 * 1024 + 4096);
    await sleep(600);
    expect(Number(sessionStatus(api, uuid)!.socketBufferedBytes)).toBe(waiting);
    expect(Number(sessionStatus(api, uuid)!.uplinkBacklogDroppedMs)).toBeGreaterThan(Number(status.uplinkBacklogDroppedMs));
    expect(h.logs(uuid).filter((l) => l.includes('the server is not reading: caller audio is dropped'))).toHaveLength(1);
    // The peer never answers our close: the close timer ends it.
    await stop(api, uuid);
    expect(h.host.mediaStats(uuid)!.attached).toBe(false);
  });

  it('handshake refusals 401, 403, 429, 500: each attempt is reported with its HTTP status', async () => {
    for (const status of [401, 403, 429, 500]) {
      sim.queueFaults({ refuseHandshake: { status } });
      const uuid = channel(`refuse${status}-${api}`, { STREAM_NO_RECONNECT: 'true' });
      if (api === 'stream') {
        expect(await h.command(AS, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
        await endedCleanly(api, uuid);
        const errors = bodies(uuid, `${AS_EV}error`);
        expect(errors).toHaveLength(1);
        expect(errors[0]!.message).toMatchObject({ retries: 1, wait_time: 0, http_status: status });
        expect(String((errors[0]!.message as Record<string, unknown>).error)).toContain(`got ${status} status`);
      } else {
        expect(await h.command(S2S, `${uuid} session.create ${s2sUrlArgs()}`)).toBe('+OK Success');
        await endedCleanly(api, uuid);
        const failed = bodies(uuid, `${S2S_EV}connect_failed`);
        expect(failed).toHaveLength(1);
        expect(String(failed[0]!.reason)).toContain(`got ${status} status`);
      }
    }
  });

  it('an unresolvable host (.invalid): a connect error, then a clean end', async () => {
    const uuid = channel(`dns-${api}`, { STREAM_NO_RECONNECT: 'true' });
    if (api === 'stream') {
      expect(await h.command(AS, `${uuid} start wss://no-such-host.invalid/v1/realtime mono`)).toBe('+OK Success');
      await endedCleanly(api, uuid);
      const message = bodies(uuid, `${AS_EV}error`)[0]!.message as Record<string, unknown>;
      expect(message).toMatchObject({ retries: 1, http_status: 0, wait_time: 0 });
      expect(String(message.error)).toMatch(/ENOTFOUND|EAI_AGAIN/);
    } else {
      expect(await h.command(S2S, `${uuid} session.create no-such-host.invalid v1/realtime bearer`)).toBe('+OK Success');
      await endedCleanly(api, uuid);
      expect(String(bodies(uuid, `${S2S_EV}connect_failed`)[0]!.reason)).toMatch(/ENOTFOUND|EAI_AGAIN/);
    }
  });

  it('the session time limit: session_expired reaches the app; the stream reconnects, s2s ends', async () => {
    const short = await RealtimeSimulator.start({ voice: 'tone', sessionLimitMs: 600 });
    try {
      const uuid = channel(`expiry-${api}`);
      if (api === 'stream') {
        expect(await h.command(AS, `${uuid} start ${short.url} mono`)).toBe('+OK Success');
        await waitFor(() => h.events(uuid, `${AS_EV}connect`).length === 2, 'reconnected after the limit', 8000);
        expect(bodies(uuid, `${AS_EV}disconnect`)[0]).toMatchObject({ message: { code: 1001 } });
        expect(appServerTexts(api, uuid).some((t) => t.includes('session_expired'))).toBe(true);
        await stop(api, uuid);
      } else {
        expect(await h.command(S2S, `${uuid} session.create ws://127.0.0.1:${short.port} v1/realtime?model=gpt-realtime bearer`)).toBe('+OK Success');
        await waitFor(() => h.events(uuid, `${S2S_EV}disconnect`).length > 0, 'disconnect', 8000);
        expect(bodies(uuid, `${S2S_EV}disconnect`)[0]).toMatchObject({ code: 1001 });
        expect(appServerTexts(api, uuid).some((t) => t.includes('session_expired'))).toBe(true);
        await endedCleanly(api, uuid);
      }
    } finally {
      await short.close();
    }
  });
});

describe('TLS against a server with a self-signed certificate', () => {
  let dir: string;
  let server: HttpsServer;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oair-selfsigned-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'],
      { cwd: dir, stdio: 'pipe' },
    );
    server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    new WebSocketServer({ server }).on('connection', (ws) => ws.send(JSON.stringify({ type: 'session.created', session: {} })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** 'connected', or the error the app was given. */
  async function outcome(api: Api, vars: Record<string, string>, host = 'localhost'): Promise<string> {
    const uuid = channel(`tls-${api}`, { STREAM_NO_RECONNECT: 'true', ...vars });
    const connect = api === 'stream' ? `${AS_EV}connect` : `${S2S_EV}connect`;
    const failure = api === 'stream' ? `${AS_EV}error` : `${S2S_EV}connect_failed`;
    const started =
      api === 'stream'
        ? await h.command(AS, `${uuid} start wss://${host}:${port}/v1/realtime mono`)
        : await h.command(S2S, `${uuid} session.create wss://${host}:${port} v1/realtime bearer`);
    expect(started).toBe('+OK Success');
    await waitFor(() => h.events(uuid, connect).length + h.events(uuid, failure).length > 0, 'TLS outcome');
    if (h.events(uuid, connect).length > 0) {
      await stop(api, uuid);
      return 'connected';
    }
    await endedCleanly(api, uuid);
    const body = bodies(uuid, failure)[0]!;
    return String(api === 'stream' ? (body.message as Record<string, unknown>).error : body.reason);
  }

  it.each<Api>(['stream', 's2s'])('%s: verification is on by default; the certificate as CA file, or NONE, connects', async (api) => {
    expect(await outcome(api, {})).toMatch(/self[- ]signed certificate/i);
    expect(await outcome(api, { STREAM_TLS_CA_FILE: join(dir, 'cert.pem') })).toBe('connected');
    expect(await outcome(api, { STREAM_TLS_CA_FILE: 'NONE' }, '127.0.0.1')).toBe('connected');
    // The right CA but the wrong name: hostname validation is on unless switched off.
    expect(await outcome(api, { STREAM_TLS_CA_FILE: join(dir, 'cert.pem') }, '127.0.0.1')).toMatch(/altnames|IP/i);
    expect(await outcome(api, { STREAM_TLS_CA_FILE: join(dir, 'cert.pem'), STREAM_TLS_DISABLE_HOSTNAME_VALIDATION: 'true' }, '127.0.0.1')).toBe('connected');
  });
});

describe("containment: an exception in one session's own code", () => {
  it.each([
    ['stream', 'media'],
    ['stream', 'server'],
    ['s2s', 'media'],
    ['s2s', 'server'],
  ] as Array<[Api, 'media' | 'server']>)('%s, %s handler: that session ends with an event; the other call and the module go on', async (api, site) => {
    const other: Api = api === 'stream' ? 's2s' : 'stream';
    const bystander = channel(`contain-other-${other}`);
    await startSession(other, bystander);
    const uuid = channel(`contain-${api}-${site}`);
    await startSession(api, uuid);
    armSessionFault(uuid, site);
    // The media handler runs every 20 ms; a server frame comes with the next reply.
    if (site === 'server') expect(await clientEvent(api, uuid, { type: 'response.create' })).toBe('+OK Success');
    await endedCleanly(api, uuid);
    if (api === 'stream') {
      expect(bodies(uuid, `${AS_EV}error`).map((b) => b.message)).toEqual([{ retries: 0, error: 'internal error: the stream was ended', wait_time: 0, http_status: 0 }]);
    } else {
      expect(bodies(uuid, `${S2S_EV}disconnect`)).toEqual([{ code: 1011, reason: 'internal error' }]);
    }
    expect(h.logs(uuid).some((l) => l.includes(`thrown on purpose in the ${site} handler`))).toBe(true);
    await stillAnswers(other, bystander);
    expect(await h.command('openai_realtime', 'status json')).toMatch(/^\{/);
    // The channel can start again at once.
    await startSession(api, uuid);
    await stop(api, uuid);
    await stop(other, bystander);
  });
});
