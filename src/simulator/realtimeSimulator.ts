/**
 * The realtime simulator: a loopback WebSocket server that speaks the OpenAI Realtime GA protocol
 * (docs/DESIGN.md §6). It owns the HTTP server, the handshake (path, auth, refusals, beta header,
 * permessage-deflate) and the list of connections; each connection's protocol lives in
 * SimulatedConnection.
 *
 *   const sim = await RealtimeSimulator.start({ port: 0, voice: 'tone' });
 *   // connect a client to sim.url …
 *   sim.connections[0].serverEventTypes();
 *   await sim.close();
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AssistantVoice } from './assistantVoice.js';
import type { AuthMethod, CloseRecord, HandshakeRecord } from './connectionRecord.js';
import { combineFaults, type SimulatorFaults } from './faults.js';
import type { FunctionCallSpec } from './functionCallRule.js';
import { LIVE_SIMULATOR_PATHS, LiveSimulatorEndpoint, type LiveSimulatorOptions } from './live/liveSimulatorEndpoint.js';
import { incorrectApiKey, missingApiKey, missingModel, notFound, refusalFor, writeRefusal, type HandshakeRefusal } from './handshakeResponses.js';
import type { ClientEvent, ServerEvent } from './protocolTypes.js';
import { DEFAULT_INSTRUCTIONS, DEFAULT_MODEL } from './sessionConfig.js';
import { SimulatedConnection, type ConnectionSettings } from './simulatedConnection.js';
import { SpeechVoice } from './speechVoice.js';
import { ToneVoice, type ToneVoiceOptions } from './toneVoice.js';

export interface RealtimeSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the simulator is a loopback server. */
  host?: string;
  /**
   * When set, the upgrade must carry this key as `Authorization: Bearer <key>`, an `api-key`
   * header or an `api-key` query parameter (Azure), else HTTP 401. Unset: anything is accepted.
   */
  apiKey?: string;
  /** The session's model when the URL has none (e.g. `call_id` URLs). Default gpt-realtime. */
  model?: string;
  /** Default instructions in `session.created`. */
  instructions?: string;
  /** 'speech' (default): recorded phrases. 'tone': a sine (see `tone`). Or any AssistantVoice. */
  voice?: 'speech' | 'tone' | AssistantVoice;
  tone?: ToneVoiceOptions;
  /** Where the speech voice's WAV files are (default assets/voice/ of this repository). */
  voiceAssetsDir?: string;
  /** Audio per `response.output_audio.delta`. Default 100 ms. */
  audioChunkMs?: number;
  /** Wall-clock time between deltas (faster than real time). Default 10 ms. */
  deltaIntervalMs?: number;
  /** Session time limit: `session_expired` error, then close 1001. Default 60 min (OpenAI's). */
  sessionLimitMs?: number;
  /** Make the model call a function after a user turn when the session has function tools. */
  functionCall?: FunctionCallSpec | FunctionCallSpec[];
  /** Faults for every connection (same as calling setFaults). */
  faults?: SimulatorFaults;
  /** Offer permessage-deflate to clients that ask for it. Default true (OpenAI supports it). */
  perMessageDeflate?: boolean;
  /** Largest client frame accepted before ws closes with 1009. Default 64 MiB. */
  maxPayloadBytes?: number;
  /** Keep audio payloads in recorded events. Default true; the CLI turns it off for long calls. */
  recordAudio?: boolean;
  /**
   * Keep every client and server event in `connection.clientEvents` / `serverEvents` (default true,
   * what tests read). Off for load runs: hundreds of calls send tens of thousands of events a
   * second, and recording each one cost the simulator a parse and the memory to hold it.
   */
  recordEvents?: boolean;
  /** Serve wss:// with this key and certificate (PEM), as the real API does; plain ws:// without. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** The GPT-Live endpoint on /v1/live/sessions (src/simulator/live/). */
  live?: LiveSimulatorOptions;
}

/** A refused upgrade, as recorded in `sim.refusedHandshakes`. */
export interface RefusedHandshake {
  url: string;
  headers: IncomingMessage['headers'];
  status: number;
  body: unknown;
  /** 'fault' (refuseHandshake), 'auth', 'path' or 'query'. */
  cause: 'fault' | 'auth' | 'path' | 'query';
}

export interface RealtimeSimulatorEvents {
  connection: [connection: SimulatedConnection];
  clientEvent: [connection: SimulatedConnection, event: ClientEvent];
  serverEvent: [connection: SimulatedConnection, event: ServerEvent];
  close: [connection: SimulatedConnection, close: CloseRecord];
  refused: [refusal: RefusedHandshake];
}

const REALTIME_PATHS = new Set(['/v1/realtime', '/openai/v1/realtime']);

export class RealtimeSimulator extends EventEmitter<RealtimeSimulatorEvents> {
  /** Every accepted connection, in order; they stay here after closing. */
  readonly connections: SimulatedConnection[] = [];
  readonly refusedHandshakes: RefusedHandshake[] = [];
  readonly options: Readonly<RealtimeSimulatorOptions>;
  /** GPT-Live sessions (`/v1/live/sessions`, `/openai/v1/live/sessions`): `sim.live.connections`. */
  readonly live: LiveSimulatorEndpoint;

  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #settings: ConnectionSettings;
  #globalFaults: SimulatorFaults;
  readonly #queuedFaults: SimulatorFaults[] = [];
  readonly #negotiated = new WeakMap<IncomingMessage, string>();
  #port = 0;

  private constructor(options: RealtimeSimulatorOptions) {
    super();
    this.options = options;
    const voice: AssistantVoice =
      options.voice === 'tone'
        ? new ToneVoice(options.tone)
        : options.voice === undefined || options.voice === 'speech'
          ? new SpeechVoice(options.voiceAssetsDir)
          : options.voice;
    const functionCall = options.functionCall;
    this.#settings = {
      model: options.model ?? DEFAULT_MODEL,
      instructions: options.instructions ?? DEFAULT_INSTRUCTIONS,
      voice,
      chunkMs: options.audioChunkMs ?? 100,
      deltaIntervalMs: options.deltaIntervalMs ?? 10,
      sessionLimitMs: options.sessionLimitMs ?? 60 * 60_000,
      functionCalls: functionCall === undefined ? [] : Array.isArray(functionCall) ? functionCall : [functionCall],
      recordAudio: options.recordAudio ?? true,
      recordEvents: options.recordEvents ?? true,
    };
    this.#globalFaults = options.faults ?? {};
    this.live = new LiveSimulatorEndpoint(
      { ...this.#settings, perMessageDeflate: options.perMessageDeflate ?? true, maxPayloadBytes: options.maxPayloadBytes ?? 64 * 1024 * 1024 },
      options.live,
    );
    this.#wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: options.perMessageDeflate ?? true,
      maxPayload: options.maxPayloadBytes ?? 64 * 1024 * 1024,
    });
    // The response headers carry what was actually negotiated; remember them per request.
    this.#wss.on('headers', (headers, request) => {
      const line = headers.find((h) => h.toLowerCase().startsWith('sec-websocket-extensions:'));
      if (line) this.#negotiated.set(request, line.slice(line.indexOf(':') + 1).trim());
    });
    const plainRequest = (_req: IncomingMessage, res: ServerResponse): void => {
      // Plain HTTP (no upgrade) is not part of the simulator; answer like an API gateway would.
      res.writeHead(426, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Upgrade Required: connect with a WebSocket.', type: 'invalid_request_error', param: null, code: null } }));
    };
    this.#server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, plainRequest) : createServer(plainRequest);
    this.#server.on('upgrade', (req, socket, head) => this.#onUpgrade(req, socket, head));
  }

  static async start(options: RealtimeSimulatorOptions = {}): Promise<RealtimeSimulator> {
    const sim = new RealtimeSimulator(options);
    await new Promise<void>((resolve, reject) => {
      sim.#server.once('error', reject);
      sim.#server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        sim.#server.off('error', reject);
        resolve();
      });
    });
    sim.#port = (sim.#server.address() as AddressInfo).port;
    return sim;
  }

  get port(): number {
    return this.#port;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  /** `ws://<host>:<port>/v1/realtime?model=<model>` (wss:// with `tls`): what a client connects to. */
  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `${this.options.tls ? 'wss' : 'ws'}://${host}:${this.#port}/v1/realtime?model=${encodeURIComponent(this.#settings.model)}`;
  }

  /** `ws://<host>:<port>/v1/live/sessions` (wss:// with `tls`): the Live endpoint, no query. */
  get liveUrl(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `${this.options.tls ? 'wss' : 'ws'}://${host}:${this.#port}/v1/live/sessions`;
  }

  /** Faults for every connection accepted from now on (replaces the previous set). */
  setFaults(faults: SimulatorFaults | undefined): void {
    this.#globalFaults = faults ?? {};
  }

  /** Faults for the next connection attempt only (queued: each call covers one more attempt). */
  queueFaults(faults: SimulatorFaults): void {
    this.#queuedFaults.push(faults);
  }

  /** Resolves with the next accepted connection. */
  nextConnection(): Promise<SimulatedConnection> {
    return new Promise((resolve) => this.once('connection', resolve));
  }

  /** Close every connection (1001 "going away"), then the server. */
  async close(): Promise<void> {
    const open = this.connections.filter((connection) => !connection.closed);
    for (const connection of open) connection.close(1001, 'simulator shutting down');
    await Promise.race([
      Promise.all(open.map((connection) => connection.waitForClose())),
      new Promise((resolve) => setTimeout(resolve, 500).unref()),
    ]);
    for (const connection of open) if (!connection.closed) connection.terminate();
    await this.live.close();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined); // a client that vanishes mid-handshake is not our error
    const url = new URL(req.url ?? '/', 'http://simulator');
    const query = Object.fromEntries(url.searchParams.entries());
    const faults = combineFaults(this.#globalFaults, this.#queuedFaults.shift());
    const refuse = (refusal: HandshakeRefusal, cause: RefusedHandshake['cause']): void => {
      const record: RefusedHandshake = { url: req.url ?? '', headers: req.headers, status: refusal.status, body: refusal.body, cause };
      this.refusedHandshakes.push(record);
      this.emit('refused', record);
      writeRefusal(socket, refusal);
    };

    const live = LIVE_SIMULATOR_PATHS.has(url.pathname);
    if (!REALTIME_PATHS.has(url.pathname) && !live) return refuse(notFound(url.pathname), 'path');
    if (faults.refuseHandshake) {
      const { status, body, headers } = faults.refuseHandshake;
      const standard = refusalFor(status, query.model ?? this.#settings.model);
      return refuse({ status, body: body ?? standard.body, headers: { ...standard.headers, ...headers } }, 'fault');
    }
    if (live) return this.live.upgrade(req, socket, head, url, this.#authenticate(req, url), refuse);
    const auth = this.#authenticate(req, url);
    if ('refusal' in auth) return refuse(auth.refusal, 'auth');
    if (!query.model && !query.call_id && !query.intent) return refuse(missingModel(), 'query');

    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onOpen(ws, req, url, query, auth.method, faults));
  }

  #authenticate(req: IncomingMessage, url: URL): { method: AuthMethod } | { refusal: HandshakeRefusal } {
    const key = this.options.apiKey;
    if (key === undefined) return { method: 'none' };
    const authorization = req.headers.authorization;
    const bearer = typeof authorization === 'string' && /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '') : undefined;
    const headerKey = typeof req.headers['api-key'] === 'string' ? req.headers['api-key'] : undefined;
    const queryKey = url.searchParams.get('api-key') ?? undefined;
    if (bearer === key) return { method: 'bearer' };
    if (headerKey === key) return { method: 'api-key-header' };
    if (queryKey === key) return { method: 'api-key-query' };
    const presented = bearer ?? headerKey ?? queryKey;
    if (presented === undefined) return { refusal: missingApiKey() };
    return { refusal: incorrectApiKey(presented, bearer === undefined) };
  }

  #onOpen(ws: WebSocket, req: IncomingMessage, url: URL, query: Record<string, string>, auth: AuthMethod, faults: SimulatorFaults): void {
    const requested = req.headers['sec-websocket-extensions'];
    const betaHeader = req.headers['openai-beta'];
    const handshake: HandshakeRecord = {
      url: req.url ?? '',
      path: url.pathname,
      query,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      auth,
      requestedExtensions: typeof requested === 'string' ? requested : null,
      negotiatedExtensions: this.#negotiated.get(req) ?? null,
      deflate: ws.extensions.includes('permessage-deflate'),
      betaHeader: typeof betaHeader === 'string' && /realtime\s*=\s*v1/i.test(betaHeader),
      remoteAddress: req.socket.remoteAddress,
      at: Date.now(),
    };
    const connection = new SimulatedConnection({
      index: this.connections.length,
      ws,
      handshake,
      settings: this.#settings,
      faults,
      observer: {
        clientEvent: (c, event) => this.emit('clientEvent', c, event),
        serverEvent: (c, event) => this.emit('serverEvent', c, event),
        closed: (c, close) => this.emit('close', c, close),
      },
    });
    this.connections.push(connection);
    this.emit('connection', connection);
    connection.start();
  }
}
