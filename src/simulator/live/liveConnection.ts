/**
 * One client connection to the simulator's Live endpoint (`/v1/live/sessions`): the GPT-Live
 * protocol state machine plus the record tests read (`sim.live.connections[i]`).
 *
 *   awaiting_start ──session.start ok──▶ active ──session.close / expiry / endSession()──▶ ended
 *        │ (anything else: session_start_required)        (session.closed sent)
 *        └────────────── socket closed at any point ──▶ closed record filled in
 *
 * What the simulated model does: it listens with the energy VAD (in audio time, on unmuted input),
 * stops talking the moment the caller starts (server-side barge-in; nothing for the client to
 * send), and answers each finished caller turn: itself, or by delegating (to the client after the
 * turns listed in `delegateAfterTurns`, or to the Responses backend when a configured function
 * call applies). `session.commentary.append` makes it speak (a greeting when nobody has spoken
 * yet, the result of a client delegation when it names one).
 */
import type { RawData, WebSocket } from 'ws';
import type { AssistantVoice, UtteranceSituation } from '../assistantVoice.js';
import { decodeAudio, isStrictBase64, PCM_FORMAT } from '../audioFormats.js';
import type { ClientEventRecord, CloseRecord, FrameCounts, HandshakeRecord } from '../connectionRecord.js';
import { EnergyVad, type VadSettings } from '../energyVad.js';
import type { FunctionCallSpec } from '../functionCallRule.js';
import { newId } from '../ids.js';
import { MAX_APPEND_BASE64_CHARS } from '../realtimeErrors.js';
import { isObject } from '../sessionConfig.js';
import { liveErrors, type LiveErrorBody } from './liveErrors.js';
import { LiveOutputTrack, type SpokenRecord, type TrackChunk } from './liveOutputTrack.js';
import { LiveResponsesBackend } from './liveResponsesBackend.js';
import { checkDelegation, checkSessionStart, roughTokens, unknownKey, type StartedConfig } from './liveSessionStart.js';

/**
 * The eleven client events. Listed here again rather than imported from src/protocol/live/: the
 * simulator is what checks the module's protocol layer, so it shares none of its code.
 */
export const LIVE_CLIENT_EVENT_TYPES = [
  'session.start',
  'session.update',
  'session.input_audio.append',
  'session.input_audio.mute',
  'session.input_audio.unmute',
  'session.instructions.append',
  'session.thinking.append',
  'session.commentary.append',
  'response.item.create',
  'response.create',
  'session.close',
] as const;

/** The strict schema: the top-level fields each client event may have. */
const EVENT_KEYS: Record<(typeof LIVE_CLIENT_EVENT_TYPES)[number], readonly string[]> = {
  'session.start': ['type', 'event_id', 'session'],
  'session.update': ['type', 'event_id', 'session'],
  'session.input_audio.append': ['type', 'event_id', 'audio'],
  'session.input_audio.mute': ['type', 'event_id'],
  'session.input_audio.unmute': ['type', 'event_id'],
  'session.instructions.append': ['type', 'event_id', 'content', 'delegation_id'],
  'session.thinking.append': ['type', 'event_id', 'content', 'delegation_id'],
  'session.commentary.append': ['type', 'event_id', 'content', 'delegation_id'],
  'response.item.create': ['type', 'event_id', 'item'],
  'response.create': ['type', 'event_id'],
  'session.close': ['type', 'event_id'],
};

export type LiveCloseReason = 'close_requested' | 'expired' | 'content' | 'remote_hangup' | 'connection_lost';

export interface LiveSettings {
  voice: AssistantVoice;
  functionCalls: readonly FunctionCallSpec[];
  models: readonly string[];
  sessionLimitMs: number;
  chunkMs: number;
  usageIntervalMs: number;
  /** Client delegation happens after these caller turns (1 = the first). */
  delegateAfterTurns: readonly number[];
  /** How far output may run ahead of the input timeline (null: no limit). */
  timelineLeadMs: number | null;
  /** After `session.closed` for a client's `session.close`, the server closes if the client has not. */
  closeGraceMs: number;
  vad: VadSettings;
  recordAudio: boolean;
  recordEvents: boolean;
}

export interface InterruptionRecord {
  /** Input timeline position where the caller's speech was detected. */
  atMs: number;
  cut: SpokenRecord[];
}

export interface ClientDelegationRecord {
  id: string;
  afterTurn: number;
  offsetMs: number;
  thinking: string[];
  commentary: string[];
}

type Event = { type: string; [field: string]: unknown };

export class LiveConnection {
  readonly index: number;
  readonly handshake: HandshakeRecord;
  readonly clientEvents: ClientEventRecord[] = [];
  readonly serverEvents: Event[] = [];
  readonly frames: FrameCounts = { count: 0, bytes: 0, text: 0, binary: 0 };
  readonly interruptions: InterruptionRecord[] = [];
  readonly clientDelegations: ClientDelegationRecord[] = [];
  state: 'awaiting_start' | 'active' | 'ended' = 'awaiting_start';
  /** The `session.started` snapshot (undefined before). */
  session: Record<string, unknown> | undefined;
  config: StartedConfig | undefined;
  /** Input audio received, ms: the session timeline. */
  appendedAudioMs = 0;
  muted = false;
  callerTurns = 0;
  closeReason: LiveCloseReason | undefined;
  closed: CloseRecord | null = null;
  backend: LiveResponsesBackend | undefined;

  readonly #ws: WebSocket;
  readonly #settings: LiveSettings;
  readonly #onClosed: (connection: LiveConnection) => void;
  #track: LiveOutputTrack | undefined;
  #vad: EnergyVad | undefined;
  #startedAt = 0;
  #usageTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #closingByServer = false;
  #speechStartMs = 0;
  readonly #situationCounts = new Map<UtteranceSituation, number>();
  readonly #closeWaiters: Array<(close: CloseRecord) => void> = [];

  constructor(options: { index: number; ws: WebSocket; handshake: HandshakeRecord; settings: LiveSettings; onClosed: (connection: LiveConnection) => void }) {
    this.index = options.index;
    this.#ws = options.ws;
    this.handshake = options.handshake;
    this.#settings = options.settings;
    this.#onClosed = options.onClosed;
    this.#ws.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    this.#ws.on('close', (code, reason) => this.#onSocketClose(code, reason.toString()));
    this.#ws.on('error', () => undefined);
  }

  /** What the model has said (or started to say), in order. */
  get spoken(): readonly SpokenRecord[] {
    return this.#track?.spoken ?? [];
  }

  get outputDeltas(): number {
    return this.#track?.deltasSent ?? 0;
  }

  get speaking(): boolean {
    return this.#track?.speaking ?? false;
  }

  clientEventTypes(): string[] {
    return this.clientEvents.map((record) => record.event.type);
  }

  serverEventTypes(): string[] {
    return this.serverEvents.map((event) => event.type);
  }

  /** Push any server event (event_id filled in). */
  sendEvent(event: Event): void {
    this.#send(event);
  }

  /** End the session from the server side (`content`, `remote_hangup`, …): session.closed, then close. */
  endSession(reason: LiveCloseReason): void {
    this.#end(reason);
  }

  close(code = 1000, reason = ''): void {
    this.#closingByServer = true;
    this.#ws.close(code, reason);
  }

  terminate(): void {
    this.#closingByServer = true;
    this.#ws.terminate();
  }

  waitForClose(): Promise<CloseRecord> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve) => this.#closeWaiters.push(resolve));
  }

  // ── frames in ────────────────────────────────────────────────────────────

  #onFrame(data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    this.frames.count++;
    this.frames.bytes += bytes.length;
    if (isBinary) {
      this.frames.binary++;
      return this.#error(liveErrors.invalidJson('binary frame (Live takes JSON text frames)'), undefined);
    }
    this.frames.text++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      return this.#error(liveErrors.invalidJson((err as Error).message), undefined);
    }
    if (!isObject(parsed)) return this.#error(liveErrors.invalidJson('expected one JSON object'), undefined);
    const id = typeof parsed.event_id === 'string' ? parsed.event_id : undefined;
    if (typeof parsed.type !== 'string') return this.#error(liveErrors.missingType(), id);
    const event = parsed as Event;
    if (this.#settings.recordEvents) {
      const recorded = !this.#settings.recordAudio && typeof event.audio === 'string' ? { ...event, audio: `<${event.audio.length} base64 chars>` } : event;
      this.clientEvents.push({ event: recorded as ClientEventRecord['event'], receivedAt: Date.now(), bytes: bytes.length });
    }
    if (this.state === 'ended') return; // finalised: nothing more is served
    const type = event.type as (typeof LIVE_CLIENT_EVENT_TYPES)[number];
    const allowed = EVENT_KEYS[type];
    if (!Object.prototype.hasOwnProperty.call(EVENT_KEYS, event.type) || !allowed) return this.#error(liveErrors.unknownEventType(event.type, LIVE_CLIENT_EVENT_TYPES), id);
    const extra = unknownKey(event, allowed, '');
    if (extra) return this.#error(liveErrors.unknownParameter(extra.slice(1)), id);
    if (this.state === 'awaiting_start' && type !== 'session.start') return this.#error(liveErrors.sessionStartRequired(), id);
    this.#dispatch(type, event, id);
  }

  #dispatch(type: (typeof LIVE_CLIENT_EVENT_TYPES)[number], event: Event, id: string | undefined): void {
    switch (type) {
      case 'session.start':
        return this.#onStart(event, id);
      case 'session.update':
        return this.#onUpdate(event, id);
      case 'session.input_audio.append':
        return this.#onAppend(event, id);
      case 'session.input_audio.mute':
      case 'session.input_audio.unmute':
        this.muted = type === 'session.input_audio.mute';
        if (this.muted) this.#vad?.reset(this.appendedAudioMs);
        return this.#send({ type: this.muted ? 'session.input_audio.muted' : 'session.input_audio.unmuted' }, id);
      case 'session.instructions.append':
      case 'session.thinking.append':
      case 'session.commentary.append':
        return this.#onContextAppend(type, event, id);
      case 'response.item.create':
      case 'response.create': {
        if (!this.backend) return this.#error(liveErrors.responsesDelegationRequired(type), id);
        const error = type === 'response.create' ? this.backend.responseCreate() : this.backend.itemCreate(event.item);
        return error ? this.#error(error, id) : undefined;
      }
      case 'session.close':
        return this.#end('close_requested', id);
    }
  }

  // ── session ──────────────────────────────────────────────────────────────

  #onStart(event: Event, id: string | undefined): void {
    if (this.state !== 'awaiting_start') return this.#error(liveErrors.alreadyStarted(), id);
    const checked = checkSessionStart(event.session, this.#settings.models);
    if (!checked.ok) return this.#error(checked.error, id);
    const config = checked.config;
    this.config = config;
    this.state = 'active';
    this.#startedAt = Date.now();
    this.session = {
      id: `live_${newId('sess').slice('sess_'.length)}`,
      expires_at: Math.floor((this.#startedAt + this.#settings.sessionLimitMs) / 1000),
      model: config.model,
      status: 'active',
      audio: { format: config.format, output: { voice: config.voice } },
      delegation: config.delegation,
      input: config.input,
      instructions: config.instructions,
      store: config.store,
    };
    if (config.delegation.type === 'responses') {
      this.backend = new LiveResponsesBackend(config.delegation.responses, this.#settings.functionCalls, {
        send: (e) => this.#send(e),
        speak: (situation) => this.#speak(situation),
        timelineMs: () => this.appendedAudioMs,
      });
    }
    this.#vad = new EnergyVad(this.#settings.vad);
    this.#send({ type: 'session.started', session: this.session }, id);
    this.#track = new LiveOutputTrack({
      format: config.format,
      chunkMs: this.#settings.chunkMs,
      emit: (chunk) => this.#emitChunk(chunk),
      canAdvance: (trackMs) => this.#settings.timelineLeadMs === null || trackMs < this.appendedAudioMs + this.#settings.timelineLeadMs,
    });
    this.#track.start();
    this.#usageTimer = setInterval(() => this.#sendUsage(), this.#settings.usageIntervalMs);
    this.#expiryTimer = setTimeout(() => this.#end('expired'), this.#settings.sessionLimitMs);
  }

  #onUpdate(event: Event, id: string | undefined): void {
    const session = event.session;
    if (!isObject(session)) return this.#error(liveErrors.missingParameter('session'), id);
    const other = Object.keys(session).find((key) => key !== 'delegation');
    if (other !== undefined) return this.#error(liveErrors.immutableField(`session.${other}`), id);
    if (!('delegation' in session) || session.delegation === null) return this.#error(liveErrors.immutableField('session.delegation'), id);
    const checked = checkDelegation(session.delegation, 'session.delegation', { requireModel: false });
    if (!checked.ok) return this.#error(checked.error, id);
    if (checked.delegation.type !== this.config!.delegation.type) return this.#error(liveErrors.immutableField('session.delegation.type'), id);
    if (checked.delegation.type === 'responses' && this.backend) {
      this.backend.update(checked.delegation.responses);
      this.session!.delegation = { type: 'responses', responses: this.backend.config };
    }
    this.#send({ type: 'session.updated', session: this.session }, id);
  }

  #end(reason: LiveCloseReason, id?: string): void {
    if (this.state !== 'active') return;
    this.state = 'ended';
    this.closeReason = reason;
    this.#stopTimers();
    this.#send({ type: 'session.closed', reason, session: this.session, usage: { seconds: this.#usageSeconds() } }, id);
    if (reason === 'close_requested') {
      // The client closes the socket itself (with 1000) once it has session.closed.
      this.#graceTimer = setTimeout(() => this.close(1000, 'session closed'), this.#settings.closeGraceMs);
    } else {
      this.close(1000, `session ${reason}`);
    }
  }

  #stopTimers(): void {
    this.#track?.stop();
    clearInterval(this.#usageTimer);
    clearTimeout(this.#expiryTimer);
  }

  #onSocketClose(code: number, reason: string): void {
    this.#stopTimers();
    clearTimeout(this.#graceTimer);
    const initiatedBy = this.#closingByServer ? 'server' : code === 1006 ? 'network' : 'client';
    this.closed = { code, reason, initiatedBy };
    this.#onClosed(this);
    for (const resolve of this.#closeWaiters.splice(0)) resolve(this.closed);
  }

  #usageSeconds(): number {
    return this.#startedAt === 0 ? 0 : Math.round((Date.now() - this.#startedAt) / 100) / 10;
  }

  #sendUsage(): void {
    const config = this.config!;
    const text = config.instructions.length + config.input.reduce((n, item) => n + JSON.stringify(item).length, 0);
    const spokenChars = this.spoken.reduce((n, s) => n + s.transcriptSent.length, 0);
    // The server's own default instructions fill part of the window from the start (estimated).
    const ratio = Math.min(1, (1000 + Math.ceil((text + spokenChars) / 4) + this.callerTurns * 50) / 32_768);
    this.#send({ type: 'session.usage.updated', usage: { seconds: this.#usageSeconds() }, context_window: { usage_ratio: Number(ratio.toFixed(4)) } });
  }

  // ── audio and turns ──────────────────────────────────────────────────────

  #onAppend(event: Event, id: string | undefined): void {
    const audio = event.audio;
    if (audio === undefined) return this.#error(liveErrors.missingParameter('audio'), id);
    if (typeof audio !== 'string') return this.#error(liveErrors.invalidType('audio', 'a base64 string'), id);
    if (audio.length > MAX_APPEND_BASE64_CHARS) return this.#error(liveErrors.invalidAudio(`'audio' is too long (${audio.length} base64 characters).`), id);
    if (!isStrictBase64(audio)) return this.#error(liveErrors.invalidAudio("Invalid 'audio': expected base64-encoded audio."), id);
    const format = this.config!.format;
    const bytes = Buffer.from(audio, 'base64');
    if (format.type === 'audio/pcm' && bytes.length % 2 === 1) return this.#error(liveErrors.invalidAudio(`Invalid 'audio': PCM16 needs whole samples; got ${bytes.length} bytes.`), id);
    const samples = decodeAudio(format.type === 'audio/pcm' ? PCM_FORMAT : { type: format.type }, bytes);
    const startMs = this.appendedAudioMs;
    this.appendedAudioMs += (samples.length * 1000) / format.rate;
    // Muted input advances the timeline but does not reach the model.
    if (this.muted || !this.#vad) return;
    for (const vad of this.#vad.process(samples, format.rate, startMs)) {
      if (vad.type === 'speech_started') this.#callerStarted(vad.audioStartMs);
      else this.#callerStopped(vad.audioEndMs);
    }
  }

  #callerStarted(atMs: number): void {
    this.#speechStartMs = atMs;
    const cut = this.#track?.interrupt() ?? [];
    if (cut.length > 0) this.interruptions.push({ atMs, cut });
  }

  #callerStopped(endMs: number): void {
    this.callerTurns++;
    const seconds = Math.max(0, endMs - this.#speechStartMs - this.#settings.vad.silenceDurationMs) / 1000;
    const words = `[simulated transcript of ${seconds.toFixed(1)} s of audio]`.split(' ');
    const span = Math.max(1, endMs - this.#speechStartMs);
    // Fragments spread over the speech, as the service sends them (no "done" event follows).
    for (let i = 0; i < words.length; i += 3) {
      const from = this.#speechStartMs + (span * i) / words.length;
      const to = this.#speechStartMs + (span * Math.min(words.length, i + 3)) / words.length;
      this.#send({ type: 'session.input_transcript.delta', delta: `${i === 0 ? '' : ' '}${words.slice(i, i + 3).join(' ')}`, start_ms: Math.round(from), end_ms: Math.round(to) });
    }
    if (this.backend?.callerTurn()) return;
    if (this.config!.delegation.type === 'client' && this.#settings.delegateAfterTurns.includes(this.callerTurns)) {
      const delegation = { id: `del_${newId('call').slice('call_'.length)}`, afterTurn: this.callerTurns, offsetMs: Math.round(endMs), thinking: [], commentary: [] };
      this.clientDelegations.push(delegation);
      this.#send({ type: 'session.delegation.created', delegation: { id: delegation.id, target: 'client', type: 'delegation' }, offset_ms: delegation.offsetMs });
      return;
    }
    this.#speak('reply');
  }

  #onContextAppend(type: 'session.instructions.append' | 'session.thinking.append' | 'session.commentary.append', event: Event, id: string | undefined): void {
    if (event.content === undefined) return this.#error(liveErrors.missingParameter('content'), id);
    if (typeof event.content !== 'string') return this.#error(liveErrors.invalidType('content', 'a string'), id);
    if (!('delegation_id' in event)) return this.#error(liveErrors.missingParameter('delegation_id'), id);
    const delegationId = event.delegation_id;
    if (delegationId !== null && typeof delegationId !== 'string') return this.#error(liveErrors.invalidType('delegation_id', 'a string or null'), id);
    const tokens = roughTokens(event.content);
    if (tokens > 500) return this.#error(liveErrors.appendTooLong(tokens), id);
    let delegation: ClientDelegationRecord | undefined;
    if (delegationId !== null) {
      if (this.backend) return this.#error(liveErrors.delegationIdWithResponses(), id);
      delegation = this.clientDelegations.find((d) => d.id === delegationId);
      if (!delegation) return this.#error(liveErrors.unknownDelegation(), id);
    }
    const at = Math.round(this.appendedAudioMs);
    this.#send({ type: type.replace(/append$/, 'appended'), start_ms: at, end_ms: at }, id);
    if (type === 'session.thinking.append') delegation?.thinking.push(event.content);
    if (type !== 'session.commentary.append') return;
    delegation?.commentary.push(event.content);
    this.#speak(delegation ? 'afterToolOutput' : this.callerTurns === 0 ? 'greeting' : 'reply');
  }

  #speak(situation: UtteranceSituation): string {
    const situationIndex = this.#situationCounts.get(situation) ?? 0;
    this.#situationCounts.set(situation, situationIndex + 1);
    const utterance = this.#settings.voice.utteranceFor({ situation, responseIndex: this.spoken.length, situationIndex });
    this.#track?.speak(situation, utterance);
    return utterance.transcript;
  }

  #emitChunk(chunk: TrackChunk): void {
    this.#send({ type: 'session.output_audio.delta', delta: chunk.audioBase64 });
    if (chunk.transcript !== undefined) this.#send({ type: 'session.output_transcript.delta', delta: chunk.transcript, start_ms: chunk.startMs, end_ms: chunk.endMs });
  }

  // ── frames out ───────────────────────────────────────────────────────────

  #send(event: Event, clientEventId?: string): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    const full: Event = { ...event, event_id: newId('event'), ...(clientEventId !== undefined ? { client_event_id: clientEventId } : {}) };
    this.#ws.send(JSON.stringify(full));
    if (!this.#settings.recordEvents) return;
    const elide = !this.#settings.recordAudio && full.type === 'session.output_audio.delta' && typeof full.delta === 'string';
    this.serverEvents.push(elide ? { ...full, delta: `<${(full.delta as string).length} base64 chars>` } : full);
  }

  #error(body: LiveErrorBody, clientEventId: string | undefined): void {
    const ids = clientEventId !== undefined ? { client_event_id: clientEventId } : {};
    this.#send({ type: 'error', error: { ...body, ...ids }, ...ids });
  }
}
