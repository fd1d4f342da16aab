/**
 * Bounds what caller audio may pile up in the socket while the server does not read (a stalled
 * server, a congested path): each chunk is admitted only while the bytes already waiting are worth
 * less than `uplink-backlog-ms` of audio in the current encoding. A chunk refused is dropped and
 * counted, never queued: audio that late is of no use to a conversation, and memory stays bounded
 * however long the stall lasts.
 *
 * Pure bookkeeping (the engine does the sending and the logging), so the policy is tested alone.
 */
export type BacklogVerdict =
  /** Send the chunk. */
  | 'send'
  /** Send it; the chunks before it were dropped (the stall is over). */
  | 'send-after-drops'
  /** Drop it; the first of a stall. */
  | 'drop-first'
  /** Drop it. */
  | 'drop';

export class UplinkBacklog {
  readonly limitMs: number;
  readonly chunkMs: number;
  #dropping = false;
  #droppedChunks = 0;
  #droppedMs = 0;
  #episodeDroppedMs = 0;
  #episodes = 0;
  #maxBuffered = 0;

  constructor(limitMs: number, chunkMs: number) {
    this.limitMs = limitMs;
    this.chunkMs = Math.max(1, chunkMs);
  }

  /** The cap in bytes for chunks of `chunkBytes`: what `limitMs` of them would take. */
  capBytes(chunkBytes: number): number {
    return Math.ceil((chunkBytes * this.limitMs) / this.chunkMs);
  }

  /** One chunk of `chunkBytes` (worth `chunkMs`) with `buffered` bytes already waiting in the socket. */
  admit(chunkBytes: number, buffered: number, chunkMs = this.chunkMs): BacklogVerdict {
    if (buffered > this.#maxBuffered) this.#maxBuffered = buffered;
    if (buffered > this.capBytes(chunkBytes)) {
      this.#droppedChunks++;
      this.#droppedMs += chunkMs;
      this.#episodeDroppedMs += chunkMs;
      if (this.#dropping) return 'drop';
      this.#dropping = true;
      this.#episodes++;
      return 'drop-first';
    }
    if (!this.#dropping) return 'send';
    this.#dropping = false;
    return 'send-after-drops';
  }

  /** Audio dropped in the stall that just ended (or is going on); read after 'send-after-drops'. */
  takeEpisodeDroppedMs(): number {
    const ms = this.#episodeDroppedMs;
    this.#episodeDroppedMs = 0;
    return ms;
  }

  get dropping(): boolean {
    return this.#dropping;
  }

  get droppedChunks(): number {
    return this.#droppedChunks;
  }

  get droppedMs(): number {
    return this.#droppedMs;
  }

  /** Stalls seen: runs of dropped chunks. */
  get episodes(): number {
    return this.#episodes;
  }

  /** The most bytes ever seen waiting in the socket when a chunk was ready. */
  get maxBufferedBytes(): number {
    return this.#maxBuffered;
  }
}
