/**
 * What the simulated model says after a `function_call_output`: the voice's phrase, and in the
 * transcript (or the text, for a text response) what the function returned, so a test or a
 * person reading the call record sees the output really reached the model:
 *
 *   Done. I have the result of that function call. get_weather returned {"temperature":21,...}.
 *
 * The audio stays the voice's recorded phrase (the simulator has no speech synthesis): only the
 * transcript quotes the output. Long outputs are cut to {@link MAX_QUOTED_CHARS} characters.
 */
import type { Utterance } from './assistantVoice.js';
import type { ConversationItem } from './protocolTypes.js';

export const MAX_QUOTED_CHARS = 200;

/** The output the last item carries, and the name of the function whose call it answers. */
export function lastToolOutput(items: readonly ConversationItem[]): { name: string; output: string } | null {
  const last = items[items.length - 1];
  if (!last || last.type !== 'function_call_output') return null;
  const callId = (last as { call_id?: unknown }).call_id;
  const call = items.find((item) => item.type === 'function_call' && (item as { call_id?: unknown }).call_id === callId) as
    | { name?: unknown }
    | undefined;
  const output = (last as { output?: unknown }).output;
  return { name: typeof call?.name === 'string' ? call.name : 'the function', output: typeof output === 'string' ? output : JSON.stringify(output) };
}

export function quoteToolOutput(output: string): string {
  const flat = output.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_QUOTED_CHARS ? `${flat.slice(0, MAX_QUOTED_CHARS - 3)}...` : flat;
}

/** The voice's utterance with the tool's output quoted at the end of its transcript. */
export function replyWithToolOutput(base: Utterance, tool: { name: string; output: string }): Utterance {
  const transcript = `${base.transcript} ${tool.name} returned ${quoteToolOutput(tool.output)}.`;
  return { transcript, render: (rate) => base.render(rate) };
}

/** The text of a user message item (typed text and transcripts), or null. */
export function userTextOf(item: ConversationItem | undefined): string | null {
  if (!item || item.type !== 'message' || item.role !== 'user') return null;
  const parts = item.content.map((part) => (typeof part.text === 'string' ? part.text : typeof part.transcript === 'string' ? part.transcript : '')).filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : null;
}
