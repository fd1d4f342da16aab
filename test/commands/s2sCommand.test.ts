// What this proves, through the native command queue exactly as fs_cli or jambonz's ESL `api`
// would call it, against the realtime simulator on real sockets: every uuid_openai_s2s command
// answers `+OK Success` or a specific `-ERR` (usage first when malformed) and bad input changes
// nothing; `bearer` puts the key in the Authorization header and `query` in the api-key query
// parameter (the seed never sent it), and a wrong key is one connect_failed; connect fires once,
// session.delete ends the session without a disconnect, a server close fires disconnect once and
// is not reconnected; a client event is one frame exactly as written, and queued (`+OK queued`)
// while there is no socket yet; the key appears in no event, log line, reply or status.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_s2s';
const EV = 'openai_s2s::';
const KEY = 'sk-s2s-command-key-0123456789';
let h: InProcessHost;
let sim: RealtimeSimulator;
let host: string;
const replies: string[] = [];

beforeAll(async () => {
  h = inProcessHost();
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 400 }, apiKey: KEY });
  host = `ws://127.0.0.1:${sim.port}`;
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
});

async function command(args: string): Promise<string> {
  const reply = await h.command(API, args);
  replies.push(reply);
  return reply;
}

const channel = (prefix: string, vars: Record<string, string> = {}): string => createTaggedChannel(h, prefix, { vars });

const connectionOf = (uuid: string, index = 0): SimulatedConnection | undefined => connectionsOfChannel(sim, uuid)[index];
const status = (uuid: string) => h.app.registry.get(uuid, 's2s')?.status();
const events = (uuid: string, name: string) => h.events(uuid, `${EV}${name}`);
const serverEvents = (uuid: string) => events(uuid, 'server_event').map((e) => JSON.parse(e.body) as Record<string, unknown>);

async function create(uuid: string, auth: 'bearer' | 'query' = 'bearer', path = 'v1/realtime?model=gpt-realtime'): Promise<SimulatedConnection> {
  expect(await command(`${uuid} session.create ${host} ${path} ${auth} ${KEY}`)).toBe('+OK Success');
  await waitFor(() => events(uuid, 'connect').length > 0, 'openai_s2s::connect');
  return waitFor(() => connectionOf(uuid), 'simulator connection');
}

describe('replies', () => {
  it('usage and reasons; unknown channel and no session', async () => {
    const usage = await command('');
    expect(usage.startsWith('USAGE:\n')).toBe(true);
    expect(usage.endsWith('\n-ERR missing arguments')).toBe(true);
    expect(await command('x dance')).toMatch(/^USAGE:[\s\S]*\n-ERR unknown command 'dance', expected session.create, client.event or session.delete$/);
    expect(await command(`no-such-uuid session.create ${host} v1/realtime?model=m bearer ${KEY}`)).toBe('-ERR no such channel');
    expect(await command('no-such-uuid session.delete')).toBe('-ERR no such channel');
    expect(await command('no-such-uuid client.event {"type":"response.create"}')).toBe('-ERR no such channel');
    const uuid = channel('nosession');
    expect(await command(`${uuid} session.delete`)).toBe('-ERR no s2s session on this channel');
    expect(await command(`${uuid} client.event {"type":"response.create"}`)).toBe('-ERR no s2s session on this channel');
    expect(await command(`${uuid} session.create api.openai.com v1/realtime digest ${KEY}`)).toBe("-ERR invalid auth-type 'digest', expected bearer or query");
    expect(await command(`${uuid} session.create ws://127.0.0.1 v1/realtime bearer ${KEY}`)).toMatch(/^-ERR invalid host 'ws:\/\/127\.0\.0\.1': ws:\/\/ needs an explicit port/);
    expect(await command(`${uuid} session.create profile:none`)).toBe('-ERR profile:<name>: no profile named "none" (defined: none)');
    expect(status(uuid)).toBeUndefined();
    expect((connectionsOfChannel(sim, uuid).length > 0)).toBe(false);
  });

  it('one session per channel; a hook of another API is reported', async () => {
    const uuid = channel('twice');
    await create(uuid);
    expect(await command(`${uuid} session.create ${host} v1/realtime?model=m bearer ${KEY}`)).toBe('-ERR an openai session is already in progress for this channel');
    expect(await command(`${uuid} session.delete`)).toBe('+OK Success');

    const streamed = channel('streamed');
    expect(await h.command('uuid_openai_audio_stream', `${streamed} start ${sim.url} mono`)).toBe('+OK Success');
    expect(await command(`${streamed} session.create ${host} v1/realtime?model=m bearer ${KEY}`)).toBe('-ERR a media hook is already attached to this channel');
    expect(await h.command('uuid_openai_audio_stream', `${streamed} stop`)).toBe('+OK Success');
  });

  it('client.event: invalid JSON and a missing type are refused without quoting them', async () => {
    const uuid = channel('badjson');
    const c = await create(uuid);
    const before = c.frames.count;
    expect(await command(`${uuid} client.event {"type": response.create, "key": "${KEY}"}`)).toMatch(/^-ERR invalid JSON: not valid JSON/);
    expect(await command(`${uuid} client.event [1,2]`)).toBe('-ERR invalid JSON: expected an object');
    expect(await command(`${uuid} client.event {"response": {}}`)).toBe('-ERR invalid client event: no "type"');
    await sleep(100);
    expect(c.frames.count).toBe(before);
    expect(await command(`${uuid} session.delete`)).toBe('+OK Success');
  });
});

describe('connection', () => {
  it('bearer: the key in the Authorization header; connect once, with no body', async () => {
    const uuid = channel('bearer');
    const c = await create(uuid, 'bearer');
    expect(c.handshake.auth).toBe('bearer');
    expect(c.handshake.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(c.handshake.betaHeader).toBe(false); // GA: no OpenAI-Beta header
    expect(events(uuid, 'connect').map((e) => e.body)).toEqual(['']);
    await waitFor(() => serverEvents(uuid).some((e) => e.type === 'session.created'), 'session.created delivered');
    expect(status(uuid)).toMatchObject({ family: 's2s', state: 'open', uplinkOpen: false, connection: { auth: 'bearer', keyOrigin: 'api-argument' } });
    expect(await command(`${uuid} session.delete`)).toBe('+OK Success');
  });

  it('query (Azure): the key really is in the api-key query parameter, not in a header', async () => {
    const uuid = channel('query');
    const c = await create(uuid, 'query', 'openai/v1/realtime?model=my-deployment');
    expect(c.handshake.auth).toBe('api-key-query');
    expect(c.handshake.path).toBe('/openai/v1/realtime');
    expect(c.handshake.query).toEqual({ model: 'my-deployment', 'api-key': KEY });
    expect(c.handshake.headers.authorization).toBeUndefined();
    expect((status(uuid) as { connection: { url: string } }).connection.url).toContain('api-key=[REDACTED]');
    expect(await command(`^^|${uuid}|session.delete`)).toBe('+OK Success');
  });

  it('a wrong key: one connect_failed with the reason, and the session is gone', async () => {
    const uuid = channel('wrongkey');
    const wrong = 'sk-s2s-wrong-key-9876543210';
    expect(await command(`^^|${uuid}|session.create|${host}|v1/realtime?model=gpt-realtime|bearer|${wrong}`)).toBe('+OK Success');
    await waitFor(() => events(uuid, 'connect_failed').length > 0, 'connect_failed');
    await waitFor(() => status(uuid) === undefined, 'session ended');
    const failed = events(uuid, 'connect_failed');
    expect(failed).toHaveLength(1);
    expect((JSON.parse(failed[0]!.body) as { reason: string }).reason).toMatch(/got 401 status/);
    expect(events(uuid, 'connect')).toHaveLength(0);
    const all = [...h.events(uuid).map((e) => e.body), ...h.logs(uuid)].join('\n');
    expect(all).not.toContain(wrong);
  });

  it('session.delete: +OK, the socket closes with 1000, no disconnect event; a hangup ends it too', async () => {
    const uuid = channel('delete');
    const c = await create(uuid);
    expect(await command(`${uuid} session.delete`)).toBe('+OK Success');
    expect(status(uuid)).toBeUndefined();
    const closed = await c.waitForClose();
    expect(closed).toMatchObject({ code: 1000, initiatedBy: 'client' });
    expect(await command(`${uuid} session.delete`)).toBe('-ERR no s2s session on this channel');

    const hung = channel('hangup');
    const c2 = await create(hung);
    h.host.hangup(hung);
    await waitFor(() => status(hung) === undefined, 'session ended on hangup');
    await c2.waitForClose();
    await sleep(100);
    expect([...events(uuid, 'disconnect'), ...events(hung, 'disconnect')]).toEqual([]);
  });

  it('the server closes: one disconnect with code and reason, no reconnect, the session ends', async () => {
    const uuid = channel('serverclose');
    const c = await create(uuid);
    c.close(1011, 'server error');
    await waitFor(() => events(uuid, 'disconnect').length > 0, 'disconnect');
    await waitFor(() => status(uuid) === undefined, 'session ended');
    await sleep(300);
    expect(events(uuid, 'disconnect').map((e) => JSON.parse(e.body) as unknown)).toEqual([{ code: 1011, reason: 'server error' }]);
    expect(connectionsOfChannel(sim, uuid)).toHaveLength(1);
    expect(events(uuid, 'connect')).toHaveLength(1);
  });

  it('client.event with no socket yet: queued; session.delete drops it and nothing is reported as failed', async () => {
    // A server that accepts TCP and never answers the upgrade: the session stays "connecting".
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const uuid = channel('connecting');
      const port = (silent.address() as { port: number }).port;
      expect(await command(`${uuid} session.create ws://127.0.0.1:${port} v1/realtime?model=m bearer ${KEY}`)).toBe('+OK Success');
      await waitFor(() => sockets.length > 0, 'TCP connection');
      expect(status(uuid)).toMatchObject({ state: 'connecting' });
      expect(await command(`${uuid} client.event {"type":"response.create"}`)).toBe('+OK queued');
      expect(await command(`${uuid} session.delete`)).toBe('+OK Success');
      expect(events(uuid, 'connect_failed')).toEqual([]);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('client events', () => {
  it('each is one frame exactly as written (blanks, the delimiter, quotes); back to back they stay two frames', async () => {
    const uuid = channel('frames');
    const c = await create(uuid);
    const update = '{"type": "session.update",  "session": {"type": "realtime", "instructions": "Say \\"hello\\" | keep it short"}}';
    expect(await command(`^^|${uuid}|client.event|${update}`)).toBe('+OK Success');
    await waitFor(() => c.serverEventTypes().includes('session.updated'), 'session.updated');
    const received = c.clientEvents.find((r) => r.event.type === 'session.update')!;
    expect(received.bytes).toBe(Buffer.byteLength(update)); // not re-serialised
    expect(c.session.instructions).toBe('Say "hello" | keep it short');

    const [a, b] = await Promise.all([
      command(`${uuid} client.event {"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi there"}]}}`),
      command(`${uuid} client.event {"type": "response.create"}`),
    ]);
    expect([a, b]).toEqual(['+OK Success', '+OK Success']);
    await waitFor(() => c.clientEventTypes().includes('response.create') && c.clientEventTypes().includes('conversation.item.create'), 'both events');
    expect(c.invalidFrames).toBe(0);
    // Two commands in flight at once: two frames (in whichever order the API threads delivered them).
    expect(c.clientEventTypes().slice(-2).sort()).toEqual(['conversation.item.create', 'response.create']);
    expect(await command(`${uuid} session.delete`)).toBe('+OK Success');
  });
});

describe('secrets', () => {
  it('the key is in no event, log line, reply or status', async () => {
    const uuid = channel('scan');
    await create(uuid, 'query');
    replies.push(await h.command('openai_realtime', 'status json'));
    const everything = [...h.events().map((e) => `${e.subclass} ${e.body}`), ...h.logs(), ...replies, JSON.stringify(h.app.registry.all().map((s) => s.status()))].join('\n');
    expect(everything).toContain('openai_s2s::server_event');
    expect(everything).not.toContain(KEY);
    expect(await command(`${uuid} session.delete`)).toBe('+OK Success');
  });
});
