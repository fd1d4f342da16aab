/**
 * What a session adds to the audio for the call around it, for both API families: the keys the
 * caller presses (`openai_realtime::dtmf`, and forwarding to the model), the ready-made tools
 * (their schemas merged into the session configuration), call control, and in-process tool
 * handlers. The session classes own one of these and hand it the few things it watches:
 *
 *   client session.update ─► clientEvent()      (ready-made tools merged in)
 *   server events ─────────► onServerEvent()    (responses in progress, function calls)
 *   DTMF ──────────────────► onDtmf()
 *   drop / end ────────────► onDisconnected() / dispose()
 *
 * With no tools, no handlers and no DTMF forwarding configured it changes nothing: the events the
 * application gets and the frames the server gets are the same as without it, plus the dtmf event.
 */
import type { NativeBridge } from '../bridge.js';
import type { DtmfDigit } from '../bridge.js';
import type { ModuleSettings } from '../config/moduleSettings.js';
import { fireRealtimeEvent, REALTIME_EVENTS, type DtmfEventBody, type SessionFamily, type ToolLoopEventBody } from '../events/realtimeEvents.js';
import { log as rootLog, type Logger } from '../runtime/logger.js';
import type { ToolHandlerHost } from '../tools/toolHandlerHost.js';
import { builtinToolSchemas, type FunctionTool } from './builtinTools.js';
import { CallControl } from './callControl.js';
import { readCallOptions, type CallOptions, type CallProfile } from './callOptions.js';
import { DtmfForwarder } from './dtmfForwarder.js';
import { IDLE_PROMPT_INSTRUCTIONS, IdlePolicy } from './idlePolicy.js';
import { FunctionCalls } from './functionCalls.js';
import { DEFAULT_MAX_TOOL_ROUND_TRIPS } from './toolLoopGuard.js';
import { ResponseRequests } from './responseRequests.js';
import { carriesTools, withBuiltinTools } from './sessionTools.js';
import { isJsonObject } from '../protocol/json.js';

/** Module-wide services a session's call features use (one set per session thread). */
export interface CallServices {
  toolHandlers: ToolHandlerHost | null;
  settings(): ModuleSettings;
}

/** The engine as the call features drive it. */
export interface FeatureEngine {
  sendJson(text: string, parsed: Record<string, unknown>, options?: { opensUplink?: boolean }): boolean;
  ownEventId(): string;
  readonly playbackIdle: boolean;
  readonly ending: boolean;
  stop(reason: string): Promise<void>;
}

export interface CallFeaturesConfig {
  uuid: string;
  family: SessionFamily;
  bridge: NativeBridge;
  services: CallServices | null;
  /** The profile's tools and transfer allow-list (resolveConnection), overridden by channel variables. */
  profile: CallProfile | null;
  /** The session's engine, once it exists (the engine's listener calls back into this object). */
  engine: () => FeatureEngine;
}

export class CallFeatures {
  readonly options: CallOptions;
  /** For the channel's log (bad channel variables); never a key. */
  readonly warnings: readonly string[];
  readonly #c: CallFeaturesConfig;
  readonly #log: Logger;
  readonly #tools: FunctionTool[];
  readonly #control: CallControl;
  readonly #responses: ResponseRequests;
  readonly #dtmf: DtmfForwarder | null;
  readonly #calls: FunctionCalls;
  #toolsSent = false;
  #digits = 0;
  /** max-call-duration-s: hangs the call up (through call control, never mid-word) when it passes. */
  #lengthTimer: NodeJS.Timeout | null = null;
  /** idle-prompt-s / idle-hangup-s (null: off). */
  readonly #idle: IdlePolicy | null;

  constructor(config: CallFeaturesConfig) {
    this.#c = config;
    this.#log = rootLog.forChannel(config.uuid);
    const read = readCallOptions((name) => config.bridge.getVar(config.uuid, name), config.profile);
    this.options = read.options;
    this.warnings = read.warnings;
    this.#tools = builtinToolSchemas(this.options);
    this.#responses = new ResponseRequests(() => this.#send({ type: 'response.create' }));
    this.#control = new CallControl({
      uuid: config.uuid,
      family: config.family,
      bridge: config.bridge,
      link: {
        get playbackIdle() {
          return config.engine().playbackIdle;
        },
        get ending() {
          return config.engine().ending;
        },
        end: (reason) => config.engine().stop(reason),
      },
      options: this.options,
      log: this.#log,
    });
    this.#dtmf = this.options.dtmf.forward
      ? new DtmfForwarder({
          batchMs: this.options.dtmf.batchMs,
          respond: this.options.dtmf.respond,
          send: (event) => this.#send(event),
          requestResponse: () => this.#responses.request(),
          debug: (message) => this.#log.debug(message),
        })
      : null;
    const services = config.services;
    this.#calls = new FunctionCalls({
      uuid: config.uuid,
      family: config.family,
      tools: this.options.tools,
      control: this.#control,
      handlers: services?.toolHandlers ?? null,
      handlerTimeoutMs: () => services?.settings().toolHandlerTimeoutMs ?? 10_000,
      maxOutputBytes: () => services?.settings().maxSendJsonBytes ?? 1024 * 1024,
      send: (event) => this.#send(event),
      requestResponse: () => this.#responses.request(),
      responseActive: (id) => this.#responses.isActive(id),
      getVariable: (name) => config.bridge.getVar(config.uuid, name),
      ending: () => config.engine().ending,
      maxRoundTrips: this.options.maxToolRoundTrips ?? services?.settings().maxToolRoundTrips ?? DEFAULT_MAX_TOOL_ROUND_TRIPS,
      loopStopped: (tool, callId) => {
        const body: ToolLoopEventBody = { tool, call_id: callId, max_round_trips: this.#calls.status().maxRoundTrips as number, family: config.family };
        fireRealtimeEvent(config.bridge, config.uuid, REALTIME_EVENTS.toolLoop, body);
      },
      log: this.#log,
    });
    this.#startLengthLimit(this.options.maxCallDurationS ?? services?.settings().maxCallDurationS ?? 0);
    // Channel variable > profile (both in options) > module setting.
    this.#idle = IdlePolicy.start({
      promptS: this.options.idlePromptS ?? services?.settings().idlePromptS ?? 0,
      hangupS: this.options.idleHangupS ?? services?.settings().idleHangupS ?? 0,
      assistantBusy: () => !config.engine().playbackIdle || this.#responses.inProgress,
      ending: () => config.engine().ending || this.#control.leaving,
      prompt: () => this.#send({ type: 'response.create', response: { instructions: IDLE_PROMPT_INSTRUCTIONS } }),
      hangup: (seconds) => {
        this.#control.hangup('idle-policy', undefined, `caller silent for ${seconds} s`);
      },
      log: this.#log,
    });
  }

  /**
   * Starts the call-length limit (OPENAI_REALTIME_MAX_CALL_DURATION_S, else max-call-duration-s):
   * when it passes, the call is hung up like end_call does — once the assistant has finished the
   * utterance it is speaking — with an `openai_realtime::call_control` event of source
   * `max-call-duration`.
   */
  #startLengthLimit(seconds: number): void {
    if (seconds <= 0) return;
    this.#lengthTimer = setTimeout(() => {
      this.#lengthTimer = null;
      this.#log.notice(`the call reached max-call-duration-s (${seconds} s): hanging up once the assistant has finished speaking`);
      this.#control.hangup('max-call-duration', undefined, `call longer than ${seconds} s`);
    }, seconds * 1000);
    this.#lengthTimer.unref();
  }

  /** The profile's session (sent by the engine after session.created) with the ready-made tools in it. */
  initialSession(session: Readonly<Record<string, unknown>> | null): Readonly<Record<string, unknown>> | null {
    if (session === null || this.#tools.length === 0) return session;
    const merged = withBuiltinTools(session, this.#tools, false);
    if (carriesTools(merged, this.#tools)) this.#toolsSent = true;
    return merged;
  }

  /** An application's client event about to be sent: a session.update gets the ready-made tools merged in. */
  clientEvent(text: string, parsed: Record<string, unknown>): { text: string; parsed: Record<string, unknown> } {
    if (this.#tools.length === 0 || parsed.type !== 'session.update' || !isJsonObject(parsed.session)) return { text, parsed };
    const session = withBuiltinTools(parsed.session, this.#tools, this.#toolsSent);
    if (session === parsed.session) return { text, parsed };
    const event = { ...parsed, session };
    return { text: JSON.stringify(event), parsed: event };
  }

  /** The application's client event went out. */
  clientEventSent(parsed: Record<string, unknown>): void {
    if (this.#tools.length > 0 && parsed.type === 'session.update' && isJsonObject(parsed.session) && carriesTools(parsed.session, this.#tools)) {
      this.#toolsSent = true;
    }
  }

  /** A server event (GA names), after the engine has handled it. */
  onServerEvent(event: Record<string, unknown> | null): void {
    if (event === null) return;
    switch (event.type) {
      case 'session.created':
        // Nobody has configured the tools yet (no profile session, no update from the app so far).
        if (this.#tools.length > 0 && !this.#toolsSent) this.#sendTools();
        break;
      case 'response.created': {
        const id = isJsonObject(event.response) ? event.response.id : undefined;
        if (typeof id === 'string') this.#responses.created(id);
        break;
      }
      case 'response.done': {
        const id = isJsonObject(event.response) ? event.response.id : undefined;
        if (typeof id === 'string') this.#responses.done(id);
        break;
      }
      case 'response.output_item.done':
        this.#calls.onItemDone(event);
        break;
      case 'input_audio_buffer.speech_started':
        this.#calls.callerActive();
        this.#idle?.callerActive();
        break;
      default:
        break;
    }
  }

  onDtmf(digit: DtmfDigit): void {
    this.#digits++;
    const body: DtmfEventBody = { digit: digit.digit, duration_ms: digit.durationMs, family: this.#c.family };
    fireRealtimeEvent(this.#c.bridge, this.#c.uuid, REALTIME_EVENTS.dtmf, body);
    this.#calls.callerActive();
    this.#idle?.callerActive();
    this.#dtmf?.press(digit.digit);
  }

  /** The connection dropped: responses in progress are gone with it. */
  onDisconnected(): void {
    this.#responses.reset();
  }

  /** The session ended: nothing is pending any more. */
  dispose(): void {
    if (this.#lengthTimer) clearTimeout(this.#lengthTimer);
    this.#lengthTimer = null;
    this.#idle?.dispose();
    this.#dtmf?.dispose();
    this.#control.dispose();
    this.#calls.dispose();
  }

  status(): Record<string, unknown> {
    return {
      tools: [...this.options.tools],
      dtmf: { pressed: this.#digits, forward: this.options.dtmf.forward, messages: this.#dtmf?.messagesSent ?? 0 },
      functionCalls: this.#calls.status(),
      callControlActions: this.#control.actions,
      ...(this.#idle ? { idlePrompts: this.#idle.prompts } : {}),
    };
  }

  #sendTools(): void {
    const event = { type: 'session.update', event_id: this.#c.engine().ownEventId(), session: { type: 'realtime', tools: this.#tools } };
    // Not the application's configuration: it must not open an uplink that waits for the app's own update (s2s).
    if (this.#c.engine().sendJson(JSON.stringify(event), event, { opensUplink: false })) {
      this.#toolsSent = true;
      this.#log.info(`ready-made tools offered to the model: ${this.options.tools.join(', ')}`);
    }
  }

  /** A client event of the module's own, tagged so an error about it is not handed to an s2s application. */
  #send(event: Record<string, unknown>): boolean {
    const engine = this.#c.engine();
    if (engine.ending) return false;
    const tagged = { ...event, event_id: engine.ownEventId() };
    return engine.sendJson(JSON.stringify(tagged), tagged, { opensUplink: false });
  }
}
