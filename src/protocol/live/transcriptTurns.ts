/**
 * Transcript fragments → readable turns (role, text, start and end ms), for the
 * `openai_realtime::transcript` event. Protocol-neutral:
 *
 * - Live sends fragments only (`session.input_transcript.delta` / `output_transcript.delta`, each
 *   with `start_ms`/`end_ms`) and no "done": a turn ends when the same speaker's next fragment
 *   starts more than `gapMs` after the turn's end, or when the timeline has moved `gapMs` past it
 *   (`advance`). 800 ms is what LiveKit's Live plugin uses.
 * - Realtime GA has explicit ends (transcription `completed`, audio transcript `done`) and item
 *   ids: pass the item id as `key` (a new key closes the speaker's open turn) and call `end`.
 *
 * Both speakers can have a turn open at once: Live is full duplex, and a backchannel from the
 * model while the caller talks must not cut the caller's turn in two.
 */

export type TranscriptRole = 'user' | 'assistant';

export interface TranscriptFragment {
  role: TranscriptRole;
  text: string;
  startMs: number;
  endMs: number;
  /** GA item id; fragments with another key belong to another turn. */
  key?: string;
}

export interface TranscriptTurn {
  role: TranscriptRole;
  text: string;
  startMs: number;
  endMs: number;
}

interface OpenTurn extends TranscriptTurn {
  key: string | undefined;
}

export const DEFAULT_TURN_GAP_MS = 800;

export class TranscriptTurnAssembler {
  readonly #gapMs: number;
  readonly #open = new Map<TranscriptRole, OpenTurn>();

  constructor(options: { gapMs?: number } = {}) {
    this.#gapMs = options.gapMs ?? DEFAULT_TURN_GAP_MS;
  }

  /** Add a fragment; returns the turns it closed (at most one). */
  add(fragment: TranscriptFragment): TranscriptTurn[] {
    const closed: TranscriptTurn[] = [];
    const open = this.#open.get(fragment.role);
    const startMs = Math.min(fragment.startMs, fragment.endMs);
    const endMs = Math.max(fragment.startMs, fragment.endMs);
    if (open && (open.key !== fragment.key || startMs - open.endMs > this.#gapMs)) {
      const turn = this.#close(fragment.role);
      if (turn) closed.push(turn);
    }
    const current = this.#open.get(fragment.role);
    if (current) {
      current.text += fragment.text;
      current.startMs = Math.min(current.startMs, startMs);
      current.endMs = Math.max(current.endMs, endMs);
    } else {
      this.#open.set(fragment.role, { role: fragment.role, text: fragment.text, startMs, endMs, key: fragment.key });
    }
    return closed;
  }

  /** The speaker's turn is over (a GA "done"/"completed"); returns it, if it had text. */
  end(role: TranscriptRole): TranscriptTurn | undefined {
    return this.#close(role);
  }

  /** The timeline reached `timelineMs`: close turns that have been quiet for more than the gap. */
  advance(timelineMs: number): TranscriptTurn[] {
    const closed: TranscriptTurn[] = [];
    for (const role of [...this.#open.keys()]) {
      if (timelineMs - this.#open.get(role)!.endMs > this.#gapMs) {
        const turn = this.#close(role);
        if (turn) closed.push(turn);
      }
    }
    return closed.sort((a, b) => a.startMs - b.startMs);
  }

  /** Close everything (the session ends), in start order. */
  flush(): TranscriptTurn[] {
    const closed: TranscriptTurn[] = [];
    for (const role of [...this.#open.keys()]) {
      const turn = this.#close(role);
      if (turn) closed.push(turn);
    }
    return closed.sort((a, b) => a.startMs - b.startMs);
  }

  #close(role: TranscriptRole): TranscriptTurn | undefined {
    const open = this.#open.get(role);
    if (!open) return undefined;
    this.#open.delete(role);
    // Fragments carry their own spacing; collapse what joining them left behind.
    const text = open.text.replace(/\s+/g, ' ').trim();
    if (text === '') return undefined;
    return { role, text, startMs: open.startMs, endMs: open.endMs };
  }
}
