/**
 * Which response is active (`response.created` seen, `response.done` not yet) and which responses
 * and items were interrupted, so late `response.output_audio.delta` events of a cancelled response
 * or a truncated item are dropped instead of played (the seed replayed them after a barge-in).
 * The interrupted sets keep only the last few ids: late deltas arrive within moments.
 */
const REMEMBERED = 32;

export class ResponseTracker {
  #active: string | null = null;
  readonly #droppedResponses: string[] = [];
  readonly #droppedItems: string[] = [];

  get activeResponseId(): string | null {
    return this.#active;
  }

  created(responseId: string): void {
    this.#active = responseId;
  }

  done(responseId: string): void {
    if (this.#active === responseId) this.#active = null;
  }

  /** A new connection: nothing of the old one is active any more. */
  reset(): void {
    this.#active = null;
  }

  /** Everything still to come of this response / item is unwanted. */
  interrupt(responseId: string | null, itemIds: readonly string[]): void {
    if (responseId !== null) remember(this.#droppedResponses, responseId);
    for (const id of itemIds) remember(this.#droppedItems, id);
  }

  isDropped(responseId: string | undefined, itemId: string | undefined): boolean {
    return (responseId !== undefined && this.#droppedResponses.includes(responseId)) || (itemId !== undefined && this.#droppedItems.includes(itemId));
  }
}

function remember(list: string[], id: string): void {
  if (list.includes(id)) return;
  list.push(id);
  if (list.length > REMEMBERED) list.shift();
}
