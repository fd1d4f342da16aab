/**
 * `openai_realtime::stats`: every `stats-interval-s` seconds (module setting, 0 = off, applied on
 * reload), one event per active realtime session, fired on the session's channel (so it carries
 * the channel's headers and ESL filters on Unique-ID work) with the session's `status json` entry
 * as its body. One event per session rather than one summary: consumers already follow calls by
 * channel, and a summary of hundreds of sessions would be one very large event.
 *
 * Each session thread reports its own sessions, so a sharded runtime needs no merging here.
 * Echo sessions (diagnostics) are left out.
 */
import type { NativeBridge } from '../bridge.js';
import { fireRealtimeEvent, REALTIME_EVENTS } from '../events/realtimeEvents.js';
import { log } from '../runtime/logger.js';
import { describe } from '../runtime/processGuards.js';
import type { SessionRegistry } from '../runtime/sessionRegistry.js';

/** The clock the interval is checked on: fine enough for periods of whole seconds. */
const TICK_MS = 250;

export interface StatsReporterDeps {
  bridge: Pick<NativeBridge, 'fireEvent'>;
  registry: SessionRegistry;
  /** The current `stats-interval-s` (re-read at every tick, so a reload applies at once). */
  intervalS(): number;
}

export class StatsReporter {
  readonly #d: StatsReporterDeps;
  #timer: NodeJS.Timeout | null = null;
  #next = 0;
  #interval = 0;
  #fired = 0;

  constructor(deps: StatsReporterDeps) {
    this.#d = deps;
  }

  get fired(): number {
    return this.#fired;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    // Never what keeps the runtime alive.
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #tick(): void {
    const interval = this.#d.intervalS();
    const now = Date.now();
    if (interval !== this.#interval) {
      // Switched on or changed: the first report one full interval from now.
      this.#interval = interval;
      this.#next = now + interval * 1000;
      return;
    }
    if (interval <= 0 || now < this.#next) return;
    this.#next += interval * 1000;
    if (this.#next <= now) this.#next = now + interval * 1000; // the thread was stalled: no burst of catch-up reports
    for (const session of this.#d.registry.all()) {
      if (session.family === 'echo') continue;
      try {
        fireRealtimeEvent(this.#d.bridge, session.uuid, REALTIME_EVENTS.stats, session.status());
        this.#fired++;
      } catch (err) {
        log.forChannel(session.uuid).warning(`stats event not fired: ${describe(err)}`);
      }
    }
  }
}
