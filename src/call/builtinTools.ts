/**
 * The ready-made tools a call can offer the model (OPENAI_REALTIME_TOOLS or a profile's `tools`):
 * their function schemas, as they go into `session.tools`, and the checks of the arguments the
 * model sends back. The model's arguments are untrusted text: anything that does not check out is
 * answered with an error output and nothing happens on the call.
 */
import type { BuiltinToolName, CallOptions } from './callOptions.js';

export interface FunctionTool {
  type: 'function';
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** The schema of each enabled tool; `transfer_call` lists the allowed destinations as an enum. */
export function builtinToolSchemas(options: Pick<CallOptions, 'tools' | 'transferDestinations'>): FunctionTool[] {
  return options.tools.map((name) => schemaOf(name, options.transferDestinations));
}

function schemaOf(name: BuiltinToolName, destinations: readonly string[]): FunctionTool {
  switch (name) {
    case 'end_call':
      return {
        type: 'function',
        name,
        description:
          'End the phone call. Say goodbye first: the call is hung up once what you are saying has finished playing. ' +
          'Use it when the caller wants to end the call or the conversation is complete.',
        parameters: {
          type: 'object',
          properties: { reason: { type: 'string', description: 'Why the call ends, in a few words (for the logs).' } },
          required: [],
        },
      };
    case 'transfer_call':
      return {
        type: 'function',
        name,
        description:
          'Transfer the caller to another destination (blind transfer); the conversation with you ends. ' +
          'Tell the caller first. Only the listed destinations are possible.',
        parameters: {
          type: 'object',
          properties: { destination: { type: 'string', enum: [...destinations], description: 'Where to transfer the call.' } },
          required: ['destination'],
        },
      };
    case 'send_dtmf':
      return {
        type: 'function',
        name,
        description: 'Send DTMF tones (phone keypad presses) on the call, e.g. to navigate an automated menu. Digits 0-9, *, # and A-D.',
        parameters: {
          type: 'object',
          properties: { digits: { type: 'string', description: 'The keys to press, in order, e.g. "1" or "1234#". At most 32.' } },
          required: ['digits'],
        },
      };
  }
}

export type ParsedArguments = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/** The model's `arguments` JSON text: an object, or why not (never echoing the text back). */
export function parseArguments(text: string): ParsedArguments {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'arguments are not valid JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'arguments must be a JSON object' };
  return { ok: true, value: value as Record<string, unknown> };
}

/** `reason` of end_call: optional, a short string. */
export function endCallReason(args: Record<string, unknown>): { ok: true; reason: string } | { ok: false; error: string } {
  const reason = args.reason;
  if (reason === undefined || reason === null) return { ok: true, reason: '' };
  if (typeof reason !== 'string') return { ok: false, error: 'reason must be a string' };
  return { ok: true, reason: reason.replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 200) };
}
