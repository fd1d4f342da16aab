/**
 * Client delegation answered by an in-process tool handler (the `tool-handlers` module, src/tools/).
 *
 * Under `client` delegation the Live model hands a task to the client with
 * `session.delegation.created {delegation: {id, target: "client"}}` — metadata only, no task text.
 * When the handler module exports {@link LIVE_DELEGATION_HANDLER}, the call features run it like a
 * function call (same worker, timeout, `ctx`); this part makes the delegation look like one to them
 * and turns the handler's result into Live's context events naming the delegation:
 *
 *   - a string → `session.commentary.append` (the model speaks the result in its own words);
 *   - `{commentary?: string, thinking?: string}` → `session.thinking.append` (silent progress, first)
 *     and/or `session.commentary.append`;
 *   - anything else (`undefined` → `{"ok":true}`, a throw → `{"error":…}`) → nothing is sent (an
 *     error is logged by the call features).
 *
 * Its arguments: `{delegation_id, offset_ms, transcript}`, `transcript` being what the caller said
 * since the previous delegation (the input transcript fragments), which is what the task is built
 * from. Without such an export the application answers, as before (the event reaches it either way).
 */
import { isJsonObject } from '../../protocol/json.js';

type Json = Record<string, unknown>;

/** The export of the tool-handlers module that answers client delegations. */
export const LIVE_DELEGATION_HANDLER = 'live_delegation';
/** Caller text kept for the next delegation (the newest part). */
const MAX_TRANSCRIPT_CHARS = 4000;
/** Delegations remembered to recognise the handler's answer. */
const REMEMBERED = 32;

export class LiveClientDelegations {
  readonly #open: string[] = [];
  #callerText = '';
  #answered = 0;

  /** A server event: caller transcript is gathered; a client delegation becomes a GA function call. */
  serverEvent(event: Json): Json[] {
    if (event.type === 'session.input_transcript.delta' && typeof event.delta === 'string') {
      this.#callerText = (this.#callerText + event.delta).slice(-MAX_TRANSCRIPT_CHARS);
      return [];
    }
    if (event.type !== 'session.delegation.created' || !isJsonObject(event.delegation)) return [];
    const { id, target } = event.delegation;
    if (typeof id !== 'string' || id === '' || target !== 'client') return [];
    this.#open.push(id);
    if (this.#open.length > REMEMBERED) this.#open.shift();
    const args = { delegation_id: id, offset_ms: typeof event.offset_ms === 'number' ? event.offset_ms : null, transcript: this.#callerText.trim() };
    this.#callerText = '';
    return [
      {
        type: 'response.output_item.done',
        item: { type: 'function_call', status: 'completed', call_id: id, name: LIVE_DELEGATION_HANDLER, arguments: JSON.stringify(args) },
      },
    ];
  }

  /** Whether this function output answers a client delegation. */
  owns(callId: string): boolean {
    return this.#open.includes(callId);
  }

  /** The handler's output → the append events to send, in order (none for a bare ok or an error). */
  answer(callId: string, output: unknown): Json[] {
    const at = this.#open.indexOf(callId);
    if (at >= 0) this.#open.splice(at, 1);
    const text = typeof output === 'string' ? output : '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text; // a plain string result
    }
    const appends: Json[] = [];
    const append = (type: string, content: unknown): void => {
      if (typeof content === 'string' && content.trim() !== '') appends.push({ type, content, delegation_id: callId });
    };
    if (typeof parsed === 'string') append('session.commentary.append', parsed);
    else if (isJsonObject(parsed)) {
      append('session.thinking.append', parsed.thinking);
      append('session.commentary.append', parsed.commentary);
    }
    if (appends.length > 0) this.#answered++;
    return appends;
  }

  get answered(): number {
    return this.#answered;
  }
}
