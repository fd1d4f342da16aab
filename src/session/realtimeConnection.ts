/**
 * The WebSocket to the Realtime server as an explicit state machine, with the connection policy
 * of the audio stream: connect with retries and back-off, heartbeat pings, reconnect after an
 * abnormal drop, a bounded close. Audio and protocol live elsewhere; this file only knows frames.
 *
 *   idle ──start()──► connecting ──open──► open ──close()──► closing ──closed / 2 s timer──► closed
 *                      │   ▲  │                 │
 *                      │   └──┴─ failed attempt │ abnormal drop (1006, 1001, 1011, …)
 *                      │      (back-off wait)   └──────────────► connecting (reconnect)
 *                      └── attempts used up / close() / no reconnect ─────────────► closed
 *
 * The state changes in one place (#setState), which refuses transitions the picture does not
 * have. Every step is reported to the listener, which turns it into events: a failed attempt
 * (::error), open (::connect), a drop or our own close (::disconnect), and the end (no more tries).
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { Backoff, shouldReconnectAfterClose } from './reconnectPolicy.js';
import type { TlsConnectOptions } from '../config/tlsFiles.js';
import { maskGeneratorFor } from './frameMask.js';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'closing' | 'closed';

const TRANSITIONS: Record<ConnectionState, readonly ConnectionState[]> = {
  idle: ['connecting', 'closed'],
  connecting: ['connecting', 'open', 'closed'],
  open: ['connecting', 'closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

export interface ConnectionOptions {
  url: string;
  headers: Record<string, string>;
  perMessageDeflate: boolean;
  tls: TlsConnectOptions;
  /** Ping interval; 0 = none. */
  heartbeatSeconds: number;
  /** False (STREAM_NO_RECONNECT): one connect attempt, no reconnect after a drop. */
  reconnect: boolean;
  /**
   * With `reconnect`, whether a drop of an open connection is followed by a new one (default
   * true). False keeps the connect retries but ends the connection at the first drop: for APIs
   * whose applications own the conversation (uuid_openai_s2s), a fresh server session that knows
   * nothing of it would be worse than the honest end.
   */
  reconnectAfterDrop?: boolean;
  maxAttempts: number;
  handshakeTimeoutMs: number;
  /** How long our close waits for the peer's close frame before destroying the socket. */
  closeTimeoutMs: number;
  /** Largest frame taken from the peer; a bigger one closes the socket with 1009 (ws's default is 100 MiB). */
  maxFrameBytes?: number;
}

export interface ConnectErrorInfo {
  /** Failed attempts in this outage, 1 for the first. */
  retries: number;
  error: string;
  /** Wait before the next attempt; 0 when there is none. */
  waitTimeMs: number;
  /** The handshake's HTTP status when the server answered with one, else 0. */
  httpStatus: number;
}

export interface ConnectionListener {
  /** The socket is open; `reconnected` after a drop (the session replays its configuration). */
  onOpen(reconnected: boolean): void;
  onText(text: string): void;
  onBinary(data: Buffer): void;
  /** The open socket closed (peer, network, heartbeat, or our own close). */
  onDisconnect(code: number, reason: string, willReconnect: boolean): void;
  onConnectError(info: ConnectErrorInfo): void;
  /** No more connections will be made: `reason` says why (stop, clean close, attempts used up…). */
  onEnded(reason: string): void;
}

/** The URL without query, fragment or credentials: what logs and errors may show. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

/** The close code ws sends when it gives up on a frame (its WS_ERR_* codes), or 0 for other errors. */
export function closeCodeOfWsError(err: Error): number {
  const code = (err as Error & { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('WS_ERR_')) return 0;
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 1009;
  if (code === 'WS_ERR_INVALID_UTF8') return 1007;
  return 1002;
}

/**
 * How long after its TCP socket closed a WebSocket may take to report the close before we let it
 * go. ws reports a close only once its frame reader is done, and a reader can wait forever: when a
 * compressed frame inflates past maxPayload, ws stops reading the inflater's output, whose
 * backpressure then keeps the flush callback from ever running (seen on Node 18 in the soak). The
 * session would never end (a stop that never answers).
 */
const SOCKET_CLOSE_GRACE_MS = 1000;
/**
 * ws runs at most this many inflate/deflate operations at once per thread (its default, 10, is
 * shared by every connection of the thread). An inflate stuck as above never frees its slot, so
 * ten bad frames over a worker's life would stop the downlink of every call on it. The libuv
 * thread pool bounds real zlib concurrency anyway.
 */
const ZLIB_CONCURRENCY = 100_000;

const HANDSHAKE_BODY_LIMIT = 2048;
/** A connection open at least this long counts as healthy: its drop starts a fresh outage. */
export const STABLE_CONNECTION_MS = 5000;
const HANDSHAKE_BODY_WAIT_MS = 1000;

export class RealtimeConnection {
  readonly #options: ConnectionOptions;
  readonly #listener: ConnectionListener;
  readonly #backoff: Backoff;
  #state: ConnectionState = 'idle';
  #ws: WebSocket | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #closeTimer: NodeJS.Timeout | null = null;
  #heartbeatTimer: NodeJS.Timeout | null = null;
  #graceTimer: NodeJS.Timeout | null = null;
  #awaitingPong = false;
  /** Set when we end an open socket ourselves (ping timeout): reported instead of ws's 1006. */
  #localClose: { code: number; reason: string } | null = null;
  #everOpened = false;
  #openedAt = 0;
  #connectedMs = 0;
  #reconnects = 0;
  #pings = 0;
  #pongs = 0;
  #closed: Promise<void>;
  #resolveClosed: () => void = () => {};

  constructor(options: ConnectionOptions, listener: ConnectionListener) {
    this.#options = options;
    this.#listener = listener;
    this.#backoff = new Backoff(options.reconnect ? options.maxAttempts : 1);
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get isOpen(): boolean {
    return this.#state === 'open' && this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Bytes queued in the socket, not yet written (back-pressure). */
  get bufferedAmount(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }

  get reconnects(): number {
    return this.#reconnects;
  }

  get pings(): number {
    return this.#pings;
  }

  get pongs(): number {
    return this.#pongs;
  }

  /** Time spent open, over all connections. */
  connectedSeconds(): number {
    const current = this.#state === 'open' ? Date.now() - this.#openedAt : 0;
    return (this.#connectedMs + current) / 1000;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#attempt();
  }

  /** Sends a text frame; false (nothing queued) when the socket is not open. */
  sendText(text: string): boolean {
    if (!this.isOpen) return false;
    this.#ws!.send(text);
    return true;
  }

  sendBinary(data: Uint8Array): boolean {
    if (!this.isOpen) return false;
    this.#ws!.send(data, { binary: true });
    return true;
  }

  /**
   * Ends the connection for good: a close frame (1000 "Normal closure") and a timer that destroys
   * the socket if the peer does not answer. Resolves once closed. Idempotent.
   */
  close(): Promise<void> {
    switch (this.#state) {
      case 'idle':
        this.#setState('closed');
        this.#listener.onEnded('stopped before connecting');
        break;
      case 'connecting':
        this.#clearRetry();
        this.#discardSocket();
        this.#setState('closed');
        this.#listener.onEnded('stopped while connecting');
        break;
      case 'open': {
        this.#setState('closing');
        this.#stopHeartbeat();
        const ws = this.#ws!;
        ws.close(1000, 'Normal closure');
        this.#closeTimer = setTimeout(() => ws.terminate(), this.#options.closeTimeoutMs);
        break;
      }
      case 'closing':
      case 'closed':
        break;
    }
    return this.#closed;
  }

  #setState(next: ConnectionState): void {
    if (!TRANSITIONS[this.#state].includes(next)) {
      throw new Error(`connection state ${this.#state} -> ${next} is not allowed`);
    }
    if (this.#state === 'open' && next !== 'open') this.#connectedMs += Date.now() - this.#openedAt;
    this.#state = next;
    if (next === 'open') this.#openedAt = Date.now();
    if (next === 'closed') {
      this.#clearRetry();
      this.#clearGrace();
      this.#stopHeartbeat();
      if (this.#closeTimer) clearTimeout(this.#closeTimer);
      this.#closeTimer = null;
      this.#resolveClosed();
    }
  }

  #attempt(): void {
    this.#retryTimer = null;
    this.#setState('connecting');
    const o = this.#options;
    let ws: WebSocket;
    const maskGenerator = maskGeneratorFor(o.url);
    try {
      ws = new WebSocket(o.url, {
        headers: o.headers,
        perMessageDeflate: o.perMessageDeflate ? { concurrencyLimit: ZLIB_CONCURRENCY } : false,
        handshakeTimeout: o.handshakeTimeoutMs,
        followRedirects: false,
        ...(maskGenerator ? { generateMask: maskGenerator } : {}),
        ...(o.maxFrameBytes ? { maxPayload: o.maxFrameBytes } : {}),
        ...o.tls,
      });
    } catch (err) {
      // Invalid URL or header: retrying cannot help, but it is still an attempt that failed.
      this.#attemptFailed(null, err instanceof Error ? err.message : String(err), 0);
      return;
    }
    this.#ws = ws;
    let settled = false;
    /** Why ws gave up on an open socket (a frame over maxFrameBytes…): the close reason when the peer sent none. */
    let socketError = '';
    const fail = (error: string, httpStatus: number): void => {
      if (settled) return;
      settled = true;
      this.#attemptFailed(ws, error, httpStatus);
    };
    ws.on('upgrade', (res: IncomingMessage) => {
      // The TCP socket closed: ws must report the close soon, or the connection is let go (see SOCKET_CLOSE_GRACE_MS).
      res.socket.once('close', () => {
        if (this.#ws !== ws) return;
        this.#clearGrace();
        this.#graceTimer = setTimeout(() => this.#abandon(ws), SOCKET_CLOSE_GRACE_MS);
      });
    });
    ws.on('unexpected-response', (req: ClientRequest, res: IncomingMessage) => {
      this.#describeRefusal(req, res, (text) => fail(text, res.statusCode ?? 0));
    });
    ws.on('error', (err: Error) => {
      // Before open an error is a failed attempt; after open it is always followed by 'close',
      // which decides what happens.
      if (!settled) {
        fail(err.message, 0);
        return;
      }
      socketError = err.message;
      // ws refused a frame (too big, bad UTF-8, bad framing) and closes the socket itself: the
      // peer's answer is never read, so report the code ws closed with, not the 1006 it would show.
      const code = closeCodeOfWsError(err);
      if (code !== 0 && this.#ws === ws && this.#state === 'open') this.#localClose = { code, reason: err.message };
    });
    ws.on('open', () => {
      if (settled || this.#ws !== ws) return;
      settled = true;
      const reconnected = this.#everOpened;
      this.#everOpened = true;
      if (reconnected) this.#reconnects++;
      this.#setState('open');
      this.#startHeartbeat(ws);
      this.#listener.onOpen(reconnected);
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (this.#ws !== ws) return;
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (isBinary) this.#listener.onBinary(buffer);
      else this.#listener.onText(buffer.toString('utf8'));
    });
    ws.on('pong', () => {
      this.#pongs++;
      this.#awaitingPong = false;
    });
    ws.on('close', (code: number, reason: Buffer) => {
      if (this.#ws !== ws) return;
      if (!settled) {
        fail(`connection closed during the handshake (${code})`, 0);
        return;
      }
      this.#onSocketClosed(code, reason.toString('utf8') || socketError);
    });
  }

  /** Builds the ::error text of a refused upgrade (seed wording plus the server's message). */
  #describeRefusal(req: ClientRequest, res: IncomingMessage, done: (text: string) => void): void {
    const status = res.statusCode ?? 0;
    const line = `HTTP/${res.httpVersion} ${status} ${res.statusMessage ?? ''}`.trimEnd();
    const base = `Expecting status 101 (Switching Protocol), got ${status} status connecting to ${displayUrl(this.#options.url)}, HTTP Status line: ${line}`;
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      let detail = '';
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { message?: unknown } };
        if (typeof body.error?.message === 'string') detail = `: ${body.error.message.slice(0, 300)}`;
      } catch {
        // Not an OpenAI-style JSON body: the status line says enough.
      }
      // Reported before the request is destroyed, so ws's own abort error cannot come first.
      done(base + detail);
      req.destroy();
      res.destroy();
    };
    const timer = setTimeout(finish, HANDSHAKE_BODY_WAIT_MS);
    res.on('data', (chunk: Buffer) => {
      if (size < HANDSHAKE_BODY_LIMIT) chunks.push(chunk);
      size += chunk.length;
      if (size >= HANDSHAKE_BODY_LIMIT) finish();
    });
    res.on('end', finish);
    res.on('error', finish);
    res.on('close', finish);
  }

  #attemptFailed(ws: WebSocket | null, error: string, httpStatus: number): void {
    if (ws) this.#discardSocket(ws);
    if (this.#state !== 'connecting') return; // close() came first
    const wait = this.#backoff.fail();
    this.#listener.onConnectError({ retries: this.#backoff.failures, error, waitTimeMs: wait ?? 0, httpStatus });
    if (this.#state !== 'connecting') return; // the listener stopped us
    if (wait === null) {
      this.#setState('closed');
      this.#listener.onEnded(
        this.#options.reconnect ? `connect failed after ${this.#backoff.failures} attempts` : 'connect failed (STREAM_NO_RECONNECT)',
      );
      return;
    }
    this.#retryTimer = setTimeout(() => this.#attempt(), wait);
  }

  /** ws never reported the close of a socket that is gone: forget it and carry on as if it had (1006). */
  #abandon(ws: WebSocket): void {
    this.#graceTimer = null;
    if (this.#ws !== ws) return;
    this.#discardSocket(ws);
    this.#onSocketClosed(1006, 'the socket closed but the WebSocket never reported it');
  }

  #clearGrace(): void {
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    this.#graceTimer = null;
  }

  #onSocketClosed(code: number, reason: string): void {
    this.#clearGrace();
    const local = this.#localClose;
    this.#localClose = null;
    this.#stopHeartbeat();
    this.#ws = null;
    if (this.#state === 'closing') {
      this.#setState('closed');
      this.#listener.onDisconnect(1000, 'Normal closure', false);
      this.#listener.onEnded('stopped');
      return;
    }
    const reported = local ?? { code, reason };
    let reconnect = this.#options.reconnect && this.#options.reconnectAfterDrop !== false && shouldReconnectAfterClose(reported.code);
    // A connection that lived long enough ends the outage; one that dropped at once counts as a
    // failed attempt, so a server that accepts and drops cannot drive a tight reconnect loop.
    const stable = Date.now() - this.#openedAt >= STABLE_CONNECTION_MS;
    if (stable) this.#backoff.reset();
    let wait = 0;
    let endReason = !this.#options.reconnect
      ? `connection lost (${reported.code}), STREAM_NO_RECONNECT`
      : this.#options.reconnectAfterDrop === false
        ? `connection lost (${reported.code})`
        : `server closed the connection (${reported.code})`;
    if (reconnect && !stable) {
      const next = this.#backoff.fail();
      if (next === null) {
        reconnect = false;
        endReason = `connection lost (${reported.code}) ${this.#backoff.failures} times in a row`;
      } else {
        wait = next;
      }
    }
    if (!reconnect) {
      this.#setState('closed');
      this.#listener.onDisconnect(reported.code, reported.reason, false);
      this.#listener.onEnded(endReason);
      return;
    }
    this.#setState('connecting');
    this.#listener.onDisconnect(reported.code, reported.reason, true);
    if (this.#state !== 'connecting') return; // the listener stopped us
    // After a stable connection the first reconnect is immediate (as the seed's); otherwise it backs off.
    if (wait === 0) this.#attempt();
    else this.#retryTimer = setTimeout(() => this.#attempt(), wait);
  }

  #startHeartbeat(ws: WebSocket): void {
    const seconds = this.#options.heartbeatSeconds;
    if (seconds <= 0) return;
    const ping = (): void => {
      this.#awaitingPong = true;
      this.#pings++;
      ws.ping();
    };
    ping();
    this.#heartbeatTimer = setInterval(() => {
      if (this.#ws !== ws || this.#state !== 'open') return;
      if (this.#awaitingPong) {
        // No pong for a whole interval: the peer or the path is dead (IXWebSocket's 1011).
        this.#stopHeartbeat();
        this.#localClose = { code: 1011, reason: 'Ping timeout' };
        ws.close(1011, 'Ping timeout');
        ws.terminate();
        return;
      }
      ping();
    }, seconds * 1000);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = null;
    this.#awaitingPong = false;
  }

  #clearRetry(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  /** Forgets a socket for good: no more of its events reach the listener. */
  #discardSocket(ws: WebSocket | null = this.#ws): void {
    if (!ws) return;
    if (this.#ws === ws) this.#ws = null;
    ws.removeAllListeners();
    ws.on('error', () => undefined);
    ws.terminate();
  }
}
