/**
 * Which response is active (`response.created` seen, `response.done` not yet) and which responses
 * and items were interrupted, so late `response.output_audio.delta` events of a cancelled response
 * or a truncated item are dropped instead of played (the seed replayed them after a barge-in).
 * The interrupted sets keep only the last few ids: late deltas arrive within moments.
 *
 * A dropped response id is dropped only while deltas of the cut response can still be in flight.
 * The server's stream is ordered, so that ends when the server says the response is over
 * (`response.done`) or announces a new one under the same id (`response.created`): OpenAI never
 * reuses an id, but OpenAI-compatible servers may (a peer's FreeSWITCH suite sends a second reply
 * under the first one's id), and a reply the caller should hear must not be lost to that. A
 * response whose audio had all arrived before the cut (see {@link interrupt}'s `settled`) is not
 * dropped at all: nothing of it can be in flight. Cut items stay dropped by item id either way.
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
    // A new response under this id: what follows is its audio, not the cut one's.
    forget(this.#droppedResponses, responseId);
  }

  done(responseId: string): void {
    if (this.#active === responseId) this.#active = null;
    // The server's last word on it: nothing of the cut response can arrive after this.
    forget(this.#droppedResponses, responseId);
  }

  /** A new connection: nothing of the old one is active any more. */
  reset(): void {
    this.#active = null;
  }

  /**
   * Everything still to come of this response / item is unwanted. `settled`: all the response's
   * audio had arrived before the cut (its `response.output_audio.done` came without `item_id`,
   * and it is not the active response), so no delta of it is in flight and a later delta under
   * its id starts a new reply.
   */
  interrupt(responseId: string | null, itemIds: readonly string[], settled = false): void {
    if (responseId !== null && !settled) remember(this.#droppedResponses, responseId);
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

function forget(list: string[], id: string): void {
  const at = list.indexOf(id);
  if (at >= 0) list.splice(at, 1);
}
