/**
 * The engine's end, which happens exactly once whichever cause comes first: `stop`, hangup (the
 * pump's onClosed), the connection giving up (attempts used up, a clean server close, no
 * reconnect), or a fault. The steps always all run, each whatever the one before did — a failing
 * step must not leave the hook attached, the socket open or the session registered:
 *
 *   the steps before (speech stop, detach the hook) ─► close the socket and wait for the host to
 *   confirm the hook's removal (at most 3 s) ─► delete the debug files ─► tell the owner (`ended`)
 */
import { PlaybackMode } from '../bridge.js';
import type { MediaChannel } from '../media/mediaChannel.js';
import { describe } from '../runtime/processGuards.js';
import type { Logger } from '../runtime/logger.js';

/** How long the end waits for the host to confirm that the media hook is gone. */
export const HOOK_CLOSE_WAIT_MS = 3_000;

export interface ShutdownSteps {
  /** Synchronous steps run first, in order; each one's failure is logged and the next runs. */
  first: ReadonlyArray<readonly [name: string, run: () => void]>;
  /** Closes the socket (resolves once it is gone). */
  closeSocket(): Promise<void>;
  /** Deletes what the session left behind (debug files). */
  dispose(): Promise<void>;
  /** Tells the owner, last of all. */
  ended(reason: string): void;
}

export class EngineShutdown {
  readonly #label: string;
  readonly #log: Logger;
  readonly #hookWaitMs: number;
  readonly #hookClosed: Promise<void>;
  #resolveHookClosed: () => void = () => {};
  #ending: Promise<void> | null = null;
  #started = false;
  #reason = '';

  constructor(label: string, log: Logger, hookWaitMs = HOOK_CLOSE_WAIT_MS) {
    this.#label = label;
    this.#log = log;
    this.#hookWaitMs = hookWaitMs;
    this.#hookClosed = new Promise((resolve) => {
      this.#resolveHookClosed = resolve;
    });
  }

  get ending(): boolean {
    return this.#started;
  }

  /** Why the engine ended ('' while it runs). */
  get reason(): string {
    return this.#reason;
  }

  /** The host confirmed that the media hook is gone. */
  hookClosed(): void {
    this.#resolveHookClosed();
  }

  /** Runs the end once; later calls return the same promise. */
  run(reason: string, steps: ShutdownSteps): Promise<void> {
    if (this.#ending) return this.#ending;
    this.#started = true;
    this.#reason = reason;
    // Recorded before the first step runs, so a step that ends the engine again gets this same end.
    let done: () => void = () => {};
    this.#ending = new Promise<void>((resolve) => {
      done = resolve;
    });
    void this.#run(reason, steps).then(done);
    return this.#ending;
  }

  async #run(reason: string, steps: ShutdownSteps): Promise<void> {
    this.#log.info(`${this.#label} ending: ${reason}`);
    let hookTimer: NodeJS.Timeout | undefined;
    try {
      for (const [name, run] of steps.first) this.#step(name, run);
      // The host confirms the hook's removal through the pump; never wait for it forever.
      const hookGone = Promise.race([
        this.#hookClosed,
        new Promise<void>((resolve) => {
          hookTimer = setTimeout(() => {
            this.#log.warning(`media hook removal not confirmed within ${this.#hookWaitMs / 1000} s`);
            resolve();
          }, this.#hookWaitMs);
        }),
      ]);
      await Promise.all([steps.closeSocket(), hookGone]);
      await steps.dispose();
    } catch (err) {
      this.#log.error(`${this.#label} teardown: ${describe(err)}`);
    } finally {
      clearTimeout(hookTimer);
      this.#step('end', () => steps.ended(reason));
    }
  }

  #step(what: string, run: () => void): void {
    try {
      run();
    } catch (err) {
      this.#log.error(`${this.#label} teardown (${what}): ${describe(err)}`);
    }
  }
}

/** The engine's detach step (both engines): the ring plays nothing more, then the hook goes. */
export function detachChannel(port: MediaChannel | undefined): void {
  if (!port || port.released) return;
  port.setPlaybackMode(PlaybackMode.idle);
  port.detach();
}
