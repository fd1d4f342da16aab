/**
 * The module's call features (ready-made tools, in-process tool handlers: src/call/) on a GPT-Live
 * session under `responses` delegation. The call features speak Realtime GA's shapes; this bridge
 * translates at their edge, so they run unchanged:
 *
 *   response.event {event: response.created | response.output_item.done | response.completed…}
 *     ─► response.created / response.output_item.done (function_call) / response.done (GA shapes)
 *   conversation.item.create {item: function_call_output} ─► response.item.create {item}
 *   response.create ─► response.create, held until every open call has its output (the service
 *     refuses a partial batch: FunctionCallBatch keeps the books)
 *   response.create {response: {instructions}} (the idle policy's check-in, call/idlePolicy.ts)
 *     ─► session.commentary.append {content: instructions}: Live's way to make the model speak
 *   session.input_transcript.delta ─► input_audio_buffer.speech_started (the caller is talking:
 *     the idle policy and the tool-loop guard start again)
 *
 * The tools' schemas go into `session.delegation.responses.tools` of the `session.start`
 * ({@link withDelegationTools}): the voice model has no tools of its own, the backend calls them.
 * Under `client` delegation there is no backend and nothing to translate: the application answers
 * `session.delegation.created` with `session.commentary.append` / `session.thinking.append`.
 */
import { isJsonObject } from '../../protocol/json.js';
import { commentaryAppend } from '../../protocol/live/liveClientBuilders.js';
import { FunctionCallBatch } from '../../protocol/live/functionCallBatch.js';
import { classifyResponseEvent } from '../../protocol/live/liveResponseEvents.js';
import type { LiveResponseEvent, LiveSessionStart } from '../../protocol/live/liveTypes.js';
import type { Logger } from '../../runtime/logger.js';
import type { SessionEngine } from '../sessionEngine.js';

type Json = Record<string, unknown>;

export class LiveToolBridge {
  readonly #batch = new FunctionCallBatch();
  readonly #send: (event: Json) => boolean;
  readonly #log: Logger;
  /** A response.create is waiting for the batch's last output. */
  #continueWaiting = false;
  #outputs = 0;
  #continuations = 0;

  constructor(send: (event: Json) => boolean, log: Logger) {
    this.#send = send;
    this.#log = log;
  }

  /** A Live server event → the GA-shaped events the call features act on (none for most). */
  serverEvent(event: Json | null): Json[] {
    if (event !== null && event.type === 'session.input_transcript.delta' && typeof event.delta === 'string' && event.delta.trim() !== '') {
      return [{ type: 'input_audio_buffer.speech_started' }];
    }
    if (event === null || event.type !== 'response.event' || !isJsonObject(event.event) || typeof event.event.type !== 'string') return [];
    const wrapper = event as unknown as LiveResponseEvent;
    const nested = wrapper.event;
    const kind = classifyResponseEvent(wrapper);
    switch (kind.kind) {
      case 'function_call':
        if (!this.#batch.announce(kind.call)) return [];
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
        if (ended.continueNow && this.#continueWaiting) this.#continue();
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
      const decision = this.#batch.output(callId);
      if (decision.action === 'drop') {
        this.#log.info(`function_call_output for ${callId} not sent: ${decision.reason}`);
        return false;
      }
      const sent = this.#send({ type: 'response.item.create', item: { type: 'function_call_output', call_id: callId, output: event.item.output } });
      if (sent) this.#outputs++;
      if (decision.continueNow && this.#continueWaiting) this.#continue();
      return sent;
    }
    if (event.type === 'response.create' && isJsonObject(event.response) && typeof event.response.instructions === 'string') {
      const eventId = typeof event.event_id === 'string' ? event.event_id : undefined;
      return this.#send(commentaryAppend(event.response.instructions, null, eventId) as unknown as Json);
    }
    if (event.type === 'response.create') {
      if (this.#batch.pending.length > 0) {
        this.#continueWaiting = true;
        return true;
      }
      return this.#continue();
    }
    // Realtime-only requests (session.update with tools, conversation items) have no Live form.
    this.#log.debug(`${String(event.type)} of the call features not sent: no GPT-Live equivalent`);
    return false;
  }

  status(): Record<string, number> {
    return { outputs: this.#outputs, continuations: this.#continuations, openCalls: this.#batch.pending.length };
  }

  #continue(): boolean {
    this.#continueWaiting = false;
    const sent = this.#send({ type: 'response.create' });
    if (sent) this.#continuations++;
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
    get playbackIdle() {
      return engine().playbackIdle;
    },
    get ending() {
      return engine().ending;
    },
    stop: (reason) => engine().stop(reason),
  };
}
