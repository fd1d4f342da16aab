// What this proves, on real sockets: over wss:// our client frames carry a zero masking key (ws then
// skips copying and XOR-ing every byte; TLS already hides the frames from the path), and the server
// still reads every message intact; over plain ws:// every frame keeps a fresh random key, as
// RFC 6455 asks where a proxy on the path could read the bytes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { RealtimeConnection, type ConnectionListener } from '../../src/session/realtimeConnection.js';
import { waitFor } from '../helpers/inProcessHost.js';

interface Capture {
  /** The raw (decrypted) bytes the client sent after the upgrade. */
  bytes: Buffer[];
  messages: string[];
}

let dir: string;
const servers: Server[] = [];

/** A WebSocket server that also keeps the raw frames the client sent, for reading their masks. */
async function serve(tls: boolean): Promise<{ url: string; capture: Capture }> {
  const server = tls
    ? createHttpsServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) })
    : createHttpServer();
  servers.push(server);
  const capture: Capture = { bytes: [], messages: [] };
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    (req.socket as Socket).on('data', (chunk: Buffer) => capture.bytes.push(chunk));
    ws.on('message', (data) => capture.messages.push(String(data)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/v1/realtime`, capture };
}

/** The masking keys of the client frames in `bytes` (text frames under 64 KiB, as sent here). */
function maskKeys(bytes: Buffer): string[] {
  const keys: string[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    expect(bytes[at + 1]! & 0x80).toBe(0x80); // every client frame is masked (the RFC's MUST)
    const short = bytes[at + 1]! & 0x7f;
    const headerLength = short === 126 ? 4 : 2;
    const length = short === 126 ? bytes.readUInt16BE(at + 2) : short;
    keys.push(bytes.subarray(at + headerLength, at + headerLength + 4).toString('hex'));
    at += headerLength + 4 + length;
  }
  return keys;
}

const quiet: ConnectionListener = {
  onOpen: () => undefined,
  onText: () => undefined,
  onBinary: () => undefined,
  onDisconnect: () => undefined,
  onConnectError: () => undefined,
  onEnded: () => undefined,
};

async function sendAppends(url: string, capture: Capture): Promise<string[]> {
  const c = new RealtimeConnection(
    { url, headers: {}, perMessageDeflate: false, tls: { rejectUnauthorized: false }, heartbeatSeconds: 0, reconnect: false, maxAttempts: 1, handshakeTimeoutMs: 5000, closeTimeoutMs: 1000 },
    quiet,
  );
  c.start();
  await waitFor(() => c.state === 'open', 'open');
  const sent = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.alloc(300 * i, i).toString('base64') }));
  for (const text of sent) expect(c.sendText(text)).toBe(true);
  await waitFor(() => capture.messages.length === sent.length, 'messages');
  c.close();
  await waitFor(() => c.state === 'closed', 'closed');
  expect(capture.messages).toEqual(sent);
  return maskKeys(Buffer.concat(capture.bytes)).slice(0, sent.length);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oair-mask-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.pem', '-days', '2', '-subj', '/CN=localhost'], { cwd: dir, stdio: 'pipe' });
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('client frame masking', () => {
  it('over wss:// the key is zero and every message arrives intact', async () => {
    const { url, capture } = await serve(true);
    const keys = await sendAppends(url, capture);
    expect(keys).toEqual(Array(8).fill('00000000'));
  });

  it('over ws:// every frame has its own random key', async () => {
    const { url, capture } = await serve(false);
    const keys = await sendAppends(url, capture);
    expect(keys).toHaveLength(8);
    expect(keys.filter((k) => k === '00000000')).toHaveLength(0);
    expect(new Set(keys).size).toBe(8);
  });
});
