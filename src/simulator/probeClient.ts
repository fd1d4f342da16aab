/**
 * A minimal Realtime client over a real `ws` socket: it records every server event and lets a test
 * wait for one by type. It is the simulator's own test harness (and handy for poking a simulator
 * by hand); it is deliberately not the project's session code, which is tested *against* the
 * simulator instead.
 */
import WebSocket from 'ws';
import type { ServerEvent } from './protocolTypes.js';

export interface ProbeConnectOptions {
  headers?: Record<string, string>;
  /** Offer permessage-deflate (ws default: true). */
  perMessageDeflate?: boolean;
  /** Client-side limit on incoming frames (ws default 100 MiB). */
  maxPayload?: number;
  /** The CA (PEM) that verifies a wss:// simulator's certificate. */
  ca?: string | Buffer;
}

export interface ProbeClose {
  code: number;
  reason: string;
}

/** What a refused upgrade answered. */
export interface ProbeRefusal {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class RealtimeProbeClient {
  readonly ws: WebSocket;
  /** Parsed text frames, in order (frames that are not JSON are in `rawFrames` only). */
  readonly events: ServerEvent[] = [];
  /** Every frame as received. */
  readonly rawFrames: Array<{ binary: boolean; data: Buffer }> = [];
  readonly closed: Promise<ProbeClose>;
  #waiters: Array<() => void> = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      this.rawFrames.push({ binary: isBinary, data: buffer });
      if (!isBinary) {
        try {
          const parsed: unknown = JSON.parse(buffer.toString('utf8'));
          if (typeof parsed === 'object' && parsed !== null) this.events.push(parsed as ServerEvent);
        } catch {
          // Garbage faults send non-JSON on purpose; rawFrames has it.
        }
      }
      this.#wake();
    });
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.#wake();
      });
    });
  }

  /** Connect and resolve once open (rejects if the upgrade is refused). */
  static connect(url: string, options: ProbeConnectOptions = {}): Promise<RealtimeProbeClient> {
    const ws = new WebSocket(url, {
      headers: options.headers,
      perMessageDeflate: options.perMessageDeflate ?? true,
      maxPayload: options.maxPayload,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    });
    const client = new RealtimeProbeClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Attempt an upgrade that is expected to be refused; resolves with the HTTP answer. */
  static refusal(url: string, options: ProbeConnectOptions = {}): Promise<ProbeRefusal> {
    const ws = new WebSocket(url, { headers: options.headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        ws.terminate();
        reject(new Error('upgrade unexpectedly accepted'));
      });
      ws.once('error', () => undefined);
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
          ws.terminate();
        });
      });
    });
  }

  send(event: { type: string; [field: string]: unknown }): void {
    this.ws.send(JSON.stringify(event));
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Index of the next event to arrive: pass as `after` to wait only for newer events. */
  mark(): number {
    return this.events.length;
  }

  ofType(type: string): ServerEvent[] {
    return this.events.filter((event) => event.type === type);
  }

  /**
   * The first event of `type` at index ≥ `after` (default 0) that matches `where`, waiting for it
   * if needed. Rejects after `timeoutMs` (default 5 s) or if the socket closes first.
   */
  async waitFor(
    type: string,
    options: { after?: number; where?: (event: ServerEvent) => boolean; timeoutMs?: number } = {},
  ): Promise<ServerEvent> {
    const { after = 0, where = () => true, timeoutMs = 5000 } = options;
    const find = (): ServerEvent | undefined => this.events.slice(after).find((event) => event.type === type && where(event));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found) return found;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${type}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${type}; got: ${this.events.slice(after).map((e) => e.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(code = 1000, reason = ''): Promise<ProbeClose> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
    return this.closed;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
