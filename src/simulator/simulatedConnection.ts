/**
 * One client connection to the simulator: the socket, the session, the dispatch of the GA client
 * events to their parts (input audio and VAD: inputAudioBuffer.ts; conversation items:
 * itemRequests.ts; responses: responseDirector.ts), the frames in and out with the record tests
 * read (`sim.connections[i]`), and a few controls for scripting a test.
 *
 * Client events are handled synchronously in arrival order; the only asynchronous parts are the
 * response streaming timers and time-based faults.
 */
import type { WebSocket, RawData } from 'ws';
import type { AssistantVoice } from './assistantVoice.js';
import type { ConnectionIo, ErrorBody } from './connectionIo.js';
import { ConnectionFaultDriver } from './connectionFaults.js';
import type {
  CancelRecord,
  ClientEventRecord,
  CloseRecord,
  FrameCounts,
  HandshakeRecord,
  InvalidFrameRecord,
  ResponseRecord,
  TruncationRecord,
} from './connectionRecord.js';
import { Conversation } from './conversation.js';
import type { SimulatorFaults } from './faults.js';
import type { FunctionCallSpec } from './functionCallRule.js';
import { newId } from './ids.js';
import { InputAudioBuffer } from './inputAudioBuffer.js';
import { ItemRequests } from './itemRequests.js';
import type { ClientEvent, ConversationItem, RealtimeSession, ServerEvent } from './protocolTypes.js';
import { realtimeErrors } from './realtimeErrors.js';
import { ResponseDirector } from './responseDirector.js';
import { applySessionUpdate, createDefaultSession, isBetaShapedSession, isObject } from './sessionConfig.js';

/** The eleven GA client events (reference §3.1). */
export const GA_CLIENT_EVENT_TYPES = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'conversation.item.create',
  'conversation.item.retrieve',
  'conversation.item.truncate',
  'conversation.item.delete',
  'response.create',
  'response.cancel',
  'output_audio_buffer.clear',
] as const;

/** Beta-only client event names: answered like a beta-shaped session. */
const BETA_CLIENT_EVENT_TYPES = new Set(['transcription_session.update']);

/** OpenAI closes with this code after `beta_api_shape_disabled` (reference §0.1). */
export const BETA_CLOSE_CODE = 4000;
/** …and with 1001 when the session time limit is hit (reference §3.3). */
export const SESSION_EXPIRED_CLOSE_CODE = 1001;

export interface ConnectionSettings {
  model: string;
  instructions: string;
  voice: AssistantVoice;
  chunkMs: number;
  deltaIntervalMs: number;
  sessionLimitMs: number;
  functionCalls: readonly FunctionCallSpec[];
  /** Keep audio payloads in the recorded events (false: replaced by a length note). */
  recordAudio: boolean;
  recordEvents: boolean;
}

export interface ConnectionObserver {
  clientEvent(connection: SimulatedConnection, event: ClientEvent): void;
  serverEvent(connection: SimulatedConnection, event: ServerEvent): void;
  closed(connection: SimulatedConnection, close: CloseRecord): void;
}

export class SimulatedConnection {
  /** Position in `sim.connections`. */
  readonly index: number;
  readonly handshake: HandshakeRecord;
  /** Parsed client events, in arrival order (invalid frames are not here; see invalidFrames). */
  readonly clientEvents: ClientEventRecord[] = [];
  readonly frames: FrameCounts = { count: 0, bytes: 0, text: 0, binary: 0 };
  /** Frames that were not exactly one JSON object (binary, unparsable, two events concatenated…). */
  invalidFrames = 0;
  readonly invalidFrameLog: InvalidFrameRecord[] = [];
  /** Every server event sent, in order. */
  readonly serverEvents: ServerEvent[] = [];
  readonly truncations: TruncationRecord[] = [];
  readonly cancels: CancelRecord[] = [];
  readonly responses: ResponseRecord[] = [];
  /** Each fault as it took effect ("dropMidResponse@3", "stall", …). */
  readonly faultsFired: string[] = [];
  closed: CloseRecord | null = null;

  readonly #ws: WebSocket;
  readonly #settings: ConnectionSettings;
  readonly #observer: ConnectionObserver;
  readonly #faults: ConnectionFaultDriver;
  readonly #conversation = new Conversation();
  #session: RealtimeSession;
  readonly #io: ConnectionIo = {
    send: (event) => this.#send(event),
    sendError: (body, clientEventId) => this.#sendError(body, clientEventId),
  };
  readonly #input: InputAudioBuffer;
  readonly #itemRequests: ItemRequests;
  readonly #responses: ResponseDirector;
  #closingByServer = false;
  /** A drop is pending: nothing more is sent, the socket goes once the queue has flushed. */
  #dropping = false;
  #unflushedSends = 0;
  #shapeRejected = false;
  #sessionTimer: NodeJS.Timeout | undefined;
  readonly #closeWaiters: Array<(close: CloseRecord) => void> = [];

  constructor(options: {
    index: number;
    ws: WebSocket;
    handshake: HandshakeRecord;
    settings: ConnectionSettings;
    observer: ConnectionObserver;
    faults: SimulatorFaults;
  }) {
    this.index = options.index;
    this.#ws = options.ws;
    this.handshake = options.handshake;
    this.#settings = options.settings;
    this.#observer = options.observer;
    this.#session = createDefaultSession({
      model: options.handshake.query.model ?? options.settings.model,
      instructions: options.settings.instructions,
      sessionLimitMs: options.settings.sessionLimitMs,
    });
    this.#faults = new ConnectionFaultDriver(options.ws, {
      fired: (what) => this.faultsFired.push(what),
      close: (code, reason) => this.close(code, reason),
      drop: () => this.#drop(),
    });
    this.#faults.apply(options.faults);
    const session = (): RealtimeSession => this.#session;
    this.#responses = new ResponseDirector({
      io: this.#io,
      conversation: this.#conversation,
      session,
      settings: options.settings,
      faults: this.#faults,
      responses: this.responses,
      cancels: this.cancels,
    });
    this.#input = new InputAudioBuffer(this.#io, {
      session,
      conversation: this.#conversation,
      speechStarted: () => {
        const active = this.#responses.active;
        if (this.#session.audio.input.turn_detection?.interrupt_response && active && active.plan.conversationId !== null) {
          this.#responses.cancelActive('turn_detected');
        }
      },
      turnCommitted: () => {
        if (this.#session.audio.input.turn_detection?.create_response && !this.#responses.active) this.#responses.start(undefined, undefined);
      },
    });
    this.#itemRequests = new ItemRequests(this.#io, this.#conversation, session, this.truncations);

    this.#ws.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    this.#ws.on('close', (code, reason) => this.#onClose(code, reason.toString()));
    // A socket error is followed by 'close'; without a listener ws would throw it.
    this.#ws.on('error', () => undefined);
  }

  /** The effective session (what the last `session.created` / `session.updated` carried). */
  get session(): RealtimeSession {
    return this.#session;
  }

  /** The conversation's items, in order. */
  get items(): readonly ConversationItem[] {
    return this.#conversation.items;
  }

  get activeResponseId(): string | undefined {
    return this.#responses.active?.id;
  }

  /** Total audio appended (all `input_audio_buffer.append`, in audio time). */
  get appendedAudioMs(): number {
    return this.#input.appendedAudioMs;
  }

  get faults(): SimulatorFaults {
    return this.#faults.faults;
  }

  clientEventTypes(): string[] {
    return this.clientEvents.map((record) => record.event.type);
  }

  serverEventTypes(): string[] {
    return this.serverEvents.map((event) => event.type);
  }

  /** Add faults to this live connection (fields given replace earlier ones). */
  applyFaults(faults: SimulatorFaults): void {
    this.#faults.apply(faults);
  }

  /** Push any server event (the simulator fills in `event_id` if missing). */
  sendEvent(event: { type: string; [field: string]: unknown }): boolean {
    return this.#send(event);
  }

  /** Send a raw frame, bypassing recording (for one-off protocol abuse in a test). */
  sendRaw(data: string | Buffer): void {
    this.#ws.send(data);
  }

  close(code = 1000, reason = ''): void {
    this.#closingByServer = true;
    this.#ws.close(code, reason);
  }

  /** Drop the TCP connection without a close frame. */
  terminate(): void {
    this.#closingByServer = true;
    this.#ws.terminate();
  }

  /** Resolves when the connection has closed (at once if it already has). */
  waitForClose(): Promise<CloseRecord> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve) => this.#closeWaiters.push(resolve));
  }

  // ── lifecycle ────────────────────────────────────────────────────────────

  /** Called by the simulator once the socket is open. */
  start(): void {
    if (this.handshake.betaHeader) {
      this.#rejectBetaShape(undefined);
      return;
    }
    if (!this.#faults.faults.noSessionCreated) this.#send({ type: 'session.created', session: this.#session });
    this.#sessionTimer = setTimeout(() => this.#expireSession(), this.#settings.sessionLimitMs);
    this.#faults.ready();
  }

  #expireSession(): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    const minutes = this.#settings.sessionLimitMs / 60_000;
    const error = realtimeErrors.sessionExpired(minutes);
    this.#responses.active?.abort();
    this.#sendError(error, undefined);
    this.#closingByServer = true;
    this.#ws.close(SESSION_EXPIRED_CLOSE_CODE, error.message);
  }

  #drop(): void {
    this.#dropping = true;
    // Not marked as closed by the server: no close frame is sent, as in a network failure.
    if (this.#unflushedSends === 0) this.#ws.terminate();
  }

  #rejectBetaShape(clientEventId: string | undefined): void {
    this.#shapeRejected = true;
    this.#sendError(realtimeErrors.betaApiShapeDisabled(), clientEventId, { exact: true });
    this.#closingByServer = true;
    this.#ws.close(BETA_CLOSE_CODE, 'beta_api_shape_disabled');
  }

  #onClose(code: number, reason: string): void {
    clearTimeout(this.#sessionTimer);
    this.#faults.dispose();
    this.#responses.active?.abort();
    const initiatedBy = this.#closingByServer ? 'server' : code === 1006 ? 'network' : 'client';
    this.closed = { code, reason, initiatedBy };
    this.#observer.closed(this, this.closed);
    for (const resolve of this.#closeWaiters.splice(0)) resolve(this.closed);
  }

  // ── frames in ────────────────────────────────────────────────────────────

  #onFrame(data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const receivedAt = Date.now();
    this.frames.count++;
    this.frames.bytes += bytes.length;
    if (isBinary) {
      this.frames.binary++;
      this.#invalidFrame(bytes, receivedAt, true, 'binary frame (the Realtime API takes JSON text frames)');
      return;
    }
    this.frames.text++;
    const text = bytes.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      this.#invalidFrame(bytes, receivedAt, false, (err as Error).message);
      return;
    }
    if (!isObject(parsed)) {
      this.#invalidFrame(bytes, receivedAt, false, `expected one JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
      return;
    }
    const clientEventId = typeof parsed.event_id === 'string' ? parsed.event_id : undefined;
    if (typeof parsed.type !== 'string') {
      this.#sendError(realtimeErrors.missingParameter('type'), clientEventId);
      return;
    }
    const event = parsed as ClientEvent;
    if (this.#settings.recordEvents) {
      const keepText = this.#settings.recordAudio || event.type !== 'input_audio_buffer.append';
      this.clientEvents.push({ event: this.#settings.recordAudio ? event : elideAudio(event), receivedAt, bytes: bytes.length, ...(keepText ? { text } : {}) });
    }
    this.#observer.clientEvent(this, event);
    this.#faults.clientEvent();
    if (this.#shapeRejected) return; // closing with 4000; nothing more is served
    this.#dispatch(event, clientEventId);
  }

  #invalidFrame(bytes: Buffer, receivedAt: number, binary: boolean, reason: string): void {
    this.invalidFrames++;
    const preview = binary ? `<${bytes.length} bytes binary>` : bytes.toString('utf8', 0, Math.min(bytes.length, 200));
    this.invalidFrameLog.push({ receivedAt, bytes: bytes.length, binary, reason, preview });
    this.#sendError(realtimeErrors.invalidJson(reason), undefined);
  }

  #dispatch(event: ClientEvent, id: string | undefined): void {
    switch (event.type) {
      case 'session.update':
        return this.#onSessionUpdate(event, id);
      case 'input_audio_buffer.append':
        return this.#input.append(event, id);
      case 'input_audio_buffer.commit':
        return this.#input.commit(id);
      case 'input_audio_buffer.clear':
        return this.#input.clear();
      case 'conversation.item.create':
        return this.#itemRequests.create(event, id);
      case 'conversation.item.retrieve':
        return this.#itemRequests.retrieve(event, id);
      case 'conversation.item.truncate':
        return this.#itemRequests.truncate(event, id);
      case 'conversation.item.delete':
        return this.#itemRequests.delete(event, id);
      case 'response.create':
        return this.#responses.create(event, id);
      case 'response.cancel':
        return this.#responses.cancel(event, id);
      case 'output_audio_buffer.clear':
        // Inferred: the output audio buffer exists only where the server owns playout.
        return this.#sendError(
          { type: 'invalid_request_error', code: 'invalid_value', message: 'output_audio_buffer.clear is only supported for WebRTC and SIP connections.', param: 'type' },
          id,
        );
      default:
        if (BETA_CLIENT_EVENT_TYPES.has(event.type)) return this.#rejectBetaShape(id);
        return this.#sendError(realtimeErrors.unknownEventType(event.type, GA_CLIENT_EVENT_TYPES), id);
    }
  }

  // ── session ──────────────────────────────────────────────────────────────

  #onSessionUpdate(event: ClientEvent, id: string | undefined): void {
    if (!('session' in event)) return this.#sendError(realtimeErrors.missingParameter('session'), id);
    if (isBetaShapedSession(event.session)) return this.#rejectBetaShape(id);
    const result = applySessionUpdate(this.#session, event.session, { assistantAudioProduced: this.#responses.assistantAudioProduced });
    if (!result.ok) return this.#sendError(result.error, id);
    const turnDetectionChanged = JSON.stringify(result.session.audio.input.turn_detection) !== JSON.stringify(this.#session.audio.input.turn_detection);
    this.#session = result.session;
    if (turnDetectionChanged) this.#input.configureVad();
    this.#send({ type: 'session.updated', session: this.#session });
  }

  // ── frames out ───────────────────────────────────────────────────────────

  #send(event: { type: string; [field: string]: unknown }): boolean {
    if (this.#ws.readyState !== this.#ws.OPEN || this.#dropping) return false;
    if (this.#faults.muted) return true;
    const { type, event_id: eventId, ...rest } = event;
    const full: ServerEvent = { type, event_id: typeof eventId === 'string' ? eventId : newId('event'), ...rest };
    const text = JSON.stringify(full);
    this.#unflushedSends++;
    this.#ws.send(text, () => {
      this.#unflushedSends--;
      if (this.#dropping && this.#unflushedSends === 0) this.#ws.terminate();
    });
    if (!this.#settings.recordEvents) {
      this.#observer.serverEvent(this, full);
      return true;
    }
    // Record a snapshot: items are mutated as a response progresses.
    const recorded = JSON.parse(text) as ServerEvent;
    this.serverEvents.push(this.#settings.recordAudio ? recorded : elideAudio(recorded));
    this.#observer.serverEvent(this, recorded);
    return true;
  }

  /** Every error echoes the client's `event_id` (reference §3); `exact` sends the body untouched. */
  #sendError(body: ErrorBody, clientEventId: string | undefined, options: { exact?: boolean } = {}): void {
    const error = options.exact
      ? { ...body, ...(clientEventId !== undefined ? { event_id: clientEventId } : {}) }
      : { param: null, ...body, event_id: clientEventId ?? null };
    this.#send({ type: 'error', error });
  }
}

// ── helpers ──────────────────────────────────────────────────────────────

/** For long runs without audio recording: keeps the event's shape, drops the payload. */
function elideAudio<T extends { type: string; [field: string]: unknown }>(event: T): T {
  if (event.type === 'input_audio_buffer.append' && typeof event.audio === 'string') {
    return { ...event, audio: `<${event.audio.length} base64 chars>` };
  }
  if (event.type === 'response.output_audio.delta' && typeof event.delta === 'string') {
    return { ...event, delta: `<${event.delta.length} base64 chars>` };
  }
  return event;
}
