/**
 * The module's call features (ready-made tools, in-process tool handlers: src/call/) on a GPT-Live
 * session under `responses` delegation. The call features speak Realtime GA's shapes; this bridge
 * translates at their edge, so they run unchanged:
 *
 *   response.event {event: response.created | response.output_item.done | response.completed…}
 *     ─► response.created / response.output_item.done (function_call) / response.done (GA shapes)
 *   conversation.item.create {item: function_call_output} ─► response.item.create {item}
 *   response.create ─► response.create, held until every open call has its output (the service
 *     refuses a partial batch: FunctionCallBatch keeps the books); a complete batch is always
 *     continued, once, even after a call that leaves (the goodbye is the continuation)
 *   response.create {response: {instructions}} (the idle policy's check-in, call/idlePolicy.ts)
 *     ─► session.commentary.append {content: instructions}: Live's way to make the model speak
 *   session.input_transcript.delta ─► input_audio_buffer.speech_started (the caller is talking:
 *     the idle policy and the tool-loop guard start again)
 *
 * The tools' schemas go into `session.delegation.responses.tools` of the `session.start`
 * ({@link withDelegationTools}): the voice model has no tools of its own, the backend calls them.
 * Under `client` delegation there is no backend: the application answers `session.delegation.created`
 * with `session.commentary.append` / `session.thinking.append`, or a `live_delegation` tool handler
 * does (LiveClientDelegations).
 */
import { isJsonObject } from '../../protocol/json.js';
import { commentaryAppend } from '../../protocol/live/liveClientBuilders.js';
import { FunctionCallBatch } from '../../protocol/live/functionCallBatch.js';
import { classifyResponseEvent } from '../../protocol/live/liveResponseEvents.js';
import type { LiveResponseEvent, LiveSessionStart } from '../../protocol/live/liveTypes.js';
import type { Logger } from '../../runtime/logger.js';
import type { SessionEngine } from '../sessionEngine.js';
import { LiveClientDelegations } from './liveClientDelegation.js';

type Json = Record<string, unknown>;

/**
 * How long a reply the backend's calls lead to is awaited before call control stops waiting for it
 * (it then waits only for what is playing). The voice speaks the continuation only after it has
 * been sent, so without this an `end_call` would find the track quiet and hang up before the
 * goodbye; a backend that never answers must not hold the call open (the call control's own
 * 30 s limit is the last resort).
 */
export const LIVE_REPLY_WAIT_MS = 8000;

/** The reply the call features wait for: calls still open, or a continuation sent and not yet heard. */
interface AwaitedReply {
  phase: 'calls' | 'continued';
  since: number;
  /** Since the continuation, the track was seen quiet: the next voice is the reply. */
  sawQuiet: boolean;
}

export class LiveToolBridge {
  readonly #batch = new FunctionCallBatch();
  readonly #send: (event: Json) => boolean;
  readonly #log: Logger;
  #outputs = 0;
  #continuations = 0;
  #reply: AwaitedReply | null = null;
  /** Outputs were sent since the last response.create. */
  #uncontinued = false;
  /** Client delegations answered by the `live_delegation` tool handler. */
  readonly #client = new LiveClientDelegations();
  /** The call features' next response.create follows a client delegation's answer: it has no Live form. */
  #skipNextCreate = false;

  constructor(send: (event: Json) => boolean, log: Logger) {
    this.#send = send;
    this.#log = log;
  }

  /** A Live server event → the GA-shaped events the call features act on (none for most). */
  serverEvent(event: Json | null): Json[] {
    if (event !== null && event.type === 'session.input_transcript.delta' && typeof event.delta === 'string' && event.delta.trim() !== '') {
      // The client delegations keep what the caller said, too.
      return [{ type: 'input_audio_buffer.speech_started' }, ...this.#client.serverEvent(event)];
    }
    if (event !== null && event.type !== 'response.event') return this.#client.serverEvent(event);
    if (event === null || event.type !== 'response.event' || !isJsonObject(event.event) || typeof event.event.type !== 'string') return [];
    const wrapper = event as unknown as LiveResponseEvent;
    const nested = wrapper.event;
    const kind = classifyResponseEvent(wrapper);
    switch (kind.kind) {
      case 'function_call':
        if (!this.#batch.announce(kind.call)) return [];
        if (this.#reply?.phase !== 'calls') this.#reply = { phase: 'calls', since: Date.now(), sawQuiet: false };
        return [
          {
            type: 'response.output_item.done',
            ...(kind.call.responseId !== undefined ? { response_id: kind.call.responseId } : {}),
            item: { type: 'function_call', status: 'completed', call_id: kind.call.callId, name: kind.call.name, arguments: kind.call.arguments },
          },
        ];
      case 'response_end': {
        const ended = this.#batch.responseEnded(kind.responseId, kind.status);
        for (const call of ended.dropped) this.#log.info(`function call ${call.name} (${call.callId}) discarded: its backend response ${kind.status}`);
        if (ended.continueNow) this.#continue();
        return kind.responseId === undefined ? [] : [{ type: 'response.done', response: { id: kind.responseId, status: kind.status } }];
      }
      case 'other': {
        const response = nested.response;
        if (nested.type === 'response.created' && isJsonObject(response) && typeof response.id === 'string') {
          return [{ type: 'response.created', response: { id: response.id } }];
        }
        return [];
      }
    }
  }

  /** A client event of the call features (GA shape), sent in its Live shape. */
  clientEvent(event: Json): boolean {
    if (event.type === 'conversation.item.create' && isJsonObject(event.item) && event.item.type === 'function_call_output') {
      const callId = typeof event.item.call_id === 'string' ? event.item.call_id : '';
      if (this.#client.owns(callId)) {
        this.#skipNextCreate = true;
        const appends = this.#client.answer(callId, event.item.output);
        if (appends.length === 0) this.#log.info(`client delegation ${callId}: the tool handler gave no commentary or thinking; nothing sent`);
        return appends.map((append) => this.#send(append)).every(Boolean);
      }
      const decision = this.#batch.output(callId);
      if (decision.action === 'drop') {
        this.#log.info(`function_call_output for ${callId} not sent: ${decision.reason}`);
        return false;
      }
      const sent = this.#send({ type: 'response.item.create', item: { type: 'function_call_output', call_id: callId, output: event.item.output } });
      if (sent) {
        this.#outputs++;
        this.#uncontinued = true;
      }
      // Live's rule: a complete batch is continued, whether or not the call features asked. They do
      // not ask after a call that leaves (end_call, transfer_call: on Realtime the goodbye came
      // before the call), but under delegation the voice speaks the backend's words only after the
      // continuation: without it the caller would never hear the goodbye.
      if (decision.continueNow) this.#continue();
      return sent;
    }
    if (event.type === 'response.create' && isJsonObject(event.response) && typeof event.response.instructions === 'string') {
      const eventId = typeof event.event_id === 'string' ? event.event_id : undefined;
      return this.#send(commentaryAppend(event.response.instructions, null, eventId) as unknown as Json);
    }
    if (event.type === 'response.create') {
      if (this.#skipNextCreate) {
        this.#skipNextCreate = false;
        return true;
      }
      // Held: the batch's last output continues it.
      if (this.#batch.pending.length > 0) return true;
      // The batch this follows was continued already (one response.create per batch).
      if (!this.#uncontinued && this.#continuations > 0) return true;
      return this.#continue();
    }
    // Realtime-only requests (session.update with tools, conversation items) have no Live form.
    this.#log.debug(`${String(event.type)} of the call features not sent: no GPT-Live equivalent`);
    return false;
  }

  /**
   * Whether the call features must still wait for the voice (polled by call control through
   * {@link featureEngineOf} while it waits to hang up or transfer): true while the backend's calls
   * are open, and after the continuation until the track, seen quiet, carries the voice again —
   * the model's words after the tool outputs (a goodbye) — or {@link LIVE_REPLY_WAIT_MS} passed.
   */
  replyPending(trackQuiet: boolean, now = Date.now()): boolean {
    const reply = this.#reply;
    if (!reply) return false;
    if (now - reply.since > LIVE_REPLY_WAIT_MS) {
      this.#reply = null;
      this.#log.info(`no reply from the model ${LIVE_REPLY_WAIT_MS} ms after the tool outputs: not waiting for it any longer`);
      return false;
    }
    if (reply.phase === 'calls') return true;
    if (trackQuiet) {
      reply.sawQuiet = true;
      return true;
    }
    if (reply.sawQuiet) this.#reply = null;
    return false;
  }

  status(): Record<string, number> {
    return { outputs: this.#outputs, continuations: this.#continuations, openCalls: this.#batch.pending.length, clientDelegationsAnswered: this.#client.answered };
  }

  #continue(): boolean {
    this.#uncontinued = false;
    const sent = this.#send({ type: 'response.create' });
    if (sent) this.#continuations++;
    this.#reply = sent ? { phase: 'continued', since: Date.now(), sawQuiet: false } : null;
    return sent;
  }
}

/**
 * The start with the module's tool schemas in `delegation.responses.tools` when it delegates to
 * Responses (a new object; tools the application listed under the same name win). Under client
 * delegation it is returned as it was.
 */
export function withDelegationTools(start: LiveSessionStart, tools: readonly Json[]): LiveSessionStart {
  const delegation = start.session.delegation;
  if (tools.length === 0 || !isJsonObject(delegation) || delegation.type !== 'responses' || !isJsonObject(delegation.responses)) return start;
  const responses = delegation.responses as Json;
  const own = Array.isArray(responses.tools) ? (responses.tools as unknown[]) : [];
  const names = new Set(own.map((tool) => (isJsonObject(tool) ? tool.name : undefined)));
  const added = tools.filter((tool) => !names.has(tool.name));
  if (added.length === 0) return start;
  return {
    ...start,
    session: { ...start.session, delegation: { ...delegation, responses: { ...responses, tools: [...own, ...added] } } as LiveSessionStart['session']['delegation'] },
  };
}

/** The engine as the call features see it on a Live session: their client events go through the bridge. */
export function featureEngineOf(engine: () => SessionEngine, bridge: LiveToolBridge): Pick<SessionEngine, 'sendJson' | 'ownEventId' | 'playbackIdle' | 'ending' | 'stop'> {
  return {
    sendJson: (_text, parsed) => bridge.clientEvent(parsed),
    ownEventId: () => engine().ownEventId(),
    // Quiet only when the track is quiet and no reply to the backend's calls is still to come.
    get playbackIdle() {
      const quiet = engine().playbackIdle;
      return bridge.replyPending(quiet) ? false : quiet;
    },
    get ending() {
      return engine().ending;
    },
    stop: (reason) => engine().stop(reason),
  };
}
