/**
 * Function calls the module answers itself. When a `function_call` item completes
 * (`response.output_item.done`), in this order:
 *
 * 1. a ready-made tool enabled for the call (end_call, transfer_call, send_dtmf) acts through
 *    call control;
 * 2. else a handler of that name in the `tool-handlers` module runs (in its worker, with a timeout);
 * 3. else nothing happens here: the ESL application answers it, as before.
 *
 * The server events themselves reach the application unchanged either way (::json /
 * openai_s2s::server_event). The module's answer is `conversation.item.create` with a
 * `function_call_output` (the result, or `{"error":"…"}`), then `response.create` so the model
 * speaks about it — except after an accepted hang-up or transfer, where the call is ending and a new
 * response would only be cut off. Errors and timeouts are logged as well as told to the model,
 * once per call: the module never runs a failed call again by itself.
 *
 * Calls in a row without the caller speaking are bounded (toolLoopGuard.ts): past the bound the
 * model is told once that the tools are unavailable, the application gets
 * `openai_realtime::tool_loop`, and further calls are left unanswered until the caller speaks.
 */
import type { Logger } from '../runtime/logger.js';
import type { HandlerCallControls, HandlerRun, ToolHandlerHost } from '../tools/toolHandlerHost.js';
import type { SessionFamilyName } from '../tools/toolHandlerProtocol.js';
import { endCallReason, parseArguments } from './builtinTools.js';
import type { CallControl, ControlResult } from './callControl.js';
import type { BuiltinToolName } from './callOptions.js';
import { isSecretVariable, VARIABLE_NAME } from './secretVariables.js';
import { isJsonObject } from '../protocol/json.js';
import { ToolLoopGuard } from './toolLoopGuard.js';

export interface FunctionCallDeps {
  uuid: string;
  family: SessionFamilyName;
  tools: readonly BuiltinToolName[];
  control: CallControl;
  handlers: ToolHandlerHost | null;
  handlerTimeoutMs(): number;
  /** Largest output sent (max-send-json-bytes). */
  maxOutputBytes(): number;
  /** Sends one client event the module originates; false when it could not go out. */
  send(event: Record<string, unknown>): boolean;
  requestResponse(): void;
  /** The response is still in progress (its response.done has not arrived). */
  responseActive(responseId: string | null): boolean;
  getVariable(name: string): string | null | undefined;
  /** The session is ending: results are no longer sent. */
  ending(): boolean;
  /** Function calls answered in a row without the caller speaking before the module stops (0: no bound). */
  maxRoundTrips: number;
  /** The bound was reached (once per run of calls): the owner fires the event. */
  loopStopped(tool: string, callId: string): void;
  log: Logger;
}

/** call_ids remembered so a call is answered once. */
const REMEMBERED_CALLS = 256;

export class FunctionCalls {
  readonly #d: FunctionCallDeps;
  readonly #seen: string[] = [];
  readonly #running = new Set<HandlerRun>();
  #builtin = 0;
  #handled = 0;
  #handlerErrors = 0;
  #forwarded = 0;
  #unanswered = 0;
  #disposed = false;
  readonly #guard: ToolLoopGuard;

  constructor(deps: FunctionCallDeps) {
    this.#d = deps;
    this.#guard = new ToolLoopGuard(deps.maxRoundTrips);
  }

  /** The caller spoke or pressed a key: calls may be answered again. */
  callerActive(): void {
    this.#guard.callerActive();
  }

  /** Whether the module may answer this call now; answers the refusal itself when the bound is reached. */
  #admit(name: string, callId: string): boolean {
    const verdict = this.#guard.admit();
    if (verdict === 'answer') return true;
    this.#unanswered++;
    if (verdict === 'refuse-once') {
      this.#d.log.warning(
        `tool loop stopped: ${this.#guard.limit} function calls answered in a row without the caller speaking; ` +
          `${name} (${callId}) gets an error and calls are not answered until the caller speaks`,
      );
      this.#answer(callId, this.#guard.unavailableOutput(), true);
      this.#d.loopStopped(name, callId);
    } else {
      this.#d.log.debug(`tool loop: ${name} (${callId}) not answered (the caller has not spoken since the bound was reached)`);
    }
    return false;
  }

  /** A `response.output_item.done` server event. */
  onItemDone(event: Record<string, unknown>): void {
    const item = event.item;
    if (!isJsonObject(item) || item.type !== 'function_call') return;
    // A cancelled response leaves an incomplete call whose arguments may be cut short: not a call to run.
    if (item.status !== undefined && item.status !== 'completed') return;
    const name = typeof item.name === 'string' ? item.name : '';
    const callId = typeof item.call_id === 'string' ? item.call_id : '';
    if (name === '' || callId === '' || this.#seen.includes(callId)) return;
    this.#seen.push(callId);
    if (this.#seen.length > REMEMBERED_CALLS) this.#seen.shift();
    const args = typeof item.arguments === 'string' ? item.arguments : '';
    const responseId = typeof event.response_id === 'string' ? event.response_id : null;
    if ((this.#d.tools as readonly string[]).includes(name)) {
      if (!this.#admit(name, callId)) return;
      this.#builtin++;
      this.#runBuiltin(name as BuiltinToolName, args, callId, responseId);
      return;
    }
    const handlers = this.#d.handlers;
    if (!handlers) {
      this.#forwarded++;
      return;
    }
    void handlers.has(name).then(
      (exists) => {
        if (!exists) {
          this.#forwarded++;
          return;
        }
        if (!this.#admit(name, callId)) return;
        this.#handled++;
        return this.#runHandler(handlers, name, args, callId, responseId);
      },
      (err: unknown) => this.#d.log.error(`tool handler ${name}: ${String(err)}`),
    );
  }

  status(): Record<string, number | boolean> {
    return {
      builtin: this.#builtin,
      handled: this.#handled,
      handlerErrors: this.#handlerErrors,
      forwardedToApp: this.#forwarded,
      notAnswered: this.#unanswered,
      ...this.#guard.status(),
    };
  }

  /** The session ended: running handlers are told (their signal aborts) and their results dropped. */
  dispose(): void {
    this.#disposed = true;
    for (const run of this.#running) run.cancel('the session ended');
    this.#running.clear();
  }

  #runBuiltin(name: BuiltinToolName, argsText: string, callId: string, responseId: string | null): void {
    const source = `tool:${name}`;
    const parsed = parseArguments(argsText);
    if (!parsed.ok) {
      this.#d.log.warning(`${source}: ${parsed.error}`);
      this.#answer(callId, JSON.stringify({ error: parsed.error }), true);
      return;
    }
    const args = parsed.value;
    // The call that asked to leave is part of a response: it must have finished too.
    const ready = (): boolean => !this.#d.responseActive(responseId);
    let result: ControlResult;
    let okOutput: Record<string, unknown>;
    switch (name) {
      case 'end_call': {
        const reason = endCallReason(args);
        result = reason.ok ? this.#d.control.hangup(source, undefined, reason.reason, ready) : { ok: false, error: reason.error };
        okOutput = { ok: true, result: 'The call will be hung up when you have finished speaking.' };
        break;
      }
      case 'transfer_call':
        result = this.#d.control.transfer(source, args.destination, ready);
        okOutput = { ok: true, result: 'The caller will be transferred when you have finished speaking.' };
        break;
      case 'send_dtmf':
        result = this.#d.control.sendDtmf(source, args.digits);
        okOutput = { ok: true, sent: typeof args.digits === 'string' ? args.digits : '' };
        break;
    }
    if (result.ok) this.#answer(callId, JSON.stringify(okOutput), !this.#d.control.leaving);
    else this.#answer(callId, JSON.stringify({ error: result.error }), true);
  }

  async #runHandler(handlers: ToolHandlerHost, name: string, argsText: string, callId: string, responseId: string | null): Promise<void> {
    const source = `handler:${name}`;
    const parsed = parseArguments(argsText);
    if (!parsed.ok) {
      this.#handlerErrors++;
      this.#d.log.warning(`${source}: not run: ${parsed.error}`);
      this.#answer(callId, JSON.stringify({ error: parsed.error }), true);
      return;
    }
    const control = this.#d.control;
    const ready = (): boolean => !this.#d.responseActive(responseId);
    const log = this.#d.log;
    const controls: HandlerCallControls = {
      getVariable: (variable) => {
        if (!VARIABLE_NAME.test(variable)) return null;
        if (isSecretVariable(variable)) {
          log.warning(`${source}: read of ${variable} refused (it holds credentials)`);
          return null;
        }
        return this.#d.getVariable(variable) ?? null;
      },
      act: (op, a) => {
        switch (op) {
          case 'hangup':
            return control.hangup(source, a[0], '', ready);
          case 'transfer':
            return control.transfer(source, a[0], ready);
          case 'setVariable':
            return control.setVariable(source, a[0], a[1]);
          case 'playFile':
            return control.playFile(source, a[0]);
          case 'sendDtmf':
            return control.sendDtmf(source, a[0]);
        }
      },
      log: (level, message) => log[level](`${source}: ${message}`),
    };
    const run = handlers.run(name, parsed.value, { uuid: this.#d.uuid, family: this.#d.family, callId, name }, this.#d.handlerTimeoutMs(), controls);
    this.#running.add(run);
    const outcome = await run.result;
    this.#running.delete(run);
    if (this.#disposed || this.#d.ending()) {
      log.debug(`${source}: result not sent (the session has ended)`);
      return;
    }
    let output: string;
    if (outcome.ok) {
      output = outcome.output;
      const max = this.#d.maxOutputBytes();
      const bytes = Buffer.byteLength(output);
      if (bytes > max) {
        this.#handlerErrors++;
        log.warning(`${source}: result of ${bytes} bytes is larger than max-send-json-bytes (${max}); the model gets an error`);
        output = JSON.stringify({ error: `result too large (${bytes} bytes)` });
      }
    } else {
      this.#handlerErrors++;
      log.warning(`${source} failed: ${outcome.error}`);
      output = JSON.stringify({ error: outcome.error });
    }
    this.#answer(callId, output, !control.leaving);
  }

  /** `function_call_output`, then (unless the call is leaving) a `response.create`: two frames, in that order. */
  #answer(callId: string, output: string, respond: boolean): void {
    const sent = this.#d.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } });
    if (!sent) {
      this.#d.log.warning(`function output for ${callId} not sent: not connected`);
      return;
    }
    if (respond) this.#d.requestResponse();
  }
}
