// What this proves, on real sockets: the connection gives up after its attempts with one
// onConnectError per attempt (back-off waits, the last with 0) and then onEnded; our close sends
// 1000 "Normal closure" and, when the peer never answers, the close timer ends it on time; the
// state machine reports open → connecting → open across a drop; a server that accepts and drops
// at once cannot drive a tight reconnect loop.
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { RealtimeConnection, type ConnectErrorInfo, type ConnectionListener, type ConnectionOptions } from '../../src/session/realtimeConnection.js';
import { sleep, waitFor } from '../helpers/inProcessHost.js';

let sim: RealtimeSimulator;
let deadUrl: string;

beforeAll(async () => {
  sim = await RealtimeSimulator.start({ voice: 'tone' });
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  deadUrl = `ws://127.0.0.1:${(probe.address() as { port: number }).port}/v1/realtime?model=x`;
  await new Promise((resolve) => probe.close(resolve));
});

afterAll(async () => {
  await sim.close();
});

function options(url: string, more: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return { url, headers: {}, perMessageDeflate: true, tls: { rejectUnauthorized: true }, heartbeatSeconds: 0, reconnect: true, maxAttempts: 10, handshakeTimeoutMs: 5000, closeTimeoutMs: 2000, ...more };
}

function recorder() {
  const log: string[] = [];
  const errors: ConnectErrorInfo[] = [];
  const listener: ConnectionListener = {
    onOpen: (reconnected) => log.push(`open ${reconnected}`),
    onText: () => undefined,
    onBinary: () => undefined,
    onDisconnect: (code, reason, willReconnect) => log.push(`disconnect ${code} ${reason} ${willReconnect}`),
    onConnectError: (info) => {
      errors.push(info);
      log.push('error');
    },
    onEnded: (reason) => log.push(`ended ${reason}`),
  };
  return { log, errors, listener };
}

describe('RealtimeConnection', () => {
  it('gives up after maxAttempts, reporting each attempt with its back-off', async () => {
    const r = recorder();
    const c = new RealtimeConnection(options(deadUrl, { maxAttempts: 3 }), r.listener);
    c.start();
    expect(c.state).toBe('connecting');
    await waitFor(() => r.log.some((l) => l.startsWith('ended')), 'ended', 5000);
    expect(r.errors.map((e) => e.retries)).toEqual([1, 2, 3]);
    expect(r.errors[0]!.waitTimeMs).toBeGreaterThanOrEqual(80);
    expect(r.errors[0]!.waitTimeMs).toBeLessThanOrEqual(120);
    expect(r.errors[1]!.waitTimeMs).toBeGreaterThanOrEqual(160);
    expect(r.errors[1]!.waitTimeMs).toBeLessThanOrEqual(240);
    expect(r.errors[2]!.waitTimeMs).toBe(0);
    expect(r.errors.every((e) => e.httpStatus === 0 && e.error.includes('ECONNREFUSED'))).toBe(true);
    expect(r.log[r.log.length - 1]).toBe('ended connect failed after 3 attempts');
    expect(c.state).toBe('closed');
  });

  it('close() while waiting to retry stops at once', async () => {
    const r = recorder();
    const c = new RealtimeConnection(options(deadUrl), r.listener);
    c.start();
    await waitFor(() => r.errors.length === 1, 'first failure');
    await c.close();
    expect(c.state).toBe('closed');
    await sleep(300);
    expect(r.errors).toHaveLength(1);
    expect(r.log[r.log.length - 1]).toBe('ended stopped while connecting');
  });

  it('a server that accepts and drops at once is retried with back-off, then given up', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    const opened: number[] = [];
    server.on('connection', (ws) => {
      opened.push(Date.now());
      ws.terminate();
    });
    try {
      const r = recorder();
      const c = new RealtimeConnection(options(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, { maxAttempts: 3 }), r.listener);
      c.start();
      await waitFor(() => r.log.some((l) => l.startsWith('ended')), 'ended', 5000);
      expect(r.log).toEqual([
        'open false',
        'disconnect 1006  true',
        'open true',
        'disconnect 1006  true',
        'open true',
        'disconnect 1006  false',
        'ended connection lost (1006) 3 times in a row',
      ]);
      expect(opened[1]! - opened[0]!).toBeGreaterThanOrEqual(75);
      expect(opened[2]! - opened[1]!).toBeGreaterThanOrEqual(155);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reconnects after a drop and closes with 1000; a peer that never answers is cut off by the close timer', async () => {
    const r = recorder();
    const c = new RealtimeConnection(options(sim.url, { closeTimeoutMs: 300 }), r.listener);
    c.start();
    await waitFor(() => c.isOpen, 'open');
    sim.connections[sim.connections.length - 1]!.terminate();
    await waitFor(() => r.log.filter((l) => l.startsWith('open')).length === 2, 'reopened');
    expect(r.log).toEqual(['open false', 'disconnect 1006  true', 'open true']);
    expect(c.reconnects).toBe(1);

    const peer = sim.connections[sim.connections.length - 1]!;
    peer.applyFaults({ stall: {} }); // it will never read our close frame
    await sleep(50); // the simulator starts a stall on its next timer tick
    const started = Date.now();
    await c.close();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(1500);
    expect(c.state).toBe('closed');
    expect(r.log.slice(3)).toEqual(['disconnect 1000 Normal closure false', 'ended stopped']);
    expect(c.sendText('{}')).toBe(false);
  });
});
