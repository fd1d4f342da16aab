/**
 * When the simulated model calls a function instead of speaking.
 *
 * A real model decides from the conversation; the simulator decides from configuration, so a test
 * knows in advance what it will get: after a user turn, if the effective tools contain a function
 * that a configured `FunctionCallSpec` names (or any function, for a spec without a name), the
 * response is that function call. `tool_choice` is honoured: `none` never calls, `required` always
 * calls (the first function tool, `{}` arguments, when no spec matches) and
 * `{type:"function", name}` calls exactly that function. After a `function_call_output` the model
 * speaks again, which is what makes the round trip finish.
 */
import type { SessionTool, ToolChoice } from './protocolTypes.js';

export interface FunctionCallSpec {
  /** The tool to call; omitted → the first function tool of the session. */
  name?: string;
  /** JSON text or an object (serialised); default `{}`. */
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
}): FunctionCallDecision | undefined {
  const functionNames = input.tools.filter((tool) => tool.type === 'function').map((tool) => String(tool.name));
  if (functionNames.length === 0 || input.toolChoice === 'none') return undefined;

  const forced =
    typeof input.toolChoice === 'object' && input.toolChoice.type === 'function' ? String(input.toolChoice.name) : undefined;
  const required = input.toolChoice === 'required' || forced !== undefined;
  if (!input.afterUserTurn && !required) return undefined;

  for (const spec of input.specs) {
    const name = spec.name ?? forced ?? functionNames[0]!;
    if (!functionNames.includes(name) || (forced !== undefined && name !== forced)) continue;
    return { name, arguments: serialiseArguments(spec.arguments) };
  }
  if (required) {
    const name = forced ?? functionNames[0]!;
    if (functionNames.includes(name)) return { name, arguments: '{}' };
  }
  return undefined;
}

function serialiseArguments(value: FunctionCallSpec['arguments']): string {
  if (value === undefined) return '{}';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
