/**
 * One client connection to the simulator: the GA protocol state machine (session, input buffer
 * and VAD, conversation, the active response) plus the record tests read
 * (`sim.connections[i]`) and a few controls for scripting a test.
 *
 * Client events are handled synchronously in arrival order; the only asynchronous parts are the
 * response streaming timers and time-based faults.
 */
import type { WebSocket, RawData } from 'ws';
import type { AssistantVoice, UtteranceSituation } from './assistantVoice.js';
import { decodeAudio, durationMsOf, isStrictBase64, sampleRateOf } from './audioFormats.js';
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
import { EnergyVad, type VadEvent, type VadSettings } from './energyVad.js';
import type { SimulatorFaults } from './faults.js';
import { decideFunctionCall, type FunctionCallSpec } from './functionCallRule.js';
import { lastToolOutput, replyWithToolOutput, userTextOf } from './toolOutputReply.js';
import { newId } from './ids.js';
import type {
  CancelReason,
  ClientEvent,
  ConversationItem,
  RealtimeErrorBody,
  RealtimeSession,
  ServerEvent,
  SessionTool,
  ToolChoice,
  TurnDetectionConfig,
} from './protocolTypes.js';
import { MAX_APPEND_BASE64_CHARS, MIN_COMMIT_MS, realtimeErrors } from './realtimeErrors.js';
import { ResponseRun, type ResponseContent } from './responseRun.js';
import { buildClientItem } from './clientItem.js';
import { parseResponseCreate } from './responseParams.js';
import { applySessionUpdate, createDefaultSession, isBetaShapedSession, isObject } from './sessionConfig.js';
import { RateLimitLedger, estimateUsage } from './tokenAccounting.js';

type ErrorBody = Omit<RealtimeErrorBody, 'event_id'>;

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

/** semantic_vad is simulated with the energy VAD; eagerness picks the silence it waits for. */
const SEMANTIC_SILENCE_MS = { low: 1000, medium: 500, auto: 500, high: 250 } as const;

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
  /** Total audio appended (all `input_audio_buffer.append`, in audio time). */
  appendedAudioMs = 0;
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
  readonly #conversationId = newId('conv');
  readonly #ledger = new RateLimitLedger();
  #session: RealtimeSession;
  #vad: EnergyVad | undefined;
  /** Session audio time where the uncommitted input buffer starts. */
  #bufferStartMs = 0;
  /** Item id announced by `speech_started`, used again for `speech_stopped` / `committed`. */
  #speechItemId: string | undefined;
  #activeRun: ResponseRun | undefined;
  readonly #records = new Map<string, ResponseRecord>();
  #responseCount = 0;
  readonly #situationCounts = new Map<UtteranceSituation, number>();
  #previousInputTokens = 0;
  #assistantAudioProduced = false;
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
    this.#configureVad();

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
    return this.#activeRun?.id;
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
    this.#activeRun?.abort();
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
    this.#activeRun?.abort();
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
        return this.#onAppend(event, id);
      case 'input_audio_buffer.commit':
        return this.#onCommit(id);
      case 'input_audio_buffer.clear':
        return this.#onClear();
      case 'conversation.item.create':
        return this.#onItemCreate(event, id);
      case 'conversation.item.retrieve':
        return this.#onItemRetrieve(event, id);
      case 'conversation.item.truncate':
        return this.#onTruncate(event, id);
      case 'conversation.item.delete':
        return this.#onItemDelete(event, id);
      case 'response.create':
        return this.#onResponseCreate(event, id);
      case 'response.cancel':
        return this.#onResponseCancel(event, id);
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
    const result = applySessionUpdate(this.#session, event.session, { assistantAudioProduced: this.#assistantAudioProduced });
    if (!result.ok) return this.#sendError(result.error, id);
    const turnDetectionChanged = JSON.stringify(result.session.audio.input.turn_detection) !== JSON.stringify(this.#session.audio.input.turn_detection);
    this.#session = result.session;
    if (turnDetectionChanged) this.#configureVad();
    this.#send({ type: 'session.updated', session: this.#session });
  }

  #configureVad(): void {
    const settings = vadSettingsFor(this.#session.audio.input.turn_detection);
    if (!settings) {
      this.#vad = undefined;
      return;
    }
    if (this.#vad) this.#vad.configure(settings);
    else {
      this.#vad = new EnergyVad(settings);
      this.#vad.reset(this.#bufferStartMs);
    }
  }

  // ── input audio ──────────────────────────────────────────────────────────

  #onAppend(event: ClientEvent, id: string | undefined): void {
    const audio = event.audio;
    if (audio === undefined) return this.#sendError(realtimeErrors.missingParameter('audio'), id);
    if (typeof audio !== 'string') return this.#sendError(realtimeErrors.invalidType('audio', 'a base64 string'), id);
    if (audio.length > MAX_APPEND_BASE64_CHARS) return this.#sendError(realtimeErrors.appendTooLarge(audio.length), id);
    if (!isStrictBase64(audio)) return this.#sendError(realtimeErrors.invalidBase64(), id);
    const format = this.#session.audio.input.format;
    const bytes = Buffer.from(audio, 'base64');
    if (format.type === 'audio/pcm' && bytes.length % 2 === 1) return this.#sendError(realtimeErrors.oddPcmLength(bytes.length), id);

    const samples = decodeAudio(format, bytes);
    const startMs = this.appendedAudioMs;
    this.appendedAudioMs += durationMsOf(format, bytes.length);
    if (!this.#vad) return;
    for (const vadEvent of this.#vad.process(samples, sampleRateOf(format), startMs)) this.#onVadEvent(vadEvent);
  }

  #onVadEvent(event: VadEvent & { atMs: number }): void {
    const turnDetection = this.#session.audio.input.turn_detection;
    if (event.type === 'speech_started') {
      this.#speechItemId = newId('item');
      this.#send({ type: 'input_audio_buffer.speech_started', audio_start_ms: event.audioStartMs, item_id: this.#speechItemId });
      if (turnDetection?.interrupt_response && this.#activeRun && this.#activeRun.plan.conversationId !== null) {
        this.#cancelActive('turn_detected');
      }
      return;
    }
    const itemId = this.#speechItemId ?? newId('item');
    this.#speechItemId = undefined;
    this.#send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: event.audioEndMs, item_id: itemId });
    this.#commitBuffer(itemId, event.audioEndMs);
    if (turnDetection?.create_response && !this.#activeRun) this.#startResponse(undefined, undefined);
  }

  #onCommit(id: string | undefined): void {
    const bufferedMs = this.appendedAudioMs - this.#bufferStartMs;
    if (bufferedMs < MIN_COMMIT_MS) return this.#sendError(realtimeErrors.commitEmpty(bufferedMs), id);
    const itemId = this.#speechItemId ?? newId('item');
    this.#speechItemId = undefined;
    this.#commitBuffer(itemId, this.appendedAudioMs);
    this.#vad?.reset(this.appendedAudioMs);
  }

  #onClear(): void {
    this.#bufferStartMs = this.appendedAudioMs;
    this.#speechItemId = undefined;
    this.#vad?.reset(this.appendedAudioMs);
    this.#send({ type: 'input_audio_buffer.cleared' });
  }

  /** The buffer up to `endMs` becomes a user message. */
  #commitBuffer(itemId: string, endMs: number): void {
    const audioMs = Math.max(0, endMs - this.#bufferStartMs);
    this.#bufferStartMs = endMs;
    const previousItemId = this.#conversation.lastItemId();
    this.#send({ type: 'input_audio_buffer.committed', previous_item_id: previousItemId, item_id: itemId });
    const item: ConversationItem = {
      id: itemId,
      object: 'realtime.item',
      type: 'message',
      role: 'user',
      status: 'completed',
      content: [{ type: 'input_audio', transcript: null }],
    };
    this.#conversation.insert(item);
    this.#conversation.setAudioMs(itemId, audioMs);
    this.#send({ type: 'conversation.item.added', previous_item_id: previousItemId, item });
    this.#send({ type: 'conversation.item.done', previous_item_id: previousItemId, item });
    if (this.#session.audio.input.transcription) {
      // The simulator cannot transcribe; it says so in the transcript, with the duration.
      const transcript = `[simulated transcript of ${(audioMs / 1000).toFixed(1)} s of audio]`;
      item.content[0]!.transcript = transcript;
      this.#send({ type: 'conversation.item.input_audio_transcription.delta', item_id: itemId, content_index: 0, delta: transcript });
      this.#send({
        type: 'conversation.item.input_audio_transcription.completed',
        item_id: itemId,
        content_index: 0,
        transcript,
        usage: { type: 'duration', seconds: Number((audioMs / 1000).toFixed(3)) },
      });
    }
  }

  // ── conversation items ───────────────────────────────────────────────────

  #onItemCreate(event: ClientEvent, id: string | undefined): void {
    const raw = event.item;
    if (!isObject(raw)) return this.#sendError(realtimeErrors.missingParameter('item'), id);
    const previous = event.previous_item_id;
    if (previous !== undefined && previous !== null) {
      if (typeof previous !== 'string') return this.#sendError(realtimeErrors.invalidType('previous_item_id', 'a string'), id);
      if (previous !== 'root' && !this.#conversation.has(previous)) return this.#sendError(realtimeErrors.previousItemNotFound(previous), id);
    }
    if (raw.id !== undefined && typeof raw.id === 'string' && this.#conversation.has(raw.id)) {
      return this.#sendError(realtimeErrors.duplicateItemId(raw.id), id);
    }
    const built = buildClientItem(raw, this.#session);
    if ('error' in built) return this.#sendError(built.error, id);
    const previousItemId = this.#conversation.insert(built.item, previous as string | null | undefined);
    if (built.audioMs !== undefined) this.#conversation.setAudioMs(built.item.id, built.audioMs);
    this.#send({ type: 'conversation.item.added', previous_item_id: previousItemId, item: built.item });
    this.#send({ type: 'conversation.item.done', previous_item_id: previousItemId, item: built.item });
  }

  #onItemRetrieve(event: ClientEvent, id: string | undefined): void {
    const itemId = event.item_id;
    if (typeof itemId !== 'string') return this.#sendError(realtimeErrors.missingParameter('item_id'), id);
    const item = this.#conversation.get(itemId);
    if (!item) return this.#sendError(realtimeErrors.itemNotFound(itemId), id);
    this.#send({ type: 'conversation.item.retrieved', item });
  }

  #onItemDelete(event: ClientEvent, id: string | undefined): void {
    const itemId = event.item_id;
    if (typeof itemId !== 'string') return this.#sendError(realtimeErrors.missingParameter('item_id'), id);
    if (!this.#conversation.delete(itemId)) return this.#sendError(realtimeErrors.itemNotFound(itemId), id);
    this.#send({ type: 'conversation.item.deleted', item_id: itemId });
  }

  #onTruncate(event: ClientEvent, id: string | undefined): void {
    const { item_id: itemId, content_index: contentIndex, audio_end_ms: audioEndMs } = event;
    if (typeof itemId !== 'string') return this.#sendError(realtimeErrors.missingParameter('item_id'), id);
    if (contentIndex === undefined) return this.#sendError(realtimeErrors.missingParameter('content_index'), id);
    if (audioEndMs === undefined) return this.#sendError(realtimeErrors.missingParameter('audio_end_ms'), id);
    if (typeof audioEndMs !== 'number' || !Number.isInteger(audioEndMs) || audioEndMs < 0) {
      return this.#sendError(realtimeErrors.invalidType('audio_end_ms', 'a non-negative integer'), id);
    }
    const item = this.#conversation.get(itemId);
    if (!item) return this.#sendError(realtimeErrors.truncateItemNotFound(itemId), id);
    if (item.type !== 'message' || item.role !== 'assistant') return this.#sendError(realtimeErrors.truncateNotAssistant(itemId), id);
    const itemAudioMs = this.#conversation.audioMsOf(itemId);
    if (itemAudioMs === undefined) return this.#sendError(realtimeErrors.truncateNotAssistant(itemId), id);
    // Content index 0 is the audio part of a simulated assistant message.
    if (contentIndex !== 0) return this.#sendError(realtimeErrors.truncateBadContentIndex(contentIndex), id);
    // Item durations can end mid-millisecond; a client that rounds its played time up by <1 ms is fine.
    if (audioEndMs > Math.ceil(itemAudioMs)) return this.#sendError(realtimeErrors.truncateTooLong(itemAudioMs, audioEndMs), id);

    // OpenAI drops the transcript of the unheard part; keep the share of words that was heard.
    const part = item.content[0];
    if (part && typeof part.transcript === 'string' && itemAudioMs > 0) {
      const words = part.transcript.split(/\s+/).filter(Boolean);
      part.transcript = words.slice(0, Math.round((words.length * audioEndMs) / itemAudioMs)).join(' ');
    }
    this.#conversation.setAudioMs(itemId, audioEndMs);
    this.truncations.push({ itemId, contentIndex: 0, audioEndMs, itemAudioMs });
    this.#send({ type: 'conversation.item.truncated', item_id: itemId, content_index: 0, audio_end_ms: audioEndMs });
  }

  // ── responses ────────────────────────────────────────────────────────────

  #onResponseCreate(event: ClientEvent, id: string | undefined): void {
    if (this.#activeRun) return this.#sendError(realtimeErrors.activeResponse(this.#activeRun.id), id);
    const params = event.response;
    if (params !== undefined && !isObject(params)) return this.#sendError(realtimeErrors.invalidType('response', 'an object'), id);
    this.#startResponse(params, id);
  }

  #onResponseCancel(event: ClientEvent, id: string | undefined): void {
    const run = this.#activeRun;
    const wanted = event.response_id;
    if (!run || (typeof wanted === 'string' && wanted !== run.id)) return this.#sendError(realtimeErrors.cancelNotActive(), id);
    this.#cancelActive('client_cancelled');
  }

  #cancelActive(reason: CancelReason): void {
    const run = this.#activeRun;
    if (!run) return;
    this.cancels.push({ responseId: run.id, reason, audioMsSent: run.audioMsSent, deltasSent: run.deltasSent });
    run.cancel(reason);
  }

  /** `params` is the `response` of a `response.create`, or undefined for a VAD-triggered one. */
  #startResponse(params: Record<string, unknown> | undefined, id: string | undefined): void {
    const session = this.#session;
    const parsed = parseResponseCreate(params, session);
    if (!parsed.ok) return this.#sendError(parsed.error, id);
    const r = parsed.value;

    const situation = this.#situation();
    const content = this.#contentFor(situation, r.tools, r.toolChoice);
    const situationIndex = this.#situationCounts.get(situation) ?? 0;
    this.#situationCounts.set(situation, situationIndex + 1);
    this.#responseCount++;
    const context = [...this.#conversation.items];

    const run: ResponseRun = new ResponseRun(
      {
        responseId: newId('resp'),
        conversationId: r.outOfBand ? null : this.#conversationId,
        outputModalities: r.modalities,
        format: r.format,
        voice: r.voice,
        maxOutputTokens: r.maxOutputTokens,
        metadata: r.metadata,
        content,
        rateLimits: this.#ledger.reserve(r.maxOutputTokens),
        chunkMs: this.#settings.chunkMs,
        deltaIntervalMs: this.#settings.deltaIntervalMs,
      },
      {
        send: (event) => this.#send(event),
        insertItem: (item) => this.#conversation.insert(item),
        setItemAudioMs: (itemId, ms) => {
          this.#assistantAudioProduced = true;
          this.#conversation.setAudioMs(itemId, ms);
          const record = this.#records.get(run.id);
          if (record) record.audioMs = ms;
        },
        transformAudioDelta: (base64) => this.#faults.transformAudioDelta(base64),
        afterDelta: () => {
          const record = this.#records.get(run.id);
          if (record) record.deltas = run.deltasSent;
          this.#faults.afterDelta();
        },
        usageFor: (outputAudioMs, outputText) => {
          const usage = estimateUsage({
            instructions: session.instructions,
            context,
            audioMsOf: (itemId) => this.#conversation.audioMsOf(itemId),
            outputAudioMs,
            outputText,
            previousInputTokens: this.#previousInputTokens,
          });
          this.#previousInputTokens = usage.input_tokens;
          return usage;
        },
        finished: (finishedRun) => this.#onRunFinished(finishedRun),
      },
    );
    const record: ResponseRecord = {
      id: run.id,
      kind: content.kind,
      status: 'in_progress',
      itemId: run.itemId,
      outputModalities: r.modalities,
      format: r.format,
      audioMs: 0,
      transcript: '',
      deltas: 0,
      ...(content.kind === 'function_call' ? { name: content.name, callId: content.callId, arguments: content.arguments } : {}),
    };
    this.#records.set(run.id, record);
    this.responses.push(record);
    this.#activeRun = run;
    run.start();
  }

  #situation(): UtteranceSituation {
    const items = this.#conversation.items;
    const last = items[items.length - 1];
    if (last?.type === 'function_call_output') return 'afterToolOutput';
    return items.some((item) => item.type === 'message' && item.role === 'user') ? 'reply' : 'greeting';
  }

  #contentFor(situation: UtteranceSituation, tools: readonly SessionTool[], toolChoice: ToolChoice): ResponseContent {
    const last = this.#conversation.items[this.#conversation.items.length - 1];
    const call = decideFunctionCall({
      tools,
      toolChoice,
      specs: this.#settings.functionCalls,
      afterUserTurn: situation === 'reply' && last?.type === 'message' && last.role === 'user',
      userText: userTextOf(last),
    });
    if (call) return { kind: 'function_call', name: call.name, callId: newId('call'), arguments: call.arguments };
    const index = this.#situationCounts.get(situation) ?? 0;
    const utterance = this.#settings.voice.utteranceFor({ situation, responseIndex: this.#responseCount, situationIndex: index });
    const tool = situation === 'afterToolOutput' ? lastToolOutput(this.#conversation.items) : null;
    return { kind: 'message', utterance: tool ? replyWithToolOutput(utterance, tool) : utterance };
  }

  #onRunFinished(run: ResponseRun): void {
    if (this.#activeRun === run) this.#activeRun = undefined;
    const record = this.#records.get(run.id);
    if (record) {
      record.status = run.status;
      record.audioMs = run.audioMsSent;
      record.deltas = run.deltasSent;
      record.transcript = run.transcriptSent;
    }
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

function vadSettingsFor(turnDetection: TurnDetectionConfig): VadSettings | undefined {
  if (!turnDetection) return undefined;
  if (turnDetection.type === 'server_vad') {
    return {
      threshold: turnDetection.threshold,
      prefixPaddingMs: turnDetection.prefix_padding_ms,
      silenceDurationMs: turnDetection.silence_duration_ms,
    };
  }
  return { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: SEMANTIC_SILENCE_MS[turnDetection.eagerness] };
}

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
