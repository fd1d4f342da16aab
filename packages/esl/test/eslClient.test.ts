/**
 * The ESL client (`@mod-openai-realtime/esl`) against a real ESL server on a real socket
 * (test/helpers/fakeEslServer.ts): the exact API lines and payloads each method sends, `-ERR`
 * replies as typed errors, arguments refused before anything is sent, every module event decoded,
 * the function-call round trip, and garbage that must not throw. Reconnect, timeout and framing
 * are covered because a wrong reply-to-command match would silently misreport a command.
 */
import { Buffer } from 'node:buffer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EslFrameParser } from '../src/eslFrameParser.js';
import {
  EslArgumentError,
  EslAuthError,
  EslCommandError,
  EslConnectionError,
  EslProtocolError,
  EslTimeoutError,
  MODULE_EVENT_SUBCLASSES,
  OpenAIRealtimeClient,
  decodeModuleEvent,
  parseServerEvent,
  type FunctionCallNotice,
  type ModuleEvent,
  type OpenAIRealtimeClientEvents,
  type OpenAIRealtimeClientOptions,
} from '../src/index.js';
import { FakeEslServer } from './helpers/fakeEslServer.js';

const UUID = '2f1c7c9e-5a3b-4c1d-9e8f-0a1b2c3d4e5f';
const RT_URL = 'wss://api.openai.com/v1/realtime?model=gpt-realtime';

let server: FakeEslServer;
let client: OpenAIRealtimeClient;

async function connectedClient(options: OpenAIRealtimeClientOptions = {}): Promise<OpenAIRealtimeClient> {
  const c = new OpenAIRealtimeClient({ reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, ...options });
  await c.connect(server.host, server.port, server.password);
  return c;
}

beforeEach(async () => {
  server = await FakeEslServer.start();
  client = await connectedClient();
});

afterEach(async () => {
  await client.close();
  await server.close();
});

const decodeB64 = (b64: string): unknown => JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
const lastApi = (): string => server.apiCommands.at(-1) ?? '';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function next<K extends keyof OpenAIRealtimeClientEvents>(c: OpenAIRealtimeClient, name: K): Promise<OpenAIRealtimeClientEvents[K]> {
  return new Promise((resolve) => c.once(name, (...args) => resolve(args)));
}

/** Collects module events until `count` have arrived. */
function collect(c: OpenAIRealtimeClient, count: number): Promise<ModuleEvent[]> {
  const got: ModuleEvent[] = [];
  return new Promise((resolve) => {
    const on = (e: ModuleEvent): void => {
      got.push(e);
      if (got.length === count) {
        c.off('event', on);
        resolve(got);
      }
    };
    c.on('event', on);
  });
}

function outputItemDone(item: Record<string, unknown>): string {
  return JSON.stringify({ type: 'response.output_item.done', event_id: 'ev_1', response_id: 'resp_1', output_index: 0, item });
}

const weatherCall = {
  id: 'item_1',
  object: 'realtime.item',
  type: 'function_call',
  status: 'completed',
  name: 'get_weather',
  call_id: 'call_abc',
  arguments: '{"location":"Paris","scale":"celsius"}',
};

describe('connection', () => {
  it('authenticates, then subscribes to every module subclass with one `event json CUSTOM …`', () => {
    expect(server.commands[0]).toBe('auth ClueCon');
    expect(server.subscriptions).toEqual([`json CUSTOM ${MODULE_EVENT_SUBCLASSES.join(' ')}`]);
    expect(MODULE_EVENT_SUBCLASSES).toHaveLength(17);
    expect(client.connection?.state).toBe('connected');
  });

  it('rejects a wrong password with EslAuthError and does not retry', async () => {
    const c = new OpenAIRealtimeClient({ reconnect: { initialDelayMs: 10 } });
    const accepted = server.connectionsAccepted;
    await expect(c.connect(server.host, server.port, 'wrong')).rejects.toBeInstanceOf(EslAuthError);
    await sleep(100);
    expect(server.connectionsAccepted).toBe(accepted + 1);
    await c.close();
  });

  it('rejects with ESL_ERR_CONNECT_FAILED when nothing listens', async () => {
    const gone = await FakeEslServer.start();
    const port = gone.port;
    await gone.close();
    const c = new OpenAIRealtimeClient();
    await expect(c.connect('127.0.0.1', port, 'ClueCon')).rejects.toMatchObject({ name: 'EslConnectionError', code: 'ESL_ERR_CONNECT_FAILED' });
    await c.close();
  });

  it('reconnects and resubscribes after FreeSWITCH drops the socket; commands in between fail fast', async () => {
    const disconnected = next(client, 'disconnected');
    const reconnected = new Promise<void>((resolve) => client.once('connected', resolve));
    server.dropClients();
    const [info] = await disconnected;
    expect(info.reconnecting).toBe(true);
    await expect(client.pause(UUID)).rejects.toMatchObject({ code: 'ESL_ERR_NOT_CONNECTED' });
    await reconnected;
    expect(server.subscriptions).toHaveLength(2);
    expect(server.subscriptions[1]).toBe(server.subscriptions[0]);
    await expect(client.pause(UUID)).resolves.toBe('+OK Success');
    const event = next(client, 'mod_openai_audio_stream::connect');
    await server.pushCustom('mod_openai_audio_stream::connect', { 'Unique-ID': UUID }, '{"status":"connected"}');
    expect((await event)[0].body).toEqual({ status: 'connected' });
  });

  it('times out a command with no reply, resets the connection, and recovers', async () => {
    await client.close();
    client = await connectedClient({ commandTimeoutMs: 150 });
    server.onApi(() => new Promise<string>(() => undefined));
    const reconnected = new Promise<void>((resolve) => client.once('connected', resolve));
    await expect(client.resume(UUID)).rejects.toBeInstanceOf(EslTimeoutError);
    server.onApi(() => '+OK Success\n');
    await reconnected;
    await expect(client.resume(UUID)).resolves.toBe('+OK Success');
  });

  it('close() rejects pending commands with ESL_ERR_CLOSED, says exit, and refuses later commands', async () => {
    server.onApi(() => new Promise<string>(() => undefined));
    const pending = client.pause(UUID).catch((e: unknown) => e);
    await server.waitFor(() => server.apiCommands.length === 1);
    // FreeSWITCH answers `exit` only after the blocked api; close() gives up waiting after a grace period.
    await client.close();
    expect(await pending).toMatchObject({ code: 'ESL_ERR_CLOSED' });
    await expect(client.pause(UUID)).rejects.toMatchObject({ code: 'ESL_ERR_CLOSED' });
    expect(server.commands.at(-1)).toBe('exit');
  });

  it('bgapi resolves with the BACKGROUND_JOB body', async () => {
    server.onApi((cmd) => `+OK ran ${cmd}\n`);
    await expect(client.connection!.bgapi('status')).resolves.toBe('+OK ran status\n');
    expect(server.subscriptions.at(-1)).toBe('json BACKGROUND_JOB');
  });
});

describe('command encoding: the exact API line of each method', () => {
  const cases: [string, () => Promise<unknown>, string][] = [
    ['start (url, mix)', () => client.start(UUID, { url: RT_URL, mix: 'mono' }), `uuid_openai_audio_stream ${UUID} start ${RT_URL} mono`],
    ['start + sendRate', () => client.start(UUID, { url: RT_URL, mix: 'mono', sendRate: 16000 }), `uuid_openai_audio_stream ${UUID} start ${RT_URL} mono 16000`],
    [
      'start + both rates + muteUser',
      () => client.start(UUID, { url: RT_URL, mix: 'stereo', sendRate: 8000, playbackRate: 24000, muteUser: true }),
      `uuid_openai_audio_stream ${UUID} start ${RT_URL} stereo 8000 24000 mute_user`,
    ],
    [
      'start + playbackRate only (send_rate filled with the 24k default)',
      () => client.start(UUID, { url: RT_URL, mix: 'mixed', playbackRate: 16000 }),
      `uuid_openai_audio_stream ${UUID} start ${RT_URL} mixed 24000 16000`,
    ],
    ['start + muteUser only', () => client.start(UUID, { url: RT_URL, mix: 'mono', muteUser: true }), `uuid_openai_audio_stream ${UUID} start ${RT_URL} mono mute_user`],
    [
      'startRaw',
      () => client.startRaw(UUID, { url: 'ws://127.0.0.1:8080/rt', mix: 'mono', sendRate: 48000 }),
      `uuid_raw_audio_stream ${UUID} start ws://127.0.0.1:8080/rt mono 48000`,
    ],
    ['stop', () => client.stop(UUID), `uuid_openai_audio_stream ${UUID} stop`],
    ['pause', () => client.pause(UUID), `uuid_openai_audio_stream ${UUID} pause`],
    ['resume', () => client.resume(UUID), `uuid_openai_audio_stream ${UUID} resume`],
    ['mute (default user)', () => client.mute(UUID), `uuid_openai_audio_stream ${UUID} mute user`],
    ['mute openai', () => client.mute(UUID, 'openai'), `uuid_openai_audio_stream ${UUID} mute openai`],
    ['unmute all', () => client.unmute(UUID, 'all'), `uuid_openai_audio_stream ${UUID} unmute all`],
    [
      's2sCreate bearer + key',
      () => client.s2sCreate(UUID, { host: 'api.openai.com', path: 'v1/realtime?model=gpt-realtime', auth: 'bearer', apiKey: 'sk-test-123' }),
      `uuid_openai_s2s ${UUID} session.create api.openai.com v1/realtime?model=gpt-realtime bearer sk-test-123`,
    ],
    [
      's2sCreate query, no key',
      () => client.s2sCreate(UUID, { host: 'res.openai.azure.com', path: 'openai/realtime?api-version=2025-08-28&deployment=gpt-realtime', auth: 'query' }),
      `uuid_openai_s2s ${UUID} session.create res.openai.azure.com openai/realtime?api-version=2025-08-28&deployment=gpt-realtime query`,
    ],
    ['s2sCreate profile', () => client.s2sCreate(UUID, { profile: 'default' }), `uuid_openai_s2s ${UUID} session.create profile:default`],
    [
      's2sCreate ws://host:port (a local server such as the realtime simulator)',
      () => client.s2sCreate(UUID, { host: 'ws://127.0.0.1:8089', path: 'v1/realtime?model=gpt-realtime', auth: 'bearer' }),
      `uuid_openai_s2s ${UUID} session.create ws://127.0.0.1:8089 v1/realtime?model=gpt-realtime bearer`,
    ],
    [
      's2sCreate wss://host:port',
      () => client.s2sCreate(UUID, { host: 'wss://gateway.example.com:8443', path: 'v1/realtime', auth: 'bearer' }),
      `uuid_openai_s2s ${UUID} session.create wss://gateway.example.com:8443 v1/realtime bearer`,
    ],
    ['reload', () => client.reload(), 'openai_realtime reload'],
    ['start with a profile', () => client.start(UUID, { url: 'profile:openai-eu', mix: 'mono' }), `uuid_openai_audio_stream ${UUID} start profile:openai-eu mono`],
    ['s2sDelete', () => client.s2sDelete(UUID), `uuid_openai_s2s ${UUID} session.delete`],
  ];

  it.each(cases)('%s', async (_name, call, expected) => {
    await expect(call()).resolves.toBe('+OK Success');
    expect(server.apiCommands).toEqual([expected]);
  });

  it('status() types the module section and the sessions\' figures', async () => {
    const status = {
      totals: { sessions: 1, mediaHooks: 1, uncaughtErrors: 0, workers: 2 },
      module: {
        uptimeS: 61.5,
        sessions: { s2s: 1 },
        started: { s2s: 3 },
        ended: { s2s: 2 },
        memory: { rssMb: 512, heapUsedMb: 40, heapTotalMb: 64, externalMb: 4, arrayBuffersMb: 1 },
        toolHandlers: { module: '/etc/freeswitch/tools.mjs', handlers: ['get_weather'], error: null, restarts: 0, calls: 3, failures: 0, timeouts: 0 },
      },
      sessions: [{ uuid: UUID, family: 's2s', worker: 1, state: 'open', inputRate: 8000, latency: { responseMs: 700, playoutMs: 40, responses: 2 }, tokens: { input: 1, output: 2, total: 3, inputAudio: 1, inputText: 0, inputCached: 0, outputAudio: 2, outputText: 0 } }],
      workers: [{ index: 0, answered: true, sessions: 0, mediaHooks: 0, uncaughtErrors: 0, restarts: 0 }, { index: 1, answered: true, sessions: 1, mediaHooks: 1, uncaughtErrors: 0, restarts: 0 }],
    };
    server.onApi(() => `${JSON.stringify(status)}\n`);
    const got = await client.status();
    expect(got.module?.toolHandlers?.handlers).toEqual(['get_weather']);
    expect(got.module?.memory.rssMb).toBe(512);
    expect(got.sessions[0]!.latency?.responseMs).toBe(700);
    expect(got.sessions[0]!.tokens?.total).toBe(3);
    expect(got.workers?.[1]?.sessions).toBe(1);
  });

  it('status() sends `openai_realtime status json` and returns the parsed reply', async () => {
    const status = { totals: { sessions: 1, mediaHooks: 1, uncaughtErrors: 0, reconnects: 2 }, sessions: [{ uuid: UUID, family: 'audio_stream' }] };
    server.onApi(() => `${JSON.stringify(status)}\n`);
    await expect(client.status()).resolves.toEqual(status);
    expect(lastApi()).toBe('openai_realtime status json');
  });

  it('sendJson base64-encodes the compact JSON (spaces, newlines, quotes and non-ASCII survive)', async () => {
    const event = { type: 'session.update', session: { type: 'realtime', instructions: 'Say "hello" | then\nwait… ☃ café' } };
    await client.sendJson(UUID, event);
    const expectedB64 = Buffer.from(JSON.stringify(event), 'utf8').toString('base64');
    expect(lastApi()).toBe(`uuid_openai_audio_stream ${UUID} send_json ${expectedB64}`);
    expect(decodeB64(lastApi().split(' ')[3]!)).toEqual(event);
    expect(lastApi().split(' ')).toHaveLength(4);
  });

  it('stop with a final event sends it as base64 JSON', async () => {
    await client.stop(UUID, { type: 'response.cancel' });
    const [api, uuid, verb, payload] = lastApi().split(' ');
    expect([api, uuid, verb]).toEqual(['uuid_openai_audio_stream', UUID, 'stop']);
    expect(decodeB64(payload!)).toEqual({ type: 'response.cancel' });
  });

  it('s2sClientEvent uses `^^|`, with every `|` in the JSON written as \\u007c', async () => {
    const event = { type: 'response.create', response: { instructions: 'Pick a | b, say "yes"\nnow' } };
    await client.s2sClientEvent(UUID, event);
    expect(lastApi()).toBe(
      `uuid_openai_s2s ^^|${UUID}|client.event|{"type":"response.create","response":{"instructions":"Pick a \\u007c b, say \\"yes\\"\\nnow"}}`,
    );
    // What the module does with it: split on the delimiter after `^^|`.
    const parts = lastApi().slice('uuid_openai_s2s ^^|'.length).split('|');
    expect(parts).toHaveLength(3);
    expect(parts.slice(0, 2)).toEqual([UUID, 'client.event']);
    expect(JSON.parse(parts[2]!)).toEqual(event);
    expect(lastApi()).not.toContain('\n');
  });

  it('uuidFormat "token" accepts a custom origination_uuid', async () => {
    await client.close();
    client = await connectedClient({ uuidFormat: 'token' });
    await client.pause('my-call_42');
    expect(lastApi()).toBe('uuid_openai_audio_stream my-call_42 pause');
  });
});

describe('-ERR replies become EslCommandError', () => {
  it('carries the reason as code, the reply and the command', async () => {
    server.onApi(() => '-ERR no such channel\n');
    const err = await client.pause(UUID).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EslCommandError);
    expect(err).toMatchObject({ name: 'EslCommandError', code: 'no such channel', reply: '-ERR no such channel', command: `uuid_openai_audio_stream ${UUID} pause` });
  });

  it('takes the -ERR line after a usage block', async () => {
    server.onApi(() => 'USAGE:\n-----\nuuid_openai_audio_stream <uuid> start <ws-uri> <mono | mixed | stereo>\n-----\n-ERR start requires <ws-uri> and <mono | mixed | stereo>\n');
    await expect(client.start(UUID, { url: RT_URL, mix: 'mono' })).rejects.toMatchObject({ code: 'start requires <ws-uri> and <mono | mixed | stereo>' });
  });

  it('treats -USAGE and FreeSWITCH\'s own "Command not found" as failures', async () => {
    server.onApi(() => '-USAGE: <uuid> [session.create|session.delete|client.event] [api_key|json]\n');
    await expect(client.s2sDelete(UUID)).rejects.toMatchObject({ code: '<uuid> [session.create|session.delete|client.event] [api_key|json]' });
    server.onApi(() => '-ERR uuid_openai_s2s Command not found!\n');
    await expect(client.s2sDelete(UUID)).rejects.toMatchObject({ code: 'uuid_openai_s2s Command not found!' });
  });

  it('masks the API key in the error', async () => {
    server.onApi(() => '-ERR connection refused\n');
    const err = (await client
      .s2sCreate(UUID, { host: 'api.openai.com', path: 'v1/realtime', auth: 'bearer', apiKey: 'sk-secret-key-1' })
      .catch((e: unknown) => e)) as EslCommandError;
    expect(err.command).toBe(`uuid_openai_s2s ${UUID} session.create api.openai.com v1/realtime bearer [redacted]`);
    expect(`${err.message} ${err.command}`).not.toContain('sk-secret-key-1');
  });

  it('a refused reload rejects with the reason (the previous configuration stays in use)', async () => {
    server.onApi(() => '-ERR /etc/freeswitch/autoload_configs/openai_realtime.conf.xml:3: unknown setting; the previous configuration stays in use\n');
    await expect(client.reload()).rejects.toMatchObject({ name: 'EslCommandError', command: 'openai_realtime reload' });
  });

  it('a status reply that is not JSON is an EslProtocolError', async () => {
    server.onApi(() => 'sessions: 0\n');
    await expect(client.status()).rejects.toBeInstanceOf(EslProtocolError);
  });
});

describe('arguments are checked before anything is sent', () => {
  const bad: [string, () => Promise<unknown>, string][] = [
    ['uuid not a UUID', () => client.pause('not-a-uuid'), 'uuid'],
    ['unexpanded ${uuid}', () => client.pause('${uuid}'), 'uuid'],
    ['empty uuid', () => client.pause(''), 'uuid'],
    ['mix MONO', () => client.start(UUID, { url: RT_URL, mix: 'MONO' as 'mono' }), 'options.mix'],
    ['rate 12345', () => client.start(UUID, { url: RT_URL, mix: 'mono', sendRate: 12345 }), 'options.sendRate'],
    ['rate 0', () => client.start(UUID, { url: RT_URL, mix: 'mono', sendRate: 0 }), 'options.sendRate'],
    ['rate 8000.5', () => client.start(UUID, { url: RT_URL, mix: 'mono', playbackRate: 8000.5 }), 'options.playbackRate'],
    ['rate 200000', () => client.start(UUID, { url: RT_URL, mix: 'mono', sendRate: 200_000 }), 'options.sendRate'],
    ['rate "16k"', () => client.start(UUID, { url: RT_URL, mix: 'mono', sendRate: '16k' as unknown as number }), 'options.sendRate'],
    ['muteUser "yes"', () => client.start(UUID, { url: RT_URL, mix: 'mono', muteUser: 'yes' as unknown as boolean }), 'options.muteUser'],
    ['url http://', () => client.start(UUID, { url: 'http://api.openai.com/v1/realtime', mix: 'mono' }), 'options.url'],
    ['url WSS:// (the module is case-sensitive)', () => client.start(UUID, { url: 'WSS://api.openai.com/', mix: 'mono' }), 'options.url'],
    ['url with a space', () => client.start(UUID, { url: 'wss://api.openai.com/v1/realtime?x=a b', mix: 'mono' }), 'options.url'],
    ['url without host', () => client.start(UUID, { url: 'wss:///v1', mix: 'mono' }), 'options.url'],
    ['url IPv6 literal', () => client.start(UUID, { url: 'wss://[::1]:8080/', mix: 'mono' }), 'options.url'],
    ['url bad port', () => client.start(UUID, { url: 'wss://host:99999/', mix: 'mono' }), 'options.url'],
    ['sendJson array', () => client.sendJson(UUID, []), 'event'],
    ['sendJson without type', () => client.sendJson(UUID, { session: {} }), 'event'],
    ['sendJson numeric type', () => client.sendJson(UUID, { type: 1 }), 'event'],
    ['sendJson BigInt', () => client.sendJson(UUID, { type: 'x', n: 1n }), 'event'],
    ['stop final event without type', () => client.stop(UUID, {}), 'finalEvent'],
    ['mute target', () => client.mute(UUID, 'caller' as 'user'), 'target'],
    ['s2s host with scheme', () => client.s2sCreate(UUID, { host: 'https://api.openai.com', path: 'v1/realtime', auth: 'bearer' }), 'options.host'],
    ['s2s ws:// host without a port', () => client.s2sCreate(UUID, { host: 'ws://127.0.0.1', path: 'v1/realtime', auth: 'bearer' }), 'options.host'],
    ['s2s host with a path', () => client.s2sCreate(UUID, { host: 'wss://api.openai.com/v1', path: 'realtime', auth: 'bearer' }), 'options.host'],
    ['s2s host bad port', () => client.s2sCreate(UUID, { host: 'ws://127.0.0.1:70000', path: 'v1/realtime', auth: 'bearer' }), 'options.host'],
    ['s2s path with space', () => client.s2sCreate(UUID, { host: 'api.openai.com', path: 'v1/realtime model', auth: 'bearer' }), 'options.path'],
    ['s2s auth', () => client.s2sCreate(UUID, { host: 'api.openai.com', path: 'v1/realtime', auth: 'basic' as 'bearer' }), 'options.auth'],
    ['s2s profile', () => client.s2sCreate(UUID, { profile: 'a b' }), 'options.profile'],
    ['start profile name', () => client.start(UUID, { url: 'profile:-x', mix: 'mono' }), 'options.url'],
    ['s2s client event', () => client.s2sClientEvent(UUID, { type: '' }), 'event'],
    ['function result call id', () => client.sendFunctionResult(UUID, '', 'x'), 'callId'],
  ];

  it.each(bad)('%s', async (_name, call, argument) => {
    const err = await call().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EslArgumentError);
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ argument, code: 'ESL_ERR_INVALID_ARGUMENT' });
    expect(server.apiCommands).toEqual([]);
  });

  it('writes one message shape, and never echoes an API key', async () => {
    const rate = await client.start(UUID, { url: RT_URL, mix: 'mono', sendRate: 12345 }).catch((e: Error) => e.message);
    expect(rate).toBe('Expected an integer multiple of 8000 from 8000 to 192000 (e.g. 8000, 16000, 24000) for options.sendRate but received 12345 of type number');
    const key = await client
      .s2sCreate(UUID, { host: 'api.openai.com', path: 'v1/realtime', auth: 'bearer', apiKey: 'sk-has space' })
      .catch((e: Error) => e.message);
    expect(key).toContain('options.apiKey');
    expect(key).not.toContain('sk-has');
  });
});

describe('events', () => {
  const responseDone = {
    type: 'response.done',
    event_id: 'ev_9',
    response: {
      id: 'resp_1',
      object: 'realtime.response',
      status: 'completed',
      output: [weatherCall],
      usage: { total_tokens: 30, input_tokens: 20, output_tokens: 10, input_token_details: { audio_tokens: 15, text_tokens: 5 }, output_token_details: { audio_tokens: 8, text_tokens: 2 } },
    },
  };
  const pushes: [string, string | undefined][] = [
    ['mod_openai_audio_stream::json', JSON.stringify({ type: 'session.created', event_id: 'ev_0', session: { type: 'realtime', model: 'gpt-realtime' } })],
    ['mod_openai_audio_stream::connect', '{"status":"connected"}'],
    ['mod_openai_audio_stream::disconnect', '{"status":"disconnected","message":{"code":1000,"reason":"Normal closure"}}'],
    ['mod_openai_audio_stream::error', '{"status":"error","message":{"retries":1,"error":"HTTP/1.1 403 Forbidden","wait_time":100,"http_status":403}}'],
    ['mod_openai_audio_stream::play', '{"type":"response.output_audio.delta","delta":"AAAA","file":"/tmp/x_1.tmp.wav"}'],
    ['mod_openai_audio_stream::openai_speech_start', '{"status":"started"}'],
    ['mod_openai_audio_stream::openai_speech_stop', '{"status":"stopped"}'],
    ['openai_s2s::connect', undefined],
    ['openai_s2s::connect_failed', '{"reason":"tls handshake failed"}'],
    ['openai_s2s::server_event', JSON.stringify(responseDone)],
    ['openai_s2s::disconnect', '{"code":1006,"reason":"connection lost"}'],
    ['openai_realtime::dtmf', '{"digit":"5","duration_ms":120,"family":"s2s"}'],
    ['openai_realtime::call_control', '{"action":"transfer","args":{"destination":"1000"},"source":"tool:transfer_call","result":"ok","family":"audio_stream"}'],
    ['openai_realtime::stats', `{"uuid":"${UUID}","family":"audio_stream","state":"open","framesIn":500,"underruns":0,"latency":{"responseMs":640,"playoutMs":45,"responses":1},"tokens":{"input":20,"output":10,"total":30,"inputAudio":15,"inputText":5,"inputCached":0,"outputAudio":8,"outputText":2}}`],
  ];

  it('decodes every subscribed subclass into the union, with uuid and headers', async () => {
    const got = collect(client, pushes.length);
    for (const [subclass, body] of pushes) await server.pushCustom(subclass, { 'Unique-ID': UUID, 'Channel-Name': 'sofia/internal/1000' }, body);
    const events = await got;
    expect(events.map((e) => e.subclass)).toEqual(pushes.map(([s]) => s));
    for (const e of events) {
      expect(e.uuid).toBe(UUID);
      expect(e.headers['Channel-Name']).toBe('sofia/internal/1000');
    }
    const by = <S extends ModuleEvent['subclass']>(s: S): Extract<ModuleEvent, { subclass: S }> =>
      events.find((e) => e.subclass === s) as Extract<ModuleEvent, { subclass: S }>;

    const json = by('mod_openai_audio_stream::json').body;
    expect(json.type === 'session.created' && json.session.model).toBe('gpt-realtime');
    expect(by('mod_openai_audio_stream::connect').body).toEqual({ status: 'connected' });
    expect(by('mod_openai_audio_stream::disconnect').body?.message).toEqual({ code: 1000, reason: 'Normal closure' });
    expect(by('mod_openai_audio_stream::error').body?.message.http_status).toBe(403);
    expect(by('mod_openai_audio_stream::play').body?.file).toBe('/tmp/x_1.tmp.wav');
    expect(by('mod_openai_audio_stream::openai_speech_start').body?.status).toBe('started');
    expect(by('mod_openai_audio_stream::openai_speech_stop').body?.status).toBe('stopped');
    expect(by('openai_s2s::connect')).toMatchObject({ body: null, rawBody: null });
    expect(by('openai_s2s::connect_failed').body).toEqual({ reason: 'tls handshake failed' });
    const done = by('openai_s2s::server_event').body;
    if (done.type !== 'response.done') throw new Error(`expected response.done, got ${done.type}`);
    expect(done.response.usage?.total_tokens).toBe(30);
    expect(done.response.usage?.input_token_details?.audio_tokens).toBe(15);
    const first = done.response.output[0]!;
    expect(first.type === 'function_call' && first.name).toBe('get_weather');
    expect(by('openai_s2s::disconnect').body).toEqual({ code: 1006, reason: 'connection lost' });
    expect(by('openai_realtime::dtmf').body).toEqual({ digit: '5', duration_ms: 120, family: 's2s' });
    const control = by('openai_realtime::call_control').body;
    expect(control?.action).toBe('transfer');
    expect(control?.args.destination).toBe('1000');
    expect(control?.source).toBe('tool:transfer_call');
    const stats = by('openai_realtime::stats').body;
    expect(stats?.uuid).toBe(UUID);
    expect(stats?.framesIn).toBe(500);
    expect(stats?.latency?.responseMs).toBe(640);
    expect(stats?.tokens?.outputAudio).toBe(8);
  });

  it('also delivers each event under its own subclass name, and server events from both families', async () => {
    const s2s = next(client, 'openai_s2s::server_event');
    const notices: string[] = [];
    client.on('serverEvent', (n) => notices.push(`${n.family}:${n.event.type}`));
    await server.pushCustom('mod_openai_audio_stream::json', { 'Unique-ID': UUID }, '{"type":"input_audio_buffer.speech_started","audio_start_ms":1200,"item_id":"item_2"}');
    await server.pushCustom('openai_s2s::server_event', { 'Unique-ID': UUID }, '{"type":"input_audio_buffer.speech_stopped","audio_end_ms":2400,"item_id":"item_2"}');
    const [event] = await s2s;
    expect(event.body.type === 'input_audio_buffer.speech_stopped' && event.body.audio_end_ms).toBe(2400);
    expect(notices).toEqual(['audio_stream:input_audio_buffer.speech_started', 's2s:input_audio_buffer.speech_stopped']);
  });

  it('types the server events an application acts on, and keeps everything else as "other"', () => {
    const typed: [string, Record<string, unknown>][] = [
      ['session.updated', { session: { type: 'realtime' } }],
      ['error', { error: { type: 'invalid_request_error', code: 'response_cancel_not_active', message: 'no active response', param: null, event_id: null } }],
      ['input_audio_buffer.committed', { item_id: 'i', previous_item_id: null }],
      ['conversation.item.added', { item: { id: 'i', type: 'message', role: 'user', content: [{ type: 'input_audio' }] }, previous_item_id: null }],
      ['conversation.item.done', { item: weatherCall }],
      ['conversation.item.input_audio_transcription.completed', { item_id: 'i', content_index: 0, transcript: 'weather in Paris?' }],
      ['response.created', { response: { id: 'r', status: 'in_progress', output: [], usage: null } }],
      ['response.output_item.added', { response_id: 'r', output_index: 0, item: { ...weatherCall, status: 'in_progress', arguments: '' } }],
      ['response.output_audio_transcript.delta', { response_id: 'r', item_id: 'i', output_index: 0, content_index: 0, delta: 'It is' }],
      ['response.output_audio_transcript.done', { response_id: 'r', item_id: 'i', output_index: 0, content_index: 0, transcript: 'It is sunny.' }],
      ['response.function_call_arguments.done', { response_id: 'r', item_id: 'i', output_index: 0, call_id: 'c', name: 'get_weather', arguments: '{}' }],
    ];
    for (const [type, fields] of typed) expect(parseServerEvent(JSON.stringify({ type, ...fields })).type).toBe(type);

    expect(parseServerEvent('{"type":"rate_limits.updated","rate_limits":[]}')).toMatchObject({ type: 'other', eventType: 'rate_limits.updated' });
    // A known type with a wrongly typed field is not trusted as that type.
    expect(parseServerEvent('{"type":"input_audio_buffer.speech_started","audio_start_ms":"soon","item_id":"i"}')).toMatchObject({
      type: 'other',
      eventType: 'input_audio_buffer.speech_started',
    });
    // An unknown item type demotes the item, not the event.
    const added = parseServerEvent('{"type":"conversation.item.added","item":{"type":"mcp_call","id":"x"}}');
    expect(added.type === 'conversation.item.added' && added.item).toEqual({ type: 'other', itemType: 'mcp_call', item: { type: 'mcp_call', id: 'x' } });
  });

  it('decodeModuleEvent ignores other events and subclasses', () => {
    expect(decodeModuleEvent({ headers: { 'Event-Name': 'CUSTOM', 'Event-Subclass': 'sofia::register' }, body: null })).toBeNull();
    expect(decodeModuleEvent({ headers: { 'Event-Name': 'CHANNEL_ANSWER' }, body: null })).toBeNull();
    expect(decodeModuleEvent({ headers: { 'Event-Name': 'CUSTOM' }, body: null })).toBeNull();
  });
});

describe('function calls', () => {
  it('a ::json response.output_item.done with a function_call item fires functionCall', async () => {
    const call = next(client, 'functionCall');
    await server.pushCustom('mod_openai_audio_stream::json', { 'Unique-ID': UUID }, outputItemDone(weatherCall));
    const [notice] = await call;
    expect(notice).toEqual<FunctionCallNotice>({
      uuid: UUID,
      family: 'audio_stream',
      name: 'get_weather',
      callId: 'call_abc',
      arguments: '{"location":"Paris","scale":"celsius"}',
      itemId: 'item_1',
      responseId: 'resp_1',
    });
  });

  it('does not fire for incomplete calls, other items, or argument events alone', async () => {
    const calls: FunctionCallNotice[] = [];
    client.on('functionCall', (c) => calls.push(c));
    const bodies = [
      outputItemDone({ ...weatherCall, status: 'incomplete', arguments: '{"loc' }),
      outputItemDone({ id: 'item_2', type: 'message', role: 'assistant', content: [] }),
      JSON.stringify({ type: 'response.function_call_arguments.done', response_id: 'r', item_id: 'i', output_index: 0, call_id: 'c', arguments: '{}' }),
    ];
    const got = collect(client, bodies.length);
    for (const body of bodies) await server.pushCustom('mod_openai_audio_stream::json', { 'Unique-ID': UUID }, body);
    await got;
    expect(calls).toEqual([]);
  });

  it('sendFunctionResult sends conversation.item.create then response.create, the second only after the first is answered', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server.onApi(async () => {
      if (server.apiCommands.length === 1) await gate;
      return '+OK Success\n';
    });
    const sent = client.sendFunctionResult(UUID, 'call_abc', { temperature: 21, conditions: 'sunny' });
    await server.waitFor(() => server.apiCommands.length === 1);
    await sleep(50);
    expect(server.apiCommands).toHaveLength(1);
    release();
    await sent;
    expect(server.apiCommands).toHaveLength(2);
    const [first, second] = server.apiCommands.map((c) => c.split(' '));
    expect(first!.slice(0, 3)).toEqual(['uuid_openai_audio_stream', UUID, 'send_json']);
    expect(decodeB64(first![3]!)).toEqual({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'call_abc', output: '{"temperature":21,"conditions":"sunny"}' },
    });
    expect(second!.slice(0, 3)).toEqual(['uuid_openai_audio_stream', UUID, 'send_json']);
    expect(decodeB64(second![3]!)).toEqual({ type: 'response.create' });
  });

  it('does not send response.create when the output was refused', async () => {
    server.onApi(() => '-ERR not connected\n');
    await expect(client.sendFunctionResult(UUID, 'call_abc', 'sunny')).rejects.toMatchObject({ code: 'not connected' });
    expect(server.apiCommands).toHaveLength(1);
  });

  it('answers an s2s call through uuid_openai_s2s client.event', async () => {
    const call = next(client, 'functionCall');
    await server.pushCustom('openai_s2s::server_event', { 'Unique-ID': UUID }, outputItemDone({ ...weatherCall, call_id: 'call_s2s' }));
    const [notice] = await call;
    expect(notice.family).toBe('s2s');
    await client.sendFunctionResult(UUID, notice.callId, 'sunny, 21 C', { response: { instructions: 'Answer briefly.' } });
    expect(server.apiCommands).toEqual([
      `uuid_openai_s2s ^^|${UUID}|client.event|{"type":"conversation.item.create","item":{"type":"function_call_output","call_id":"call_s2s","output":"sunny, 21 C"}}`,
      `uuid_openai_s2s ^^|${UUID}|client.event|{"type":"response.create","response":{"instructions":"Answer briefly."}}`,
    ]);
  });
});

describe('unknown and garbage input never throws', () => {
  it('garbage ::json bodies become "other" server events', async () => {
    const bodies = ['not json', '[1,2]', '{"type":5}', '', '{"type":"response.done"}', '{"type":"response.output_item.done","item":"x"}', 'null', '{"type":"__proto__"}'];
    const calls: FunctionCallNotice[] = [];
    client.on('functionCall', (c) => calls.push(c));
    const got = collect(client, bodies.length);
    for (const body of bodies) await server.pushCustom('mod_openai_audio_stream::json', { 'Unique-ID': UUID }, body);
    const events = await got;
    for (const e of events) expect(e.subclass === 'mod_openai_audio_stream::json' && e.body.type).toBe('other');
    expect(events[0]).toMatchObject({ body: { type: 'other', eventType: null, event: null, text: 'not json' } });
    expect(calls).toEqual([]);
    await expect(client.pause(UUID)).resolves.toBe('+OK Success');
  });

  it('module event bodies without their documented shape give body null, with the raw text kept', async () => {
    const pushes: [string, string][] = [
      ['openai_realtime::dtmf', '{"digit":"5","duration_ms":100}'],
      ['openai_realtime::call_control', '{"action":"hangup","source":"tool:end_call","result":"ok","family":"s2s"}'],
      ['openai_realtime::stats', '{"framesIn":1}'],
      ['openai_s2s::disconnect', 'closed'],
    ];
    const got = collect(client, pushes.length);
    for (const [subclass, body] of pushes) await server.pushCustom(subclass, { 'Unique-ID': UUID }, body);
    const events = await got;
    for (let i = 0; i < pushes.length; i++) expect(events[i]).toMatchObject({ subclass: pushes[i]![0], body: null, rawBody: pushes[i]![1] });
  });

  it('malformed lifecycle bodies give body null (and connect_failed keeps the raw reason)', async () => {
    const got = collect(client, 3);
    await server.pushCustom('mod_openai_audio_stream::disconnect', { 'Unique-ID': UUID }, '{"status":"disconnected","message":"gone"}');
    await server.pushCustom('mod_openai_audio_stream::error', { 'Unique-ID': UUID }, 'oops');
    await server.pushCustom('openai_s2s::connect_failed', { 'Unique-ID': UUID }, '{"reason":"bad "quote" here"}');
    const [disconnect, error, failed] = await got;
    expect(disconnect).toMatchObject({ body: null, rawBody: '{"status":"disconnected","message":"gone"}' });
    expect(error).toMatchObject({ body: null, rawBody: 'oops' });
    expect(failed!.body).toEqual({ reason: '{"reason":"bad "quote" here"}' });
  });

  it('protocol-level oddities are reported as ignored and the connection carries on', async () => {
    const ignored: string[] = [];
    // Replies pair with commands by order alone, so the stray reply must be read before we send.
    const allIgnored = new Promise<void>((resolve) =>
      client.on('ignored', (reason) => {
        ignored.push(reason);
        if (ignored.length === 3) resolve();
      }),
    );
    const body = Buffer.from('{"Event-Name": "CUSTOM", broken');
    await server.pushRaw(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\nContent-Type: text/event-json\n\n`), body]));
    await server.pushRaw('Content-Type: text/event-plain\nContent-Length: 5\n\nhello');
    await server.pushRaw('Content-Type: command/reply\nReply-Text: +OK nobody asked\n\n');
    await allIgnored;
    await expect(client.resume(UUID)).resolves.toBe('+OK Success');
    expect(ignored).toEqual(['event body is not JSON', "unhandled Content-Type 'text/event-plain'", 'command/reply with no command waiting']);
    expect(client.connection?.stats.framesIgnored).toBe(3);
  });

  it('a broken frame resets the connection instead of mis-pairing replies', async () => {
    const reconnected = new Promise<void>((resolve) => client.once('connected', resolve));
    const disconnected = next(client, 'disconnected');
    await server.pushRaw('Content-Type: api/response\nContent-Length: lots\n\n');
    const [info] = await disconnected;
    expect(info.error).toBeInstanceOf(EslProtocolError);
    await reconnected;
    await expect(client.pause(UUID)).resolves.toBe('+OK Success');
  });

  it('a throwing listener does not stop the others and is reported as listenerError', async () => {
    const seen: string[] = [];
    client.on('mod_openai_audio_stream::connect', () => {
      throw new Error('app bug');
    });
    client.on('mod_openai_audio_stream::connect', (e) => seen.push(e.uuid));
    const reported = next(client, 'listenerError');
    await server.pushCustom('mod_openai_audio_stream::connect', { 'Unique-ID': UUID }, '{"status":"connected"}');
    const [info] = await reported;
    expect(info).toMatchObject({ event: 'mod_openai_audio_stream::connect', error: { message: 'app bug' } });
    expect(seen).toEqual([UUID]);
  });

  it('frames split into 7-byte pieces (multi-byte UTF-8 cut in half) decode the same', async () => {
    await client.close();
    await server.close();
    server = await FakeEslServer.start({ chunkBytes: 7 });
    client = await connectedClient();
    const transcript = 'Il fait beau à Paris ☀️, 21 °C';
    const event = next(client, 'serverEvent');
    await server.pushCustom(
      'mod_openai_audio_stream::json',
      { 'Unique-ID': UUID },
      JSON.stringify({ type: 'response.output_audio_transcript.done', response_id: 'r', item_id: 'i', output_index: 0, content_index: 0, transcript }),
    );
    const [notice] = await event;
    expect(notice.event.type === 'response.output_audio_transcript.done' && notice.event.transcript).toBe(transcript);
    server.onApi(() => '-ERR délai dépassé\n');
    await expect(client.pause(UUID)).rejects.toMatchObject({ code: 'délai dépassé' });
  });

  it('EslFrameParser gives the same frames fed one byte at a time', () => {
    const body = Buffer.from('{"Event-Name":"CUSTOM","_body":"é☃"}');
    const stream = Buffer.concat([
      Buffer.from('Content-Type: auth/request\n\n\nContent-Type: api/response\nContent-Length: 12\n\n+OK Success\n'),
      Buffer.from(`Content-Length: ${body.length}\nContent-Type: text/event-json\n\n`),
      body,
    ]);
    const whole = new EslFrameParser().push(stream);
    const parser = new EslFrameParser();
    const bytewise = [...stream].flatMap((b) => parser.push(Buffer.from([b])));
    expect(bytewise).toEqual(whole);
    expect(whole.map((f) => f.headers['Content-Type'])).toEqual(['auth/request', 'api/response', 'text/event-json']);
    expect(whole[2]!.body!.equals(body)).toBe(true);
    expect(parser.buffered).toBe(0);
  });
});

describe('errors', () => {
  it('connection errors are EslConnectionError with stable codes', async () => {
    const c = new OpenAIRealtimeClient();
    await expect(c.pause(UUID)).rejects.toMatchObject({ name: 'EslConnectionError', code: 'ESL_ERR_NOT_CONNECTED' });
    await expect(c.pause(UUID)).rejects.toBeInstanceOf(EslConnectionError);
  });
});
