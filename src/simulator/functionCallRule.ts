/**
 * When the simulated model calls a function instead of speaking.
 *
 * A real model decides from the conversation; the simulator decides by two rules a test (or a
 * person trying it) can predict:
 * - configuration: after a user turn, if the effective tools contain a function that a configured
 *   `FunctionCallSpec` names (or any function, for a spec without a name), the response is that
 *   function call;
 * - the conversation: after a user message whose text (an `input_text` part, or a transcript)
 *   names a declared function — `get_weather`, or `get weather`, case-insensitive — the response
 *   calls it. Audio turns have no text here (the simulator does no speech recognition): use a spec.
 * `tool_choice` is honoured: `none` never calls, `required` always calls (the first function tool
 * when nothing else matches) and `{type:"function", name}` calls exactly that function. Arguments
 * are the spec's, else made from the tool's JSON schema (schemaArguments.ts). After a
 * `function_call_output` the model speaks again, which is what makes the round trip finish.
 */
import type { FunctionTool, SessionTool, ToolChoice } from './protocolTypes.js';
import { argumentsFromSchema } from './schemaArguments.js';

export interface FunctionCallSpec {
  /** The tool to call; omitted → the first function tool of the session. */
  name?: string;
  /** JSON text or an object (serialised); default: made from the tool's `parameters` schema. */
  arguments?: string | Record<string, unknown>;
}

export interface FunctionCallDecision {
  name: string;
  arguments: string;
}

export function decideFunctionCall(input: {
  tools: readonly SessionTool[];
  toolChoice: ToolChoice;
  specs: readonly FunctionCallSpec[];
  /** The response follows a user message (not a greeting, not a tool output). */
  afterUserTurn: boolean;
  /** The text of that user message (typed text or a transcript), when it has any. */
  userText?: string | null;
}): FunctionCallDecision | undefined {
  const functions = input.tools.filter((tool): tool is FunctionTool => tool.type === 'function');
  const functionNames = functions.map((tool) => String(tool.name));
  const schemaArguments = (name: string): string => JSON.stringify(argumentsFromSchema(functions.find((f) => String(f.name) === name)?.parameters));
  if (functionNames.length === 0 || input.toolChoice === 'none') return undefined;

  const forced =
    typeof input.toolChoice === 'object' && input.toolChoice.type === 'function' ? String(input.toolChoice.name) : undefined;
  const required = input.toolChoice === 'required' || forced !== undefined;
  if (!input.afterUserTurn && !required) return undefined;

  for (const spec of input.specs) {
    const name = spec.name ?? forced ?? functionNames[0]!;
    if (!functionNames.includes(name) || (forced !== undefined && name !== forced)) continue;
    return { name, arguments: spec.arguments === undefined ? schemaArguments(name) : serialiseArguments(spec.arguments) };
  }
  if (input.afterUserTurn && input.userText) {
    const named = functionNames.find((name) => mentions(input.userText!, name) && (forced === undefined || name === forced));
    if (named !== undefined) return { name: named, arguments: schemaArguments(named) };
  }
  if (required) {
    const name = forced ?? functionNames[0]!;
    if (functionNames.includes(name)) return { name, arguments: schemaArguments(name) };
  }
  return undefined;
}

/** The text names the function: `get_weather` or `get weather` as whole words, any case. */
export function mentions(text: string, functionName: string): boolean {
  const words = functionName.split(/[_\s-]+/).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (words.length === 0) return false;
  return new RegExp(`(^|[^A-Za-z0-9])${words.join('[_\\s-]+')}($|[^A-Za-z0-9])`, 'i').test(text);
}

function serialiseArguments(value: string | Record<string, unknown>): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
