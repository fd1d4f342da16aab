/**
 * Where each assistant item's samples sit in the playback ring, as ranges of ring positions
 * (samples written since the hook was attached). With the media thread's played position
 * (`ChannelPort.playedPosition()`, or the value `flush()` returns), "played samples of item X" is
 * the part of X's ranges below that position: what the caller actually heard, not wall-clock time
 * since the first delta.
 *
 * Items are small integer tags (the session numbers them), so the per-frame path neither hashes
 * strings nor allocates: a write that continues the item's last range just extends it.
 */
interface Range {
  start: number;
  end: number;
}

export class ItemPositionTracker {
  readonly #ranges = new Map<number, Range[]>();

  /** Samples [start, start + count) of the ring belong to item `tag`. */
  record(tag: number, start: number, count: number): void {
    if (count <= 0) return;
    let list = this.#ranges.get(tag);
    if (!list) {
      list = [];
      this.#ranges.set(tag, list);
    }
    const last = list[list.length - 1];
    if (last && last.end === start) last.end += count;
    else list.push({ start, end: start + count });
  }

  /** Samples of `tag` below `playedPosition`. */
  playedSamples(tag: number, playedPosition: number): number {
    const list = this.#ranges.get(tag);
    if (!list) return 0;
    let played = 0;
    for (const r of list) {
      if (playedPosition <= r.start) break;
      played += Math.min(playedPosition, r.end) - r.start;
    }
    return played;
  }

  /** Samples of `tag` written to the ring so far. */
  writtenSamples(tag: number): number {
    const list = this.#ranges.get(tag);
    if (!list) return 0;
    let n = 0;
    for (const r of list) n += r.end - r.start;
    return n;
  }

  /** Ring position of the item's first sample, if any was written. */
  firstPosition(tag: number): number | undefined {
    return this.#ranges.get(tag)?.[0]?.start;
  }

  forget(tag: number): void {
    this.#ranges.delete(tag);
  }

  /** Items still tracked. */
  get size(): number {
    return this.#ranges.size;
  }
}
