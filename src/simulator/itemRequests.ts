/**
 * The client's requests on conversation items of one simulated connection:
 * `conversation.item.create`, `retrieve`, `delete` and `truncate`, with OpenAI's checks and errors.
 */
import { buildClientItem } from './clientItem.js';
import type { ConnectionIo } from './connectionIo.js';
import type { TruncationRecord } from './connectionRecord.js';
import type { Conversation } from './conversation.js';
import type { ClientEvent, RealtimeSession } from './protocolTypes.js';
import { realtimeErrors } from './realtimeErrors.js';
import { isObject } from './sessionConfig.js';

export class ItemRequests {
  readonly #io: ConnectionIo;
  readonly #conversation: Conversation;
  readonly #session: () => RealtimeSession;
  readonly #truncations: TruncationRecord[];

  constructor(io: ConnectionIo, conversation: Conversation, session: () => RealtimeSession, truncations: TruncationRecord[]) {
    this.#io = io;
    this.#conversation = conversation;
    this.#session = session;
    this.#truncations = truncations;
  }

  create(event: ClientEvent, id: string | undefined): void {
    const raw = event.item;
    if (!isObject(raw)) return this.#io.sendError(realtimeErrors.missingParameter('item'), id);
    const previous = event.previous_item_id;
    if (previous !== undefined && previous !== null) {
      if (typeof previous !== 'string') return this.#io.sendError(realtimeErrors.invalidType('previous_item_id', 'a string'), id);
      if (previous !== 'root' && !this.#conversation.has(previous)) return this.#io.sendError(realtimeErrors.previousItemNotFound(previous), id);
    }
    if (raw.id !== undefined && typeof raw.id === 'string' && this.#conversation.has(raw.id)) {
      return this.#io.sendError(realtimeErrors.duplicateItemId(raw.id), id);
    }
    const built = buildClientItem(raw, this.#session());
    if ('error' in built) return this.#io.sendError(built.error, id);
    const previousItemId = this.#conversation.insert(built.item, previous as string | null | undefined);
    if (built.audioMs !== undefined) this.#conversation.setAudioMs(built.item.id, built.audioMs);
    this.#io.send({ type: 'conversation.item.added', previous_item_id: previousItemId, item: built.item });
    this.#io.send({ type: 'conversation.item.done', previous_item_id: previousItemId, item: built.item });
  }

  retrieve(event: ClientEvent, id: string | undefined): void {
    const itemId = event.item_id;
    if (typeof itemId !== 'string') return this.#io.sendError(realtimeErrors.missingParameter('item_id'), id);
    const item = this.#conversation.get(itemId);
    if (!item) return this.#io.sendError(realtimeErrors.itemNotFound(itemId), id);
    this.#io.send({ type: 'conversation.item.retrieved', item });
  }

  delete(event: ClientEvent, id: string | undefined): void {
    const itemId = event.item_id;
    if (typeof itemId !== 'string') return this.#io.sendError(realtimeErrors.missingParameter('item_id'), id);
    if (!this.#conversation.delete(itemId)) return this.#io.sendError(realtimeErrors.itemNotFound(itemId), id);
    this.#io.send({ type: 'conversation.item.deleted', item_id: itemId });
  }

  truncate(event: ClientEvent, id: string | undefined): void {
    const { item_id: itemId, content_index: contentIndex, audio_end_ms: audioEndMs } = event;
    if (typeof itemId !== 'string') return this.#io.sendError(realtimeErrors.missingParameter('item_id'), id);
    if (contentIndex === undefined) return this.#io.sendError(realtimeErrors.missingParameter('content_index'), id);
    if (audioEndMs === undefined) return this.#io.sendError(realtimeErrors.missingParameter('audio_end_ms'), id);
    if (typeof audioEndMs !== 'number' || !Number.isInteger(audioEndMs) || audioEndMs < 0) {
      return this.#io.sendError(realtimeErrors.invalidType('audio_end_ms', 'a non-negative integer'), id);
    }
    const item = this.#conversation.get(itemId);
    if (!item) return this.#io.sendError(realtimeErrors.truncateItemNotFound(itemId), id);
    if (item.type !== 'message' || item.role !== 'assistant') return this.#io.sendError(realtimeErrors.truncateNotAssistant(itemId), id);
    const itemAudioMs = this.#conversation.audioMsOf(itemId);
    if (itemAudioMs === undefined) return this.#io.sendError(realtimeErrors.truncateNotAssistant(itemId), id);
    // Content index 0 is the audio part of a simulated assistant message.
    if (contentIndex !== 0) return this.#io.sendError(realtimeErrors.truncateBadContentIndex(contentIndex), id);
    // Item durations can end mid-millisecond; a client that rounds its played time up by <1 ms is fine.
    if (audioEndMs > Math.ceil(itemAudioMs)) return this.#io.sendError(realtimeErrors.truncateTooLong(itemAudioMs, audioEndMs), id);

    // OpenAI drops the transcript of the unheard part; keep the share of words that was heard.
    const part = item.content[0];
    if (part && typeof part.transcript === 'string' && itemAudioMs > 0) {
      const words = part.transcript.split(/\s+/).filter(Boolean);
      part.transcript = words.slice(0, Math.round((words.length * audioEndMs) / itemAudioMs)).join(' ');
    }
    this.#conversation.setAudioMs(itemId, audioEndMs);
    this.#truncations.push({ itemId, contentIndex: 0, audioEndMs, itemAudioMs });
    this.#io.send({ type: 'conversation.item.truncated', item_id: itemId, content_index: 0, audio_end_ms: audioEndMs });
  }
}
