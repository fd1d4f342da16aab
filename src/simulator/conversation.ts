/**
 * The server-side conversation: items in order, plus how much assistant audio each item holds
 * (what `conversation.item.truncate` is checked against).
 */
import type { ConversationItem } from './protocolTypes.js';

export class Conversation {
  readonly #items: ConversationItem[] = [];
  readonly #audioMs = new Map<string, number>();

  get items(): readonly ConversationItem[] {
    return this.#items;
  }

  get(itemId: string): ConversationItem | undefined {
    return this.#items.find((item) => item.id === itemId);
  }

  has(itemId: string): boolean {
    return this.get(itemId) !== undefined;
  }

  lastItemId(): string | null {
    return this.#items.length ? this.#items[this.#items.length - 1]!.id : null;
  }

  /**
   * Insert after `previousItemId` (GA: omitted → append at the end, `"root"` → at the start).
   * Returns the id of the item now preceding it (null at the start), for `previous_item_id` in
   * `conversation.item.added`. The caller has checked that `previousItemId` exists.
   */
  insert(item: ConversationItem, previousItemId?: string | null): string | null {
    if (previousItemId === undefined || previousItemId === null) {
      const previous = this.lastItemId();
      this.#items.push(item);
      return previous;
    }
    if (previousItemId === 'root') {
      this.#items.unshift(item);
      return null;
    }
    const index = this.#items.findIndex((existing) => existing.id === previousItemId);
    this.#items.splice(index + 1, 0, item);
    return previousItemId;
  }

  /** The item before `itemId`, or null. */
  previousOf(itemId: string): string | null {
    const index = this.#items.findIndex((item) => item.id === itemId);
    return index > 0 ? this.#items[index - 1]!.id : null;
  }

  delete(itemId: string): boolean {
    const index = this.#items.findIndex((item) => item.id === itemId);
    if (index < 0) return false;
    this.#items.splice(index, 1);
    this.#audioMs.delete(itemId);
    return true;
  }

  setAudioMs(itemId: string, ms: number): void {
    this.#audioMs.set(itemId, ms);
  }

  audioMsOf(itemId: string): number | undefined {
    return this.#audioMs.get(itemId);
  }
}
