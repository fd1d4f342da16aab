// What this proves, for every STREAM_* channel variable, on real sockets: permessage-deflate is
// off unless STREAM_MESSAGE_DEFLATE=false asks for it (the simulator's recorded handshake); extra
// headers are merged with the key's Authorization, and an Azure api-key header authenticates;
// STREAM_HEART_BEAT pings on time and a missing pong closes with 1011 "Ping timeout" and
// reconnects; STREAM_BUFFER_SIZE sets the append size (ptime multiples too, a warning otherwise);
// STREAM_SUPPRESS_LOG hides the per-message logs; the STREAM_TLS_* variables select the CA, the
// client certificate and hostname checking against a real TLS server.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, newUuid, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const API = 'uuid_openai_audio_stream';
const EV = 'mod_openai_audio_stream::';
const KEY = 'sk-variables-test-key-987654';
let h: InProcessHost;
let sim: RealtimeSimulator;

beforeAll(async () => {
  h = inProcessHost();
  sim = await RealtimeSimulator.start({ voice: 'tone', apiKey: KEY });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
});

const channel = (prefix: string, vars: Record<string, string>, options: { ptimeMs?: number } = {}): string =>
  createTaggedChannel(h, prefix, { ptimeMs: options.ptimeMs ?? 20, vars: { STREAM_OPENAI_API_KEY: KEY, STREAM_DISABLE_AUDIOFILES: 'true', ...vars } });

const connectionsOf = (uuid: string): SimulatedConnection[] => connectionsOfChannel(sim, uuid);

async function start(uuid: string, url = sim.url): Promise<SimulatedConnection> {
  expect(await h.command(API, `${uuid} start ${url} mono`)).toBe('+OK Success');
  await waitFor(() => h.events(uuid, `${EV}connect`).length > 0, 'connect');
  return waitFor(() => connectionsOf(uuid)[0], 'simulator connection');
}

const stop = async (uuid: string) => expect(await h.command(API, `${uuid} stop`)).toBe('+OK Success');

describe('handshake variables', () => {
  it('permessage-deflate is off by default (as the seed really was), STREAM_MESSAGE_DEFLATE=false asks for it, =true keeps it off', async () => {
    const plain = channel('deflate-default', {});
    const on = channel('deflate-on', { STREAM_MESSAGE_DEFLATE: 'false' });
    const off = channel('deflate-off', { STREAM_MESSAGE_DEFLATE: 'true' });
    const [d, a, b] = await Promise.all([start(plain), start(on), start(off)]);
    expect(d.handshake.requestedExtensions).toBeNull();
    expect(d.handshake.deflate).toBe(false);
    expect(a.handshake.requestedExtensions).toContain('permessage-deflate');
    expect(a.handshake.deflate).toBe(true);
    expect(b.handshake.requestedExtensions).toBeNull();
    expect(b.handshake.deflate).toBe(false);
    await Promise.all([stop(plain), stop(on), stop(off)]);
  });

  it('STREAM_EXTRA_HEADERS is merged with the key; an Azure api-key header authenticates by itself', async () => {
    const merged = channel('headers', { STREAM_EXTRA_HEADERS: JSON.stringify({ 'OpenAI-Safety-Identifier': 'caller-42', 'X-Trace': 'abc' }) });
    const c = await start(merged);
    expect(c.handshake.auth).toBe('bearer');
    expect(c.handshake.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(c.handshake.headers['openai-safety-identifier']).toBe('caller-42');
    expect(c.handshake.headers['x-trace']).toBe('abc');
    await stop(merged);

    const azure = newUuid('azure');
    h.host.createChannel(azure, {
      rate: 8000,
      source: new Int16Array(8000),
      vars: { STREAM_EXTRA_HEADERS: JSON.stringify({ 'api-key': KEY, 'X-Test-Channel': azure }), STREAM_DISABLE_AUDIOFILES: '1' },
    });
    const az = await start(azure);
    expect(az.handshake.auth).toBe('api-key-header');
    await stop(azure);
    expect(h.logs().join('\n')).not.toContain(KEY);
  });

  it('STREAM_SUPPRESS_LOG hides the per-message logs only', async () => {
    const loud = channel('loud', {});
    const quiet = channel('quiet', { STREAM_SUPPRESS_LOG: 'yes' });
    await Promise.all([start(loud), start(quiet)]);
    await waitFor(() => h.events(quiet, `${EV}json`).length > 0 && h.events(loud, `${EV}json`).length > 0, '::json on both');
    expect(h.logs(loud).some((l) => l.includes('processMessage type: session.created'))).toBe(true);
    expect(h.logs(quiet).some((l) => l.includes('processMessage'))).toBe(false);
    await Promise.all([stop(loud), stop(quiet)]);
  });
});

describe('STREAM_BUFFER_SIZE', () => {
  const appendBytes = (c: SimulatedConnection): number[] =>
    c.clientEvents.filter((r) => r.event.type === 'input_audio_buffer.append').map((r) => Buffer.from(String((r.event as { audio?: unknown }).audio), 'base64').length);

  it('sets the duration of each append; ptime multiples are accepted; others warn and use 20 ms', async () => {
    const b100 = channel('buf100', { STREAM_BUFFER_SIZE: '100' });
    const b90 = channel('buf90', { STREAM_BUFFER_SIZE: '90' }, { ptimeMs: 30 });
    const b30 = channel('buf30', { STREAM_BUFFER_SIZE: '30' });
    const conns = await Promise.all([start(b100), start(b90), start(b30)]);
    for (const uuid of [b100, b90, b30]) h.host.startMedia(uuid);
    await waitFor(() => conns.every((c) => appendBytes(c).length >= 5), 'appends');
    // PCM16 at 24 kHz: 48 bytes per ms.
    expect(new Set(appendBytes(conns[0]!))).toEqual(new Set([100 * 48]));
    expect(new Set(appendBytes(conns[1]!))).toEqual(new Set([90 * 48]));
    expect(new Set(appendBytes(conns[2]!))).toEqual(new Set([20 * 48]));
    expect(h.logs(b30).some((l) => l.includes('STREAM_BUFFER_SIZE: Buffer size of 30 is not a multiple of 20ms. Using default 20ms.'))).toBe(true);
    expect(h.logs(b90).some((l) => l.includes('Buffer size'))).toBe(false);
    await Promise.all([stop(b100), stop(b90), stop(b30)]);
  });
});

describe('STREAM_HEART_BEAT', () => {
  it('pings at once and every N seconds', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    const pings: number[] = [];
    server.on('connection', (ws) => ws.on('ping', () => pings.push(Date.now())));
    try {
      const uuid = channel('heartbeat', { STREAM_HEART_BEAT: '1' });
      expect(await h.command(API, `${uuid} start ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/realtime mono`)).toBe('+OK Success');
      await waitFor(() => pings.length >= 3, 'three pings', 5000);
      const gaps = pings.slice(1).map((t, i) => t - pings[i]!);
      for (const gap of gaps) {
        expect(gap).toBeGreaterThan(800);
        expect(gap).toBeLessThan(1300);
      }
      expect(h.app.registry.get(uuid, 'audio_stream')!.status()).toMatchObject({ state: 'open' });
      await stop(uuid);
    } finally {
      for (const ws of server.clients) ws.terminate();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('no pong within the interval: ::disconnect 1011 "Ping timeout", then a reconnect', async () => {
    const uuid = channel('pingtimeout', { STREAM_HEART_BEAT: '1' });
    const first = await start(uuid);
    first.applyFaults({ stall: {} }); // the server stops reading: our pings go unanswered
    await waitFor(() => connectionsOf(uuid)[1], 'reconnected', 5000);
    await waitFor(() => h.events(uuid, `${EV}connect`).length === 2, 'second ::connect');
    expect(h.events(uuid, `${EV}disconnect`).map((e) => e.body)).toEqual(['{"status":"disconnected","message":{"code":1011,"reason":"Ping timeout"}}']);
    await sleep(1200);
    expect(connectionsOf(uuid)).toHaveLength(2); // the healthy connection answers its pings
    await stop(uuid);
  });
});

describe('STREAM_TLS_*', () => {
  let dir: string;
  let server: HttpsServer;
  let port: number;
  const clientNames: Array<string | null> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oair-tls-'));
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=oair test CA');
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\n');
    ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
    ssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=oair-client');
    ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2');
    server = createHttpsServer({
      key: readFileSync(join(dir, 'server.key')),
      cert: readFileSync(join(dir, 'server.pem')),
      ca: readFileSync(join(dir, 'ca.pem')),
      requestCert: true,
      rejectUnauthorized: false,
    });
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws, req) => {
      const socket = req.socket as TLSSocket;
      const cert = socket.getPeerCertificate();
      clientNames.push(socket.authorized && cert?.subject ? String(cert.subject.CN) : null);
      ws.send(JSON.stringify({ type: 'session.created', session: {} }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function outcome(vars: Record<string, string>, host: string): Promise<'connected' | string> {
    const uuid = channel('tls', { STREAM_NO_RECONNECT: 'true', ...vars });
    expect(await h.command(API, `${uuid} start wss://${host}:${port}/v1/realtime mono`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${EV}connect`).length > 0 || h.events(uuid, `${EV}error`).length > 0, 'TLS outcome');
    if (h.events(uuid, `${EV}connect`).length > 0) {
      await stop(uuid);
      return 'connected';
    }
    return (JSON.parse(h.events(uuid, `${EV}error`)[0]!.body) as { message: { error: string } }).message.error;
  }

  it('SYSTEM (default) refuses a private CA; a CA file accepts it; NONE skips verification', async () => {
    expect(await outcome({}, 'localhost')).toMatch(/certificate/i);
    expect(await outcome({ STREAM_TLS_CA_FILE: join(dir, 'ca.pem') }, 'localhost')).toBe('connected');
    expect(await outcome({ STREAM_TLS_CA_FILE: 'NONE' }, '127.0.0.1')).toBe('connected');
  });

  it('hostname validation is on unless STREAM_TLS_DISABLE_HOSTNAME_VALIDATION is true', async () => {
    const ca = join(dir, 'ca.pem');
    expect(await outcome({ STREAM_TLS_CA_FILE: ca }, '127.0.0.1')).toMatch(/altnames|Hostname|IP/i);
    expect(await outcome({ STREAM_TLS_CA_FILE: ca, STREAM_TLS_DISABLE_HOSTNAME_VALIDATION: 'true' }, '127.0.0.1')).toBe('connected');
  });

  it('STREAM_TLS_CERT_FILE / STREAM_TLS_KEY_FILE present a client certificate', async () => {
    clientNames.length = 0;
    expect(await outcome({ STREAM_TLS_CA_FILE: join(dir, 'ca.pem') }, 'localhost')).toBe('connected');
    expect(await outcome({ STREAM_TLS_CA_FILE: join(dir, 'ca.pem'), STREAM_TLS_CERT_FILE: join(dir, 'client.pem'), STREAM_TLS_KEY_FILE: join(dir, 'client.key') }, 'localhost')).toBe('connected');
    expect(clientNames).toEqual([null, 'oair-client']);
  });
});
