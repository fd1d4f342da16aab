/**
 * The idle policy: what the module does when the caller says nothing (`idle-prompt-s`,
 * `idle-hangup-s`; per profile and per call, docs/configuration.md). Off unless one is set.
 *
 *   caller silent for prompt-s ──► the model is asked to check in (once per silence)
 *   still silent for hangup-s ───► the call is hung up through call control (as end_call: never
 *                                   in the middle of the assistant's utterance)
 *
 * With only hangup-s set, the call is hung up after that much silence without a prompt. The
 * caller speaking (or pressing a key) starts everything again. The clock runs only while the
 * assistant is silent: a long answer is not the caller's silence. It is sampled on a coarse tick
 * (the policy works in seconds), so no timer has to be moved on every event.
 */
import type { Logger } from '../runtime/logger.js';

/** How often the clock looks at the call: fine enough for settings in whole seconds. */
export const IDLE_TICK_MS = 200;

/** What the model is told when the caller has been silent (Realtime `response.create` instructions). */
export const IDLE_PROMPT_INSTRUCTIONS =
  'The caller has not said anything for a while. In one short sentence, ask whether they are still there and if there is anything else you can help with.';

export interface IdlePolicyDeps {
  promptS: number;
  hangupS: number;
  /** The assistant is speaking (the caller has not heard everything yet) or a response is in progress. */
  assistantBusy(): boolean;
  /** The session is ending: the policy stops. */
  ending(): boolean;
  /** Asks the model to check in with the caller; false when it could not be sent. */
  prompt(): boolean;
  /** Hangs up (call control, source `idle-policy`). */
  hangup(silentS: number): void;
  log: Logger;
  now?: () => number;
}

type Phase = 'waiting' | 'prompted' | 'done';

export class IdlePolicy {
  readonly #d: IdlePolicyDeps;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #silentMs = 0;
  #last: number;
  #phase: Phase = 'waiting';
  #prompts = 0;

  /** Null when the policy is off (both times 0). */
  static start(deps: IdlePolicyDeps): IdlePolicy | null {
    if (deps.promptS <= 0 && deps.hangupS <= 0) return null;
    return new IdlePolicy(deps);
  }

  private constructor(deps: IdlePolicyDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#last = this.#now();
    this.#timer = setInterval(() => {
      // A JS exception never escapes into FreeSWITCH: the policy stops, the call goes on.
      try {
        this.tick();
      } catch (err) {
        this.#d.log.warning(`idle-policy stopped: ${err instanceof Error ? err.message : String(err)}`);
        this.#phase = 'done';
        this.dispose();
      }
    }, IDLE_TICK_MS);
    this.#timer.unref();
  }

  get prompts(): number {
    return this.#prompts;
  }

  /** The caller spoke or pressed a key: the silence starts again from zero. */
  callerActive(): void {
    if (this.#phase === 'done') return;
    this.#silentMs = 0;
    this.#last = this.#now();
    this.#phase = 'waiting';
  }

  /** One look at the call (the interval's, or a test's). */
  tick(): void {
    const now = this.#now();
    const elapsed = now - this.#last;
    this.#last = now;
    if (this.#phase === 'done') return;
    if (this.#d.ending()) return this.dispose();
    if (this.#d.assistantBusy()) return;
    this.#silentMs += elapsed;
    const { promptS, hangupS } = this.#d;
    if (this.#phase === 'waiting' && promptS > 0) {
      if (this.#silentMs < promptS * 1000) return;
      this.#d.log.notice(`idle-policy: the caller has said nothing for ${promptS} s: asking the model to check in`);
      if (this.#d.prompt()) this.#prompts++;
      this.#phase = 'prompted';
      this.#silentMs = 0;
      return;
    }
    if (hangupS > 0 && this.#silentMs >= hangupS * 1000) {
      this.#phase = 'done';
      const total = this.#prompts > 0 ? `${promptS} s, then ${hangupS} s after the prompt` : `${hangupS} s`;
      this.#d.log.notice(`idle-policy: the caller has said nothing for ${total}: hanging up once the assistant has finished speaking`);
      this.#d.hangup(hangupS);
      this.dispose();
    }
  }

  dispose(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
