/**
 * The contract of an in-process tool handler (the module setting `tool-handlers`): what a handler
 * module exports and the `ctx` each call gets. docs/configuration.md "Tool handlers" and
 * examples/tool-handlers.mjs show it in use.
 *
 *   export const get_weather = async (args, ctx) => ({ location: args.location, forecast: 'sunny' });
 *
 * Every named export is a handler for the function of that name; each must be a function. A call
 * runs in the module's tool-handler worker thread, never on a session thread. One name is
 * reserved: `live_delegation` answers a GPT-Live session's client delegations
 * (src/session/live/liveClientDelegation.ts says what it gets and what its result becomes).
 */

export interface ToolLogger {
  error(message: string): void;
  warning(message: string): void;
  notice(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export interface ToolContext {
  /** The channel's uuid. */
  readonly uuid: string;
  /** Which API the session came from. */
  readonly family: 'audio_stream' | 's2s';
  /** The model's `call_id` of this function call. */
  readonly callId: string;
  /** The function name (the export that runs). */
  readonly name: string;
  /** Aborted when the module stops waiting for this call (timeout, or the session ended). Pass it to fetch(). */
  readonly signal: AbortSignal;
  /** The FreeSWITCH log, tagged with the channel and the handler's name. */
  readonly log: ToolLogger;
  /** A channel variable (null when unset). Variables that hold credentials read as null. */
  getVariable(name: string): Promise<string | null>;
  /**
   * Hangs up once the assistant has finished speaking (the function output goes to the model
   * first; no new response is requested). Resolves when accepted; rejects with the reason when not.
   */
  hangup(cause?: string): Promise<void>;
  /** Blind transfer to a destination of the call's allow-list, once the assistant has finished speaking. */
  transfer(destination: string): Promise<void>;
  setVariable(name: string, value: string): Promise<void>;
  /** Plays a file (any FreeSWITCH path or URL) to the caller. */
  playFile(path: string): Promise<void>;
  /** Sends DTMF on the channel: 1 to 32 of 0-9 * # A-D. */
  sendDtmf(digits: string): Promise<void>;
}

/**
 * A handler: the model's arguments (a parsed JSON object) and the call's context. What it returns
 * (or resolves to) is the function's output: a string as it is, anything else as JSON
 * (`undefined` → `{"ok":true}`). A throw or rejection reaches the model as `{"error":"<message>"}`.
 */
export type ToolHandler = (args: Record<string, unknown>, ctx: ToolContext) => unknown;
