// What this proves, through the native command queue and real sockets against the realtime
// simulator (behind a TCP relay that holds the connection for a moment, so "still connecting" is
// certain rather than a race): client events an application sends while its stream or s2s session
// is still connecting are answered `+OK queued` and reach the server in order, after
// session.created (and after a profile-less session's tools); the queue is bounded (the event past
// the bound is refused with the reason); a connection that finally fails fires an ::error event
// naming the events that were not sent; a stop drops them and says so in the log; 40 streams
// started at once, each sending right after `start`, all get their message delivered.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_QUEUED_CLIENT_EVENTS } from '../../src/session/clientEventQueue.js';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { b64json } from '../helpers/callerAudio.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
const S2S = 'uuid_openai_s2s';
const EV = 'mod_openai_audio_stream::';
let h: InProcessHost;
let sim: RealtimeSimulator;
const relays: Array<{ server: Server; sockets: Socket[] }> = [];

beforeAll(async () => {
  h = inProcessHost();
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 200 } });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  for (const r of relays) {
    for (const s of r.sockets) s.destroy();
    await new Promise((resolve) => r.server.close(resolve));
  }
  await sim.close();
});

/**
 * A TCP relay to the simulator that waits `holdMs` before passing anything on (the client's
 * upgrade request waits in the socket), or, with `fail`, closes the connection after `holdMs`.
 */
async function relay(holdMs: number, fail = false): Promise<string> {
  const target = new URL(sim.url);
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    sockets.push(client);
    setTimeout(() => {
      if (fail) {
        client.destroy();
        return;
      }
      const upstream = connect(Number(target.port), target.hostname);
      sockets.push(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    }, holdMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relays.push({ server, sockets });
  return `ws://127.0.0.1:${(server.address() as { port: number }).port}${target.pathname}${target.search}`;
}

const channel = (prefix: string, vars: Record<string, string> = {}): string =>
  createTaggedChannel(h, prefix, { rate: 8000, recordMs: 4000, source: new Int16Array(8000), vars });

describe('uuid_openai_audio_stream', () => {
  it('send_json while connecting: +OK queued, delivered in order after session.created', async () => {
    const uuid = channel('early');
    const url = await relay(300);
    expect(await h.command(API, `${uuid} start ${url} mono`)).toBe('+OK Success');
    const texts = [
      '{"type":"session.update","session":{"type":"realtime","instructions":"Be brief."}}',
      '{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]},"n":9007199254740993}',
      '{"type":"response.create"}',
    ];
    for (const text of texts) expect(await h.command(API, `${uuid} send_json ${Buffer.from(text).toString('base64')}`)).toBe('+OK queued');
    expect(h.app.registry.get(uuid, 'audio_stream')!.status()).toMatchObject({ state: 'connecting', clientEventsQueued: 3 });
    const c = await waitFor(() => connectionsOfChannel(sim, uuid)[0], 'connection through the relay');
    await waitFor(() => c.clientEventTypes().includes('response.create'), 'queued events delivered');
    const sent = c.clientEvents.filter((r) => r.event.type !== 'input_audio_buffer.append');
    expect(sent.map((r) => r.text)).toEqual(texts);
    // After the server's session.created: the server sent it before it received anything.
    const created = c.serverEventTypes().indexOf('session.created');
    expect(created).toBe(0);
    await waitFor(() => c.serverEventTypes().includes('response.done'), 'the reply');
    expect(h.events(uuid, `${EV}error`)).toEqual([]);
    // Once connected, events go straight out again.
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toBe('+OK Success');
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
  });

  it('the queue is bounded: the event past the bound is refused with the reason; stop says what was not sent', async () => {
    const uuid = channel('bounded');
    const url = await relay(60_000);
    expect(await h.command(API, `${uuid} start ${url} mono`)).toBe('+OK Success');
    const event = b64json({ type: 'response.create' });
    for (let i = 0; i < MAX_QUEUED_CLIENT_EVENTS; i++) expect(await h.command(API, `${uuid} send_json ${event}`)).toBe('+OK queued');
    expect(await h.command(API, `${uuid} send_json ${event}`)).toBe(
      `-ERR queue full: ${MAX_QUEUED_CLIENT_EVENTS} client events (${MAX_QUEUED_CLIENT_EVENTS * 26} bytes) wait for the connection (max ${MAX_QUEUED_CLIENT_EVENTS} events, 4194304 bytes)`,
    );
    expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');
    expect(h.logs(uuid).some((l) => l.includes(`stopped with ${MAX_QUEUED_CLIENT_EVENTS} client event(s) still queued, not sent`))).toBe(true);
  });

  it('a connection that finally fails: ::error names the events that were not sent', async () => {
    const uuid = channel('failed', { STREAM_NO_RECONNECT: 'true' });
    const url = await relay(300, true);
    expect(await h.command(API, `${uuid} start ${url} mono`)).toBe('+OK Success');
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'session.update', session: { type: 'realtime' } })}`)).toBe('+OK queued');
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toBe('+OK queued');
    await waitFor(() => h.app.registry.get(uuid, 'audio_stream') === undefined, 'stream ended');
    const errors = h.events(uuid, `${EV}error`).map((e) => JSON.parse(e.body) as { message: { error: string } });
    expect(errors.map((e) => e.message.error)).toContain('client events queued while connecting were not sent: session.update, response.create');
    expect(await h.command(API, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toBe('-ERR no stream on this channel');
  });
});

describe('many streams starting at once (the seed flow: send_json right after start)', () => {
  it('every message is delivered, none refused', async () => {
    const N = 40;
    const uuids = Array.from({ length: N }, (_, i) => channel(`burst${i}`));
    const replies = await Promise.all(
      uuids.map(async (uuid) => {
        const started = await h.command(API, `${uuid} start ${sim.url} mono`);
        const sent = await h.command(API, `${uuid} send_json ${Buffer.from(`{"type":"session.update","session":{"type":"realtime","instructions":"${uuid}"}}`).toString('base64')}`);
        return [started, sent] as const;
      }),
    );
    for (const [started, sent] of replies) {
      expect(started).toBe('+OK Success');
      expect(sent).toMatch(/^\+OK (Success|queued)$/);
    }
    for (const uuid of uuids) {
      const c = await waitFor(() => connectionsOfChannel(sim, uuid)[0], `connection of ${uuid}`);
      await waitFor(() => c.session.instructions === uuid, `session.update of ${uuid}`);
    }
    await Promise.all(uuids.map((uuid) => h.command(API, `${uuid} stop`)));
  });
});

describe('uuid_openai_s2s', () => {
  it('client.event while connecting: +OK queued, delivered in order after session.created', async () => {
    const uuid = channel('s2searly');
    const url = await relay(300);
    const target = new URL(url);
    expect(await h.command(S2S, `^^|${uuid}|session.create|ws://${target.host}|v1/realtime?model=m|bearer|sk-test-early`)).toBe('+OK Success');
    expect(await h.command(S2S, `^^|${uuid}|client.event|{"type":"response.create"}`)).toBe('+OK queued');
    expect(await h.command(S2S, `^^|${uuid}|client.event|{"type":"session.update","session":{"instructions":"Hi","voice":"alloy"}}`)).toBe('+OK queued');
    const c = await waitFor(() => connectionsOfChannel(sim, uuid)[0], 'connection through the relay');
    await waitFor(() => c.clientEventTypes().includes('session.update'), 'queued events delivered');
    expect(c.clientEventTypes().filter((t) => t !== 'input_audio_buffer.append').slice(0, 2)).toEqual(['response.create', 'session.update']);
    expect(c.serverEventTypes()[0]).toBe('session.created');
    expect(await h.command(S2S, `${uuid} session.delete`)).toBe('+OK Success');
  });
});
