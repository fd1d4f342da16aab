/**
 * Items a client adds with `conversation.item.create`: validated by type and role, then stored
 * the way the server echoes them (server-assigned id when none is given, `object`, `status`).
 */
import { durationMsOf, isStrictBase64 } from './audioFormats.js';
import { newId } from './ids.js';
import type { ContentPart, ConversationItem, RealtimeErrorBody, RealtimeSession } from './protocolTypes.js';
import { realtimeErrors } from './realtimeErrors.js';
import { isObject } from './sessionConfig.js';

type ErrorBody = Omit<RealtimeErrorBody, 'event_id'>;

/**
 * A client-created item as stored and echoed: server-assigned id and status, `object`, and audio
 * bytes removed ("audio bytes omitted" in item events, reference §3.2).
 */
export function buildClientItem(
  raw: Record<string, unknown>,
  session: RealtimeSession,
): { item: ConversationItem; audioMs?: number } | { error: ErrorBody } {
  const itemId = typeof raw.id === 'string' && raw.id !== '' ? raw.id : newId('item');
  switch (raw.type) {
    case 'message': {
      const role = raw.role;
      if (role !== 'user' && role !== 'assistant' && role !== 'system') {
        return { error: realtimeErrors.invalidValue('item.role', role, ['user', 'assistant', 'system']) };
      }
      if (!Array.isArray(raw.content)) return { error: realtimeErrors.missingParameter('item.content') };
      const allowed = role === 'assistant' ? ['output_text', 'output_audio'] : role === 'user' ? ['input_text', 'input_audio', 'input_image'] : ['input_text'];
      let audioMs: number | undefined;
      const content: ContentPart[] = [];
      for (const [index, part] of (raw.content as unknown[]).entries()) {
        if (!isObject(part) || !allowed.includes(String(part.type))) {
          return { error: realtimeErrors.invalidValue(`item.content[${index}].type`, isObject(part) ? part.type : part, allowed) };
        }
        const { audio, ...rest } = part;
        if (typeof audio === 'string') {
          if (!isStrictBase64(audio)) return { error: realtimeErrors.invalidBase64() };
          const format = role === 'assistant' ? session.audio.output.format : session.audio.input.format;
          audioMs = (audioMs ?? 0) + durationMsOf(format, Buffer.from(audio, 'base64').length);
        }
        content.push(rest as ContentPart);
      }
      return { item: { id: itemId, object: 'realtime.item', type: 'message', role, status: 'completed', content }, ...(audioMs !== undefined ? { audioMs } : {}) };
    }
    case 'function_call': {
      if (typeof raw.name !== 'string') return { error: realtimeErrors.missingParameter('item.name') };
      return {
        item: {
          id: itemId,
          object: 'realtime.item',
          type: 'function_call',
          status: 'completed',
          name: raw.name,
          call_id: typeof raw.call_id === 'string' ? raw.call_id : newId('call'),
          arguments: typeof raw.arguments === 'string' ? raw.arguments : '{}',
        },
      };
    }
    case 'function_call_output': {
      if (typeof raw.call_id !== 'string') return { error: realtimeErrors.missingParameter('item.call_id') };
      if (typeof raw.output !== 'string') return { error: realtimeErrors.missingParameter('item.output') };
      return { item: { id: itemId, object: 'realtime.item', type: 'function_call_output', status: 'completed', call_id: raw.call_id, output: raw.output } };
    }
    default:
      return { error: realtimeErrors.invalidValue('item.type', raw.type, ['message', 'function_call', 'function_call_output']) };
  }
}
