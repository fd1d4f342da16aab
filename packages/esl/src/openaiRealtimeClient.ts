/**
 * `OpenAIRealtimeClient`: drive mod_openai_realtime from an ESL application. Typed methods for
 * every `uuid_openai_audio_stream` / `uuid_raw_audio_stream` / `uuid_openai_s2s` command and for
 * `openai_realtime status json`; the module's CUSTOM events decoded into a discriminated union;
 * and the function-call round trip (`functionCall` event, {@link OpenAIRealtimeClient.sendFunctionResult}).
 *
 * Every command method checks its arguments before sending (EslArgumentError), resolves with the
 * reply text (`+OK Success`) and rejects with EslCommandError when the reply is `-ERR <reason>`.
 */
import {
  checkNonEmptyString,
  invalidArgument,
  type MuteTarget,
  type UuidFormat,
} from './argumentChecks.js';
import {
  AUDIO_STREAM_API,
  RAW_AUDIO_STREAM_API,
  RELOAD_COMMAND,
  STATUS_COMMAND,
  encodeMute,
  encodePauseResume,
  encodeS2sClientEvent,
  encodeS2sCreate,
  encodeS2sDelete,
  encodeSendJson,
  encodeStart,
  encodeStop,
  type S2sCreateOptions,
  type StartOptions,
} from './commandEncoding.js';
import { EslConnection, type EslDisconnectInfo, type EslEvent } from './eslConnection.js';
import { EslCommandError, EslConnectionError, EslProtocolError } from './errors.js';
import {
  decodeModuleEvent,
  MODULE_EVENT_SUBCLASSES,
  type ModuleEvent,
  type ModuleEventOf,
  type ModuleEventSubclass,
  type SessionStatus,
} from './moduleEvents.js';
import type { JsonObject, OpenAIServerEvent } from './serverEvents.js';
import { TypedEmitter } from './typedEmitter.js';

export interface OpenAIRealtimeClientOptions {
  /** Channel UUID check: `rfc4122` (default) or `token` for custom `origination_uuid` values. */
  uuidFormat?: UuidFormat;
  /** TCP connect plus ESL greeting. Default 10 s. */
  connectTimeoutMs?: number;
  /** Reply wait before the connection is reset. Default 30 s (the module answers `-ERR timeout` well before). */
  commandTimeoutMs?: number;
  /** Reconnect (and resubscribe) after a lost connection. Default on: 0.5 s doubling to 30 s. */
  reconnect?: boolean | { initialDelayMs?: number; maxDelayMs?: number };
}

/** Which command family a server event came through (and a function result must go back through). */
export type RealtimeFamily = 'audio_stream' | 's2s';

export interface ServerEventNotice {
  uuid: string;
  family: RealtimeFamily;
  event: OpenAIServerEvent;
}

export interface FunctionCallNotice {
  uuid: string;
  family: RealtimeFamily;
  /** The tool name from the session's `tools`. */
  name: string;
  callId: string;
  /** JSON text written by the model; parse it defensively. */
  arguments: string;
  itemId: string | null;
  responseId: string;
}

export interface ListenerErrorInfo {
  /** What the listener threw. */
  error: unknown;
  /** The event whose listener threw. */
  event: string;
}

/** The module-wide part of `openai_realtime status json`. */
export interface ModuleStatus {
  /** Seconds since the runtime started. */
  uptimeS: number;
  /** Active sessions, sessions started and ended since the runtime started, by family. */
  sessions: Record<string, number>;
  started: Record<string, number>;
  ended: Record<string, number>;
  /** `rssMb` is the whole FreeSWITCH process; the heap figures are the module's JS threads. */
  memory: { rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number; arrayBuffersMb: number };
  /** The tool-handlers module, or null when none is configured. */
  toolHandlers: { module: string | null; handlers: string[]; error: string | null; restarts: number; calls: number; failures: number; timeouts: number } | null;
}

/** `openai_realtime status json`. */
export interface RealtimeStatus {
  totals: { sessions: number; mediaHooks: number; uncaughtErrors: number; workers?: number; [counter: string]: number | undefined };
  /** Absent from modules older than the status work. */
  module?: ModuleStatus;
  sessions: SessionStatus[];
  /** Sharded runtime: one entry per worker thread. */
  workers?: Array<{ index: number; answered: boolean; sessions: number; mediaHooks: number; uncaughtErrors: number; restarts: number }>;
}

export type OpenAIRealtimeClientEvents = {
  /** Every module event, decoded. Narrow on `subclass`. */
  event: [ModuleEvent];
  /** Every OpenAI server event, from either family (`::json` or `openai_s2s::server_event`). */
  serverEvent: [ServerEventNotice];
  /** A completed function_call item (`response.output_item.done`): run the tool, then {@link OpenAIRealtimeClient.sendFunctionResult}. */
  functionCall: [FunctionCallNotice];
  /** Connected and subscribed (again after each reconnect). */
  connected: [];
  disconnected: [EslDisconnectInfo];
  /** A listener threw. Without a listener for this event the exception is rethrown on the next tick. */
  listenerError: [ListenerErrorInfo];
  /** An ESL frame that could not be used (e.g. an event whose JSON is broken); the connection carries on. */
  ignored: [string];
} & { [S in ModuleEventSubclass]: [ModuleEventOf<S>] };

export interface SendFunctionResultOptions {
  /** Family to send through. Default: the family the call arrived on, else `audio_stream`. */
  family?: RealtimeFamily;
  /** The `response` object of the `response.create` that follows (e.g. `{ instructions }`). */
  response?: JsonObject;
}

/** Function calls remembered for routing their results; old ones are forgotten past this. */
const MAX_REMEMBERED_CALLS = 1000;

export class OpenAIRealtimeClient extends TypedEmitter<OpenAIRealtimeClientEvents> {
  readonly #options: OpenAIRealtimeClientOptions;
  readonly #uuidFormat: UuidFormat;
  #connection: EslConnection | null = null;
  /** call_id → the family it arrived on, so its result goes back the same way. */
  readonly #callFamilies = new Map<string, RealtimeFamily>();

  constructor(options: OpenAIRealtimeClientOptions = {}) {
    super();
    this.#options = options;
    this.#uuidFormat = options.uuidFormat ?? 'rfc4122';
  }

  /** The underlying ESL connection (raw `api`/`bgapi`, state, stats); null before `connect`. */
  get connection(): EslConnection | null {
    return this.#connection;
  }

  /**
   * Connects to FreeSWITCH's event socket (mod_event_socket, default port 8021, password ClueCon)
   * and subscribes to the module's events.
   */
  async connect(host: string, port: number, password: string): Promise<void> {
    checkNonEmptyString(host, 'host');
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidArgument('port', 'an integer from 1 to 65535', port);
    if (typeof password !== 'string' || /[\r\n]/.test(password)) throw invalidArgument('password', 'a single-line string', password, { secret: true });
    if (this.#connection && this.#connection.state !== 'closed' && this.#connection.state !== 'idle') {
      throw new EslConnectionError('ESL_ERR_CONNECT_FAILED', 'already connected or connecting; call close() first');
    }
    const connection = new EslConnection({
      host,
      port,
      password,
      events: ['CUSTOM', ...MODULE_EVENT_SUBCLASSES],
      ...(this.#options.connectTimeoutMs !== undefined ? { connectTimeoutMs: this.#options.connectTimeoutMs } : {}),
      ...(this.#options.commandTimeoutMs !== undefined ? { commandTimeoutMs: this.#options.commandTimeoutMs } : {}),
      ...(this.#options.reconnect !== undefined ? { reconnect: this.#options.reconnect } : {}),
    });
    connection.on('event', (event) => this.#onEslEvent(event));
    connection.on('connected', () => this.emit('connected'));
    connection.on('disconnected', (info) => this.emit('disconnected', info));
    connection.on('ignored', (reason) => this.emit('ignored', reason));
    this.#connection = connection;
    await connection.connect();
  }

  /** Closes the ESL connection (no reconnect). Pending commands reject with ESL_ERR_CLOSED. */
  async close(): Promise<void> {
    await this.#connection?.close();
  }

  // ---- uuid_openai_audio_stream / uuid_raw_audio_stream ------------------------------------------

  /** `uuid_openai_audio_stream <uuid> start <url> <mix> [send_rate [playback_rate]] [mute_user]`. */
  start(uuid: string, options: StartOptions): Promise<string> {
    return this.#run(() => encodeStart(AUDIO_STREAM_API, uuid, options, this.#uuidFormat));
  }

  /** The same through `uuid_raw_audio_stream`: PCM as binary frames instead of JSON + base64. */
  startRaw(uuid: string, options: StartOptions): Promise<string> {
    return this.#run(() => encodeStart(RAW_AUDIO_STREAM_API, uuid, options, this.#uuidFormat));
  }

  /** `stop`; `finalEvent` (a client event) is sent before the socket closes. */
  stop(uuid: string, finalEvent?: object): Promise<string> {
    return this.#run(() => encodeStop(uuid, finalEvent, this.#uuidFormat));
  }

  /** `send_json <base64>`: any client event (`session.update`, `response.create`…); base64 is done here. */
  sendJson(uuid: string, event: object): Promise<string> {
    return this.#run(() => encodeSendJson(uuid, event, this.#uuidFormat));
  }

  /** Stops audio both ways (caller → OpenAI and playback) until `resume`. */
  pause(uuid: string): Promise<string> {
    return this.#run(() => encodePauseResume(uuid, 'pause', this.#uuidFormat));
  }

  resume(uuid: string): Promise<string> {
    return this.#run(() => encodePauseResume(uuid, 'resume', this.#uuidFormat));
  }

  /** `user`: stop sending the caller; `openai`: stop playback; `all`: both. */
  mute(uuid: string, target: MuteTarget = 'user'): Promise<string> {
    return this.#run(() => encodeMute(uuid, 'mute', target, this.#uuidFormat));
  }

  unmute(uuid: string, target: MuteTarget = 'user'): Promise<string> {
    return this.#run(() => encodeMute(uuid, 'unmute', target, this.#uuidFormat));
  }

  // ---- uuid_openai_s2s ---------------------------------------------------------------------------

  /** `session.create`; the outcome arrives as `openai_s2s::connect` or `::connect_failed`. */
  s2sCreate(uuid: string, options: S2sCreateOptions): Promise<string> {
    const secret = options && typeof options === 'object' && 'apiKey' in options ? options.apiKey : undefined;
    return this.#run(() => encodeS2sCreate(uuid, options, this.#uuidFormat), typeof secret === 'string' ? [secret] : []);
  }

  /** `client.event`, sent as `^^|<uuid>|client.event|<json>` so spaces in the JSON survive. */
  s2sClientEvent(uuid: string, event: object): Promise<string> {
    return this.#run(() => encodeS2sClientEvent(uuid, event, this.#uuidFormat));
  }

  s2sDelete(uuid: string): Promise<string> {
    return this.#run(() => encodeS2sDelete(uuid, this.#uuidFormat));
  }

  // ---- openai_realtime ---------------------------------------------------------------------------

  /** `openai_realtime status json`: totals and one entry per session. */
  async status(): Promise<RealtimeStatus> {
    const reply = await this.#run(() => STATUS_COMMAND);
    let value: unknown;
    try {
      value = JSON.parse(reply);
    } catch {
      throw new EslProtocolError(`status reply is not JSON: ${reply.slice(0, 200)}`);
    }
    const v = value as Partial<RealtimeStatus> | null;
    if (!v || typeof v !== 'object' || !v.totals || typeof v.totals !== 'object' || !Array.isArray(v.sessions)) {
      throw new EslProtocolError('status reply lacks totals/sessions');
    }
    return v as RealtimeStatus;
  }

  /**
   * `openai_realtime reload`: re-reads the module's configuration file (and its tool-handlers
   * module). Resolves with the reply (`+OK reloaded (N profiles)…`); rejects with EslCommandError
   * when the file was refused (the previous configuration stays in use).
   */
  reload(): Promise<string> {
    return this.#run(() => RELOAD_COMMAND);
  }

  // ---- function calls ----------------------------------------------------------------------------

  /**
   * Returns a tool's result to the model: `conversation.item.create` with a `function_call_output`
   * item, then `response.create` so the model speaks about it. Two separate commands, the second
   * sent only after the first succeeded (a response without the output would answer without it).
   * A non-string `output` is sent as its JSON text (the API wants a string).
   */
  async sendFunctionResult(uuid: string, callId: string, output: unknown, options: SendFunctionResultOptions = {}): Promise<void> {
    checkNonEmptyString(callId, 'callId');
    const text = typeof output === 'string' ? output : JSON.stringify(output ?? null);
    if (text === undefined) throw invalidArgument('output', 'a string or a JSON-serialisable value', output);
    const family = options.family ?? this.#callFamilies.get(callId) ?? 'audio_stream';
    const send = (event: object): Promise<string> => (family === 's2s' ? this.s2sClientEvent(uuid, event) : this.sendJson(uuid, event));
    await send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: text } });
    this.#callFamilies.delete(callId);
    await send(options.response ? { type: 'response.create', response: options.response } : { type: 'response.create' });
  }

  // ---- internals ---------------------------------------------------------------------------------

  /** Encodes (throwing EslArgumentError synchronously into the promise), sends, interprets the reply. */
  async #run(encode: () => string, secrets: string[] = []): Promise<string> {
    const command = encode();
    const connection = this.#connection;
    if (!connection) throw new EslConnectionError('ESL_ERR_NOT_CONNECTED', 'not connected: call connect() first');
    const reply = (await connection.api(command)).replace(/\n+$/, '');
    const reason = failureReason(reply);
    if (reason !== null) {
      const shown = secrets.reduce((c, s) => (s.length > 0 ? c.split(s).join('[redacted]') : c), command);
      throw new EslCommandError(shown, reason, reply);
    }
    return reply;
  }

  #onEslEvent(raw: EslEvent): void {
    const event = decodeModuleEvent(raw);
    if (event === null) return;
    this.emit('event', event);
    // Correlating the subclass with its event type is beyond TypeScript here; decodeModuleEvent guarantees it.
    (this.emit as (name: ModuleEventSubclass, e: ModuleEvent) => boolean)(event.subclass, event);
    if (event.subclass !== 'mod_openai_audio_stream::json' && event.subclass !== 'openai_s2s::server_event') return;
    const family: RealtimeFamily = event.subclass === 'openai_s2s::server_event' ? 's2s' : 'audio_stream';
    const serverEvent = event.body;
    this.emit('serverEvent', { uuid: event.uuid, family, event: serverEvent });
    if (serverEvent.type !== 'response.output_item.done' || serverEvent.item.type !== 'function_call') return;
    const item = serverEvent.item;
    // A cancelled response leaves an incomplete call whose arguments may be cut short: not a call to run.
    if (item.status !== undefined && item.status !== 'completed') return;
    this.#rememberCall(item.call_id, family);
    this.emit('functionCall', {
      uuid: event.uuid,
      family,
      name: item.name,
      callId: item.call_id,
      arguments: item.arguments,
      itemId: item.id ?? null,
      responseId: serverEvent.response_id,
    });
  }

  #rememberCall(callId: string, family: RealtimeFamily): void {
    this.#callFamilies.set(callId, family);
    if (this.#callFamilies.size > MAX_REMEMBERED_CALLS) {
      const oldest = this.#callFamilies.keys().next();
      if (!oldest.done) this.#callFamilies.delete(oldest.value);
    }
  }

  protected override listenerFailed(error: unknown, event: string): void {
    if (event !== 'listenerError' && this.listenerCount('listenerError') > 0) this.emit('listenerError', { error, event });
    else super.listenerFailed(error, event);
  }
}

/**
 * The reason when a reply is a failure, else null. Our module ends a failure with `-ERR <reason>`
 * (after the usage text for grammar errors); s2s-style `-USAGE: …` and a bare `USAGE:` block (the
 * seed module printed usage with no status line) are failures too.
 */
export function failureReason(reply: string): string | null {
  const lines = reply.split('\n').map((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (line.startsWith('-ERR')) return line.slice(4).trim();
    if (line.startsWith('-USAGE')) return line.replace(/^-USAGE:?/, '').trim() || 'usage';
  }
  if (lines[0]?.startsWith('USAGE:')) return 'usage';
  return null;
}
