/**
 * The module's whole JS application running in the test process on the addon build of the bridge,
 * with the native test host standing in for FreeSWITCH: real media threads on a real ptime clock,
 * the real command queue (commands go through an API thread exactly as from fs_cli), real events.
 * Each vitest file runs in its own process, so each file calls `inProcessHost()` once (beforeAll).
 */
import { loadBridge, loadTestHost, type NativeBridge, type TestHost } from '../../src/bridge.js';
import { startApp, type App } from '../../src/app.js';

export interface FiredEvent {
  uuid: string;
  subclass: string;
  body: string;
}

export interface InProcessHost {
  bridge: NativeBridge;
  host: TestHost;
  app: App;
  /** Runs an API command through the native command queue; the reply without its trailing newline. */
  command(api: string, args: string, timeoutMs?: number): Promise<string>;
  /** Every event fired so far (optionally for one channel and/or one subclass). */
  events(uuid?: string, subclass?: string): FiredEvent[];
  /** Every log line so far ("<level> <uuid> <message>"). */
  logs(uuid?: string): string[];
}

let instance: InProcessHost | undefined;

/**
 * The process's one app. `configFile`: the module configuration it loads (the test host gives
 * none); only the first call of a process decides it.
 */
export function inProcessHost(options: { configFile?: string } = {}): InProcessHost {
  if (instance) return instance;
  const bridge = loadBridge();
  const host = loadTestHost();
  host.install();
  const app = startApp(bridge, options.configFile !== undefined ? { configFile: options.configFile } : {});
  instance = {
    bridge,
    host,
    app,
    command: async (api, args, timeoutMs = 8000) => (await host.command(api, args, timeoutMs)).replace(/\n$/, ''),
    events: (uuid, subclass) =>
      host
        .records()
        .events.map(parseEvent)
        .filter((e) => (uuid === undefined || e.uuid === uuid) && (subclass === undefined || e.subclass === subclass)),
    logs: (uuid) => host.records().logs.filter((line) => uuid === undefined || line.split(' ')[1] === uuid),
  };
  return instance;
}

function parseEvent(line: string): FiredEvent {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  return { uuid: line.slice(0, a), subclass: line.slice(a + 1, b), body: line.slice(b + 1) };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` every 10 ms until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(predicate: () => T | undefined | null | false, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

let uuidCounter = 0;
/** A channel uuid unique within the test process. */
export function newUuid(prefix: string): string {
  return `${prefix}-${process.pid}-${++uuidCounter}`;
}

export interface TaggedChannelOptions {
  rate?: number;
  ptimeMs?: number;
  /** How much of what the channel plays the test host keeps. */
  recordMs?: number;
  /** What the caller says; by default this many seconds of silence (`seconds`, default 1). */
  source?: Int16Array;
  seconds?: number;
  vars?: Record<string, string>;
  /** More headers for the connection, next to the tag. */
  headers?: Record<string, string>;
}

/**
 * A test channel whose connections carry `X-Test-Channel: <uuid>`: STREAM_EXTRA_HEADERS is a
 * channel-variable layer of both APIs' connections, so the tag (merged with any headers the test
 * gives, in `headers` or in its own STREAM_EXTRA_HEADERS) finds them in the simulator.
 */
export function createTaggedChannel(h: InProcessHost, prefix: string, o: TaggedChannelOptions = {}): string {
  const uuid = newUuid(prefix);
  const rate = o.rate ?? 8000;
  const vars = o.vars ?? {};
  const own = vars.STREAM_EXTRA_HEADERS ? (JSON.parse(vars.STREAM_EXTRA_HEADERS) as Record<string, string>) : {};
  h.host.createChannel(uuid, {
    rate,
    ptimeMs: o.ptimeMs ?? 20,
    ...(o.recordMs !== undefined ? { recordMs: o.recordMs } : {}),
    source: o.source ?? new Int16Array(Math.round(rate * (o.seconds ?? 1))),
    vars: { ...vars, STREAM_EXTRA_HEADERS: JSON.stringify({ 'X-Test-Channel': uuid, ...o.headers, ...own }) },
  });
  return uuid;
}

/** The simulator's connections of a channel made by {@link createTaggedChannel}. */
export function connectionsOfChannel<C extends { handshake: { headers: Record<string, string | string[] | undefined> } }>(
  sim: { connections: C[] },
  uuid: string,
): C[] {
  return sim.connections.filter((c) => c.handshake.headers['x-test-channel'] === uuid);
}

/**
 * `uuid_openai_audio_stream <uuid> start <the simulator's url> <args>` answered `+OK Success`,
 * then `::connect` fired: the simulator's connection of the channel.
 */
export async function startAudioStream<C extends { handshake: { headers: Record<string, string | string[] | undefined> } }>(
  h: InProcessHost,
  sim: { url: string; connections: C[] },
  uuid: string,
  args = 'mono',
): Promise<C> {
  const reply = await h.command('uuid_openai_audio_stream', `${uuid} start ${sim.url} ${args}`);
  if (reply !== '+OK Success') throw new Error(`start answered ${JSON.stringify(reply)}`);
  await waitFor(() => h.events(uuid, 'mod_openai_audio_stream::connect').length > 0, 'connect');
  return waitFor(() => connectionsOfChannel(sim, uuid)[0], 'simulator connection');
}
