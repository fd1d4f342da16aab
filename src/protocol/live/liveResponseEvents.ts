/**
 * What a `response.event` (Responses delegation) means to the module. The wrapper carries a nested
 * Responses streaming event; of those, the module acts on three kinds:
 *
 * - a completed function call, from `response.output_item.done` (only the `.done` item has the
 *   name, call id and arguments together; items whose status is not `completed` are ignored);
 * - the end of a backend response (`response.completed`, `response.failed`,
 *   `response.incomplete`); a failed or incomplete response discards its calls;
 * - everything else, which is only forwarded.
 */
import { isObject } from './liveFields.js';
import type { LiveResponseEvent } from './liveTypes.js';

export interface LiveFunctionCall {
  callId: string;
  name: string;
  /** JSON text as the backend produced it (may be malformed; the tool handler decides). */
  arguments: string;
  /** The backend response the call belongs to, when the event says. */
  responseId: string | undefined;
  delegationId: string | null;
}

export type LiveResponseEnd = 'completed' | 'failed' | 'incomplete';

export type NestedResponseEvent =
  | { kind: 'function_call'; call: LiveFunctionCall }
  | { kind: 'response_end'; status: LiveResponseEnd; responseId: string | undefined; delegationId: string | null }
  | { kind: 'other'; type: string };

const END_TYPES: Record<string, LiveResponseEnd> = {
  'response.completed': 'completed',
  'response.failed': 'failed',
  'response.incomplete': 'incomplete',
};

export function classifyResponseEvent(wrapper: LiveResponseEvent): NestedResponseEvent {
  const nested = wrapper.event;
  const delegationId = typeof wrapper.delegation_id === 'string' ? wrapper.delegation_id : null;
  const end = END_TYPES[nested.type];
  if (end !== undefined) {
    const response = nested.response;
    const responseId = isObject(response) && typeof response.id === 'string' ? response.id : undefined;
    return { kind: 'response_end', status: end, responseId, delegationId };
  }
  if (nested.type === 'response.output_item.done') {
    const item = nested.item;
    if (
      isObject(item) &&
      item.type === 'function_call' &&
      (item.status === undefined || item.status === 'completed') &&
      typeof item.call_id === 'string' &&
      typeof item.name === 'string'
    ) {
      const args = typeof item.arguments === 'string' ? item.arguments : '{}';
      const responseId = typeof nested.response_id === 'string' ? nested.response_id : undefined;
      return { kind: 'function_call', call: { callId: item.call_id, name: item.name, arguments: args, responseId, delegationId } };
    }
  }
  return { kind: 'other', type: nested.type };
}
