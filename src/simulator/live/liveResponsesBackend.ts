/**
 * The simulated Responses backend of a Live session under `responses` delegation.
 *
 * After a caller turn, when the backend's tools include a function that a configured
 * `FunctionCallSpec` names (or any function, for a spec without a name), the model delegates:
 * `session.delegation.created` (target `responses`, with the backend `response_id`), then the
 * backend's stream wrapped in `response.event`: `response.created`, for each call
 * `response.output_item.added` and `response.output_item.done` (a completed `function_call`), and
 * `response.completed` with an empty `output` and its token usage, the calls still unanswered.
 * Every matching spec is one call of the batch (only the first when `parallel_tool_calls` is
 * false).
 *
 * The client answers each call with `response.item.create` (`function_call_output`) and then one
 * `response.create`; a `response.create` while a call still lacks its output is refused, as the
 * service refuses a partial batch. The continuation streams a text answer and the voice speaks it.
 */
import type { UtteranceSituation } from '../assistantVoice.js';
import type { FunctionCallSpec } from '../functionCallRule.js';
import { newId } from '../ids.js';
import { isObject } from '../sessionConfig.js';
import { liveErrors, type LiveErrorBody } from './liveErrors.js';

export interface BackendCallRecord {
  callId: string;
  name: string;
  arguments: string;
  delegationId: string;
  responseId: string;
  output: string | undefined;
}

export interface BackendHooks {
  send(event: { type: string; [field: string]: unknown }): void;
  /** Speak an utterance of this situation; returns its transcript. */
  speak(situation: UtteranceSituation): string;
  /** Current position on the session timeline, ms. */
  timelineMs(): number;
}

export class LiveResponsesBackend {
  readonly calls: BackendCallRecord[] = [];
  /** Items the client added that were not tool outputs (user messages…), waiting for a response.create. */
  readonly pendingItems: Array<Record<string, unknown>> = [];
  readonly responseIds: string[] = [];
  /** Calls whose outputs a continuation has already used. */
  readonly #continued = new Set<string>();
  #config: Record<string, unknown>;
  readonly #specs: readonly FunctionCallSpec[];
  readonly #hooks: BackendHooks;

  constructor(config: Record<string, unknown>, specs: readonly FunctionCallSpec[], hooks: BackendHooks) {
    this.#config = config;
    this.#specs = specs;
    this.#hooks = hooks;
  }

  get config(): Record<string, unknown> {
    return this.#config;
  }

  /** `session.update` merged new backend settings (the type cannot change). */
  update(settings: Record<string, unknown>): void {
    this.#config = { ...this.#config, ...settings };
  }

  get openCalls(): BackendCallRecord[] {
    return this.calls.filter((call) => call.output === undefined);
  }

  /** The caller finished a turn: delegate if a configured call applies. Returns whether it did. */
  callerTurn(): boolean {
    const decided = this.#decideCalls();
    if (decided.length === 0) return false;
    const delegationId = newId('call').replace('call_', 'del_');
    const responseId = newId('resp');
    this.responseIds.push(responseId);
    this.#hooks.send({ type: 'session.delegation.created', delegation: { id: delegationId, target: 'responses', type: 'delegation', response_id: responseId }, offset_ms: Math.round(this.#hooks.timelineMs()) });
    const wrap = (event: Record<string, unknown>): void => this.#hooks.send({ type: 'response.event', delegation_id: delegationId, event });
    wrap({ type: 'response.created', response: { id: responseId, object: 'response', status: 'in_progress', output: [] } });
    decided.forEach((call, index) => {
      const callId = newId('call');
      const itemId = newId('item').replace('item_', 'fc_');
      this.calls.push({ callId, name: call.name, arguments: call.arguments, delegationId, responseId, output: undefined });
      wrap({ type: 'response.output_item.added', response_id: responseId, output_index: index, item: { id: itemId, type: 'function_call', status: 'in_progress', call_id: callId, name: call.name, arguments: '' } });
      wrap({ type: 'response.output_item.done', response_id: responseId, output_index: index, item: { id: itemId, type: 'function_call', status: 'completed', call_id: callId, name: call.name, arguments: call.arguments } });
    });
    wrap({ type: 'response.completed', response: { id: responseId, object: 'response', status: 'completed', output: [], usage: usageFor(decided.length * 20) } });
    return true;
  }

  /** `response.item.create`: a tool output for an open call, or another input item. */
  itemCreate(item: unknown): LiveErrorBody | undefined {
    if (!isObject(item)) return liveErrors.missingParameter('item');
    if (typeof item.type !== 'string') return liveErrors.missingParameter('item.type');
    if (item.type !== 'function_call_output') {
      this.pendingItems.push(item);
      return undefined;
    }
    if (typeof item.call_id !== 'string') return liveErrors.missingParameter('item.call_id');
    if (typeof item.output !== 'string') return liveErrors.invalidType('item.output', 'a string');
    const call = this.openCalls.find((c) => c.callId === item.call_id);
    if (!call) return liveErrors.unknownCall();
    call.output = item.output;
    return undefined;
  }

  /** `response.create`: continue after a complete batch, or answer the client's own items. */
  responseCreate(): LiveErrorBody | undefined {
    const unanswered = this.openCalls;
    if (unanswered.length > 0) return liveErrors.partialToolBatch(unanswered.map((c) => c.callId));
    const answered = this.calls.filter((call) => call.output !== undefined && !this.#continued.has(call.callId));
    const delegationId = answered[0]?.delegationId ?? null;
    for (const call of answered) this.#continued.add(call.callId);
    this.pendingItems.length = 0;
    this.#respondWithText(delegationId, answered.length > 0 ? 'afterToolOutput' : 'reply');
    return undefined;
  }

  #respondWithText(delegationId: string | null, situation: UtteranceSituation): void {
    const responseId = newId('resp');
    this.responseIds.push(responseId);
    const wrap = (event: Record<string, unknown>): void => this.#hooks.send({ type: 'response.event', delegation_id: delegationId, event });
    const text = this.#hooks.speak(situation);
    const itemId = newId('item').replace('item_', 'msg_');
    wrap({ type: 'response.created', response: { id: responseId, object: 'response', status: 'in_progress', output: [] } });
    wrap({ type: 'response.output_item.added', response_id: responseId, output_index: 0, item: { id: itemId, type: 'message', role: 'assistant', status: 'in_progress', content: [] } });
    wrap({ type: 'response.output_text.delta', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, delta: text });
    wrap({ type: 'response.output_item.done', response_id: responseId, output_index: 0, item: { id: itemId, type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text }] } });
    wrap({ type: 'response.completed', response: { id: responseId, object: 'response', status: 'completed', output: [], usage: usageFor(Math.ceil(text.length / 4)) } });
  }

  #decideCalls(): Array<{ name: string; arguments: string }> {
    const tools = Array.isArray(this.#config.tools) ? (this.#config.tools as unknown[]) : [];
    const names = tools.filter((t): t is Record<string, unknown> => isObject(t) && t.type === 'function' && typeof t.name === 'string').map((t) => String(t.name));
    if (names.length === 0 || this.#config.tool_choice === 'none') return [];
    const calls: Array<{ name: string; arguments: string }> = [];
    for (const spec of this.#specs) {
      const name = spec.name ?? names[0]!;
      if (!names.includes(name)) continue;
      calls.push({ name, arguments: spec.arguments === undefined ? '{}' : typeof spec.arguments === 'string' ? spec.arguments : JSON.stringify(spec.arguments) });
      if (this.#config.parallel_tool_calls === false) break;
    }
    return calls;
  }
}

function usageFor(outputTokens: number): Record<string, number> {
  const input = 200;
  return { input_tokens: input, output_tokens: outputTokens, total_tokens: input + outputTokens };
}
