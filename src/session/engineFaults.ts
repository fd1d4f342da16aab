/**
 * What an engine does when its own code throws (a bug, or the test hook): the session that raised
 * it ends, nothing else. Every socket callback runs this session's code (and its owner's) on the
 * socket's stack; uncaught, an exception there would leave the socket's reader stuck mid-frame (a
 * session that hears nothing more and never ends). Shared by both engines (Realtime and GPT-Live).
 */
import type { Logger } from '../runtime/logger.js';
import { describe } from '../runtime/processGuards.js';

export interface EngineFaultsDeps {
  /** What the channel's log calls the session ("audio stream", "s2s session"). */
  label: string;
  log: Logger;
  ending(): boolean;
  /** Tells the owner (its app gets an event); may be absent. */
  failed?: (reason: string) => void;
  /** Ends the session. */
  shutdown(reason: string): void;
}

export class EngineFaults {
  readonly #deps: EngineFaultsDeps;
  #count = 0;

  constructor(deps: EngineFaultsDeps) {
    this.#deps = deps;
  }

  /** Faults so far (status: internalErrors). */
  get count(): number {
    return this.#count;
  }

  /** Runs session code; an exception in it ends this session, nothing else. */
  contain(run: () => void): void {
    try {
      run();
    } catch (err) {
      this.fault(err);
    }
  }

  /** This session's code threw: log why, tell the owner, end the session (once). */
  fault(error: unknown): void {
    const d = this.#deps;
    this.#count++;
    d.log.error(`${d.label} failed: ${describe(error)}`);
    if (d.ending()) return;
    try {
      d.failed?.('internal error');
    } catch (inner) {
      d.log.error(`${d.label} failure report failed: ${describe(inner)}`);
    }
    d.shutdown('internal error');
  }
}
