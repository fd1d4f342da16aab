/**
 * A bound on function calls the module answers by itself while the caller says nothing. A model
 * whose tool keeps failing calls it again after every error output: with a failing handler the
 * module used to answer, the model called again, and so on — 786 round trips and 154,000 input
 * tokens in seconds, a bill on the real API (issue #18).
 *
 * Each function call the module answers (a ready-made tool or a tool handler) is one round trip.
 * After `limit` of them in a row with no caller speech in between, the next call is answered once
 * with an error telling the model the tools are unavailable until the caller speaks (so it can say
 * so to the caller), and the calls after that are not answered at all (they still reach the
 * application as server events). The caller speaking (server VAD's speech_started, or a key
 * press) starts a new count. 0 turns the bound off. Pure: no I/O, the owner acts on the verdicts.
 */
export const DEFAULT_MAX_TOOL_ROUND_TRIPS = 10;

export type ToolLoopVerdict =
  /** Within the bound: run the tool and answer. */
  | 'answer'
  /** The bound was just reached: answer with the unavailability error (once), fire the event. */
  | 'refuse-once'
  /** Already refused in this run: do not answer. */
  | 'ignore';

export class ToolLoopGuard {
  readonly limit: number;
  #consecutive = 0;
  #refused = false;
  #stopped = 0;
  #roundTrips = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** A function call the module would answer. */
  admit(): ToolLoopVerdict {
    if (this.limit === 0 || this.#consecutive < this.limit) {
      this.#consecutive++;
      this.#roundTrips++;
      return 'answer';
    }
    if (this.#refused) return 'ignore';
    this.#refused = true;
    this.#stopped++;
    return 'refuse-once';
  }

  /** The caller spoke (or pressed a key): a new run starts. */
  callerActive(): void {
    this.#consecutive = 0;
    this.#refused = false;
  }

  /** The output that tells the model, once, why its tool does not answer. */
  unavailableOutput(): string {
    return JSON.stringify({
      error:
        `tool calls are unavailable: ${this.limit} function calls in a row without the caller speaking. ` +
        'Do not call a tool again; tell the caller you cannot complete this now.',
    });
  }

  status(): Record<string, number | boolean> {
    return {
      maxRoundTrips: this.limit,
      consecutiveRoundTrips: this.#consecutive,
      roundTrips: this.#roundTrips,
      loopsStopped: this.#stopped,
      stoppedNow: this.#refused,
    };
  }
}
