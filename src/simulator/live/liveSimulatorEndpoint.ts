/**
 * The realtime simulator's GPT-Live endpoint: WebSocket upgrades on `/v1/live/sessions` (OpenAI)
 * and `/openai/v1/live/sessions` (Azure) are handed here by RealtimeSimulator, which keeps its
 * HTTP server, authentication and refusal faults; everything after the upgrade is Live.
 *
 * The handshake is stricter than Realtime's: Live takes no query string at all (the model goes in
 * `session.start`, and there is no `api-key` query parameter), so an upgrade with one is refused
 * with 400. An `OpenAI-Beta` header is recorded but changes nothing.
 *
 *   const sim = await RealtimeSimulator.start({ voice: 'tone' });
 *   // connect a client to sim.liveUrl, send session.start …
 *   const connection = sim.live.connections[0];
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AssistantVoice } from '../assistantVoice.js';
import type { AuthMethod, HandshakeRecord } from '../connectionRecord.js';
import type { FunctionCallSpec } from '../functionCallRule.js';
import type { HandshakeRefusal } from '../handshakeResponses.js';
import type { VadSettings } from '../energyVad.js';
import { LiveConnection, type LiveSettings } from './liveConnection.js';
import { DEFAULT_LIVE_MODELS } from './liveSessionStart.js';

export const LIVE_SIMULATOR_PATHS: ReadonlySet<string> = new Set(['/v1/live/sessions', '/openai/v1/live/sessions']);

export interface LiveSimulatorOptions {
  /** Models a session.start may name. Default gpt-live-1 and gpt-live-1.1. */
  models?: readonly string[];
  /** Session length behind `expires_at` (not documented by OpenAI). Default 60 min. */
  sessionLimitMs?: number;
  /** Audio per output delta. Default 100 ms, as measured on the service. */
  chunkMs?: number;
  /** Period of `session.usage.updated`. Default 15 s, as measured on the service. */
  usageIntervalMs?: number;
  /** Under client delegation, delegate after these caller turns (1 = first) instead of answering. */
  delegateAfterTurns?: readonly number[];
  /** How far the output track may run ahead of the input audio received. Default 1000 ms; null: no limit. */
  timelineLeadMs?: number | null;
  /** After answering a client's session.close, close the socket if the client has not. Default 5 s. */
  closeGraceMs?: number;
  /** The model's hearing: energy VAD settings (defaults: threshold 0.5, 300 ms padding, 500 ms silence). */
  vad?: Partial<VadSettings>;
}

export interface LiveEndpointEvents {
  connection: [connection: LiveConnection];
  close: [connection: LiveConnection];
}

export class LiveSimulatorEndpoint extends EventEmitter<LiveEndpointEvents> {
  /** Every accepted Live connection, in order; they stay here after closing. */
  readonly connections: LiveConnection[] = [];
  readonly #settings: LiveSettings;
  readonly #wss: WebSocketServer;

  constructor(shared: { voice: AssistantVoice; functionCalls: readonly FunctionCallSpec[]; recordAudio: boolean; recordEvents: boolean; perMessageDeflate: boolean; maxPayloadBytes: number }, options: LiveSimulatorOptions = {}) {
    super();
    this.#settings = {
      voice: shared.voice,
      functionCalls: shared.functionCalls,
      recordAudio: shared.recordAudio,
      recordEvents: shared.recordEvents,
      models: options.models ?? DEFAULT_LIVE_MODELS,
      sessionLimitMs: options.sessionLimitMs ?? 60 * 60_000,
      chunkMs: options.chunkMs ?? 100,
      usageIntervalMs: options.usageIntervalMs ?? 15_000,
      delegateAfterTurns: options.delegateAfterTurns ?? [],
      timelineLeadMs: options.timelineLeadMs === undefined ? 1000 : options.timelineLeadMs,
      closeGraceMs: options.closeGraceMs ?? 5000,
      vad: { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500, ...options.vad },
    };
    this.#wss = new WebSocketServer({ noServer: true, perMessageDeflate: shared.perMessageDeflate, maxPayload: shared.maxPayloadBytes });
  }

  nextConnection(): Promise<LiveConnection> {
    return new Promise((resolve) => this.once('connection', resolve));
  }

  /**
   * Take over an upgrade on a Live path. `auth` is the simulator's verdict on the credentials;
   * `refuse` answers with an HTTP refusal and records it.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, auth: { method: AuthMethod } | { refusal: HandshakeRefusal }, refuse: (refusal: HandshakeRefusal, cause: 'auth' | 'query') => void): void {
    if (url.search !== '') {
      return refuse(
        {
          status: 400,
          headers: {},
          body: { error: { message: 'Live sessions take no query parameters: send the model in session.start and the key in a header.', type: 'invalid_request_error', param: null, code: 'unknown_parameter' } },
        },
        'query',
      );
    }
    if ('refusal' in auth) return refuse(auth.refusal, 'auth');
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws, req, url, auth.method));
  }

  /** Close every open connection (1001), then stop accepting. */
  async close(): Promise<void> {
    const open = this.connections.filter((c) => !c.closed);
    for (const connection of open) connection.close(1001, 'simulator shutting down');
    await Promise.race([Promise.all(open.map((c) => c.waitForClose())), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
    for (const connection of open) if (!connection.closed) connection.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #open(ws: WebSocket, req: IncomingMessage, url: URL, auth: AuthMethod): void {
    const requested = req.headers['sec-websocket-extensions'];
    const beta = req.headers['openai-beta'];
    const handshake: HandshakeRecord = {
      url: req.url ?? '',
      path: url.pathname,
      query: {},
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      auth,
      requestedExtensions: typeof requested === 'string' ? requested : null,
      negotiatedExtensions: null,
      deflate: ws.extensions.includes('permessage-deflate'),
      betaHeader: typeof beta === 'string',
      remoteAddress: req.socket.remoteAddress,
      at: Date.now(),
    };
    const connection = new LiveConnection({ index: this.connections.length, ws, handshake, settings: this.#settings, onClosed: (c) => this.emit('close', c) });
    this.connections.push(connection);
    this.emit('connection', connection);
  }
}
