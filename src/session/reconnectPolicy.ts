/**
 * When and how soon to try the server again. Pure, so the policy is tested without sockets.
 *
 * - Back-off: 100 ms × 2^n, at most 10 s, ±20 % jitter (IXWebSocket's curve, which the seed used,
 *   plus jitter so a PBX full of calls does not reconnect in lock step after an outage).
 * - Attempts: at most {@link DEFAULT_MAX_CONNECT_ATTEMPTS} per outage — for the initial connect and
 *   again after each drop. An outage ends when a connection has stayed open for a while
 *   (`STABLE_CONNECTION_MS` in realtimeConnection.ts); a connection that drops sooner counts as a
 *   failed attempt, so a server that accepts and drops cannot cause a reconnect storm. When the
 *   attempts are used up the stream ends (a failed connect's last ::error has wait_time 0).
 *   With STREAM_NO_RECONNECT: one attempt, no reconnect.
 * - Which closes reconnect: anything abnormal (no close frame 1006, 1001 going away / session
 *   expiry, 1011, 1012, 1013, 1014, 1005, 3xxx). Not: a clean 1000 from the server (the seed's
 *   reconnect-after-1000 was a reported bug), protocol/policy errors a retry cannot fix
 *   (1002, 1003, 1007, 1008, 1009, 1010) and application codes 4000–4999 (OpenAI's 4000 means the
 *   beta shape is refused; it would be refused again).
 */
export const BACKOFF_BASE_MS = 100;
export const BACKOFF_MAX_MS = 10_000;
export const BACKOFF_JITTER = 0.2;
export const DEFAULT_MAX_CONNECT_ATTEMPTS = 10;

export class Backoff {
  readonly maxAttempts: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(maxAttempts = DEFAULT_MAX_CONNECT_ATTEMPTS, random: () => number = Math.random) {
    this.maxAttempts = maxAttempts;
    this.#random = random;
  }

  /** Failed attempts in the current outage. */
  get failures(): number {
    return this.#failures;
  }

  /**
   * Records a failed attempt; returns the wait before the next one in ms, or null when the
   * attempts are used up.
   */
  fail(): number | null {
    this.#failures++;
    if (this.#failures >= this.maxAttempts) return null;
    return backoffDelay(this.#failures - 1, this.#random());
  }

  /** A connection opened: the next outage starts counting from zero. */
  reset(): void {
    this.#failures = 0;
  }
}

/** Delay before retry number `n` (0-based), with `random` in [0, 1) choosing the jitter. */
export function backoffDelay(n: number, random: number): number {
  const nominal = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(n, 30));
  const jitter = 1 + BACKOFF_JITTER * (2 * random - 1);
  return Math.round(nominal * jitter);
}

const NO_RECONNECT_CODES = new Set([1000, 1002, 1003, 1007, 1008, 1009, 1010]);

/** True when a close with `code` (not started by us) should be followed by a reconnect. */
export function shouldReconnectAfterClose(code: number): boolean {
  if (NO_RECONNECT_CODES.has(code)) return false;
  if (code >= 4000 && code <= 4999) return false;
  return true;
}
